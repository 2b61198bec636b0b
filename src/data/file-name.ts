/**
 * How a data file path is named in messages. Kept apart from problems.ts, which must not import Node
 * modules: the scoring core (src/serve/score.ts) reports row problems through problems.ts in a browser too.
 */
import * as path from 'node:path';
import type { DataFileName } from './problems.js';

/** Names for a data file path. */
export function dataFileName(file: string): DataFileName {
  return { file, display: path.basename(file) };
}
