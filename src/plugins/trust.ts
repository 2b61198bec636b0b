/**
 * Where plugin code may come from and who said it may run: a spec's project root (the boundary `use`
 * sources must stay inside) and the user's trusted folders (MTL_TRUSTED_FOLDERS, ~/.config/mtl/trusted.json),
 * whose specs may run plugin code from anywhere. See docs/plugins.md, "Trust and security".
 */
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/**
 * How far a check may go with a spec's `use` modules:
 * - `manifest`: resolve inside the spec's project and read the plugins' manifests; run no code (check, ir, graph, compile, the editor).
 * - `project`: resolve inside the spec's project and run the plugins' code (train: running the project is its point).
 * - `any`: resolve anywhere (absolute paths, outside the project, node_modules above it) and run the code (the user trusts the spec).
 */
export type PluginTrust = 'manifest' | 'project' | 'any';

/** The real path of `p` (symlinks resolved), or `p` itself resolved when it does not exist. */
export function realPath(p: string): string {
  try {
    return realpathSync.native(p);
  } catch {
    return path.resolve(p);
  }
}

/** True when `child` is `parent` or inside it (both absolute, already real paths). */
export function isInside(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/**
 * A spec's project root: the nearest folder at or above `specDir` holding a package.json or a .git, else
 * `specDir` itself. Returned as a real path, so symlinks cannot widen it.
 */
export function projectRoot(specDir: string): string {
  const start = realPath(specDir);
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json')) || existsSync(path.join(dir, '.git'))) return dir;
    if (path.dirname(dir) === dir) return start;
  }
}

/** The user's config file of trusted folders: $XDG_CONFIG_HOME/mtl/trusted.json, default ~/.config/mtl/trusted.json. */
export function trustedFoldersFile(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CONFIG_HOME || path.join(os.homedir(), '.config');
  return path.join(base, 'mtl', 'trusted.json');
}

/**
 * The folders whose specs the user trusts to run plugin code: MTL_TRUSTED_FOLDERS (absolute paths
 * separated by the platform's path delimiter, ':' or ';') and the `folders` list of {@link trustedFoldersFile}.
 * Relative or empty entries are ignored (a trust list must not depend on the current directory);
 * an unreadable or malformed config file trusts nothing.
 */
export function trustedFolders(env: NodeJS.ProcessEnv = process.env): string[] {
  const fromEnv = (env.MTL_TRUSTED_FOLDERS ?? '').split(path.delimiter);
  let fromFile: unknown[] = [];
  try {
    const parsed = JSON.parse(readFileSync(trustedFoldersFile(env), 'utf8')) as { folders?: unknown };
    if (Array.isArray(parsed.folders)) fromFile = parsed.folders;
  } catch {
    fromFile = [];
  }
  return [...fromEnv, ...fromFile].filter((f): f is string => typeof f === 'string' && path.isAbsolute(f)).map(realPath);
}

/** True when the user trusts the folder `dir` (it is inside one of {@link trustedFolders}). */
export function isTrustedFolder(dir: string, env: NodeJS.ProcessEnv = process.env): boolean {
  const real = realPath(dir);
  return trustedFolders(env).some((t) => isInside(real, t));
}
