/**
 * For information: an end-to-end `mtl train` (CSV parsing, preprocessing, batching, training, validation,
 * export) of the mmoe workload on a generated CSV, run as the CLI in a fresh process from the sources,
 * then `mtl predict` of the trained model directory on the same CSV. The training samples/s is the epoch's
 * rate the CLI prints (data reading included, validation not); the prediction rows/s is the rows over the
 * whole `mtl predict` process (start, model load, CSV reading and writing included).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { mulberry32 } from '../src/model/seed.js';
import { NCAT, NNUM } from './specs.js';

/** The end-to-end result. */
export interface EndToEnd {
  spec: string;
  rows: number;
  samplesPerSecond: number | null;
  /** `mtl predict` rows per second of wall time (null when it failed). */
  predictRowsPerSecond?: number | null;
  error?: string;
}

/** Write a CSV matching the bench specs' features and labels: `rows` random rows, ids from `vocab` tokens. */
export function writeCsv(file: string, rows: number, vocab: number, seed = 5): void {
  const rand = mulberry32(seed);
  const header = [...Array.from({ length: NCAT }, (_, i) => `c${i + 1}`), ...Array.from({ length: NNUM }, (_, i) => `n${i + 1}`), 'y1', 'y2'];
  const lines = [header.join(',')];
  for (let r = 0; r < rows; r++) {
    const y1 = rand() < 0.5 ? 1 : 0;
    lines.push(
      [
        ...Array.from({ length: NCAT }, () => `t${Math.floor(rand() * vocab)}`),
        ...Array.from({ length: NNUM }, () => (rand() * 2 - 1).toFixed(4)),
        y1,
        y1 * (rand() < 0.5 ? 1 : 0),
      ].join(','),
    );
  }
  fs.writeFileSync(file, lines.join('\n') + '\n');
}

/** Run `mtl train bench/specs/mmoe.mtl --data CSV --epochs 1` and read its samples/s. */
export async function endToEnd(backend: string, log: (s: string) => void, rows = 16_384): Promise<EndToEnd> {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mtl-bench-'));
  const spec = 'bench/specs/mmoe.mtl';
  try {
    const csv = path.join(dir, 'train.csv');
    writeCsv(csv, rows, 100_000);
    log(`- end-to-end mtl train ${spec} on ${rows} CSV rows`);
    const args = ['train', spec, '--data', csv, '--epochs', '1', '--backend', backend, '--out', path.join(dir, 'model')];
    const code = `import('./src/cli/main.ts').then(async (m) => { process.exitCode = await m.main(${JSON.stringify(args)}); })`;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', code], { cwd: root, encoding: 'utf8', timeout: 600_000 });
    const m = /([\d,]+) samples\/s/.exec(r.stderr ?? '');
    if (r.status !== 0 || !m) return { spec, rows, samplesPerSecond: null, error: `exit ${r.status}: ${(r.stderr ?? '').trim().split('\n').slice(-2).join(' ')}` };
    const predictArgs = ['predict', path.join(dir, 'model'), '--data', csv, '--backend', backend, '--out', path.join(dir, 'pred.csv')];
    const predictCode = `import('./src/cli/main.ts').then(async (m) => { process.exitCode = await m.main(${JSON.stringify(predictArgs)}); })`;
    const t0 = performance.now();
    const p = spawnSync(process.execPath, ['--import', 'tsx', '-e', predictCode], { cwd: root, encoding: 'utf8', timeout: 600_000 });
    const seconds = (performance.now() - t0) / 1000;
    return { spec, rows, samplesPerSecond: Number(m[1]!.replace(/,/g, '')), predictRowsPerSecond: p.status === 0 ? rows / seconds : null };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
