/**
 * `npm run repro [-- --quick] [--only census,esmm,mmoe] [--seeds N] [--scratch DIR]`: the paper
 * reproductions. Trains every model in-process (wasm backend), prints the tables, and writes them with
 * the raw per-seed numbers to repro/results/{quick,full}.{md,json}. Not part of the test suite.
 *
 *   census : Shared-Bottom, OMoE, MMoE, CGC, PLE on census-income groups 1 and 2 (MMoE paper, 6.3)
 *   esmm   : ESMM vs a clicked-only CVR model on synthetic impressions with ground truth (ESMM paper)
 *   mmoe   : Shared-Bottom vs OMoE vs MMoE on the MMoE paper's generator at correlations 0.5/0.9/1.0
 */
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { selectBackend } from '../src/exec/backend.js';
import { runCensus, runEsmm, runMmoeSynth, type CensusResults, type EsmmResults, type MmoeSynthResults } from './lib/experiments.js';
import { writeGeneratedSpecs } from './lib/write-specs.js';
import { resultsMarkdown, type ExperimentRecord } from './lib/tables.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Sizes of one mode. */
interface Mode {
  name: 'quick' | 'full';
  census: { seeds: number[]; epochs?: number };
  esmm: { rows: number; seeds: number[]; epochs?: number };
  mmoe: { rows: number; seeds: number[]; epochs: number };
}

const MODES: Record<'quick' | 'full', Mode> = {
  quick: { name: 'quick', census: { seeds: [1], epochs: 1 }, esmm: { rows: 60_000, seeds: [1], epochs: 1 }, mmoe: { rows: 6_000, seeds: [1], epochs: 10 } },
  full: { name: 'full', census: { seeds: [1, 2, 3], epochs: 2 }, esmm: { rows: 120_000, seeds: [1, 2, 3] }, mmoe: { rows: 20_000, seeds: [1, 2, 3], epochs: 12 } },
};

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean' },
      only: { type: 'string' },
      seeds: { type: 'string' },
      scratch: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write('Usage: npm run repro [-- --quick] [--only census,esmm,mmoe] [--seeds N] [--scratch DIR]\n');
    return 0;
  }
  const mode = structuredClone(MODES[values.quick ? 'quick' : 'full']);
  if (values.seeds) {
    const n = Number(values.seeds);
    if (!Number.isInteger(n) || n < 1) throw new Error(`--seeds must be a positive integer, got '${values.seeds}'`);
    const seeds = Array.from({ length: n }, (_, i) => i + 1);
    mode.census.seeds = mode.esmm.seeds = mode.mmoe.seeds = seeds;
  }
  const only = new Set((values.only ?? 'census,esmm,mmoe').split(',').map((s) => s.trim()));
  for (const o of only) if (!['census', 'esmm', 'mmoe'].includes(o)) throw new Error(`--only: unknown experiment '${o}' (census, esmm, mmoe)`);
  const scratch = path.resolve(values.scratch ?? path.join(os.tmpdir(), 'mtl-repro'));
  const t0 = Date.now();
  const log = (line: string): void => void process.stderr.write(`[${((Date.now() - t0) / 1000).toFixed(0).padStart(4)} s] ${line}\n`);
  const backend = await selectBackend('auto');
  await writeGeneratedSpecs(root);
  const env = { root, scratch, log };

  const results: { census?: CensusResults; esmm?: EsmmResults; mmoe?: MmoeSynthResults } = {};
  if (only.has('census')) {
    results.census = await runCensus({ gz: path.resolve(root, '..', 'shared', 'data', 'census-income', 'census-income.test.gz'), splitSeed: 2018, ...mode.census }, env);
  }
  if (only.has('esmm')) results.esmm = await runEsmm({ dataSeed: 7, ...mode.esmm }, env);
  if (only.has('mmoe')) results.mmoe = await runMmoeSynth({ correlations: [0.5, 0.9, 1.0], ...mode.mmoe }, env);

  const cpus = os.cpus();
  const machine = `${cpus.length} × ${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.platform()} ${os.arch()}, Node ${process.version}, tfjs backend ${backend.name}`;
  const command = `npm run repro --${values.quick ? ' --quick' : ''}${values.only ? ` --only ${values.only}` : ''}${values.seeds ? ` --seeds ${values.seeds}` : ''}`.replace(/ --$/, '');
  const date = new Date().toISOString().slice(0, 10);
  const minutes = Number(((Date.now() - t0) / 60000).toFixed(1));
  // One JSON per experiment, so that experiments can be rerun separately; the markdown joins them all.
  const outDir = path.join(root, 'repro', 'results');
  await fsp.mkdir(outDir, { recursive: true });
  for (const [name, res] of Object.entries(results)) {
    const rec: ExperimentRecord = { command, machine, date, minutes, mode, results: res };
    await fsp.writeFile(path.join(outDir, `${mode.name}-${name}.json`), JSON.stringify(rec, null, 2) + '\n');
  }
  const text = await resultsMarkdown(outDir, mode.name);
  process.stdout.write(text + '\n');
  await fsp.writeFile(path.join(outDir, `${mode.name}.md`), text + '\n');
  log(`wrote repro/results/${mode.name}.md and ${mode.name}-*.json`);
  return 0;
}

main().then(
  (code) => (process.exitCode = code),
  (e: unknown) => {
    process.stderr.write(`repro: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 1;
  },
);
