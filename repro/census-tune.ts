/**
 * The census bar of `mtl tune` (README "Tuning"): for each architecture and task group, `mtl tune` its spec in
 * repro/census-tune/ on the census-income 60/20/20 split (validation part for the objective), then
 * `mtl eval` the best trial on the test part, and compare every task's test AUC with the logistic-regression
 * references of ../shared/data/README.md.
 *
 *   nice -n 10 npx tsx repro/census-tune.ts [--archs shared-bottom,mmoe] [--trials 8] [--epochs 3] [--scratch DIR]
 *
 * Every tune runs through bin/mtl.js (the tune resumes when the script is rerun with the same scratch
 * directory and budget). Writes repro/results/RESULTS.md and .json (--results, default census-tune).
 */
import { spawnSync } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { prepareCensus } from './lib/census-data.js';
import { rungEpochs } from '../src/tune/pruner.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = path.join(ROOT, 'bin', 'mtl.js');
/** Test AUC of a logistic regression on the same kind of split (../shared/data/README.md). */
const LR_REFERENCE: Record<string, number> = { income: 0.94, marital: 0.994, edu: 0.888 };
const ARCHS = ['shared-bottom', 'omoe', 'mmoe', 'cgc', 'ple'];

const { values } = parseArgs({
  options: {
    archs: { type: 'string', default: 'shared-bottom,mmoe' },
    groups: { type: 'string', default: 'group1,group2' },
    trials: { type: 'string', default: '8' },
    epochs: { type: 'string', default: '3' },
    seed: { type: 'string', default: '0' },
    scratch: { type: 'string', default: path.join(os.tmpdir(), 'mtl-census-tune') },
    results: { type: 'string', default: 'census-tune' },
  },
});
const archs = values.archs === 'all' ? ARCHS : values.archs!.split(',');
const groups = values.groups!.split(',');

/** Run `mtl ARGS`, streaming its stderr; its stdout. */
function mtl(args: string[]): string {
  const r = spawnSync(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`mtl ${args.join(' ')} exited with ${r.status}`);
  return r.stdout;
}

const t0 = Date.now();
const split = await prepareCensus(path.resolve(ROOT, '..', 'shared', 'data', 'census-income', 'census-income.test.gz'), path.join(values.scratch!, 'data'), 2018);
console.error(`census-income: ${split.rows.train} train / ${split.rows.valid} valid / ${split.rows.test} test rows`);
const rows: Array<{ arch: string; group: string; best: number; params: unknown; test: Record<string, number>; trials: number; minutes: number }> = [];
for (const group of groups) {
  for (const arch of archs) {
    const t1 = Date.now();
    const spec = path.join(ROOT, 'repro', 'census-tune', `${arch}-${group}.mtl`);
    const out = path.join(values.scratch!, 'tunes', `${arch}-${group}-t${values.trials}-e${values.epochs}-s${values.seed}`);
    console.error(`\n== ${arch} ${group}: mtl tune → ${out}`);
    mtl(['tune', spec, '--space', path.join(ROOT, 'repro', 'census-tune', 'space.yaml'), '--out', out, '--data', split.train, '--valid', split.valid, '--trials', values.trials!, '--epochs', values.epochs!, '--seed', values.seed!]);
    const summary = JSON.parse(await fsp.readFile(path.join(out, 'summary.json'), 'utf8')) as { best: { trial: number; value: number; params: unknown; dir: string }; trials: unknown[] };
    const ev = JSON.parse(mtl(['eval', path.join(out, summary.best.dir), '--data', split.test, '--format', 'json'])) as { metrics: Record<string, { auc: number }> };
    const test = Object.fromEntries(Object.entries(ev.metrics).map(([k, m]) => [k, m.auc]));
    rows.push({ arch, group, best: summary.best.value, params: summary.best.params, test, trials: summary.trials.length, minutes: (Date.now() - t1) / 60000 });
    console.error(`${arch} ${group}: test AUC ${Object.entries(test).map(([k, v]) => `${k} ${v.toFixed(4)}`).join(', ')}`);
  }
}
const minutes = (Date.now() - t0) / 60000;
const load = os.loadavg().map((l) => l.toFixed(1)).join(' ');
const mark = (task: string, v: number): string => `${v.toFixed(4)}${LR_REFERENCE[task] !== undefined ? (v >= LR_REFERENCE[task]! ? ' ✓' : ' ✗') : ''}`;
const lines = [
  `### Census-income tuned with mtl tune (test AUC of the best trial; ✓ = at least the logistic-regression reference)`,
  '',
  '| architecture | group | task AUCs (test) | best validation objective | best lr, batch | trials | minutes |',
  '|---|---|---|---|---|---|---|',
  ...rows.map((r) => `| ${r.arch} | ${r.group} | ${Object.entries(r.test).map(([k, v]) => `${k} ${mark(k, v)}`).join(', ')} | ${r.best.toFixed(4)} | ${Object.values(r.params as Record<string, unknown>).join(', ')} | ${r.trials} | ${r.minutes.toFixed(1)} |`),
  `| logistic regression (data README) | | income 0.940, marital 0.994, edu 0.888 | | | | |`,
  '',
  `Budget per tune: ${values.trials} trials (TPE, seed ${values.seed}), successive halving with rungs at ${rungEpochs(1, Number(values.epochs)).join(', ')} epochs, 2 trials at once. ` +
    `Command: \`nice -n 10 npx tsx repro/census-tune.ts --archs ${values.archs} --groups ${values.groups} --trials ${values.trials} --epochs ${values.epochs}\` · wall time ${minutes.toFixed(1)} min · ` +
    `machine: ${os.cpus().length} × ${os.cpus()[0]?.model.trim() ?? 'cpu'}, load average at the end ${load} (shared with other jobs) · Node ${process.version} · ${new Date().toISOString().slice(0, 10)}`,
  '',
];
await fsp.mkdir(path.join(ROOT, 'repro', 'results'), { recursive: true });
await fsp.writeFile(path.join(ROOT, 'repro', 'results', `${values.results}.md`), lines.join('\n'));
await fsp.writeFile(path.join(ROOT, 'repro', 'results', `${values.results}.json`), JSON.stringify({ rows, minutes, load, settings: values }, null, 2) + '\n');
console.log(lines.join('\n'));
