/**
 * Preparing a tune: the search space checked against the spec (every path a setting, every distribution
 * fitting its setting), and the tune directory: new (guarded like any output directory) or one to resume
 * (its journal's settings must be this tune's).
 */
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import type { ModelIR } from '../ir/types.js';
import { diag } from '../diagnostics/catalog.js';
import { MtlError } from '../diagnostics/error.js';
import { FILE_START, type Diagnostic } from '../diagnostics/types.js';
import { checkOutputDir } from '../artifact/output-guard.js';
import { canonicalJson } from '../util/canonical-json.js';
import { fits, PathError, resolvePath, withArticle } from './ir-path.js';
import { JOURNAL, readJournal, type TuneEvent, type TuneSettings } from './journal.js';
import type { SpaceParam } from './space.js';

/** Diagnostics (MTL5712, MTL5713, located in the space file) for parameters that do not fit the spec. */
export function checkSpaceAgainstSpec(params: readonly SpaceParam[], ir: ModelIR, file: string, opts: { pruning: boolean }): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const p of params) {
    let kind;
    try {
      kind = resolvePath(ir, p.path).kind;
    } catch (e) {
      if (!(e instanceof PathError)) throw e;
      out.push(diag('MTL5712', p.keyRange, { path: p.path, reason: e.reason, fix: e.fix }, { file }));
      continue;
    }
    const d = p.dist;
    const values = d.kind === 'choice' ? d.values : d.kind === 'int' ? [d.low, d.high] : [d.low + 0.5 * (d.high - d.low)];
    const given = d.kind === 'choice' ? `choice ${JSON.stringify(d.values)}` : d.kind === 'int' ? 'an integer range' : d.log ? 'a loguniform range' : 'a uniform range';
    const bad = values.some((v) => !fits(kind, v)) || (kind === 'integer' && d.kind === 'uniform');
    if (bad) out.push(diag('MTL5713', p.range, { path: p.path, kind: withArticle(kind), given: `the search space gives ${given}` }, { file }));
    else if (opts.pruning && (p.path === 'train.epochs')) {
      out.push(diag('MTL5711', p.keyRange, { problem: "'train.epochs' cannot be searched with the asha pruner (it sets each trial's epochs)", fix: 'Remove it, or pass --pruner none (then each trial trains the sampled epochs).' }, { file }));
    }
  }
  return out;
}

/**
 * Open the tune directory `dir`: the events to replay (none for a new tune). A directory holding a journal
 * is resumed when its settings equal `settings` (except the trial count, which may grow), else MTL5716; a
 * directory without one must be new or empty (and not an input, the current or the home directory).
 */
export async function openTuneDir(dir: string, shown: string, settings: TuneSettings, guard: { inputs: string[]; cwd: string }): Promise<TuneEvent[]> {
  const journal = path.join(dir, JOURNAL);
  const has = await fsp.stat(journal).then((s) => s.isFile(), () => false);
  if (!has) {
    const entries = await fsp.readdir(dir).catch(() => [] as string[]);
    if (entries.length) throw new MtlError(diag('MTL5716', FILE_START, { dir: shown, reason: `it holds ${entries.length} entr${entries.length === 1 ? 'y' : 'ies'} (${entries.slice(0, 4).join(', ')}) and no ${JOURNAL}` }, { file: shown }));
    await checkOutputDir(dir, 'model', { ...guard, force: false });
    await fsp.mkdir(dir, { recursive: true });
    return [];
  }
  let events: TuneEvent[];
  try {
    events = await readJournal(journal);
  } catch (e) {
    throw new MtlError(diag('MTL5716', FILE_START, { dir: shown, reason: `its ${JOURNAL} is damaged: ${(e as Error).message}` }, { file: journal }));
  }
  const head = events[0];
  if (head?.event !== 'tune') throw new MtlError(diag('MTL5716', FILE_START, { dir: shown, reason: `its ${JOURNAL} does not start with the tune's settings` }, { file: journal }));
  const differs = (Object.keys(settings) as Array<keyof TuneSettings>).filter((k) => canonicalJson(settings[k]) !== canonicalJson(head.settings[k]));
  if (differs.length) {
    const what = differs.map((k) => `${k} (was ${short(head.settings[k])}, now ${short(settings[k])})`).join(', ');
    throw new MtlError(diag('MTL5716', FILE_START, { dir: shown, reason: `it was started with other settings: ${what}` }, { file: journal }));
  }
  return events;
}

/** A setting for a message, cut short. */
function short(v: unknown): string {
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return s.length > 60 ? `${s.slice(0, 57)}…` : s;
}
