/**
 * The census and ESMM reproductions (the MMoE synthetic sweep is mmoe-sweep.ts). Each trains the models,
 * scores a held-out part and returns plain numbers (per seed); run.ts turns them into tables. Model
 * directories go under a scratch directory.
 */
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { writeSynthCsv } from '../../src/data/synth.js';
import { prepareCensus } from './census-data.js';
import { splitCsv } from './split-csv.js';
import { evaluateOn, loadSpec, predictColumns, readNumericCsv, trainSpec } from './run-model.js';
import { CENSUS_ARCHS, type CensusArch } from './specs.js';
import { auc, mean } from './stats.js';

/** Where things are and how to log. */
export interface ExperimentEnv {
  /** The repository root (specs/, repro/specs/). */
  root: string;
  /** Scratch directory for data and model directories (outside the repository). */
  scratch: string;
  log: (line: string) => void;
}

/** Census-income results: group → architecture → task → AUC per seed. */
export type CensusResults = Record<'group1' | 'group2', Record<string, Record<string, Array<number | null>>>>;

/** Settings of the census reproduction. */
export interface CensusConfig {
  gz: string;
  splitSeed: number;
  seeds: number[];
  /** Overrides the specs' epochs when given. */
  epochs?: number;
}

/** Remove a model directory (and the sibling temporaries that atomic writes may leave). */
async function rmModel(dir: string): Promise<void> {
  await fsp.rm(dir, { recursive: true, force: true });
}

/** Seconds since `t0`, for logs. */
const secs = (t0: number): string => `${((Date.now() - t0) / 1000).toFixed(0)} s`;

/** Train the five architectures on both task groups; AUC on the 20 % test part. */
export async function runCensus(cfg: CensusConfig, env: ExperimentEnv): Promise<CensusResults> {
  const split = await prepareCensus(cfg.gz, path.join(env.scratch, 'data'), cfg.splitSeed);
  env.log(`census-income: ${split.rows.train} train / ${split.rows.valid} valid / ${split.rows.test} test rows (split seed ${cfg.splitSeed})`);
  const out: CensusResults = { group1: {}, group2: {} };
  for (const group of ['group1', 'group2'] as const) {
    for (const arch of CENSUS_ARCHS) {
      const file = group === 'group1' ? path.join(env.root, 'specs', `${arch}.mtl`) : path.join(env.root, 'repro', 'specs', `${arch}-group2.mtl`);
      const spec = await loadSpec(file);
      const tasks = spec.ir.tasks.map((t) => t.name);
      const perTask: Record<string, Array<number | null>> = Object.fromEntries(tasks.map((t) => [t, []]));
      for (const seed of cfg.seeds) {
        const t0 = Date.now();
        const dir = path.join(env.scratch, 'models', `census-${group}-${arch}-${seed}`);
        await trainSpec(spec, split.train, split.valid, dir, { seed, ...(cfg.epochs ? { epochs: cfg.epochs } : {}) });
        const ev = await evaluateOn(dir, split.test);
        for (const t of tasks) perTask[t]!.push(ev.metrics[t]?.auc ?? null);
        await rmModel(dir);
        env.log(`census ${group} ${arch} seed ${seed}: ${tasks.map((t) => `${t} ${perTask[t]!.at(-1)?.toFixed(4)}`).join(', ')} (${secs(t0)})`);
      }
      out[group][arch] = perTask;
    }
  }
  return out;
}

/** ESMM results per model: metric → value per seed. */
export type EsmmResults = Record<'esmm' | 'naive' | 'oracle', Record<string, Array<number | null>>>;

/** Settings of the ESMM reproduction. */
export interface EsmmConfig {
  rows: number;
  dataSeed: number;
  seeds: number[];
  epochs?: number;
}

/** The ESMM metrics of one model's predictions against the test part's ground truth. */
export function esmmMetrics(truth: Record<'click' | 'buy' | 'cvr_true', ArrayLike<number>>, pCvr: ArrayLike<number>, pCtcvr: ArrayLike<number>): Record<string, number | null> {
  const clicked = Array.from(truth.click, (c) => c > 0.5);
  return {
    cvrAucEntire: auc(pCvr, truth.cvr_true),
    cvrAucClicked: auc(pCvr, truth.buy, clicked),
    ctcvrAuc: auc(pCtcvr, truth.buy),
    calibration: mean(pCvr) / mean(truth.cvr_true),
    calibrationClicked: mean(pCvr, clicked) / mean(truth.buy, clicked),
  };
}

/** ESMM vs the naive clicked-only CVR model on synthetic impressions with ground-truth conversion-if-clicked. */
export async function runEsmm(cfg: EsmmConfig, env: ExperimentEnv): Promise<EsmmResults> {
  const dataDir = path.join(env.scratch, 'data');
  await fsp.mkdir(dataDir, { recursive: true });
  const file = path.join(dataDir, `esmm-${cfg.rows}-seed${cfg.dataSeed}.csv`);
  await writeSynthCsv('esmm', cfg.rows, {}, cfg.dataSeed, file);
  const split = await splitCsv(file, { train: 0.6, valid: 0.2, test: 0.2 });
  const truth = await readNumericCsv(split.test, ['click', 'buy', 'cvr_true', 'p_ctr', 'p_cvr']);
  const t = { click: truth.click!, buy: truth.buy!, cvr_true: truth.cvr_true! };
  const clickRate = mean(t.click);
  env.log(`esmm data: ${cfg.rows} rows (seed ${cfg.dataSeed}); test CTR ${(100 * clickRate).toFixed(2)} %, CVR|click ${(100 * mean(t.buy, t.click)).toFixed(2)} %, true CVR over impressions ${(100 * mean(t.cvr_true)).toFixed(2)} %`);
  const oracleCtcvr = Float64Array.from(truth.p_ctr!, (p, i) => p * truth.p_cvr![i]!);
  const oracle = esmmMetrics(t, truth.p_cvr!, oracleCtcvr);
  const res: EsmmResults = { esmm: {}, naive: {}, oracle: Object.fromEntries(Object.entries(oracle).map(([k, v]) => [k, [v]])) };
  const push = (model: 'esmm' | 'naive', m: Record<string, number | null>): void => {
    for (const [k, v] of Object.entries(m)) (res[model][k] ??= []).push(v);
  };
  const esmmSpec = await loadSpec(path.join(env.root, 'specs', 'esmm.mtl'));
  const naiveSpec = await loadSpec(path.join(env.root, 'repro', 'specs', 'cvr-naive.mtl'));
  const overrides = (seed: number) => ({ seed, ...(cfg.epochs ? { epochs: cfg.epochs } : {}) });
  for (const seed of cfg.seeds) {
    let t0 = Date.now();
    const dirE = path.join(env.scratch, 'models', `esmm-${seed}`);
    await trainSpec(esmmSpec, split.train, split.valid, dirE, overrides(seed));
    const pe = await predictColumns(dirE, split.test, path.join(env.scratch, `pred-esmm-${seed}.csv`));
    await rmModel(dirE);
    const me = esmmMetrics(t, pe.cvr!, pe.ctcvr!);
    push('esmm', me);
    env.log(`esmm seed ${seed}: ${fmtRecord(me)} (${secs(t0)})`);
    t0 = Date.now();
    const dirN = path.join(env.scratch, 'models', `naive-${seed}`);
    await trainSpec(naiveSpec, split.train, split.valid, dirN, overrides(seed));
    const pn = await predictColumns(dirN, split.test, path.join(env.scratch, `pred-naive-${seed}.csv`));
    await rmModel(dirN);
    // The naive CTCVR is the ESMM run's pCTR times the naive pCVR (the paper's BASE: separate CTR and CVR models).
    const mn = esmmMetrics(t, pn.cvr!, Float64Array.from(pe.ctr!, (p, i) => p * pn.cvr![i]!));
    push('naive', mn);
    env.log(`naive seed ${seed}: ${fmtRecord(mn)} (${secs(t0)})`);
  }
  return res;
}

/** `key 0.1234, ...` for logs. */
function fmtRecord(m: Record<string, number | null>): string {
  return Object.entries(m)
    .map(([k, v]) => `${k} ${v === null ? 'n/a' : v.toFixed(4)}`)
    .join(', ');
}

export { CENSUS_ARCHS, type CensusArch };
