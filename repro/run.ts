/**
 * `npm run repro [-- --quick] [--only census,census-tune,esmm,mmoe] [--seeds N] [--workers N] [--scratch DIR]`: the
 * paper reproductions. Trains every model on the fastest backend (`auto`; the MMoE sweep in forked worker
 * processes unless --workers 0), prints the tables, and writes them with the raw per-seed numbers to
 * repro/results/{quick,full}.{md,json} (and the MMoE loss-curve SVGs). Not part of the test suite.
 *
 *   census : Shared-Bottom, OMoE, MMoE, CGC, PLE on census-income groups 1 and 2 (MMoE paper, 6.3)
 *   census-tune : the same five, each tuned with `mtl tune` (8 trials × up to 3 epochs; repro/census-tune.ts)
 *            and compared with the logistic-regression references (README "Tuning")
 *   esmm   : ESMM vs a clicked-only CVR model on synthetic impressions with ground truth (ESMM paper)
 *   mmoe   : Shared-Bottom vs OMoE vs MMoE on the MMoE paper's generator at correlations 0.5/0.9/1.0,
 *            30 paired seeds per cell, the paper's claims tested (lib/mmoe-sweep.ts, lib/mmoe-claims.ts)
 */
import { spawnSync } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { selectBackend } from '../src/exec/backend.js';
import { runCensus, runEsmm, type CensusResults, type EsmmResults } from './lib/experiments.js';
import { runMmoeSweep, type MmoeSweepResults } from './lib/mmoe-sweep.js';
import { writeGeneratedSpecs } from './lib/write-specs.js';
import { resultsMarkdown, type ExperimentRecord } from './lib/tables.js';
import { curveSvgs } from './lib/mmoe-report.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Sizes of one mode. */
interface Mode {
  name: 'quick' | 'full';
  census: { seeds: number[]; epochs?: number };
  esmm: { rows: number; seeds: number[]; epochs?: number };
  mmoe: { rows: number; trainShare: number; seeds: number[]; epochs: number; workers: number };
}

/** Seeds 1..n. */
const seedsUpTo = (n: number): number[] => Array.from({ length: n }, (_, i) => i + 1);

// The MMoE sweep needs >= 30 seeds per cell for its tests (issue #17); each run is kept small (4,800
// training rows, 8 epochs) so that its 270 runs fit in under an hour on the shared 2-core machine.
const MODES: Record<'quick' | 'full', Mode> = {
  quick: { name: 'quick', census: { seeds: [1], epochs: 1 }, esmm: { rows: 60_000, seeds: [1], epochs: 1 }, mmoe: { rows: 2_500, trainShare: 0.8, seeds: seedsUpTo(5), epochs: 6, workers: 2 } },
  full: { name: 'full', census: { seeds: [1, 2, 3], epochs: 2 }, esmm: { rows: 120_000, seeds: [1, 2, 3] }, mmoe: { rows: 6_000, trainShare: 0.8, seeds: seedsUpTo(30), epochs: 8, workers: 2 } },
};

/** Run repro/census-tune.ts with `args` (a child process: it runs `mtl tune` through bin/mtl.js). */
function runCensusTune(args: string[], scratch: string, log: (line: string) => void): void {
  log(`census-tune: npx tsx repro/census-tune.ts ${args.join(' ')}`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'repro', 'census-tune.ts'), ...args, '--scratch', path.join(scratch, 'census-tune')], { stdio: 'inherit', cwd: root });
  if (r.status !== 0) throw new Error(`repro/census-tune.ts exited with ${r.status}`);
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean' },
      only: { type: 'string' },
      seeds: { type: 'string' },
      workers: { type: 'string' },
      scratch: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write('Usage: npm run repro [-- --quick] [--only census,census-tune,esmm,mmoe] [--seeds N] [--workers N] [--scratch DIR]\n');
    return 0;
  }
  const mode = structuredClone(MODES[values.quick ? 'quick' : 'full']);
  if (values.seeds) {
    const n = Number(values.seeds);
    if (!Number.isInteger(n) || n < 1) throw new Error(`--seeds must be a positive integer, got '${values.seeds}'`);
    mode.census.seeds = mode.esmm.seeds = mode.mmoe.seeds = seedsUpTo(n);
  }
  if (values.workers !== undefined) {
    const n = Number(values.workers);
    if (!Number.isInteger(n) || n < 0) throw new Error(`--workers must be 0 (in-process) or a positive integer, got '${values.workers}'`);
    mode.mmoe.workers = n;
  }
  const only = new Set((values.only ?? 'census,census-tune,esmm,mmoe').split(',').map((s) => s.trim()));
  for (const o of only) if (!['census', 'census-tune', 'esmm', 'mmoe'].includes(o)) throw new Error(`--only: unknown experiment '${o}' (census, census-tune, esmm, mmoe)`);
  const scratch = path.resolve(values.scratch ?? path.join(os.tmpdir(), 'mtl-repro'));
  const t0 = Date.now();
  const log = (line: string): void => void process.stderr.write(`[${((Date.now() - t0) / 1000).toFixed(0).padStart(4)} s] ${line}\n`);
  const backend = await selectBackend('auto');
  await writeGeneratedSpecs(root);
  const env = { root, scratch, log };

  const results: { census?: CensusResults; esmm?: EsmmResults; mmoe?: MmoeSweepResults } = {};
  if (only.has('census')) {
    results.census = await runCensus({ gz: path.resolve(root, '..', 'shared', 'data', 'census-income', 'census-income.test.gz'), splitSeed: 2018, ...mode.census }, env);
  }
  // Every architecture tuned with `mtl tune` within a stated budget before the comparison (repro/census-tune.ts;
  // its table is README "Tuning": repro/results/census-tune.md).
  if (only.has('census-tune')) runCensusTune(values.quick ? ['--archs', 'mmoe', '--groups', 'group1', '--trials', '2', '--epochs', '1'] : ['--archs', 'all', '--trials', '8', '--epochs', '3'], scratch, log);
  if (only.has('esmm')) results.esmm = await runEsmm({ dataSeed: 7, ...mode.esmm }, env);
  if (only.has('mmoe')) results.mmoe = await runMmoeSweep({ correlations: [0.5, 0.9, 1.0], ...mode.mmoe }, env);

  const cpus = os.cpus();
  const machine = `${cpus.length} × ${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.platform()} ${os.arch()}, Node ${process.version}, tfjs backend ${backend.name}`;
  const command = `npm run repro --${values.quick ? ' --quick' : ''}${values.only ? ` --only ${values.only}` : ''}${values.seeds ? ` --seeds ${values.seeds}` : ''}${values.workers ? ` --workers ${values.workers}` : ''}`.replace(/ --$/, '');
  const date = new Date().toISOString().slice(0, 10);
  const minutes = Number(((Date.now() - t0) / 60000).toFixed(1));
  // One JSON per experiment, so that experiments can be rerun separately; the markdown joins them all.
  const outDir = path.join(root, 'repro', 'results');
  await fsp.mkdir(outDir, { recursive: true });
  for (const [name, res] of Object.entries(results)) {
    const rec: ExperimentRecord = { command, machine, date, minutes, mode, results: res };
    await fsp.writeFile(path.join(outDir, `${mode.name}-${name}.json`), JSON.stringify(rec, null, 2) + '\n');
  }
  if (results.mmoe) for (const [file, svg] of Object.entries(curveSvgs(results.mmoe))) await fsp.writeFile(path.join(outDir, `${mode.name}-${file}`), svg + '\n');
  const text = await resultsMarkdown(outDir, mode.name);
  process.stdout.write(text + '\n');
  await fsp.writeFile(path.join(outDir, `${mode.name}.md`), text + '\n');
  log(`wrote repro/results/${mode.name}.md and ${mode.name}-*.json`);
  return 0;
}

main().then(
  (code) => (process.exitCode = code),
  (e: unknown) => {
    // A message, not a stack: bad options and failed jobs say what went wrong; MTL_DEBUG=1 adds the stack.
    const debug = Boolean(process.env['MTL_DEBUG']) && e instanceof Error;
    process.stderr.write(`repro: ${debug ? (e.stack ?? e.message) : e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  },
);
