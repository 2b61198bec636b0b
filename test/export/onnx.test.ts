/**
 * `mtl export RUN --format onnx|torchscript -o FILE` end to end: reference specs (ESMM with a shared-table
 * mean-pooled sequence, a vocab id space and log1p; MMoE; PLE) trained on their built-in data and a spec with
 * every other input kind (KITCHEN: vocabulary file, buckets, max/sum pooling, minmax, a linear tower), exported by
 * the real binary, run in a real ONNX Runtime (onnxruntime-web's wasm backend in Node) and in PyTorch
 * (torch.jit.load) on rows encoded by mtl/serve's loadFeedEncoder from the contract file alone, and compared
 * with `mtl predict` on the same rows: equal within 1e-5. Skips only without a Python that imports torch.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFeedEncoder } from '../../src/serve/feed-encoder.js';
import { modelInputs } from '../../src/data/feeds.js';
import { runCli } from '../cli/run-cli.js';
import { ROOT, hasStackTrace, tempDir } from '../cli/helpers.js';
import { ensureDist, readCsv, runBin } from '../e2e/helpers.js';
import { runPython, SKIP_REASON, torchPython } from '../targets/python-env.js';
import { maxDiff, onnxSession, predictRows, runOnnx } from './onnx-env.js';

const TOL = 1e-5;
/** Per-test limit: a test may train, export (a Python process) and predict on a busy 2-core machine. */
const SLOW = 300_000;
const tmp = tempDir('mtl-export-onnx-');
afterAll(() => tmp.cleanup());

if (!torchPython) console.warn(`test/export: skipping the ONNX and TorchScript exports: ${SKIP_REASON}`);

/** Built-in data of each spec and the rows held out for scoring (a seed the training data does not use). */
const CASES = [
  { spec: 'esmm', gen: 'esmm', rows: '1500' },
  { spec: 'kitchen', gen: 'esmm', rows: '800' },
  { spec: 'mmoe', gen: 'census', rows: '1000' },
  { spec: 'ple', gen: 'census', rows: '1000' },
] as const;

/**
 * Every input kind the export lays out, over the columns of `mtl data synth esmm`: a vocabulary file, hash,
 * max and sum pooling (one sharing the other's table), buckets, minmax, standard with `missing mean`, and a
 * linear tower beside a sigmoid one.
 */
const KITCHEN = `model kitchen "Every input kind of the export."
features {
  categorical category vocab "categories.txt" dim 4
  categorical user_id  hash 500 dim 4
  sequence    history  hash 500 dim 4 pool max max_len 6
  sequence    recent   column "history" hash 500 pool sum max_len 3 shares history
  numeric     price    buckets [5, 10, 20, 50] dim 3
  numeric     hour     normalize minmax
  numeric     price_z  column "price" normalize standard missing mean
}
labels {
  click: binary
  p_ctr: real
}
input all = concat(*)
tower ctr = mlp(8) on all -> sigmoid
tower pctr = mlp(8) on all -> linear
task ctr = ctr loss bce(click)
task pctr = pctr loss mse(p_ctr)
train { optimizer adam lr 0.01 batch 64 epochs 1 seed 7 }
`;

/** The spec file of a case and, for specs without built-in data, the training data to pass. */
async function specOf(spec: string, rows: string): Promise<{ file: string; data: string[] }> {
  if (spec !== 'kitchen') return { file: path.join(ROOT, 'specs', `${spec}.mtl`), data: ['--rows', rows] };
  const file = path.join(tmp.dir, 'kitchen.mtl');
  writeFileSync(file, KITCHEN);
  // Categories 0..30 are in the vocabulary; the generator's others fall to the out-of-vocabulary row.
  writeFileSync(path.join(tmp.dir, 'categories.txt'), Array.from({ length: 31 }, (_, i) => `${i}\n`).join(''));
  const data = path.join(tmp.dir, 'kitchen-train.csv');
  expect((await runCli(['data', 'synth', 'esmm', '--rows', rows, '--seed', '3', '--out', data], { cwd: tmp.dir })).code).toBe(0);
  return { file, data: ['--data', data] };
}

/** A trained model directory per spec, and its held-out data file. */
const runs: Record<string, { dir: string; data: string }> = {};

async function trained(spec: string, gen: string, rows: string): Promise<{ dir: string; data: string }> {
  if (runs[spec]) return runs[spec]!;
  const dir = path.join(tmp.dir, spec);
  const { file, data: trainData } = await specOf(spec, rows);
  const t = await runCli(['train', file, '--out', dir, ...trainData, '--epochs', '1', '--seed', '3'], { cwd: tmp.dir });
  expect(t.code, t.stderr).toBe(0);
  const data = path.join(tmp.dir, `${gen}-held-out.csv`);
  if (!existsSync(data)) {
    // ESMM's generator draws its users and items from the seed: held-out rows come from the training world.
    const d = await runCli(['data', 'synth', gen, '--rows', '60', '--seed', gen === 'esmm' ? '3' : '991', '--out', data], { cwd: tmp.dir });
    expect(d.code, d.stderr).toBe(0);
  }
  return (runs[spec] = { dir, data });
}

/** The ESMM model exported to ONNX once (by the first test that needs it); returns the model file. */
async function esmmOnnx(): Promise<{ dir: string; data: string; file: string }> {
  const run = await trained('esmm', 'esmm', '1500');
  const file = path.join(tmp.dir, 'esmm.onnx');
  if (!existsSync(`${file}.json`)) {
    const r = await runBin(['export', run.dir, '--format', 'onnx', '-o', file], { cwd: tmp.dir });
    expect(r.code, r.stderr).toBe(0);
  }
  return { ...run, file };
}

/** `mtl export DIR --format onnx -o FILE` by the binary in a child whose MTL_PYTHON is `python` (the only Python it then tries). */
function exportWithPython(dir: string, file: string, python: string): { status: number | null; stderr: string } {
  return spawnSync(process.execPath, [path.join(ROOT, 'bin', 'mtl.js'), 'export', dir, '--format', 'onnx', '-o', file], {
    cwd: tmp.dir,
    encoding: 'utf8',
    env: { ...process.env, MTL_PYTHON: python },
  });
}

/** A failed export: exit 1, `code` and `text` on stderr, no stack trace, neither file written. */
function expectRefused(r: { status?: number | null; code?: number | null; stderr: string }, file: string, code: string, text: string): void {
  expect(r.status ?? r.code).toBe(1);
  expect(r.stderr).toContain(code);
  expect(r.stderr).toContain(text);
  expect(hasStackTrace(r.stderr)).toBe(false);
  expect(existsSync(file)).toBe(false);
  expect(existsSync(`${file}.json`)).toBe(false);
}

beforeAll(() => {
  if (torchPython) ensureDist();
}, 300_000);

describe.skipIf(!torchPython)('mtl export --format onnx', () => {
  it.each(CASES)('$spec: ONNX Runtime on loadFeedEncoder feeds equals mtl predict within 1e-5', async ({ spec, gen, rows }) => {
    const { dir, data } = await trained(spec, gen, rows);
    const file = path.join(tmp.dir, `${spec}.onnx`);
    const r = await runBin(['export', dir, '--format', 'onnx', '-o', file, '--force'], { cwd: tmp.dir });
    expect(r.code, r.stderr).toBe(0);
    expect(hasStackTrace(r.stderr)).toBe(false);
    expect(r.stderr).toMatch(new RegExp(`^exported .* as onnx: \\d+ inputs`));

    const enc = await loadFeedEncoder(`${file}.json`);
    const contract = enc.contract;
    expect(contract.file).toBe(`${spec}.onnx`);
    expect(contract.opset).toBe(13);
    expect(contract.irHash).toMatch(/^[0-9a-f]{64}$/);
    expect(contract.inputs.map((i) => i.name)).toEqual(modelInputs(contract.ir).map((i) => i.name));
    for (const i of contract.inputs) expect(i.computed.length, i.name).toBeGreaterThan(10);

    const session = await onnxSession(file);
    expect([...session.inputNames].sort()).toEqual(contract.inputs.map((i) => i.name).sort());
    expect([...session.outputNames]).toEqual(contract.outputs.map((o) => o.name));

    const predicted = await predictRows(tmp.dir, dir, data, path.join(tmp.dir, `${spec}-pred.jsonl`));
    const raw = readCsv(data);
    const all = enc.encode(raw);
    expect(all.errors).toEqual([]);
    expect(all.rows).toEqual(raw.map((_, i) => i));
    const scores = await runOnnx(session, all.feeds);
    expect(Object.keys(scores)).toEqual(Object.keys(predicted[0]!));
    expect(maxDiff(scores, predicted, all.rows)).toBeLessThanOrEqual(TOL);
    // The batch axis is dynamic: one row, and a batch of rows 7..19, give the same scores.
    for (const slice of [[5, 6], [7, 20]] as const) {
      const part = enc.encode(raw.slice(...slice));
      const partScores = await runOnnx(session, part.feeds);
      expect(maxDiff(partScores, predicted, part.rows.map((j) => j + slice[0]))).toBeLessThanOrEqual(TOL);
    }
    await session.release();
  }, SLOW);

  it("works as the README shows it: the built 'mtl/serve' and onnxruntime-web in a plain Node process", async () => {
    const { dir, data, file } = await esmmOnnx();
    const rowsFile = path.join(tmp.dir, 'client-rows.json');
    writeFileSync(rowsFile, JSON.stringify(readCsv(data)));
    const client = [
      "import { readFileSync } from 'node:fs';",
      "import * as ort from 'onnxruntime-web';",
      "import { loadFeedEncoder } from 'mtl/serve';",
      'ort.env.wasm.numThreads = 1;',
      'const [model, rowsFile] = process.argv.slice(1);',
      "const enc = await loadFeedEncoder(model + '.json');",
      "const { feeds, rows } = enc.encode(JSON.parse(readFileSync(rowsFile, 'utf8')));",
      "const session = await ort.InferenceSession.create(model, { executionProviders: ['wasm'] });",
      'const out = await session.run(Object.fromEntries(Object.entries(feeds).map(([k, f]) => [k, new ort.Tensor(f.type, f.data, f.dims)])));',
      'console.log(JSON.stringify({ rows, scores: Object.fromEntries(session.outputNames.map((n) => [n, Array.from(out[n].data)])) }));',
    ].join('\n');
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', client, file, rowsFile], { cwd: ROOT, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const { rows, scores } = JSON.parse(r.stdout) as { rows: number[]; scores: Record<string, number[]> };
    const predicted = await predictRows(tmp.dir, dir, data, path.join(tmp.dir, 'client-pred.jsonl'));
    expect(rows.length).toBe(predicted.length);
    expect(maxDiff(scores, predicted, rows)).toBeLessThanOrEqual(TOL);
  }, SLOW);

  it('encodes bad rows into errors naming the field, and leaves them out of the feeds', async () => {
    const { data, file } = await esmmOnnx();
    const enc = await loadFeedEncoder(`${file}.json`);
    const raw = readCsv(data).slice(0, 3);
    const { price: _, ...noPrice } = raw[1]!;
    const r = enc.encode([raw[0], noPrice, { ...raw[2], price: 'cheap' }, 'not a row']);
    expect(r.rows).toEqual([0]);
    expect(r.errors.map((e) => [e.row, e.field, e.code])).toEqual([
      [1, 'price', 'MTL5608'],
      [2, 'price', 'MTL5003'],
      [3, undefined, 'MTL5609'],
    ]);
    for (const input of enc.contract.inputs) expect(r.feeds[input.name]!.dims[0], input.name).toBe(1);
  }, SLOW);
});

describe.skipIf(!torchPython)('mtl export --format torchscript', () => {
  it.each(CASES.slice(0, 3))('$spec: torch.jit.load on the same feeds equals mtl predict within 1e-5', async ({ spec, gen, rows }) => {
    const { dir, data } = await trained(spec, gen, rows);
    const file = path.join(tmp.dir, `${spec}.pt`);
    const r = await runBin(['export', dir, '--format', 'torchscript', '-o', file], { cwd: tmp.dir });
    expect(r.code, r.stderr).toBe(0);
    const enc = await loadFeedEncoder(`${file}.json`);
    expect(enc.contract.format).toBe('torchscript');
    const { feeds, rows: order } = enc.encode(readCsv(data));
    const feedsFile = path.join(tmp.dir, `${spec}-feeds.json`);
    const inputs = enc.contract.inputs.map((i) => ({ type: feeds[i.name]!.type, dims: feeds[i.name]!.dims, data: Array.from(feeds[i.name]!.data) }));
    writeFileSync(feedsFile, JSON.stringify({ inputs, outputs: enc.contract.outputs.map((o) => o.name) }));
    const script = [
      'import json, sys, torch',
      'm = torch.jit.load(sys.argv[1])',
      'cfg = json.load(open(sys.argv[2]))',
      'xs = [torch.tensor(i["data"], dtype=torch.int32 if i["type"] == "int32" else torch.float32).reshape(i["dims"]) for i in cfg["inputs"]]',
      'with torch.no_grad(): out = m(*xs)',
      'print(json.dumps({n: [float(v) for v in t] for n, t in zip(cfg["outputs"], out)}))',
    ].join('\n');
    const scores = JSON.parse(runPython(['-c', script, file, feedsFile])) as Record<string, number[]>;
    const predicted = await predictRows(tmp.dir, dir, data, path.join(tmp.dir, `${spec}-pred.jsonl`));
    expect(maxDiff(scores, predicted, order)).toBeLessThanOrEqual(TOL);
  }, SLOW);
});

describe.skipIf(!torchPython)('mtl export: what it refuses', () => {
  it('never replaces an existing file without --force (MTL5335), and does with it', async () => {
    const { dir } = await trained('esmm', 'esmm', '1500');
    const file = path.join(tmp.dir, 'taken.onnx');
    writeFileSync(file, 'mine');
    const r = await runBin(['export', dir, '--format', 'onnx', '-o', file], { cwd: tmp.dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('MTL5335');
    expect(hasStackTrace(r.stderr)).toBe(false);
    expect(readFileSync(file, 'utf8')).toBe('mine');
    expect(existsSync(`${file}.json`)).toBe(false);
    const f = await runBin(['export', dir, '--format', 'onnx', '-o', file, '--force'], { cwd: tmp.dir });
    expect(f.code, f.stderr).toBe(0);
    expect(statSync(file).size).toBeGreaterThan(1000);
  }, SLOW);

  it('names what to install when no Python has torch (MTL5770), writing nothing', async () => {
    const { dir } = await trained('esmm', 'esmm', '1500');
    const file = path.join(tmp.dir, 'no-torch.onnx');
    const child = exportWithPython(dir, file, path.join(tmp.dir, 'no-such-python'));
    expectRefused(child, file, 'MTL5770', 'python3-torch');
    expect(child.stderr).toContain('no-such-python');
  }, SLOW);

  it('reports the exporter\'s own failure naming the operator (MTL5772), writing nothing', async () => {
    const { dir } = await trained('esmm', 'esmm', '1500');
    // A stand-in Python that passes the torch probe and fails the export as torch.onnx.export does for an
    // operator without an ONNX form: the reporting path (export.py's error line → MTL5772) is what is tested.
    const fake = path.join(tmp.dir, 'fake-python');
    writeFileSync(
      fake,
      '#!/bin/sh\nif [ "$1" = "-c" ]; then echo 1.13.0; exit 0; fi\n' +
        'echo \'MTL_EXPORT_ERROR {"reason": "UnsupportedOperatorError: Exporting the operator ::mtl_gate to ONNX opset version 13 is not supported."}\' >&2\nexit 3\n',
      { mode: 0o755 },
    );
    const file = path.join(tmp.dir, 'failed.onnx');
    const child = exportWithPython(dir, file, fake);
    expectRefused(child, file, 'MTL5772', 'PyTorch could not export the model to onnx: UnsupportedOperatorError: Exporting the operator ::mtl_gate');
  }, SLOW);

  it('names the gate that cannot be exported (a noisy-topk gate: MTL5771)', async () => {
    const spec = path.join(tmp.dir, 'topk.mtl');
    writeFileSync(
      spec,
      `model topk "Two towers over a noisy top-k gate."
features {
  categorical item_id hash 500 dim 8
  numeric     price   normalize log1p
}
labels {
  click: binary
  buy: binary
}
input all = concat(item_id, price)
experts e[3] = mlp(4) on all
gate g = noisy-topk(k: 2) over e on all
tower ctr = mlp(4) on g -> sigmoid
tower cvr = mlp(4) on g -> sigmoid
task ctr = ctr loss bce(click)
task ctcvr = ctr * cvr loss bce(click & buy)
train { optimizer adam lr 0.01 batch 64 epochs 1 seed 7 }
`,
    );
    const data = path.join(tmp.dir, 'topk.csv');
    expect((await runCli(['data', 'synth', 'esmm', '--rows', '300', '--seed', '5', '--out', data], { cwd: tmp.dir })).code).toBe(0);
    const dir = path.join(tmp.dir, 'topk');
    const t = await runCli(['train', spec, '--data', data, '--out', dir], { cwd: tmp.dir });
    expect(t.code, t.stderr).toBe(0);
    const file = path.join(tmp.dir, 'topk.onnx');
    const r = await runBin(['export', dir, '--format', 'onnx', '-o', file], { cwd: tmp.dir });
    expectRefused(r, file, 'MTL5771', "Gate 'g' has type 'noisy-topk', which cannot be exported to onnx");
  }, SLOW);

  it('rejects an edited contract file (MTL5775)', async () => {
    const { file } = await esmmOnnx();
    const edited = path.join(tmp.dir, 'edited.onnx.json');
    const c = JSON.parse(readFileSync(`${file}.json`, 'utf8')) as { ir: { features: Array<{ name: string }> } };
    c.ir.features[0]!.name = 'renamed';
    writeFileSync(edited, JSON.stringify(c));
    await expect(loadFeedEncoder(edited)).rejects.toThrow(/MTL5775.*does not hash to its irHash/);
    await expect(loadFeedEncoder(path.join(tmp.dir, 'absent.json'))).rejects.toThrow(/MTL5775.*no such file/);
  }, SLOW);
});
