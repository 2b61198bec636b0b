/**
 * tfjs prints a banner ("Hi, looks like you are running TensorFlow.js in Node.js…") the first time its cpu
 * backend stores a tensor, and deprecation notices through the same logger. mtl chooses its backends
 * itself and says which one runs, so those lines are noise in a command's output: production mode (the
 * documented `tf.enableProdMode()`) silences tfjs's logger and nothing else.
 */
import * as tf from '@tensorflow/tfjs';

/** Silence tfjs's console notices (idempotent). */
export function silenceTfjsNotices(): void {
  tf.enableProdMode();
}
