/**
 * Train one spec and evaluate it on a held-out file, in-process (no CLI, no build step): the library
 * functions `checkFile`, `train`, `evaluateArtifact` and `predictArtifact`.
 */
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { checkFile, hasErrors } from '../../src/language/check.js';
import type { ModelIR } from '../../src/ir/types.js';
import { train, type TrainOverrides, type TrainResult } from '../../src/train/train.js';
import { evaluateArtifact, type EvaluateResult } from '../../src/artifact/evaluate.js';
import { predictArtifact } from '../../src/artifact/predict.js';
import { gateLookup } from '../../src/cli/spec-loader.js';
import type { DataRef } from '../../src/artifact/runtime-deps.js';

/** A spec that passed the checker, with what training needs. */
export interface ReadySpec {
  ir: ModelIR;
  file: string;
  gates: unknown;
}

/** Check a spec file; throws with the diagnostics when it has errors (the repro's own specs must be valid). */
export async function loadSpec(file: string): Promise<ReadySpec> {
  const text = await fsp.readFile(file, 'utf8');
  const r = await checkFile(text, file);
  if (!r.ir || hasErrors(r.diagnostics)) {
    throw new Error(`${file} has errors:\n${r.diagnostics.map((d) => `  ${d.code} ${d.message}`).join('\n')}`);
  }
  return { ir: r.ir, file, gates: gateLookup(r.registry) };
}

/** A file data reference. */
export function fileRef(p: string): DataRef {
  return { kind: 'file', path: path.resolve(p) };
}

/** Train `spec` on `trainFile` with `validFile` for early stopping; the model directory is `outDir`. */
export async function trainSpec(spec: ReadySpec, trainFile: string, validFile: string, outDir: string, overrides: TrainOverrides, log?: (s: string) => void): Promise<TrainResult> {
  return train({
    ir: spec.ir,
    gates: spec.gates,
    data: fileRef(trainFile),
    valid: fileRef(validFile),
    baseDir: path.dirname(spec.file),
    outDir,
    overrides,
    ...(log ? { log: { write: log, isTTY: false } } : {}),
  });
}

/** The model directory's metrics (and gate usage) on `file`. */
export async function evaluateOn(outDir: string, file: string): Promise<EvaluateResult> {
  return evaluateArtifact(outDir, fileRef(file), { baseDir: outDir, batchSize: 4096 });
}

/** Predict `file` with the model directory and return each output column as numbers. */
export async function predictColumns(outDir: string, file: string, tmpFile: string): Promise<Record<string, Float64Array>> {
  const r = await predictArtifact(outDir, fileRef(file), tmpFile, { baseDir: outDir, batchSize: 4096, format: 'csv' });
  const cols = await readNumericCsv(tmpFile, r.outputs);
  await fsp.rm(tmpFile, { force: true });
  return cols;
}

/** Read numeric columns of a simple CSV (a header, no quoted numbers). Missing cells read as NaN. */
export async function readNumericCsv(file: string, columns: string[]): Promise<Record<string, Float64Array>> {
  const lines = (await fsp.readFile(file, 'utf8')).split('\n').filter((l) => l.length > 0);
  const header = splitCsvLine(lines[0] ?? '');
  const at = columns.map((c) => {
    const i = header.indexOf(c);
    if (i < 0) throw new Error(`${file}: no column '${c}' (has ${header.join(', ')})`);
    return i;
  });
  const out: Record<string, Float64Array> = {};
  columns.forEach((c) => (out[c] = new Float64Array(lines.length - 1)));
  for (let r = 1; r < lines.length; r++) {
    const f = splitCsvLine(lines[r]!);
    columns.forEach((c, k) => {
      const cell = f[at[k]!];
      out[c]![r - 1] = cell === undefined || cell === '' ? NaN : Number(cell);
    });
  }
  return out;
}

/** Split one CSV line (RFC 4180 quotes). */
export function splitCsvLine(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let q = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (q) {
      if (ch === '"' && line[i + 1] === '"') (cur += '"'), i++;
      else if (ch === '"') q = false;
      else cur += ch;
    } else if (ch === '"') q = true;
    else if (ch === ',') out.push(cur), (cur = '');
    else cur += ch;
  }
  out.push(cur);
  return out;
}
