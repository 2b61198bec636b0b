/**
 * Atomic file and directory replacement, so that a crash (or Ctrl-C) never leaves a half-written
 * checkpoint, artifact or prediction file behind.
 *
 * Files: written to a temporary sibling, flushed, then renamed over the target (rename is atomic on
 * one file system). Directories: built completely in a temporary sibling, then swapped in with two
 * renames (`target` → `target.old-*`, temporary → `target`); a reader that finds no `target` but an
 * `.old-*` sibling (a crash between the two renames) restores it with {@link recoverDir}.
 */
import { createWriteStream, promises as fsp } from 'node:fs';
import { once } from 'node:events';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Writable } from 'node:stream';

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

/** The temporary sibling a writer of `target` builds in (matched by {@link removeStaleTemps}). */
function tempBeside(target: string): string {
  const abs = path.resolve(target);
  return path.join(path.dirname(abs), `.tmp-${path.basename(abs)}-${tempSuffix()}`);
}

/** Replace the file `target` atomically with `data` (temporary sibling + rename). */
export async function writeFileAtomic(target: string, data: string | Uint8Array): Promise<void> {
  const tmp = tempBeside(target);
  try {
    await writeFileSynced(tmp, data);
    await fsp.rename(tmp, target);
  } catch (e) {
    await fsp.rm(tmp, { force: true });
    throw e;
  }
}

/** Writes text to a stream opened by {@link writeStreamAtomic}, waiting for drain (rejects on a stream error). */
export type StreamWrite = (text: string) => Promise<void>;

/**
 * Write the file `target` atomically through a stream: `fill` writes the content into a temporary
 * sibling (optionally through `through`, e.g. gzip), which is flushed and renamed over `target` once
 * complete. A failure of the stream (ENOSPC, EACCES...) rejects instead of crashing the process, and the
 * temporary file is removed on every failure.
 */
export async function writeStreamAtomic(target: string, fill: (write: StreamWrite) => Promise<void>, through?: Writable): Promise<void> {
  const tmp = tempBeside(target);
  let done = false;
  try {
    await fsp.mkdir(path.dirname(tmp), { recursive: true });
    const file = createWriteStream(tmp);
    const head: Writable = through ?? file;
    if (through) through.pipe(file);
    // Both streams can fail; the first error wins and every later wait sees it.
    const failed = new Promise<never>((_, reject) => {
      file.once('error', reject);
      if (through) through.once('error', reject);
    });
    failed.catch(() => undefined);
    const write: StreamWrite = async (text) => {
      if (!head.write(text)) await Promise.race([once(head, 'drain'), failed]);
    };
    const closed = Promise.race([once(file, 'close'), failed]);
    closed.catch(() => undefined);
    try {
      await fill(write);
    } finally {
      head.end();
      await closed;
    }
    const fh = await fsp.open(tmp, 'r+');
    await fh.sync().finally(() => fh.close());
    await fsp.rename(tmp, target);
    done = true;
  } finally {
    if (!done) await fsp.rm(tmp, { force: true });
  }
}

/** Create an empty temporary directory beside `target` (same file system, so it can be renamed onto it). */
export async function makeTempDirBeside(target: string): Promise<string> {
  await fsp.mkdir(path.dirname(path.resolve(target)), { recursive: true });
  const tmp = tempBeside(target);
  await fsp.mkdir(tmp);
  return tmp;
}

/**
 * Build a directory beside `target` with `build` and publish it as `target` with {@link swapDir}; undoes an
 * interrupted earlier swap and removes crashed writers' leftovers first, and removes its own temporary
 * directory when `build` or the swap fails.
 */
export async function publishDir(target: string, build: (tmp: string) => Promise<void>): Promise<void> {
  await removeLeftovers(target);
  const tmp = await makeTempDirBeside(target);
  let published = false;
  try {
    await build(tmp);
    await swapDir(tmp, target);
    published = true;
  } finally {
    if (!published) await fsp.rm(tmp, { recursive: true, force: true });
  }
}

/**
 * Remove the directory `dir` as one step: it is renamed to a temporary sibling first, so a kill during the
 * (file-by-file) removal leaves a temporary for the next run to clean, never a half-deleted `dir`.
 */
export async function removeDirAtomic(dir: string): Promise<void> {
  const tmp = tempBeside(dir);
  try {
    await fsp.rename(dir, tmp);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw e;
  }
  await fsp.rm(tmp, { recursive: true, force: true });
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

/**
 * Clean up after writers of `target` that were killed: undo a swap interrupted between its renames
 * ({@link recoverDir}), remove a parked previous version that a finished swap did not get to delete, and
 * remove temporaries ({@link removeStaleTemps}). Callers hold the output's lock, so no live writer is affected.
 */
export async function removeLeftovers(target: string): Promise<void> {
  if (!(await recoverDir(target))) await fsp.rm(oldName(path.resolve(target)), { recursive: true, force: true });
  await removeStaleTemps(target);
}

/** True when `name` is a temporary sibling of `base` written by this module (`.tmp-BASE-PID-HEX`). */
export function isTempOf(name: string, base: string): boolean {
  if (!name.startsWith(`.tmp-${base}-`)) return false;
  // Exactly PID-HEX after the prefix: `.tmp-v-2-…` of a target `v-2` is not a temporary of `v`.
  return /^\d+-[0-9a-f]{8}$/.test(name.slice(`.tmp-${base}-`.length));
}

/**
 * Remove leftovers of crashed writers: `.tmp-NAME-PID-HEX` entries beside `target`. Never touches `target`
 * itself. Callers hold the output's lock (dir-lock.ts), so no live writer's temporary is removed.
 */
export async function removeStaleTemps(target: string): Promise<void> {
  const parent = path.dirname(path.resolve(target));
  const base = path.basename(path.resolve(target));
  let names: string[];
  try {
    names = await fsp.readdir(parent);
  } catch {
    return;
  }
  await Promise.all(names.filter((n) => isTempOf(n, base)).map((n) => fsp.rm(path.join(parent, n), { recursive: true, force: true })));
}
