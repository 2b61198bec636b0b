/**
 * Shared helpers of the CLI tests: the reference specs and throw-away directories.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The six reference specs: name (without .mtl) → text. */
export const SPECS: ReadonlyArray<{ name: string; file: string; text: string }> = readdirSync(path.join(ROOT, 'specs'))
  .filter((f) => f.endsWith('.mtl'))
  .sort()
  .map((f) => ({ name: f.replace(/\.mtl$/, ''), file: path.join(ROOT, 'specs', f), text: readFileSync(path.join(ROOT, 'specs', f), 'utf8') }));

/** A fresh temporary directory and a function that removes it. */
export function tempDir(prefix = 'mtl-test-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** True when text looks like a JavaScript stack trace (what users must never see). */
export function hasStackTrace(text: string): boolean {
  return /\n\s+at .+\(.*:\d+:\d+\)|\n\s+at .+:\d+:\d+/.test(text) || /internal error/i.test(text);
}

/** A small spec (a user id and a number predict a like) with `train` as its train block's body. */
export const likesSpec = (train: string): string => `model likes
features {
  categorical user hash 64 dim 4
  numeric x normalize standard
}
labels { y: binary }
input all = concat(user, x)
tower like = mlp(8) on all -> sigmoid
task like = like loss bce(y)
train { ${train} }
`;
