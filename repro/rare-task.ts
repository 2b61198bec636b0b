/**
 * The rare-task experiment of issue #13: `npx tsx repro/rare-task.ts [--seeds 6] [--rows 120000] [--epochs 3]
 * [--only mtl,torch] [--spec FILE] [--label NAME] [--scratch DIR] [--backend auto|native|wasm|cpu] [--same-order]`.
 * `--same-order` adds a control: the PyTorch package trained on mtl's own batches (mtl's row order of each
 * epoch, repro/lib/same-order.py), so that only the arithmetic differs from the mtl run.
 *
 * A time-ordered log (repro/lib/rare-data.ts: a common binary task, a rare one, a rating regression, drift,
 * new items arriving) is split by time, 70 % train / 10 % validation / 20 % test, and the training file stays
 * sorted by time, as a ranking team's log is. For each seed, the same MMoE (repro/specs/rare-mmoe.mtl) is
 * trained by mtl (`train`, the fastest backend) and by its generated PyTorch package (train.py), both starting
 * from the same weights (mtl's initial model at that seed, with its output-bias init, converted to
 * safetensors) and the same preprocessing state; each scores the test part, and this script computes AUC per
 * binary task and the rating's RMSE from the predictions with the same code. Prints a table and writes
 * repro/results/rare-task[-LABEL].{json,md}. Not part of the test suite.
 */
import { spawnSync } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { compileToPytorch } from '../src/targets/pytorch/index.js';
import { convertTfjsToTorch } from '../src/targets/convert.js';
import { findTorchPython } from '../src/targets/pytorch/python.js';
import { activeBackendName, selectBackend } from '../src/exec/backend.js';
import { fileRef, loadSpec, predictColumns, readNumericCsv, trainSpec, type ReadySpec } from './lib/run-model.js';
import { readBatches, type PreprocessState } from '../src/data/index.js';
import type { ModelIR } from '../src/ir/types.js';
import { rareDataCsv } from './lib/rare-data.js';
import { auc, fmtMeanStd } from './lib/stats.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Test metrics of one trained model. */
interface Scores {
  like: number | null;
  buy: number | null;
  rmse: number;
  /** Mean predicted p(like) on the test part against its true rate (a model trained in time order drifts). */
  meanLike: number;
}

/** The test part's labels. */
interface Truth {
  like: Float64Array;
  buy: Float64Array;
  rating: Float64Array;
}

function score(pred: Record<string, ArrayLike<number>>, truth: Truth): Scores {
  let se = 0;
  let pl = 0;
  for (let i = 0; i < truth.rating.length; i++) (se += (pred['rating']![i]! - truth.rating[i]!) ** 2), (pl += pred['like']![i]!);
  return { like: auc(pred['like']!, truth.like), buy: auc(pred['buy']!, truth.buy), rmse: Math.sqrt(se / truth.rating.length), meanLike: pl / truth.rating.length };
}

/** Run a Python script; its stdout (throws with its stderr on failure). */
function runPython(python: string, args: string[]): string {
  const r = spawnSync(python, args, { encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: '2' }, maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`python ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/**
 * The PyTorch side's initial weights at `seed`: mtl's model before any update (output biases at base rates),
 * trained for 0 epochs into scratch/init-SEED and converted to safetensors (scratch/init-SEED-pt), once.
 */
async function initWeights(spec: ReadySpec, files: Record<'train' | 'valid', string>, scratch: string, seed: number): Promise<string> {
  const init = path.join(scratch, `init-${seed}`);
  const initPt = `${init}-pt`;
  if (await fsp.stat(path.join(initPt, 'model.safetensors')).then(() => true, () => false)) return initPt;
  await trainSpec(spec, files.train, files.valid, init, { seed, epochs: 0 });
  const conv = await convertTfjsToTorch(init, initPt);
  if (conv.diagnostics.length) throw new Error(conv.diagnostics.map((d) => d.message).join('\n'));
  return initPt;
}

/**
 * The batches mtl trained the model in `runDir` on: each epoch's 0-based record indices of `train` in
 * training order, read with the options `mtl train` uses (the whole part held, one permutation per epoch).
 */
async function mtlOrder(ir: ModelIR, runDir: string, train: string, seed: number, epochs: number): Promise<{ batch: number; epochs: number[][] }> {
  const state = JSON.parse(await fsp.readFile(path.join(runDir, 'preprocess.json'), 'utf8')) as PreprocessState;
  const out: number[][] = [];
  // mtl train numbers its epochs from 1 (the shuffle of epoch e is seeded with (seed, e)).
  for (let epoch = 1; epoch <= epochs; epoch++) {
    const order: number[] = [];
    const batches = readBatches(ir, state, fileRef(train), { baseDir: runDir, batchSize: ir.train.batch, part: 'all', validSplit: 0, seed, shuffle: true, epoch, needLabels: true });
    for await (const b of batches) for (const r of b.rowNumbers) order.push(r - 2); // CSV row 2 is record 0
    out.push(order);
  }
  return { batch: ir.train.batch, epochs: out };
}

/** Write the time split of the generated log; returns the three files. */
async function writeSplit(dir: string, rows: number): Promise<Record<'train' | 'valid' | 'test', string>> {
  const lines = rareDataCsv({ rows, days: 30, users: Math.round(rows / 20), items: Math.round(rows / 6), seed: 2026 });
  const [header, body] = [lines[0]!, lines.slice(1)];
  const cut = (share: number) => Math.round(body.length * share);
  const parts = { train: body.slice(0, cut(0.7)), valid: body.slice(cut(0.7), cut(0.8)), test: body.slice(cut(0.8)) };
  const files = { train: path.join(dir, 'train.csv'), valid: path.join(dir, 'valid.csv'), test: path.join(dir, 'test.csv') };
  for (const k of ['train', 'valid', 'test'] as const) await fsp.writeFile(files[k], [header, ...parts[k]].join('\n') + '\n');
  return files;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      seeds: { type: 'string', default: '6' },
      rows: { type: 'string', default: '120000' },
      epochs: { type: 'string', default: '3' },
      only: { type: 'string', default: 'mtl,torch' },
      spec: { type: 'string', default: path.join(root, 'repro', 'specs', 'rare-mmoe.mtl') },
      label: { type: 'string' },
      scratch: { type: 'string' },
      backend: { type: 'string', default: 'auto' },
      'same-order': { type: 'boolean', default: false },
    },
  });
  const seeds = Array.from({ length: Number(values.seeds) }, (_, i) => i + 1);
  const epochs = Number(values.epochs);
  const only = new Set(values.only!.split(','));
  const scratch = values.scratch ?? (await fsp.mkdtemp(path.join(os.tmpdir(), 'mtl-rare-')));
  await fsp.mkdir(scratch, { recursive: true });
  const log = (s: string) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${s}\n`);
  const files = await writeSplit(scratch, Number(values.rows));
  const truth: Truth = await readNumericCsv(files.test, ['liked', 'bought', 'stars']).then((c) => ({ like: c['liked']!, buy: c['bought']!, rating: c['stars']! }));
  log(`data in ${scratch}: test rows ${truth.like.length}, like rate ${(truth.like.reduce((a, b) => a + b, 0) / truth.like.length).toFixed(3)}, buy rate ${(truth.buy.reduce((a, b) => a + b, 0) / truth.buy.length).toFixed(4)}`);
  await selectBackend(values.backend as Parameters<typeof selectBackend>[0]);
  const backend = activeBackendName();
  const spec = await loadSpec(values.spec!);
  const python = findTorchPython();
  if ((only.has('torch') || values['same-order']) && !python) throw new Error('no Python with torch: install python3-torch, or pass --only mtl');
  const pkg = path.join(scratch, 'pkg');
  if (only.has('torch') || values['same-order']) {
    const c = await compileToPytorch(spec.ir, pkg);
    if (c.diagnostics.length) throw new Error(c.diagnostics.map((d) => d.message).join('\n'));
  }
  const results: Record<'mtl' | 'torch' | 'torchSameOrder', Array<Scores & { seed: number; seconds: number }>> = { mtl: [], torch: [], torchSameOrder: [] };
  // The table and the raw numbers, written after every seed (a long run cut short keeps what it measured).
  const report = async (final: boolean): Promise<void> => {
    const names = { mtl: `mtl (${backend})`, torch: 'PyTorch (generated package)', torchSameOrder: "PyTorch on mtl's batches (control)" };
    const rows = (['mtl', 'torch', 'torchSameOrder'] as const)
      .filter((k) => results[k].length)
      .map((k) => {
        const r = results[k];
        return `| ${names[k]} | ${fmtMeanStd(r.map((x) => x.like))} | ${fmtMeanStd(r.map((x) => x.buy))} | ${fmtMeanStd(r.map((x) => x.rmse))} | ${fmtMeanStd(r.map((x) => x.meanLike), 3)} | ${r.length} |`;
      });
    const table = ['| model | like AUC | buy AUC (rare) | rating RMSE | mean p(like) | seeds |', '|---|---|---|---|---|---|', ...rows].join('\n');
    const command = `npx tsx repro/rare-task.ts --seeds ${values.seeds} --rows ${values.rows} --epochs ${epochs}${values.spec !== path.join(root, 'repro', 'specs', 'rare-mmoe.mtl') ? ` --spec ${path.relative(root, values.spec!)}` : ''}${values.label ? ` --label ${values.label}` : ''}${values.backend !== 'auto' ? ` --backend ${values.backend}` : ''}${values['same-order'] ? ' --same-order' : ''}${values.only !== 'mtl,torch' ? ` --only ${values.only}` : ''}`;
    const load = os.loadavg().map((x) => x.toFixed(1)).join(' ');
    const md = `# Rare-task experiment${values.label ? ` (${values.label})` : ''}\n\n\`${command}\` (load average at the end: ${load}; test like rate ${(truth.like.reduce((a, b) => a + b, 0) / truth.like.length).toFixed(3)})\n\n${table}\n`;
    if (final) console.log(md);
    const base = path.join(root, 'repro', 'results', `rare-task${values.label ? `-${values.label}` : ''}`);
    await fsp.writeFile(`${base}.json`, JSON.stringify({ command, load, results }, null, 2) + '\n');
    await fsp.writeFile(`${base}.md`, md);
  };
  for (const seed of seeds) {
    if (only.has('mtl')) {
      const t0 = Date.now();
      const out = path.join(scratch, `mtl-${seed}`);
      await trainSpec(spec, files.train, files.valid, out, { seed, epochs });
      const s = score(await predictColumns(out, files.test, path.join(scratch, 'pred.csv')), truth);
      results.mtl.push({ seed, seconds: (Date.now() - t0) / 1000, ...s });
      log(`mtl   seed ${seed}: like ${s.like?.toFixed(4)} buy ${s.buy?.toFixed(4)} rmse ${s.rmse.toFixed(4)} mean p(like) ${s.meanLike.toFixed(3)}`);
      if (values['same-order']) {
        const t1 = Date.now();
        const orderFile = path.join(scratch, `order-${seed}.json`);
        await fsp.writeFile(orderFile, JSON.stringify(await mtlOrder(spec.ir, out, files.train, seed, epochs)));
        const initPt = await initWeights(spec, files, scratch, seed);
        const predFile = path.join(scratch, 'pred-same.csv');
        runPython(python!.python, [path.join(root, 'repro', 'lib', 'same-order.py'), pkg, path.join(initPt, 'model.safetensors'), path.join(scratch, `init-${seed}`, 'preprocess.json'), files.train, orderFile, files.test, predFile]);
        const c = score(await readNumericCsv(predFile, ['like', 'buy', 'rating']), truth);
        results.torchSameOrder.push({ seed, seconds: (Date.now() - t1) / 1000, ...c });
        log(`torch on mtl's batches, seed ${seed}: like ${c.like?.toFixed(4)} buy ${c.buy?.toFixed(4)} rmse ${c.rmse.toFixed(4)} mean p(like) ${c.meanLike.toFixed(3)}`);
      }
    }
    if (only.has('torch')) {
      const t0 = Date.now();
      const init = path.join(scratch, `init-${seed}`);
      const initPt = await initWeights(spec, files, scratch, seed);
      const out = path.join(scratch, `torch-${seed}`);
      const py = (args: string[]) => runPython(python!.python, args);
      py([path.join(pkg, 'train.py'), '--data', files.train, '--valid', files.valid, '--out', out, '--init', path.join(initPt, 'model.safetensors'), '--preprocess', path.join(init, 'preprocess.json'), '--seed', String(seed), '--epochs', String(epochs), '--threads', '2', '--log-every', '1000000']);
      const predFile = path.join(scratch, 'pred-torch.csv');
      await fsp.writeFile(predFile, py([path.join(pkg, 'predict.py'), '--model', out, '--data', files.test]));
      const s = score(await readNumericCsv(predFile, ['like', 'buy', 'rating']), truth);
      results.torch.push({ seed, seconds: (Date.now() - t0) / 1000, ...s });
      log(`torch seed ${seed}: like ${s.like?.toFixed(4)} buy ${s.buy?.toFixed(4)} rmse ${s.rmse.toFixed(4)} mean p(like) ${s.meanLike.toFixed(3)}`);
    }
    await report(false);
  }
  await report(true);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
