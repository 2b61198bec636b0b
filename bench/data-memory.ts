/**
 * Peak memory of `mtl train` against the number of training rows (docs/data.md "Shuffling"): writes the
 * same synthetic click/buy rows as CSV and as Parquet at each row count, trains one epoch of a small
 * two-tower spec on each with the real binary under `/usr/bin/time -v`, and prints the peak RSS, the
 * wall time and the rows per second. With `shuffle_buffer N` the peak must not grow with the rows.
 *
 *   npm run build && npx tsx bench/data-memory.ts [--rows 1000000,5000000] [--formats csv,parquet]
 *       [--shuffle 100000|all] [--dir DIR] [--keep]
 *
 * Data files go to DIR (default: a temporary folder, removed at the end unless --keep); they are written
 * once per row count and reused when present. Validation uses a separate 20,000-row file, so the rows
 * held for validation metrics are the same at every size.
 */
import { spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { fileWriter, ParquetWriter } from 'hyparquet-writer';
import { TINY_SPEC } from '../test/e2e/tiny.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const BIN = path.join(ROOT, 'bin', 'mtl.js');

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '1000000,5000000' },
    formats: { type: 'string', default: 'csv,parquet' },
    shuffle: { type: 'string', default: '100000' },
    dir: { type: 'string' },
    keep: { type: 'boolean', default: false },
  },
});
const counts = values.rows.split(',').map(Number);
const formats = values.formats.split(',') as Array<'csv' | 'parquet'>;
const dir = values.dir ?? mkdtempSync(path.join(tmpdir(), 'mtl-data-memory-'));
mkdirSync(dir, { recursive: true });

/** Row i of the synthetic data: two ids with a popular head, a price, click and buy from a fixed rule plus noise. */
function row(i: number): [number, number, number, number, number] {
  let h = Math.imul(i ^ 0x9e3779b9, 0x85ebca6b) >>> 0;
  const next = (): number => {
    h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d) >>> 0;
    h = Math.imul(h ^ (h >>> 12), 0x297a2d39) >>> 0;
    return (h >>> 0) / 4294967296;
  };
  const user = Math.floor(next() ** 2 * 50_000);
  const item = Math.floor(next() ** 2 * 20_000);
  const price = Math.round(next() * 10_000) / 100;
  const click = (user % 7 === 0 ? 0.6 : 0.1) > next() ? 1 : 0;
  const buy = click && price < 30 && next() < 0.5 ? 1 : 0;
  return [user, item, price, click, buy];
}

async function writeCsv(file: string, from: number, n: number): Promise<void> {
  const out = createWriteStream(file);
  out.write('user_id,item_id,price,click,buy\n');
  const CH = 10_000;
  for (let s = 0; s < n; s += CH) {
    let text = '';
    for (let i = s; i < Math.min(n, s + CH); i++) text += row(from + i).join(',') + '\n';
    if (!out.write(text)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

function writeParquetFile(file: string, from: number, n: number): void {
  const pq = new ParquetWriter({
    writer: fileWriter(file),
    schema: [
      { name: 'root', num_children: 5 },
      { name: 'user_id', type: 'INT64', repetition_type: 'REQUIRED' },
      { name: 'item_id', type: 'INT64', repetition_type: 'REQUIRED' },
      { name: 'price', type: 'DOUBLE', repetition_type: 'REQUIRED' },
      { name: 'click', type: 'INT32', repetition_type: 'REQUIRED' },
      { name: 'buy', type: 'INT32', repetition_type: 'REQUIRED' },
    ],
  });
  const GROUP = 100_000; // row groups of 100,000 rows, written one at a time (the generator's memory stays small too)
  for (let s = 0; s < n; s += GROUP) {
    const m = Math.min(GROUP, n - s);
    const cols = [[], [], [], [], []] as Array<Array<number | bigint>>;
    for (let i = 0; i < m; i++) {
      const r = row(from + s + i);
      cols[0]!.push(BigInt(r[0]));
      cols[1]!.push(BigInt(r[1]));
      cols[2]!.push(r[2]);
      cols[3]!.push(r[3]);
      cols[4]!.push(r[4]);
    }
    const names = ['user_id', 'item_id', 'price', 'click', 'buy'];
    void pq.write({ columnData: names.map((name, k) => ({ name, data: cols[k]! as never })), rowGroupSize: GROUP });
  }
  pq.finish();
}

// The end-to-end tests' tiny click/buy spec (the columns written above), with larger tables, batches of
// 1,024, one epoch and the shuffle buffer under test.
const spec = path.join(dir, 'memory.mtl');
const specText = TINY_SPEC.replace('user_id hash 1000 dim 4', 'user_id hash 50000 dim 8')
  .replace('item_id hash 1000 dim 4', 'item_id hash 20000 dim 8')
  .replaceAll('mlp(8)', 'mlp(16)')
  .replace(/^train \{.*\}$/m, `train { optimizer adam lr 0.01 batch 1024 epochs 1 seed 1 shuffle_buffer ${values.shuffle} }`);
writeFileSync(spec, specText);

const valid = path.join(dir, 'valid.csv');
if (!existsSync(valid)) await writeCsv(valid, 1e9, 20_000);
const results: string[] = [];
for (const n of counts) {
  for (const format of formats) {
    const file = path.join(dir, `train-${n}.${format}`);
    if (!existsSync(file)) {
      process.stderr.write(`writing ${file}...\n`);
      if (format === 'csv') await writeCsv(file, 0, n);
      else writeParquetFile(file, 0, n);
    }
    const out = path.join(dir, `run-${n}-${format}`);
    rmSync(out, { recursive: true, force: true });
    const t0 = performance.now();
    const r = spawnSync('/usr/bin/time', ['-v', process.execPath, BIN, 'train', spec, '--data', file, '--valid', valid, '--out', out], { encoding: 'utf8' });
    const seconds = (performance.now() - t0) / 1000;
    if (r.status !== 0) {
      process.stderr.write(r.stderr);
      throw new Error(`training on ${file} failed`);
    }
    const kb = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr)?.[1]);
    const line = `| ${n.toLocaleString('en-US')} | ${format} | ${Math.round(statSync(file).size / 2 ** 20)} MiB | ${values.shuffle} | ${Math.round(kb / 1024)} MiB | ${seconds.toFixed(0)} s | ${Math.round(n / seconds).toLocaleString('en-US')} |`;
    results.push(line);
    process.stdout.write(line + '\n');
  }
}
process.stdout.write(['', '| training rows | format | file size | shuffle_buffer | peak RSS | wall time | rows/s (whole run) |', '|---:|---|---:|---:|---:|---:|---:|', ...results].join('\n') + '\n');
if (!values.keep && values.dir === undefined) rmSync(dir, { recursive: true, force: true });
