/** Test helpers for the data area: a minimal IR builder and temporary files. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Feature, Label, Metric, ModelIR } from '../../src/ir/types.js';
import { DEFAULT_TRAIN } from '../../src/ir/types.js';
import type { Batch } from '../../src/data/types.js';

/** A model IR with just the parts the data pipeline reads. */
export function makeIR(features: Feature[], labels: Label[] = [], metrics: Metric[] = []): ModelIR {
  return { version: 1, name: 't', plugins: [], features, labels, nodes: [], tasks: [], metrics, train: { ...DEFAULT_TRAIN } };
}

/** A fresh temporary directory. */
export function tempDir(): string {
  return mkdtempSync(path.join(tmpdir(), 'mtl-data-'));
}

/** Write `text` to `dir/name` (gzipped when the name ends in .gz) and return the path. */
export function writeData(dir: string, name: string, text: string): string {
  const p = path.join(dir, name);
  writeFileSync(p, name.endsWith('.gz') ? gzipSync(Buffer.from(text)) : text);
  return p;
}

/** Collect an async iterable. */
export async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

/** All row numbers of a list of batches, in order. */
export function rowNumbers(batches: Batch[]): number[] {
  return batches.flatMap((b) => Array.from(b.rowNumbers));
}

/** Await a promise (or drain an async iterable) that must fail, and return its error. */
export async function failure(p: Promise<unknown> | AsyncIterable<unknown>): Promise<unknown> {
  try {
    if (Symbol.asyncIterator in Object(p)) await collect(p as AsyncIterable<unknown>);
    else await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected a failure');
}
