/**
 * For information: an end-to-end `mtl train` (CSV parsing, preprocessing, batching, training, validation,
 * export) of the mmoe workload on a generated CSV, run as the CLI in a fresh process from the sources,
 * then `mtl predict` of the trained model directory on the same CSV. The training samples/s is the epoch's
 * rate the CLI prints (data reading included, validation not); the prediction rows/s is the rows over the
 * whole `mtl predict` process (start, model load, CSV reading and writing included).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { mulberry32 } from '../src/model/seed.js';
import { NCAT, NNUM } from './specs.js';
import { runMtl } from './cli.js';

/** The end-to-end result. */
export interface EndToEnd {
  spec: string;
  rows: number;
  samplesPerSecond: number | null;
  /** `mtl predict` rows per second of wall time (null when it failed). */
  predictRowsPerSecond?: number | null;
  error?: string;
}

/** `rows` random records with the bench specs' columns: ids from `vocab` tokens `tN`, numbers in [-1, 1), labels y1, y2 = y1 · Bernoulli(½). */
export function syntheticRecords(rows: number, vocab: number, seed = 5): Array<Record<string, string | number>> {
  const rand = mulberry32(seed);
  return Array.from({ length: rows }, () => {
    const rec: Record<string, string | number> = {};
    for (let i = 1; i <= NCAT; i++) rec[`c${i}`] = `t${Math.floor(rand() * vocab)}`;
    for (let i = 1; i <= NNUM; i++) rec[`n${i}`] = Number((rand() * 2 - 1).toFixed(4));
    const y1 = rand() < 0.5 ? 1 : 0;
    rec.y1 = y1;
    rec.y2 = y1 * (rand() < 0.5 ? 1 : 0);
    return rec;
  });
}

/** Write a CSV matching the bench specs' features and labels: `rows` random rows ({@link syntheticRecords}). */
export function writeCsv(file: string, rows: number, vocab: number, seed = 5): void {
  const records = syntheticRecords(rows, vocab, seed);
  const header = Object.keys(records[0]!);
  const lines = [header.join(','), ...records.map((r) => header.map((h) => r[h]).join(','))];
  fs.writeFileSync(file, lines.join('\n') + '\n');
}

/** Run `mtl train bench/specs/mmoe.mtl --data CSV --epochs 1` and read its samples/s. */
export async function endToEnd(backend: string, log: (s: string) => void, rows = 16_384): Promise<EndToEnd> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mtl-bench-'));
  const spec = 'bench/specs/mmoe.mtl';
  try {
    const csv = path.join(dir, 'train.csv');
    writeCsv(csv, rows, 100_000);
    log(`- end-to-end mtl train ${spec} on ${rows} CSV rows`);
    const args = ['train', spec, '--data', csv, '--epochs', '1', '--backend', backend, '--out', path.join(dir, 'model')];
    const r = runMtl(args);
    const m = /([\d,]+) samples\/s/.exec(r.stderr ?? '');
    if (r.status !== 0 || !m) return { spec, rows, samplesPerSecond: null, error: `exit ${r.status}: ${(r.stderr ?? '').trim().split('\n').slice(-2).join(' ')}` };
    const predictArgs = ['predict', path.join(dir, 'model'), '--data', csv, '--backend', backend, '--out', path.join(dir, 'pred.csv')];
    const t0 = performance.now();
    const p = runMtl(predictArgs);
    const seconds = (performance.now() - t0) / 1000;
    return { spec, rows, samplesPerSecond: Number(m[1]!.replace(/,/g, '')), predictRowsPerSecond: p.status === 0 ? rows / seconds : null };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
