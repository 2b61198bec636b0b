/**
 * The generated train.py reads only its own shard of the data under torchrun (data.read_shard): byte ranges
 * of plain CSV/TSV/JSON Lines files, whole gzip files, several files and wildcards per split. Checked two
 * ways: shards.py reads files as W processes would (threads) and the pieces must put together exactly the
 * records one process reads (rows, files, ordinals); and 2 torchrun processes over part files take the same
 * steps as 1 process over the single file they were cut from, each process having read only its part.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { compileToPytorch } from '../../src/targets/pytorch/index.js';
import { expandGlob } from '../../src/data/glob.js';
import { esmm } from './fixtures.js';
import { runPython, spawnPython, torchPython } from './python-env.js';
import { esmmCsv, events, freePort, runTorchrun, steps, TORCHRUN } from './ddp-helpers.js';

interface Rec {
  __file__: string;
  __row__: number;
  __ordinal__: number;
  [column: string]: unknown;
}
interface Read {
  ranks: Array<Rec[] | null>;
  errors: Array<{ message: string; shared: boolean } | null>;
}

const HERE = path.dirname(new URL(import.meta.url).pathname);

describe.skipIf(!torchPython)('train.py reads its own shard', () => {
  let tmp: string;
  let pkg: string;
  const read = (world: number, ...files: string[]): Read => JSON.parse(runPython([path.join(HERE, 'shards.py'), pkg, String(world), ...files], { cwd: tmp })) as Read;

  beforeAll(async () => {
    tmp = await fsp.mkdtemp(path.join(os.tmpdir(), 'mtl-shards-'));
    pkg = path.join(tmp, 'pkg');
    expect((await compileToPytorch(esmm(), pkg)).diagnostics).toEqual([]);
    const rows = ['a,b,c', ...Array.from({ length: 50 }, (_, i) => `${i},x${i},${(i * 0.37) % 1}`)];
    // CRLF line ends; a TSV ending in a blank line; JSON Lines with blank lines, plain and gzip.
    await fsp.writeFile(path.join(tmp, 'one.csv'), rows.join('\r\n') + '\r\n');
    await fsp.writeFile(path.join(tmp, 'two.tsv'), rows.slice(0, 20).map((r) => r.replaceAll(',', '\t')).join('\n') + '\n\n');
    const jsonl = (n: number, tag: string) => Array.from({ length: n }, (_, i) => JSON.stringify({ a: i, b: tag, c: 1.5 }) + '\n' + (i % 4 === 0 ? '\n' : '')).join('');
    await fsp.writeFile(path.join(tmp, 'three.jsonl.gz'), gzipSync(jsonl(7, 'y')));
    await fsp.writeFile(path.join(tmp, 'four.jsonl'), jsonl(30, 'z'));
    await fsp.writeFile(path.join(tmp, 'quoted.csv'), 'a,b,c\n1,"x\ny",2\n' + Array.from({ length: 40 }, (_, i) => `${i},u,${i}\n`).join(''));
  });

  afterAll(async () => {
    if (tmp) await fsp.rm(tmp, { recursive: true, force: true });
  });

  it('W processes read disjoint pieces that put together are the records one process reads', () => {
    const files = ['one.csv', 'two.tsv', 'three.jsonl.gz', 'four.jsonl'];
    const one = read(1, ...files).ranks[0]!;
    expect(one).toHaveLength(50 + 19 + 7 + 30);
    expect(one.map((r) => r.__ordinal__)).toEqual(one.map((_, i) => i));
    // Rows are each file's own: CSV counts the header as row 1, JSON Lines counts blank lines too.
    expect(one[0]).toMatchObject({ __file__: 'one.csv', __row__: 2, a: '0', b: 'x0' });
    expect(one[50]).toMatchObject({ __file__: 'two.tsv', __row__: 2, a: '0' });
    expect(one.at(-1)).toMatchObject({ __file__: 'four.jsonl', __row__: 30 + 8, a: 29, b: 'z' });
    for (const world of [2, 3, 5, 8]) {
      const { ranks, errors } = read(world, ...files);
      expect(errors).toEqual(Array(world).fill(null));
      expect(ranks.flatMap((r) => r!)).toEqual(one);
      // Each process read a part, not the whole: the plain files are cut between processes …
      expect(ranks.every((r) => r!.length < one.length)).toBe(true);
      const readers = (file: string) => ranks.filter((r) => r!.some((x) => x.__file__ === file)).length;
      if (world >= 3) expect(['one.csv', 'two.tsv', 'four.jsonl'].some((f) => readers(f) > 1)).toBe(true);
      // … and a gzip file, which cannot be entered in the middle, is read whole by one of them.
      expect(readers('three.jsonl.gz')).toBe(1);
    }
  });

  it('a quoted line break is read by one process, and is a located error where a file is cut at line breaks', () => {
    const whole = read(1, 'quoted.csv');
    expect(whole.ranks[0]![0]).toMatchObject({ b: 'x\ny', __row__: 2 });
    const cut = read(2, 'quoted.csv');
    expect(cut.ranks).toEqual([null, null]);
    for (const e of cut.errors) {
      expect(e).toEqual({ shared: true, message: expect.stringContaining('quoted.csv row 2 has a line break inside a quoted field') });
      expect(e!.message).toContain('run one process');
    }
  });

  it('wildcards and {a,b} select the files mtl selects, in the same order; a pattern without files is an error', async () => {
    await fsp.mkdir(path.join(tmp, 'parts', 'deep'), { recursive: true });
    for (const name of ['p-2.csv', 'p-10.csv', 'p-1.csv', 'deep/p-3.csv', 'q-1.csv']) await fsp.writeFile(path.join(tmp, 'parts', name), `a\n${name}\n`);
    for (const pattern of ['parts/p-*.csv', 'parts/**/p-*.csv', 'parts/{q,p}-1.csv']) {
      const files = read(1, pattern).ranks[0]!.map((r) => r.__file__);
      const mtl = (await expandGlob(path.join(tmp, pattern))).map((f) => path.relative(tmp, f));
      expect(files).toEqual(mtl);
    }
    // Several patterns: their files one after the other, rows numbered on.
    const two = read(2, 'parts/p-1*.csv', 'parts/q-*.csv');
    expect(two.ranks.flatMap((r) => r!).map((r) => [r.__file__, r.__ordinal__])).toEqual([['parts/p-1.csv', 0], ['parts/p-10.csv', 1], ['parts/q-1.csv', 2]]);
    expect(read(2, 'parts/none-*.csv').errors[1]).toEqual({ shared: true, message: "the data path 'parts/none-*.csv' matches no file (quote it, so that train.py rather than the shell expands it)" });
  });

  it('2 torchrun processes over part files take the steps of 1 process over the whole file, each reading its part', async () => {
    const csv = esmmCsv(240, 7);
    const lines = csv.trimEnd().split('\n');
    const [header, body] = [lines[0]!, lines.slice(1)];
    await fsp.writeFile(path.join(tmp, 'whole.csv'), csv);
    await fsp.mkdir(path.join(tmp, 'esmm'), { recursive: true });
    // Three parts: two CSVs matched by a wildcard, then a TSV given by name; ordinals (and so the split) run on.
    await fsp.writeFile(path.join(tmp, 'esmm', 'part-0.csv'), [header, ...body.slice(0, 90)].join('\n') + '\n');
    await fsp.writeFile(path.join(tmp, 'esmm', 'part-1.csv'), [header, ...body.slice(90, 170)].join('\n') + '\n');
    await fsp.writeFile(path.join(tmp, 'esmm', 'last.tsv'), [header, ...body.slice(170)].map((l) => l.replaceAll(',', '\t')).join('\n') + '\n');
    const args = ['--epochs', '2', '--batch', '32', '--valid-split', '0.2', '--log-every', '1'];
    const train = path.join(pkg, 'train.py');
    const one = runPython([train, '--data', 'whole.csv', '--out', 'one', ...args], { cwd: tmp });
    const two = await runTorchrun(2, train, ['--data', 'esmm/part-*.csv', 'esmm/last.tsv', '--out', 'two', ...args], { cwd: tmp });
    const [s1, s2] = [steps(one), steps(two)];
    expect(s1.length).toBeGreaterThan(8);
    expect(s2.map((s) => s.step)).toEqual(s1.map((s) => s.step));
    s1.forEach((s, i) => {
      expect(Math.abs(s.loss - s2[i]!.loss)).toBeLessThan(1e-5);
      for (const task of ['ctr', 'ctcvr']) expect(Math.abs(s.tasks[task]! - s2[i]!.tasks[task]!)).toBeLessThan(1e-5);
    });
    const start1 = events(one).find((e) => e.event === 'start') as { rows: number; valid_rows: number; shards: Array<{ rows: number; valid_rows: number }> };
    const start2 = events(two).find((e) => e.event === 'start') as typeof start1;
    expect(start2.rows).toBe(start1.rows);
    expect(start2.valid_rows).toBe(start1.valid_rows);
    expect(start2.shards).toHaveLength(2);
    for (const s of start2.shards) {
      expect(s.rows).toBeGreaterThan(0);
      expect(s.rows).toBeLessThan(start1.rows);
    }
    expect(start2.shards[0]!.rows + start2.shards[1]!.rows).toBe(start1.rows);
    const done = events(two).find((e) => e.event === 'done') as { max_rss_mb: number[] };
    expect(done.max_rss_mb).toHaveLength(2); // each process's peak memory, reported by rank 0
    for (const mb of done.max_rss_mb) expect(mb).toBeGreaterThan(0);
    // The same statistics (merged over the processes) and the same validation metrics.
    const pre = async (dir: string) => JSON.parse(await fsp.readFile(path.join(tmp, dir, 'preprocess.json'), 'utf8'));
    const [p1, p2] = [await pre('one'), await pre('two')];
    expect(p2.features.price.count).toBe(p1.features.price.count);
    expect(p2.features.price.mean).toBeCloseTo(p1.features.price.mean, 10);
    expect(p2.features.price.std).toBeCloseTo(p1.features.price.std, 10);
    expect(p2.labels).toEqual(p1.labels);
    const metrics = async (dir: string) => JSON.parse(await fsp.readFile(path.join(tmp, dir, 'metrics.json'), 'utf8')).final as Record<string, Record<string, number>>;
    const [m1, m2] = [await metrics('one'), await metrics('two')];
    for (const [task, values] of Object.entries(m1)) for (const [k, v] of Object.entries(values)) expect(Math.abs(v - m2[task]![k]!)).toBeLessThan(1e-5);
  }, 300_000);

  it('a bad value in one process\'s part stops the run with its file, row and column, without a traceback', async () => {
    const lines = esmmCsv(120, 3).trimEnd().split('\n');
    lines[101] = lines[101]!.replace(/,[^,]*,(\w+),(\w+)$/, ',cheap,$1,$2'); // the price of row 102
    expect(lines[101]).toContain(',cheap,');
    await fsp.writeFile(path.join(tmp, 'bad.csv'), lines.join('\n') + '\n');
    const launch = [...TORCHRUN(2), '--master_port', String(await freePort())];
    const r = spawnPython([...launch, path.join(pkg, 'train.py'), '--data', 'bad.csv', '--out', 'bad', '--epochs', '1', '--valid-split', '0'], { cwd: tmp, timeoutMs: 180_000 });
    expect(r.status).not.toBe(0);
    const said = r.stdout + r.stderr;
    expect(said).toContain("error: bad.csv row 102, column 'price': 'cheap' is not a number");
    // No Python traceback from train.py in any process (torchrun's own failure summary follows the message).
    expect(said).not.toMatch(/File ".*train\.py", line/);
    expect(said.match(/error: bad\.csv row 102/g)).toHaveLength(1);
  }, 200_000);

  it('Parquet without pyarrow is an error naming the fix', async () => {
    const hasArrow = spawnPython(['-c', 'import pyarrow']).status === 0;
    if (hasArrow) return; // then train.py reads it (row groups as pieces); this machine cannot check that path
    await fsp.writeFile(path.join(tmp, 'data.parquet'), 'PAR1 not really\n');
    const r = spawnPython([path.join(pkg, 'train.py'), '--data', 'data.parquet', '--out', 'pq', '--epochs', '1'], { cwd: tmp });
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe('error: data.parquet is a Parquet file, and reading Parquet in train.py needs pyarrow: pip install pyarrow (or pass the data as CSV, TSV or JSON Lines)');
  });
});
