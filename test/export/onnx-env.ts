/**
 * Shared helpers of the export tests: ONNX Runtime (onnxruntime-web: the real runtime compiled to wasm, on
 * its wasm backend in Node, one thread) and `mtl predict`'s scores to compare with.
 */
import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-web';
import { expect } from 'vitest';
import type { FeedArray } from '../../src/data/feeds.js';
import { runCli } from '../cli/run-cli.js';

ort.env.wasm.numThreads = 1;

/** An ONNX Runtime session over a model file. */
export async function onnxSession(file: string): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(readFileSync(file), { executionProviders: ['wasm'] });
}

/** Run a session on encoded feeds: output name → one value per row. */
export async function runOnnx(session: ort.InferenceSession, feeds: Record<string, FeedArray>): Promise<Record<string, number[]>> {
  const tensors = Object.fromEntries(Object.entries(feeds).map(([k, f]) => [k, new ort.Tensor(f.type, f.data, f.dims)]));
  const out = await session.run(tensors);
  return Object.fromEntries(session.outputNames.map((n) => [n, Array.from(out[n]!.data as Float32Array)]));
}

/** `mtl predict DIR --data FILE` as one record per row (output → score). */
export async function predictRows(cwd: string, dir: string, data: string, out: string): Promise<Array<Record<string, number>>> {
  const r = await runCli(['predict', dir, '--data', data, '--out', out, '--force'], { cwd });
  expect(r.code, r.stderr).toBe(0);
  return readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, number>);
}

/** Largest |runtime − predict| over every output and row; Infinity when a value is missing. */
export function maxDiff(runtime: Record<string, number[]>, predicted: Array<Record<string, number>>, rows: number[]): number {
  let worst = 0;
  for (const [name, values] of Object.entries(runtime)) {
    if (values.length !== rows.length) return Infinity;
    values.forEach((v, j) => {
      const p = predicted[rows[j]!]?.[name];
      worst = typeof p === 'number' && Number.isFinite(v) ? Math.max(worst, Math.abs(v - p)) : Infinity;
    });
  }
  return worst;
}
