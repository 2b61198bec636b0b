/**
 * Markdown tables of the reproduction results, next to the papers' numbers. Pure functions.
 */
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import type { CensusResults, EsmmResults } from './experiments.js';
import { mmoeMarkdown } from './mmoe-report.js';
import type { MmoeSweepResults } from './mmoe-sweep.js';
import { CENSUS_ARCHS } from './specs.js';
import { fmtMeanStd } from './stats.js';

/**
 * Mean AUCs reported by Ma et al. (KDD 2018) on census-income, as given in shared/design/ANCHORS.md.
 * Only the numbers we have a source for are listed; the others print as "—".
 */
export const PAPER_CENSUS: Record<'group1' | 'group2', Record<string, Record<string, number>>> = {
  group1: { 'shared-bottom': { income: 0.9295, marital: 0.9921 }, mmoe: { income: 0.9359, marital: 0.9927 } },
  group2: { mmoe: { edu: 0.8826, marital: 0.9924 } },
};

/** The bar a logistic regression sets on this split family (shared/data/README.md). */
export const LOGREG_CENSUS: Record<string, number> = { income: 0.94, marital: 0.994, edu: 0.888 };

const ARCH_LABEL: Record<string, string> = { 'shared-bottom': 'Shared-Bottom', omoe: 'OMoE', mmoe: 'MMoE', cgc: 'CGC', ple: 'PLE (2 levels)' };

/** The census-income table of one group: mean ± std AUC per task, and the paper's mean. */
export function censusTable(res: CensusResults, group: 'group1' | 'group2'): string {
  const tasks = group === 'group1' ? ['income', 'marital'] : ['edu', 'marital'];
  const names: Record<string, string> = { income: 'income > 50K', marital: 'never married', edu: 'education ≥ Associates' };
  const head = `| model | ${tasks.map((t) => `${names[t]} AUC | paper`).join(' | ')} |`;
  const sep = `|---|${tasks.map(() => '---|---').join('|')}|`;
  const rows = CENSUS_ARCHS.filter((a) => res[group][a]).map((a) => {
    const cells = tasks.map((t) => {
      const paper = PAPER_CENSUS[group][a]?.[t];
      return `${fmtMeanStd(res[group][a]![t] ?? [])} | ${paper === undefined ? '—' : paper.toFixed(4)}`;
    });
    return `| ${ARCH_LABEL[a] ?? a} | ${cells.join(' | ')} |`;
  });
  const logreg = `| logistic regression (data README) | ${tasks.map((t) => `${LOGREG_CENSUS[t]!.toFixed(3)} | —`).join(' | ')} |`;
  return [head, sep, ...rows, logreg].join('\n');
}

const ESMM_COLS: Array<[string, string]> = [
  ['cvrAucEntire', 'CVR AUC, all impressions (vs conversion-if-clicked)'],
  ['cvrAucClicked', 'CVR AUC, clicked rows (vs buy)'],
  ['ctcvrAuc', 'CTCVR AUC (vs click & buy)'],
  ['calibration', 'mean pCVR / true CVR, all impressions'],
  ['calibrationClicked', 'mean pCVR / CVR, clicked rows'],
];

/** The ESMM vs naive table (with the ground-truth probabilities as a ceiling). */
export function esmmTable(res: EsmmResults): string {
  const head = `| model | ${ESMM_COLS.map(([, l]) => l).join(' | ')} |`;
  const sep = `|---|${ESMM_COLS.map(() => '---').join('|')}|`;
  const row = (label: string, m: Record<string, Array<number | null>>): string => `| ${label} | ${ESMM_COLS.map(([k]) => fmtMeanStd(m[k] ?? [], k.startsWith('calibration') ? 3 : 4)).join(' | ')} |`;
  return [
    head,
    sep,
    row('ESMM (specs/esmm.mtl)', res.esmm),
    row('naive CVR, clicked rows only (repro/specs/cvr-naive.mtl)', res.naive),
    row('ground truth p_cvr (ceiling)', res.oracle),
  ].join('\n');
}

/** What repro/results/{mode}-{experiment}.json holds. */
export interface ExperimentRecord {
  command: string;
  machine: string;
  date: string;
  minutes: number;
  mode: {
    name: string;
    census: { seeds: number[]; epochs?: number };
    esmm: { rows: number; seeds: number[]; epochs?: number };
    mmoe: { rows: number; trainShare: number; seeds: number[]; epochs: number; workers: number };
  };
  results: unknown;
}

/** The markdown of every experiment recorded for `mode` in `dir`, each with its command, machine and date. */
export async function resultsMarkdown(dir: string, mode: string): Promise<string> {
  const read = async (name: string): Promise<ExperimentRecord | undefined> => {
    try {
      return JSON.parse(await fsp.readFile(path.join(dir, `${mode}-${name}.json`), 'utf8')) as ExperimentRecord;
    } catch {
      return undefined;
    }
  };
  const stamp = (r: ExperimentRecord): string => `Command: \`${r.command}\` · machine: ${r.machine} · date: ${r.date} · wall time of that command: ${r.minutes} min`;
  const md: string[] = [];
  const census = await read('census');
  if (census) {
    const res = census.results as CensusResults;
    const seeds = census.mode.census.seeds.length;
    const epochs = census.mode.census.epochs ? `${census.mode.census.epochs} epoch(s)` : "the specs' epochs and early stopping";
    md.push(`### Census-income, group 1: income > 50K, never married (test AUC, ${seeds} seed(s), ${epochs})`, '', censusTable(res, 'group1'), '');
    md.push(`### Census-income, group 2: education ≥ Associates, never married (test AUC, ${seeds} seed(s), ${epochs})`, '', censusTable(res, 'group2'), '', stamp(census), '');
  }
  const esmm = await read('esmm');
  if (esmm) {
    const c = esmm.mode.esmm;
    md.push(`### ESMM vs naive CVR on synthetic impressions (${c.rows.toLocaleString('en-US')} rows, 60/20/20, ${c.seeds.length} seed(s))`, '', esmmTable(esmm.results as EsmmResults), '', stamp(esmm), '');
  }
  const mmoe = await read('mmoe');
  if (mmoe) md.push(mmoeMarkdown(mmoe.results as MmoeSweepResults, `${mode}-`), stamp(mmoe), '');
  return md.join('\n');
}
