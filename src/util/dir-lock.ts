/**
 * A lock on an output directory, so that two mtl processes never write one directory at once (one result
 * would be lost without a word, or the loser would fail on a vanished temporary).
 *
 * The lock is a file beside the target, `.NAME.mtl-lock` (beside, not inside: the target itself is swapped
 * as a whole). It is created atomically with its content: written to a temporary file, then hard-linked to
 * the lock name, which fails with EEXIST when someone holds it, so a reader never sees a half-written lock.
 * It records the holder's pid, command and start time. A lock whose process is gone (`kill(pid, 0)` says
 * ESRCH: a kill -9, a crash) is stale and taken over. It is removed on release and, as a last resort, when
 * the process exits (a second Ctrl-C exits at once).
 */
import { promises as fsp, unlinkSync } from 'node:fs';
import * as path from 'node:path';
import { diag } from '../diagnostics/catalog.js';
import { FILE_START } from '../diagnostics/types.js';
import { MtlError } from '../diagnostics/error.js';
import { tempSuffix } from './fs-atomic.js';

/** What a lock file records. */
export interface LockInfo {
  pid: number;
  command: string;
  started: string;
}

/** A held lock. */
export interface DirLock {
  /** The lock file. */
  file: string;
  /** Remove the lock (idempotent). */
  release(): Promise<void>;
}

/** The lock file of the output `target`. */
export function lockFileOf(target: string): string {
  const abs = path.resolve(target);
  return path.join(path.dirname(abs), `.${path.basename(abs)}.mtl-lock`);
}

/** Lock files held by this process, removed synchronously if it exits without releasing them. */
const held = new Set<string>();
let exitHookInstalled = false;
function removeHeldOnExit(): void {
  for (const f of held) {
    try {
      unlinkSync(f);
    } catch {
      /* already gone */
    }
  }
}

/** True when process `pid` exists (EPERM: it exists but belongs to someone else). */
function alive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The holder recorded in a lock file, or undefined when it is gone or unreadable. */
async function readHolder(file: string): Promise<LockInfo | undefined> {
  try {
    const v = JSON.parse(await fsp.readFile(file, 'utf8')) as LockInfo;
    return typeof v?.pid === 'number' ? v : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The live process holding the lock of `target`, or undefined. Readers use it to leave a directory alone
 * while a writer is between the two renames of its swap (restoring the parked copy then would break the swap).
 */
export async function lockHolder(target: string): Promise<LockInfo | undefined> {
  const holder = await readHolder(lockFileOf(target));
  return holder && alive(holder.pid) ? holder : undefined;
}

/**
 * Take the lock of the output `target` for `command` (e.g. `mtl train spec.mtl --out v`). Throws MtlError
 * MTL5334 naming the holder when a live process holds it; takes over a stale one.
 */
export async function lockOutput(target: string, command: string): Promise<DirLock> {
  const file = lockFileOf(target);
  const info: LockInfo = { pid: process.pid, command, started: new Date().toISOString() };
  const tmp = `${file}.${tempSuffix()}`;
  try {
    await fsp.mkdir(path.dirname(file), { recursive: true });
    await fsp.writeFile(tmp, JSON.stringify(info) + '\n');
  } catch (e) {
    // The output's parent cannot be written (read-only, full, a file in the way): say so for the output.
    await fsp.rm(tmp, { force: true }).catch(() => undefined);
    const err = e as NodeJS.ErrnoException;
    throw new MtlError(diag('MTL5308', FILE_START, { file: path.resolve(target), reason: (err.message ?? String(e)).replace(/\.$/, '') }, { file: path.resolve(target) }));
  }
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        await fsp.link(tmp, file);
        break;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      const holder = await readHolder(file);
      if (holder && alive(holder.pid)) {
        throw new MtlError(diag('MTL5334', FILE_START, { dir: path.resolve(target), pid: String(holder.pid), command: holder.command, started: holder.started }, { file }));
      }
      // Stale (its process is gone) or unreadable: take it over. It is moved aside (not removed) and checked
      // again, because another process may have taken it over since it was read: a live lock moved aside by
      // mistake is put back, and the link above lets exactly one taker win.
      if (attempt >= 3) throw new Error(`cannot take over the stale lock '${file}'`);
      const aside = `${file}.stale-${tempSuffix()}`;
      try {
        await fsp.rename(file, aside);
      } catch {
        continue; // gone already: try again
      }
      const moved = await readHolder(aside);
      if (moved && alive(moved.pid)) await fsp.link(aside, file).catch(() => undefined);
      await fsp.rm(aside, { force: true });
    }
  } finally {
    await fsp.rm(tmp, { force: true });
  }
  held.add(file);
  if (!exitHookInstalled) {
    process.on('exit', removeHeldOnExit);
    exitHookInstalled = true;
  }
  let released = false;
  return {
    file,
    async release() {
      if (released) return;
      released = true;
      held.delete(file);
      await fsp.rm(file, { force: true });
    },
  };
}
