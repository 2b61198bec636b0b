/**
 * Atomic file and directory replacement, so that a crash (or Ctrl-C) never leaves a half-written
 * checkpoint, artifact or prediction file behind.
 *
 * Files: written to a temporary sibling, flushed, then renamed over the target (rename is atomic on
 * one file system). Directories: built completely in a temporary sibling, then swapped in with two
 * renames (`target` → `target.old-*`, temporary → `target`); a reader that finds no `target` but an
 * `.old-*` sibling (a crash between the two renames) restores it with {@link recoverDir}.
 */
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';

/** A short random suffix for temporary names (unique enough between concurrent writers in one directory). */
export function tempSuffix(): string {
  return `${process.pid}-${randomBytes(4).toString('hex')}`;
}

/** True when `p` exists (file or directory). */
export async function exists(p: string): Promise<boolean> {
  try {
    await fsp.stat(p);
    return true;
  } catch {
    return false;
  }
}

/** Write `p` with `data` and fsync it, so that a later rename publishes complete content. */
export async function writeFileSynced(p: string, data: string | Uint8Array): Promise<void> {
  const fh = await fsp.open(p, 'w');
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Replace the file `target` atomically with `data` (temporary sibling + rename). */
export async function writeFileAtomic(target: string, data: string | Uint8Array): Promise<void> {
  const tmp = path.join(path.dirname(target), `.tmp-${path.basename(target)}-${tempSuffix()}`);
  try {
    await writeFileSynced(tmp, data);
    await fsp.rename(tmp, target);
  } catch (e) {
    await fsp.rm(tmp, { force: true });
    throw e;
  }
}

/** Create an empty temporary directory beside `target` (same file system, so it can be renamed onto it). */
export async function makeTempDirBeside(target: string): Promise<string> {
  const parent = path.dirname(path.resolve(target));
  await fsp.mkdir(parent, { recursive: true });
  const tmp = path.join(parent, `.tmp-${path.basename(target)}-${tempSuffix()}`);
  await fsp.mkdir(tmp);
  return tmp;
}

/** The name a directory swap parks the previous `target` under while it publishes the new one. */
function oldName(target: string): string {
  return path.join(path.dirname(target), `.old-${path.basename(target)}`);
}

/**
 * Publish the complete directory `tmp` as `target`, replacing any previous `target` only now.
 * Both must be on one file system (use {@link makeTempDirBeside}).
 */
export async function swapDir(tmp: string, target: string): Promise<void> {
  const old = oldName(target);
  await fsp.rm(old, { recursive: true, force: true });
  const hadTarget = await exists(target);
  if (hadTarget) await fsp.rename(target, old);
  try {
    await fsp.rename(tmp, target);
  } catch (e) {
    if (hadTarget) await fsp.rename(old, target).catch(() => undefined);
    throw e;
  }
  await fsp.rm(old, { recursive: true, force: true });
}

/**
 * Undo a swap interrupted between its two renames: when `target` is missing but its parked previous
 * version exists, put it back. Returns true when something was restored.
 */
export async function recoverDir(target: string): Promise<boolean> {
  const old = oldName(target);
  if ((await exists(target)) || !(await exists(old))) return false;
  await fsp.rename(old, target);
  return true;
}

/** Remove leftovers of crashed writers: `.tmp-NAME-*` entries beside `target`. Never touches `target` itself. */
export async function removeStaleTemps(target: string): Promise<void> {
  const parent = path.dirname(path.resolve(target));
  const prefix = `.tmp-${path.basename(target)}-`;
  let names: string[];
  try {
    names = await fsp.readdir(parent);
  } catch {
    return;
  }
  await Promise.all(names.filter((n) => n.startsWith(prefix)).map((n) => fsp.rm(path.join(parent, n), { recursive: true, force: true })));
}
