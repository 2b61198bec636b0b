/**
 * Issue 3 acceptance, as a new user would try it: train a model, then predict, evaluate and reload it;
 * feed it broken data files; interrupt and resume training; write built-in data. Everything runs the CLI
 * in-process (`runCli`), except the plain-tfjs reload, which runs in a child process without mtl.
 *
 * One ESMM model (specs/esmm.mtl, 4,000 built-in rows, 1 epoch) is trained once; the many-runs tests use
 * the tiny spec of tiny.ts, which trains in about a second.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseCsv } from 'csv-parse/sync';
import { runCli } from '../cli/run-cli.js';
import { ROOT, hasStackTrace, tempDir } from '../cli/helpers.js';
import { readCsv, runCliAbortingWhen, snapshotDir } from './helpers.js';
import { writeTinySpec } from './tiny.js';
import { predictWithPlainTfjs, type JsonTensor } from './plain-tfjs.js';
import { isValidationRow, readBatches } from '../../src/data/index.js';
import type { PreprocessState } from '../../src/data/index.js';
import { batchToFeeds } from '../../src/artifact/feeds.js';
import type { ModelIR } from '../../src/ir/types.js';

const tmp = tempDir('mtl-e2e-model-');
afterAll(() => tmp.cleanup());

const work = (name: string): string => path.join(tmp.dir, name);
const MODEL = work('esmm-model');
/** The rows `mtl predict` scores (another seed than the training data: predict needs no labels to match anything). */
const SCORE = work('score.csv');
/** The validation part of the training data, written out as a file (see beforeAll). */
const VALID = work('valid.csv');

/** The metrics file of a model directory. */
interface MetricsJson {
  final: Record<string, Record<string, number | null>>;
  bestEpoch: number | null;
  history: Array<{ epoch: number; loss: number; taskLosses: Record<string, number>; metrics: Record<string, Record<string, number | null>>; samples: number }>;
  seed: number;
  settings: { validSplit: number };
  data: { train: { kind: string; rows?: number; seed?: number } };
}

const readJson = <T>(file: string): T => JSON.parse(readFileSync(file, 'utf8')) as T;

/** A CSV file's header and data lines (no quoted newlines in the synthetic data). */
function csvLines(file: string): { header: string; rows: string[] } {
  const text = (file.endsWith('.gz') ? gunzipSync(readFileSync(file)) : readFileSync(file)).toString('utf8');
  const [header, ...rows] = text.split('\n').filter((l) => l !== '');
  return { header: header!, rows };
}

beforeAll(async () => {
  const t = await runCli(['train', 'specs/esmm.mtl', '--rows', '4000', '--epochs', '1', '--out', MODEL], { cwd: ROOT });
  expect(t.code, t.stderr).toBe(0);
  // On the native backend (auto's choice when the addon is built) the direct step trains the reference ESMM spec.
  expect(t.stderr).toMatch(/ on native \(|WebAssembly SIMD kernels/.test(t.stderr) ? /training step: direct \(mtl's kernels, no tfjs tape\)\n/ : /training step: tfjs graph/);
  // The built-in data of that run, as a file: the same generator, rows and seed. The training run split off
  // its validation part by row position and seed; write exactly those rows to VALID.
  const m = readJson<MetricsJson>(path.join(MODEL, 'metrics.json'));
  const train = m.data.train;
  expect(train.kind).toBe('synth');
  const all = work('esmm-all.csv');
  const s = await runCli(['data', 'synth', 'esmm', '--rows', String(train.rows), '--seed', String(train.seed), '--built-in', '--out', all], { cwd: ROOT });
  expect(s.code, s.stderr).toBe(0);
  const { header, rows } = csvLines(all);
  const valid = rows.filter((_, i) => isValidationRow(i, m.seed, m.settings.validSplit));
  writeFileSync(VALID, [header, ...valid].join('\n') + '\n');
  const p = await runCli(['data', 'synth', 'esmm', '--rows', '300', '--seed', '5', '--out', SCORE], { cwd: ROOT });
  expect(p.code, p.stderr).toBe(0);
}, 120_000);

describe('the model directory', () => {
  it('holds model.json, weights.bin, ir.json, preprocess.json, metrics.json and checkpoint/', () => {
    for (const f of ['model.json', 'weights.bin', 'ir.json', 'preprocess.json', 'metrics.json', 'checkpoint']) expect(existsSync(path.join(MODEL, f)), f).toBe(true);
    const m = readJson<MetricsJson>(path.join(MODEL, 'metrics.json'));
    expect(m.bestEpoch).toBe(1);
    expect(m.history).toHaveLength(1);
    expect(Object.keys(m.final).sort()).toEqual(['ctcvr', 'ctr', 'cvr']);
  });
});

describe('mtl predict', () => {
  const predict = (out: string, ...extra: string[]) => runCli(['predict', MODEL, '--data', SCORE, '--out', out, ...extra], { cwd: ROOT });

  it('is repeatable: two runs write identical files', async () => {
    const [a, b] = [work('p1.csv'), work('p2.csv')];
    for (const f of [a, b]) {
      const r = await predict(f, '--keep', 'user_id');
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(/wrote 300 rows × 3 outputs/);
    }
    expect(readFileSync(a).equals(readFileSync(b))).toBe(true);
  });

  it('writes one column per tower and task, rows in input order, and ctcvr = ctr × cvr', async () => {
    const out = work('p-keep.csv');
    const r = await predict(out, '--keep', 'user_id');
    expect(r.code, r.stderr).toBe(0);
    const header = readFileSync(out, 'utf8').split('\n')[0]!.split(',');
    expect(header[0]).toBe('user_id');
    expect(header.slice(1).sort()).toEqual(['ctcvr', 'ctr', 'cvr']);
    const got = readCsv(out);
    const input = readCsv(SCORE);
    expect(got).toHaveLength(input.length);
    expect(got.map((g) => g.user_id)).toEqual(input.map((i) => i.user_id));
    for (const row of got) {
      const [ctr, cvr, ctcvr] = [Number(row.ctr), Number(row.cvr), Number(row.ctcvr)];
      for (const v of [ctr, cvr, ctcvr]) expect(v > 0 && v < 1, `probability ${v}`).toBe(true);
      expect(Math.abs(ctcvr - ctr * cvr)).toBeLessThan(1e-6);
    }
  });

  it('writes JSON Lines with the same values when the output file ends in .jsonl', async () => {
    const csv = work('p-keep.csv');
    const jsonl = work('p.jsonl');
    const r = await predict(jsonl, '--keep', 'user_id');
    expect(r.code, r.stderr).toBe(0);
    const lines = readFileSync(jsonl, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, number | string>);
    const rows = readCsv(csv);
    expect(lines).toHaveLength(rows.length);
    lines.forEach((l, i) => {
      expect(String(l.user_id)).toBe(rows[i]!.user_id);
      for (const o of ['ctr', 'cvr', 'ctcvr']) expect(l[o]).toBe(Number(rows[i]![o]));
    });
  });

  it('needs no label columns, and a bad row fails it without touching a previous output file', async () => {
    const { header, rows } = csvLines(SCORE);
    const keep = header.split(',').map((c, i) => [c, i] as const).filter(([c]) => !['click', 'buy', 'cvr_true', 'p_ctr', 'p_cvr'].includes(c));
    const project = (line: string) => keep.map(([, i]) => line.split(',')[i]).join(',');
    const unlabelled = work('unlabelled.csv');
    writeFileSync(unlabelled, [project(header), ...rows.map(project)].join('\n') + '\n');
    const out = work('p-unlabelled.csv');
    const r = await runCli(['predict', MODEL, '--data', unlabelled, '--out', out], { cwd: ROOT });
    expect(r.code, r.stderr).toBe(0);
    // The same numbers as with the labelled file: labels play no part in predictions.
    const labelled = work('p-labelled.csv');
    expect((await predict(labelled)).code).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe(readFileSync(labelled, 'utf8'));

    const before = readFileSync(out);
    const broken = work('unlabelled-bad.csv');
    const lines = readFileSync(unlabelled, 'utf8').split('\n');
    lines[200] = lines[200]!.split(',').slice(0, 3).join(',');
    writeFileSync(broken, lines.join('\n'));
    const bad = await runCli(['predict', MODEL, '--data', broken, '--out', out, '--force'], { cwd: ROOT });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/unlabelled-bad\.csv row 201 has 3 fields, but the header has 6/);
    expect(hasStackTrace(bad.stderr)).toBe(false);
    expect(readFileSync(out).equals(before)).toBe(true);
  });

  it('agrees with the saved model loaded by plain tf.loadLayersModel through a file-reading IOHandler', async () => {
    const out = work('p-plain.csv');
    const r = await predict(out);
    expect(r.code, r.stderr).toBe(0);
    const expected = readCsv(out);
    // The inputs the model takes (ids after preprocess.json's mapping), built by mtl's data layer, as JSON.
    const ir = readJson<ModelIR>(path.join(MODEL, 'ir.json'));
    const state = readJson<PreprocessState>(path.join(MODEL, 'preprocess.json'));
    const batches = readBatches(ir, state, { kind: 'file', path: SCORE }, { baseDir: MODEL, batchSize: 1 << 20, part: 'all', validSplit: 0, seed: 0, shuffle: false, needLabels: false });
    const feeds: Record<string, JsonTensor> = {};
    let batchCount = 0;
    for await (const batch of batches) {
      batchCount++;
      for (const [name, t] of Object.entries(batchToFeeds(batch))) {
        feeds[name] = { shape: t.shape, dtype: t.dtype as JsonTensor['dtype'], data: Array.from(await t.data()) };
        t.dispose();
      }
    }
    expect(batchCount).toBe(1);
    const plain = await predictWithPlainTfjs(MODEL, feeds, tmp.dir);
    expect(Object.keys(plain).sort()).toEqual(['ctcvr', 'ctr', 'cvr']);
    for (const o of ['ctr', 'cvr', 'ctcvr']) {
      expect(plain[o]).toHaveLength(expected.length);
      plain[o]!.forEach((v, i) => expect(Math.abs(v - Number(expected[i]![o]))).toBeLessThan(1e-5));
    }
  }, 60_000);
});

describe('mtl eval', () => {
  it('prints {"metrics": {OUTPUT: {METRIC: value}}, "gates", "rows"} and reproduces the training run’s validation metrics', async () => {
    const r = await runCli(['eval', MODEL, '--data', VALID, '--format', 'json'], { cwd: ROOT });
    expect(r.code, r.stderr).toBe(0);
    const json = JSON.parse(r.stdout) as { metrics: Record<string, Record<string, number | null>>; gates: Record<string, number[]>; rows: number };
    expect(Object.keys(json).sort()).toEqual(['gates', 'metrics', 'rows']);
    expect(json.gates).toEqual({}); // ESMM has no gates
    expect(json.rows).toBe(csvLines(VALID).rows.length);
    expect(Object.keys(json.metrics).sort()).toEqual(['ctcvr', 'ctr', 'cvr']);
    for (const [output, metrics] of Object.entries(json.metrics)) {
      for (const [key, v] of Object.entries(metrics)) expect(typeof v === 'number' && Number.isFinite(v), `${output}.${key} = ${v}`).toBe(true);
    }
    expect(json.metrics.ctr!.auc).toBeGreaterThan(0);
    expect(json.metrics.ctr!.auc).toBeLessThan(1);
    // The same rows as the training run's validation part: the same metrics.
    const final = readJson<MetricsJson>(path.join(MODEL, 'metrics.json')).final;
    for (const [output, metrics] of Object.entries(final)) {
      for (const [key, v] of Object.entries(metrics)) expect(json.metrics[output]![key], `${output}.${key}`).toBeCloseTo(v!, 5);
    }
  });

  it('prints a table by default', async () => {
    const r = await runCli(['eval', MODEL, '--data', VALID], { cwd: ROOT });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/rows of valid\.csv/);
    expect(r.stdout).toMatch(/ctcvr\s+0\.\d{4}/);
  });
});

describe('bad data files', () => {
  const dir = work('bad');
  let spec = '';
  /** A good CSV of the tiny spec's columns; the bad files are edits of it. */
  let good: { header: string; rows: string[] } = { header: '', rows: [] };
  /** A previously trained model that a failed run must leave byte for byte as it was. */
  const PREV = path.join(dir, 'prev-model');

  beforeAll(async () => {
    mkdirSync(dir, { recursive: true });
    spec = writeTinySpec(dir);
    const file = path.join(dir, 'good.csv');
    const s = await runCli(['data', 'synth', 'esmm', '--rows', '400', '--seed', '3', '--out', file], { cwd: dir });
    expect(s.code, s.stderr).toBe(0);
    good = csvLines(file);
    const t = await runCli(['train', spec, '--data', file, '--epochs', '1', '--out', PREV], { cwd: dir });
    expect(t.code, t.stderr).toBe(0);
  }, 60_000);

  /** The good file with data row `row` (1-based file line, the header is line 1) edited. */
  function withLine(line: number, edit: (cells: string[]) => string[]): string {
    const rows = [...good.rows];
    rows[line - 2] = edit(rows[line - 2]!.split(',')).join(',');
    return [good.header, ...rows].join('\n') + '\n';
  }
  const col = (name: string): number => good.header.split(',').indexOf(name);
  const setCell = (line: number, name: string, value: string) => withLine(line, (c) => c.map((v, i) => (i === col(name) ? value : v)));

  /** name, file content, and what the message must say: the file, the row and the column. */
  const CASES: Array<{ what: string; file: string; content: () => string | Buffer; message: RegExp; where: RegExp }> = [
    {
      what: 'a missing column',
      file: 'nocol.csv',
      content: () => [good.header.replace('price', 'prize'), ...good.rows].join('\n') + '\n',
      message: /nocol\.csv has no column 'price' \(needed by feature 'price'\)[\s\S]*Did you mean 'prize'\?/,
      where: /nocol\.csv:1:1: error/,
    },
    {
      what: 'text in a numeric column',
      file: 'text.csv',
      content: () => setCell(18, 'price', 'cheap'),
      message: /text\.csv row 18, column 'price': 'cheap' is not a decimal number/,
      where: /text\.csv:18:\d+: error/,
    },
    {
      what: 'a label outside {0,1}',
      file: 'label.csv',
      content: () => setCell(25, 'click', '2'),
      message: /label\.csv row 25, column 'click': '2' is not a binary label/,
      where: /label\.csv:25:\d+: error/,
    },
    {
      what: 'a ragged line',
      file: 'ragged.csv',
      content: () => withLine(30, (c) => c.slice(0, 5)),
      message: /ragged\.csv row 30 has 5 fields, but the header has 11/,
      where: /ragged\.csv:30:1: error/,
    },
    {
      what: 'a truncated gzip file',
      file: 'trunc.csv.gz',
      content: () => {
        const gz = gzipSync([good.header, ...good.rows].join('\n') + '\n');
        return gz.subarray(0, Math.floor(gz.length / 2));
      },
      message: /trunc\.csv\.gz is truncated or corrupt \(.+\); the last complete row read was row \d+/,
      where: /trunc\.csv\.gz:\d+:1: error/,
    },
    {
      what: 'an empty file',
      file: 'empty.csv',
      content: () => '',
      message: /empty\.csv is empty/,
      where: /empty\.csv:1:1: error/,
    },
    {
      what: 'invalid JSON Lines',
      file: 'bad.jsonl',
      content: () => {
        const names = good.header.split(',');
        const lines = good.rows.map((r) => JSON.stringify(Object.fromEntries(r.split(',').map((v, i) => [names[i], v]))));
        lines[16] = '{"user_id": 1, "item_id": ';
        return lines.join('\n') + '\n';
      },
      message: /bad\.jsonl row 17 is not a JSON object/,
      where: /bad\.jsonl:17:1: error/,
    },
  ];

  it.each(CASES)('$what: exit 1, a message naming the file, row and column, and no model written', async ({ file, content, message, where }) => {
    const data = path.join(dir, file);
    writeFileSync(data, content());
    const out = path.join(dir, `out-${file}`);
    const r = await runCli(['train', spec, '--data', data, '--out', out], { cwd: dir });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toMatch(where);
    expect(hasStackTrace(r.stderr), r.stderr).toBe(false);
    expect(r.stdout).toBe('');
    expect(existsSync(out), 'no model directory').toBe(false);
    // Over an existing model: it stays as it was, byte for byte.
    const before = snapshotDir(PREV);
    const again = await runCli(['train', spec, '--data', data, '--out', PREV], { cwd: dir });
    expect(again.code, again.stderr).toBe(1);
    expect(again.stderr).toMatch(message);
    expect(snapshotDir(PREV)).toEqual(before);
  });

  it('a bad row in the validation part also fails the run, before any model is written', async () => {
    // Find a data row that the run's split puts into the validation part (the tiny spec's seed 7, valid_split 0.1).
    const ordinal = good.rows.findIndex((_, i) => i > 5 && isValidationRow(i, 7, 0.1));
    expect(ordinal).toBeGreaterThan(0);
    const line = ordinal + 2;
    const data = path.join(dir, 'valid-bad.csv');
    writeFileSync(data, setCell(line, 'price', 'n/a?'));
    const out = path.join(dir, 'out-valid-bad');
    const r = await runCli(['train', spec, '--data', data, '--out', out], { cwd: dir });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`valid-bad\\.csv row ${line}, column 'price': 'n/a\\?' is not a decimal number`));
    expect(hasStackTrace(r.stderr)).toBe(false);
    expect(existsSync(out)).toBe(false);
  });

  it('--skip-bad-rows trains anyway and warns with the count of skipped rows', async () => {
    const data = path.join(dir, 'three-bad.csv');
    // Three bad rows of different kinds, all in the training part.
    const lines = good.rows.map((_, i) => i).filter((i) => i > 3 && !isValidationRow(i, 7, 0.1)).slice(0, 3).map((i) => i + 2);
    const rows = [...good.rows];
    const cells = (l: number) => rows[l - 2]!.split(',');
    rows[lines[0]! - 2] = cells(lines[0]!).map((v, i) => (i === col('price') ? 'cheap' : v)).join(',');
    rows[lines[1]! - 2] = cells(lines[1]!).map((v, i) => (i === col('buy') ? 'maybe' : v)).join(',');
    rows[lines[2]! - 2] = cells(lines[2]!).slice(0, 4).join(',');
    writeFileSync(data, [good.header, ...rows].join('\n') + '\n');
    const out = path.join(dir, 'out-skip');
    const r = await runCli(['train', spec, '--data', data, '--out', out, '--epochs', '1', '--skip-bad-rows'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/warning MTL5040: Skipped 3 bad rows of the training part of three-bad\.csv; first: MTL5003 three-bad\.csv row \d+, column 'price'/);
    expect(existsSync(path.join(out, 'model.json'))).toBe(true);
  });
});

describe('interrupt and resume', () => {
  it('Ctrl-C in epoch 1 exits 130 with a checkpoint; --resume ends with the metrics of an uninterrupted run', async () => {
    const dir = work('resume');
    mkdirSync(dir, { recursive: true });
    const spec = writeTinySpec(dir);
    const data = path.join(dir, 'train.csv');
    expect((await runCli(['data', 'synth', 'esmm', '--rows', '4000', '--seed', '11', '--out', data], { cwd: dir })).code).toBe(0);

    const full = path.join(dir, 'full');
    const f = await runCli(['train', spec, '--data', data, '--out', full, '--backend', 'wasm'], { cwd: dir });
    expect(f.code, f.stderr).toBe(0);

    const part = path.join(dir, 'part');
    // Non-TTY progress prints a line every 100 steps: abort on epoch 1's first one (Ctrl-C mid-epoch).
    const i = await runCliAbortingWhen(['train', spec, '--data', data, '--out', part, '--backend', 'wasm'], /epoch 1\/2 {2}batch 100\//, dir);
    expect(i.aborted).toBe(true);
    expect(i.code, i.stderr).toBe(130);
    expect(i.stderr).toMatch(/interrupted at epoch 1, batch 100; resume with --resume/);
    expect(i.stderr).toMatch(/--resume/);
    expect(existsSync(path.join(`${part}.partial`, 'index.json'))).toBe(true);
    expect(existsSync(path.join(part, 'model.json')), 'no model yet').toBe(false);

    const r = await runCli(['train', spec, '--data', data, '--out', part, '--backend', 'wasm', '--resume'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    const a = readJson<MetricsJson>(path.join(full, 'metrics.json'));
    const b = readJson<MetricsJson>(path.join(part, 'metrics.json'));
    expect(b.final).toEqual(a.final);
    expect(b.bestEpoch).toBe(a.bestEpoch);
    const strip = (m: MetricsJson) => m.history.map(({ epoch, loss, taskLosses, metrics, samples }) => ({ epoch, loss, taskLosses, metrics, samples }));
    expect(strip(b)).toEqual(strip(a));
    expect(readFileSync(path.join(part, 'weights.bin')).equals(readFileSync(path.join(full, 'weights.bin')))).toBe(true);
  }, 60_000);

  it('--resume without a checkpoint exits 1 and says so', async () => {
    const dir = work('resume');
    const out = path.join(dir, 'never-trained');
    const r = await runCli(['train', path.join(dir, 'tiny.mtl'), '--data', path.join(dir, 'train.csv'), '--out', out, '--resume'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error MTL5301: There is no checkpoint to resume in '.*never-trained'/);
    expect(existsSync(out)).toBe(false);
  });
});

describe('mtl data synth', () => {
  const HEADERS: Record<string, (h: string[]) => void> = {
    esmm: (h) => expect(h).toEqual(['user_id', 'item_id', 'category', 'history', 'price', 'hour', 'click', 'buy', 'cvr_true', 'p_ctr', 'p_cvr']),
    mmoe: (h) => expect(h).toEqual([...Array.from({ length: 100 }, (_, i) => `x${i}`), 'y1', 'y2']),
    census: (h) => {
      expect(h).toHaveLength(41);
      for (const c of ['age', 'education', 'marital_stat', 'income_50k']) expect(h).toContain(c);
    },
  };

  it.each(['esmm', 'mmoe', 'census'].flatMap((g) => [{ g, ext: 'csv' }, { g, ext: 'csv.gz' }]))('$g → .$ext: the expected header and 50 rows', async ({ g, ext }) => {
    const out = work(`synth-${g}.${ext}`);
    const r = await runCli(['data', 'synth', g, '--rows', '50', '--out', out], { cwd: ROOT });
    expect(r.code, r.stderr).toBe(0);
    const bytes = readFileSync(out);
    if (ext.endsWith('.gz')) expect([bytes[0], bytes[1]]).toEqual([0x1f, 0x8b]);
    const text = (ext.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8');
    const rows = parseCsv(text, { skip_empty_lines: true }) as string[][];
    HEADERS[g]!(rows[0]!);
    expect(rows).toHaveLength(51);
    for (const row of rows.slice(1)) expect(row).toHaveLength(rows[0]!.length);
  });

  it('an unknown generator exits 2 with a did-you-mean', async () => {
    const r = await runCli(['data', 'synth', 'esm', '--rows', '50', '--out', work('x.csv')], { cwd: ROOT });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown generator 'esm'\. Did you mean 'esmm'\?/);
    expect(existsSync(work('x.csv'))).toBe(false);
  });
});
