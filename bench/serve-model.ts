/**
 * The serving bench's models: for a workload at vocabulary V, a real `mtl train` model directory (one epoch
 * over a small synthetic CSV: serving cost does not depend on the weights' values), and the peer's side of
 * the same model — the PyTorch package of `mtl compile --target pytorch` and the weights of
 * `mtl convert --to pytorch` from that directory. Everything is made by the CLI, as a user would.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Workload } from './specs.js';
import { workloadText } from './workload.js';
import { writeCsv } from './e2e.js';
import { runMtl } from './cli.js';
import { peerEnv } from './peer.js';

/** Rows of the training CSV: two batches of the specs' 1024. */
const TRAIN_ROWS = 2048;

/** The files of one served workload. */
export interface ServedWorkload {
  workload: Workload;
  vocab: number;
  /** The mtl model directory (`mtl serve` serves it). */
  modelDir: string;
  /** The generated PyTorch package and the converted weights (the peer serves them). */
  packageDir: string;
  weightsDir: string;
}

/** Run one CLI step; throws with the end of its stderr when it fails. */
function step(args: string[]): void {
  const r = runMtl(args, peerEnv());
  if (r.status !== 0) throw new Error(`mtl ${args[0]} failed (exit ${r.status}): ${(r.stderr ?? '').trim().split('\n').slice(-3).join(' | ')}`);
}

/** Train, compile and convert `workload` at `vocab` under `work` (a fresh directory). */
export function prepareWorkload(workload: Workload, vocab: number, work: string, backend: string): ServedWorkload {
  const spec = path.join(work, `${workload}.mtl`);
  fs.writeFileSync(spec, workloadText(workload, vocab));
  const csv = path.join(work, 'train.csv');
  writeCsv(csv, TRAIN_ROWS, vocab);
  const served: ServedWorkload = {
    workload,
    vocab,
    modelDir: path.join(work, 'model'),
    packageDir: path.join(work, 'pytorch'),
    weightsDir: path.join(work, 'pytorch-weights'),
  };
  step(['train', spec, '--data', csv, '--epochs', '1', '--backend', backend, '--out', served.modelDir]);
  step(['compile', spec, '--target', 'pytorch', '-o', served.packageDir]);
  step(['convert', served.modelDir, '--to', 'pytorch', '-o', served.weightsDir]);
  return served;
}
