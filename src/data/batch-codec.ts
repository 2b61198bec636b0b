/**
 * Encoded batches as bytes and back, for the streaming shuffle's temporary file (spill-shuffle.ts), and
 * the concatenation of batches. The layout is private to one run of one process (written and read back
 * within an epoch), so it has no version: a batch's columns in the order of a template batch's keys,
 * each a little-endian typed array, group-by values as one JSON array of strings padded to 4 bytes.
 */
import type { Batch, FeatureColumn } from './types.js';

/** The bytes of `b` (columns in the key order of `b` itself; decode with a batch of the same shape as template). */
export function encodeBatch(b: Batch): Buffer {
  const parts: Uint8Array[] = [];
  const head = new Int32Array([b.size]);
  parts.push(new Uint8Array(head.buffer));
  const add = (a: Int32Array | Float32Array): void => {
    parts.push(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  };
  for (const c of Object.values(b.features)) {
    if (c.kind === 'ids') add(c.rows);
    else if (c.kind === 'dense') add(c.values);
    else {
      add(c.rows);
      add(c.weights);
    }
  }
  for (const a of Object.values(b.labels)) add(a);
  add(b.rowNumbers);
  const groupKeys = Object.keys(b.groups);
  if (groupKeys.length) {
    const json = Buffer.from(JSON.stringify(groupKeys.map((k) => b.groups[k]!)), 'utf8');
    const len = new Int32Array([json.length]);
    parts.push(new Uint8Array(len.buffer), json, new Uint8Array((4 - (json.length % 4)) % 4));
  }
  return Buffer.concat(parts);
}

/** Reads typed arrays off a byte buffer, copying (so the result does not keep the buffer alive). */
class Reader {
  private pos = 0;
  constructor(private readonly buf: Buffer) {}
  int32(n: number): Int32Array {
    const out = new Int32Array(n);
    new Uint8Array(out.buffer).set(this.buf.subarray(this.pos, this.pos + 4 * n));
    this.pos += 4 * n;
    return out;
  }
  float32(n: number): Float32Array {
    const out = new Float32Array(n);
    new Uint8Array(out.buffer).set(this.buf.subarray(this.pos, this.pos + 4 * n));
    this.pos += 4 * n;
    return out;
  }
  bytes(n: number): Buffer {
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n + ((4 - (n % 4)) % 4);
    return out;
  }
}

/** The batch {@link encodeBatch} wrote, given a batch of the same shape (feature kinds, keys, `maxLen`). */
export function decodeBatch(buf: Buffer, template: Batch): Batch {
  const r = new Reader(buf);
  const size = r.int32(1)[0]!;
  const features: Record<string, FeatureColumn> = {};
  for (const [k, c] of Object.entries(template.features)) {
    if (c.kind === 'ids') features[k] = { kind: 'ids', rows: r.int32(size) };
    else if (c.kind === 'dense') features[k] = { kind: 'dense', values: r.float32(size) };
    else features[k] = { kind: 'seq', rows: r.int32(size * c.maxLen), weights: r.float32(size * c.maxLen), maxLen: c.maxLen };
  }
  const labels: Record<string, Float32Array> = {};
  for (const k of Object.keys(template.labels)) labels[k] = r.float32(size);
  const rowNumbers = r.int32(size);
  const groups: Record<string, string[]> = {};
  const groupKeys = Object.keys(template.groups);
  if (groupKeys.length) {
    const len = r.int32(1)[0]!;
    const values = JSON.parse(r.bytes(len).toString('utf8')) as string[][];
    groupKeys.forEach((k, i) => (groups[k] = values[i]!));
  }
  return { size, features, labels, groups, rowNumbers };
}

function concatArrays<T extends Int32Array | Float32Array>(arrays: T[], make: (n: number) => T): T {
  const out = make(arrays.reduce((n, a) => n + a.length, 0));
  let at = 0;
  for (const a of arrays) {
    out.set(a, at);
    at += a.length;
  }
  return out;
}

/** The rows of `parts` (batches of one shape, at least one) in order, as one batch. */
export function concatBatches(parts: Batch[]): Batch {
  if (parts.length === 1) return parts[0]!;
  const head = parts[0]!;
  const features: Record<string, FeatureColumn> = {};
  for (const [k, c] of Object.entries(head.features)) {
    const cols = parts.map((p) => p.features[k]!);
    if (c.kind === 'ids') features[k] = { kind: 'ids', rows: concatArrays(cols.map((x) => (x as typeof c).rows), (n) => new Int32Array(n)) };
    else if (c.kind === 'dense') features[k] = { kind: 'dense', values: concatArrays(cols.map((x) => (x as typeof c).values), (n) => new Float32Array(n)) };
    else {
      const seqs = cols as Array<typeof c>;
      features[k] = { kind: 'seq', rows: concatArrays(seqs.map((x) => x.rows), (n) => new Int32Array(n)), weights: concatArrays(seqs.map((x) => x.weights), (n) => new Float32Array(n)), maxLen: c.maxLen };
    }
  }
  const labels: Record<string, Float32Array> = {};
  for (const k of Object.keys(head.labels)) labels[k] = concatArrays(parts.map((p) => p.labels[k]!), (n) => new Float32Array(n));
  const groups: Record<string, string[]> = {};
  for (const k of Object.keys(head.groups)) groups[k] = parts.flatMap((p) => p.groups[k]!);
  const rowNumbers = concatArrays(parts.map((p) => p.rowNumbers), (n) => new Int32Array(n));
  return { size: parts.reduce((n, p) => n + p.size, 0), features, labels, groups, rowNumbers };
}
