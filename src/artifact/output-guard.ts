/**
 * The output guard: what a command may write over. Every command that writes a directory (train --out,
 * compile -o, convert -o, export -o) or a file (predict --out, graph -o, report -o, data synth --out) asks here first.
 *
 * Directories are replaced as a whole (fs-atomic.ts), so anything in them that mtl did not write would be
 * lost. A directory is written only when it does not exist, is empty, or is mtl's own output of the same
 * kind (its mtl-artifact.json says so and it holds nothing the manifest does not list); anything else needs
 * --force. Files are never silently replaced: an existing file needs --force.
 *
 * Never allowed, even with --force: an output that is, contains or lies inside one of the command's inputs
 * (compared by real path and by device + inode, so symlinks and hard links count), and an output directory
 * that is the current directory, the root, the home directory, or one of their ancestors.
 */
import { promises as fsp, type Stats } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { diag } from '../diagnostics/catalog.js';
import { FILE_START } from '../diagnostics/types.js';
import { MtlError } from '../diagnostics/error.js';
import { removeLeftovers } from '../util/fs-atomic.js';
import { KIND_NAMES, MANIFEST_FILE, readManifest, type ArtifactKind } from './manifest.js';
import { lockOutput } from '../util/dir-lock.js';

/** What an output directory will hold: an artifact kind, or a bare training checkpoint (train's staging directory). */
export type OutputKind = ArtifactKind | 'checkpoint';

/**
 * Directories mtl wrote without a manifest: model directories of versions before manifests, and training
 * checkpoints. A directory counts as one when it holds every `required` name and nothing else than `names`.
 * These lists are a fixed historical layout, not the current one (which the manifest describes).
 */
const UNMARKED_LAYOUTS: Partial<Record<OutputKind, { required: string[]; names: string[] }>> = {
  model: { required: ['model.json', 'ir.json'], names: ['model.json', 'weights.bin', 'ir.json', 'preprocess.json', 'metrics.json', 'README.md', 'checkpoint'] },
  checkpoint: { required: ['index.json'], names: ['index.json', 'tensors.bin'] },
};

/** Options of the guard. */
export interface GuardOptions {
  /** The command's inputs (spec, data files, source directories): never written over. */
  inputs: string[];
  /** Allow replacing a foreign directory or an existing file (never an input). */
  force: boolean;
}

/** The real path of `p`, also when it does not exist yet (its nearest existing ancestor's real path + the rest). */
async function realPath(p: string): Promise<string> {
  const abs = path.resolve(p);
  try {
    return await fsp.realpath(abs);
  } catch {
    const parent = path.dirname(abs);
    return parent === abs ? abs : path.join(await realPath(parent), path.basename(abs));
  }
}

/** `stat` (following links), or undefined when `p` does not exist. */
async function statOrNone(p: string): Promise<Stats | undefined> {
  try {
    return await fsp.stat(p);
  } catch {
    return undefined;
  }
}

/** True when `inner` is strictly inside `outer` (both real, absolute). */
function inside(inner: string, outer: string): boolean {
  const rel = path.relative(outer, inner);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

/** MTL5332 when `out` is one of `inputs` or (unless `identityOnly`, for file outputs) contains or lies inside one. */
async function refuseInputs(out: string, inputs: string[], identityOnly = false): Promise<void> {
  const realOut = await realPath(out);
  const outStat = await statOrNone(out);
  for (const input of inputs) {
    const realIn = await realPath(input);
    const inStat = await statOrNone(input);
    let relation: string | undefined;
    if (realOut === realIn || (outStat && inStat && outStat.dev === inStat.dev && outStat.ino === inStat.ino)) relation = 'is';
    else if (!identityOnly && inside(realIn, realOut)) relation = 'contains';
    else if (!identityOnly && inside(realOut, realIn)) relation = 'lies inside';
    if (relation) throw new MtlError(diag('MTL5332', FILE_START, { out, relation, input }, { file: out }));
  }
}

/** MTL5333 when the directory `dir` is the current directory, the root or the home directory, or holds one of them. */
async function refuseSpecialDirs(dir: string, cwd: string): Promise<void> {
  const real = await realPath(dir);
  const special: Array<[string, string]> = [
    [await realPath(cwd), 'the current directory'],
    [path.parse(real).root, 'the root directory'],
    [await realPath(os.homedir()), 'the home directory'],
  ];
  for (const [p, what] of special) {
    if (real === p) throw new MtlError(diag('MTL5333', FILE_START, { dir, what: `it is ${what}` }, { file: dir }));
    if (inside(p, real)) throw new MtlError(diag('MTL5333', FILE_START, { dir, what: `it contains ${what}` }, { file: dir }));
  }
}

/** The entries of `dir` that mtl did not write for an output of `kind`, or a reason it is not `kind` at all. */
async function foreignEntries(dir: string, kind: OutputKind): Promise<{ entries: string[]; otherKind?: string }> {
  const listing = (await fsp.readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const shown = (e: { name: string; isDirectory(): boolean }): string => (e.isDirectory() ? `${e.name}/` : e.name);
  if (listing.length === 0) return { entries: [] };
  const manifest = await readManifest(dir).catch(() => undefined);
  if (manifest) {
    if (manifest.kind !== kind) return { entries: [], otherKind: KIND_NAMES[manifest.kind] ?? manifest.kind };
    const written = new Set(Object.keys(manifest.files).map((f) => f.split('/')[0]!));
    written.add(MANIFEST_FILE);
    return { entries: listing.filter((e) => !written.has(e.name)).map(shown) };
  }
  const layout = UNMARKED_LAYOUTS[kind];
  const names = new Set(listing.map((e) => e.name));
  if (layout && layout.required.every((r) => names.has(r))) {
    return { entries: listing.filter((e) => !layout.names.includes(e.name)).map(shown) };
  }
  return { entries: listing.map(shown) };
}

/**
 * Check that the directory `dir` may be replaced by an output of `kind`: MTL5332 (an input), MTL5333 (the
 * current, root or home directory), MTL5339 (a file), MTL5331 (another kind of mtl output) or MTL5330 (entries
 * mtl did not write); the last three are waived by `force`.
 */
export async function checkOutputDir(dir: string, kind: OutputKind, opts: GuardOptions & { cwd: string }): Promise<void> {
  await refuseSpecialDirs(dir, opts.cwd);
  await refuseInputs(dir, opts.inputs);
  if (opts.force) return;
  let st: Stats;
  try {
    st = await fsp.lstat(dir);
  } catch {
    return; // nothing there yet
  }
  if (!st.isDirectory()) throw new MtlError(diag('MTL5339', FILE_START, { path: dir, found: st.isSymbolicLink() ? 'symbolic link' : 'file' }, { file: dir }));
  const { entries, otherKind } = await foreignEntries(dir, kind);
  if (otherKind) throw new MtlError(diag('MTL5331', FILE_START, { dir, found: otherKind, kind: kind === 'checkpoint' ? 'training checkpoint' : KIND_NAMES[kind] }, { file: dir }));
  if (entries.length) {
    const count = entries.length === 1 ? '1 entry' : `${entries.length} entries`;
    const list = entries.slice(0, 8).join(', ') + (entries.length > 8 ? `, … (${entries.length - 8} more)` : '');
    throw new MtlError(diag('MTL5330', FILE_START, { dir, count, entries: list }, { file: dir }));
  }
}

/**
 * Check that the file `file` may be written: MTL5332 when it is one of the inputs (always), MTL5339 when it is
 * a directory, MTL5335 when it exists and `force` is not given.
 */
export async function checkOutputFile(file: string, opts: GuardOptions): Promise<void> {
  await refuseInputs(file, opts.inputs, true);
  const st = await statOrNone(file);
  if (!st) return;
  if (opts.force) return; // a directory then fails the rename: MTL5308
  if (st.isDirectory()) throw new MtlError(diag('MTL5339', FILE_START, { path: file, found: 'directory' }, { file }));
  throw new MtlError(diag('MTL5335', FILE_START, { file }, { file }));
}

/**
 * The files of a directory a command reads (a model directory), one level deep plus its checkpoint/: the
 * inputs an output file must not be. Empty when it cannot be listed (the command reports that itself).
 */
export async function filesIn(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const sub of [dir, path.join(dir, 'checkpoint')]) {
    try {
      for (const e of await fsp.readdir(sub, { withFileTypes: true })) if (!e.isDirectory()) out.push(path.join(sub, e.name));
    } catch {
      /* not there */
    }
  }
  return out;
}

/** Options of {@link withOutputDir}. */
export interface OutputDirOptions extends GuardOptions {
  kind: ArtifactKind;
  cwd: string;
  /** The command line, recorded in the lock for a second process's message. */
  command: string;
  /** Directories the command also writes (train's staging checkpoint), guarded the same way under the one lock. */
  companions?: Array<{ dir: string; kind: OutputKind }>;
}

/**
 * Run `fn` with the output directory `dir` locked and checked: the one entry point of every command that
 * writes a directory. Cleans up killed writers' leftovers first (safe: the lock excludes live writers);
 * releases the lock however `fn` ends.
 */
export async function withOutputDir<T>(dir: string, opts: OutputDirOptions, fn: () => Promise<T>): Promise<T> {
  // The special and input checks come first: not even a lock file is written next to a refused target.
  await refuseSpecialDirs(dir, opts.cwd);
  await refuseInputs(dir, opts.inputs);
  const lock = await lockOutput(dir, opts.command);
  try {
    const all = [{ dir, kind: opts.kind as OutputKind }, ...(opts.companions ?? [])];
    // Killed writers' leftovers go first: a swap cut between its renames is undone, so the check sees the
    // previous output, not a missing one.
    for (const o of all) await removeLeftovers(o.dir);
    for (const o of all) await checkOutputDir(o.dir, o.kind, opts);
    return await fn();
  } finally {
    await lock.release();
  }
}
