/**
 * Which model directories `mtl compare` reads: each path given is a model directory, a tune's directory
 * (its trials), or a folder whose subdirectories are (the output folder of a sweep). Only ir.json and metrics.json are read,
 * verified against the manifest (src/artifact/artifact.ts); the weights are never loaded.
 */
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { diag } from '../diagnostics/catalog.js';
import { MtlError } from '../diagnostics/error.js';
import { FILE_START, type Diagnostic } from '../diagnostics/types.js';
import { ARTIFACT_FILES, readArtifactRecord, type ArtifactRecord } from '../artifact/artifact.js';
import { MANIFEST_FILE } from '../artifact/manifest.js';
import { JOURNAL } from '../tune/journal.js';

/** A run read from disk, with the label it is shown under. */
export interface FoundRun extends ArtifactRecord {
  /** The directory relative to the working directory (absolute when outside it). */
  label: string;
}

/** Whether `dir` holds any file that only a model directory has; a missing or half-copied one is then reported by the reader naming the file. */
async function looksLikeRun(dir: string): Promise<boolean> {
  for (const f of [ARTIFACT_FILES.metrics, ARTIFACT_FILES.ir, MANIFEST_FILE]) {
    if (await fsp.stat(path.join(dir, f)).then((s) => s.isFile(), () => false)) return true;
  }
  return false;
}

/** MTL5700 naming `shown` (the path as the user wrote it). */
function notARun(shown: string, reason: string): MtlError {
  return new MtlError(diag('MTL5700', FILE_START, { path: shown, reason }, { file: shown }));
}

/**
 * The model directories a path stands for: itself, or its subdirectories that are runs (sorted by name);
 * the other subdirectories of such a folder are reported with warning MTL5701.
 */
async function expand(abs: string, shown: string, onWarning?: (d: Diagnostic) => void): Promise<string[]> {
  const stat = await fsp.stat(abs).catch(() => undefined);
  if (!stat) throw notARun(shown, 'it does not exist');
  if (!stat.isDirectory()) throw notARun(shown, 'it is a file, not a directory');
  if (await looksLikeRun(abs)) return [abs];
  // A tune's directory stands for its trials: the finished run directories under trials/ (a trial that
  // failed has none; an interrupted one only its staging NNNN.partial, which is no run yet).
  if (await fsp.stat(path.join(abs, JOURNAL)).then((s) => s.isFile(), () => false)) {
    const trials = path.join(abs, 'trials');
    const names = (await fsp.readdir(trials).catch(() => [] as string[])).filter((n) => /^\d+$/.test(n)).sort();
    const runs: string[] = [];
    for (const n of names) if (await looksLikeRun(path.join(trials, n))) runs.push(path.join(trials, n));
    if (!runs.length) throw notARun(shown, 'it is a tune directory without finished trials yet');
    return runs;
  }
  const entries = await fsp.readdir(abs, { withFileTypes: true }).catch(() => []);
  const subdirs = entries.filter((e) => e.isDirectory()).map((e) => path.join(abs, e.name)).sort();
  const runs: string[] = [];
  const skipped: string[] = [];
  for (const d of subdirs) (await looksLikeRun(d) ? runs : skipped).push(d);
  if (!runs.length) throw notARun(shown, `it has no ${ARTIFACT_FILES.metrics} or ${ARTIFACT_FILES.ir}, and no subdirectory that has`);
  for (const d of skipped) onWarning?.(diag('MTL5701', FILE_START, { path: path.basename(d), folder: shown }, { file: d }));
  return runs;
}

/**
 * Read the runs of `paths` (relative to `cwd`), in the order given (a folder's runs by name), each directory
 * once. Throws MtlError MTL5700 for a path that is no run and holds none, or the reader's MTL5303/5304/5336
 * naming a damaged file; warnings (MTL5337 no manifest, MTL5701 a skipped subdirectory) go to `onWarning`.
 */
export async function findRuns(paths: readonly string[], cwd: string, onWarning?: (d: Diagnostic) => void): Promise<FoundRun[]> {
  const dirs: string[] = [];
  for (const p of paths) {
    for (const d of await expand(path.resolve(cwd, p), p, onWarning)) if (!dirs.includes(d)) dirs.push(d);
  }
  const runs: FoundRun[] = [];
  for (const dir of dirs) {
    const rel = path.relative(cwd, dir);
    const label = rel === '' ? '.' : rel.startsWith('..') || path.isAbsolute(rel) ? dir : rel;
    runs.push({ ...(await readArtifactRecord(dir, onWarning ? { onWarning } : {})), label });
  }
  return runs;
}
