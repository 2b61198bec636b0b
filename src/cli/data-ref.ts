/**
 * Choosing the data a command reads: `--data FILE` on the command line, else the spec's `data { ... }` block.
 */
import * as path from 'node:path';
import type { ModelIR } from '../ir/types.js';
import type { DataRef } from '../data/index.js';
import { UsageError } from './io.js';

/** Training and validation data of `mtl train`. Relative spec paths are relative to the spec's directory. */
export function trainDataRefs(ir: ModelIR, specDir: string, cwd: string, flags: { data?: string; valid?: string; seed: number; rows?: number }): { data: DataRef; valid?: DataRef } {
  const valid = flags.valid !== undefined ? { kind: 'file' as const, path: path.resolve(cwd, flags.valid) } : undefined;
  const source = ir.data;
  if (flags.rows !== undefined && (flags.data !== undefined || source?.kind !== 'synth')) throw new UsageError('mtl train: --rows applies only to built-in (synth) data.', 'train');
  if (flags.data !== undefined) return { data: { kind: 'file', path: path.resolve(cwd, flags.data) }, ...(valid ? { valid } : {}) };
  if (!source) {
    throw new UsageError(`mtl train: no training data. Pass --data FILE, or add a data block to the spec, e.g. data { train "train.csv" } or data { synth esmm rows 20000 }.`, 'train');
  }
  if (source.kind === 'synth') {
    return { data: { kind: 'synth', generator: source.generator, rows: flags.rows ?? source.rows, params: source.params, seed: flags.seed }, ...(valid ? { valid } : {}) };
  }
  const specValid = source.valid !== undefined ? { kind: 'file' as const, path: path.resolve(specDir, source.valid) } : undefined;
  const v = valid ?? specValid;
  return { data: { kind: 'file', path: path.resolve(specDir, source.train) }, ...(v ? { valid: v } : {}) };
}

/** The data of `mtl eval` / `mtl predict`: always a file given with --data. */
export function fileDataRef(command: string, cwd: string, file: string | undefined): DataRef {
  if (file === undefined) throw new UsageError(`mtl ${command}: --data FILE is required.`, command);
  return { kind: 'file', path: path.resolve(cwd, file) };
}
