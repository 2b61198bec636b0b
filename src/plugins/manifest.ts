/**
 * Finding and reading a plugin's manifest: its declaration as data (name, version, description,
 * paramsSchema), read instead of running its code when the spec is not trusted. Looked up next to the
 * module file, in this order: `<module name>.mtl-plugin.json` (e.g. my-gate.mtl-plugin.json for
 * my-gate.js), `mtl-plugin.json`, the `"mtl"` field of package.json. A package's manifest may sit at the
 * package root above its entry file (e.g. dist/index.js); that walk stops at the first package.json.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { messageOf } from './resolve.js';

/** A manifest larger than this is refused unread (a manifest is a few KiB of JSON; ajv should not compile megabytes of untrusted schema). */
const MAX_MANIFEST_BYTES = 256 * 1024;

/** The outcome of looking for a manifest: found (its unchecked value), absent, or unreadable. */
export type ManifestLookup = { value: unknown; file: string } | { missing: true } | { error: string; file: string };

/** Read a JSON file of bounded size. */
function readJson(file: string): unknown {
  if (statSync(file).size > MAX_MANIFEST_BYTES) throw new Error(`larger than ${MAX_MANIFEST_BYTES} bytes`);
  return JSON.parse(readFileSync(file, 'utf8')) as unknown;
}

/** The manifest candidates of one folder, in order of precedence. */
function lookIn(dir: string, moduleFile: string): ManifestLookup | undefined {
  const stem = path.basename(moduleFile).replace(/\.[cm]?[jt]s$/, '');
  for (const name of [`${stem}.mtl-plugin.json`, 'mtl-plugin.json']) {
    const file = path.join(dir, name);
    if (!existsSync(file)) continue;
    try {
      return { value: readJson(file), file };
    } catch (e) {
      return { error: messageOf(e), file };
    }
  }
  const pkg = path.join(dir, 'package.json');
  if (!existsSync(pkg)) return undefined;
  try {
    const value = (readJson(pkg) as { mtl?: unknown } | null)?.mtl;
    return value === undefined ? { missing: true } : { value, file: pkg };
  } catch (e) {
    return { error: messageOf(e), file: pkg };
  }
}

/**
 * The manifest of the plugin module `moduleFile`. For a path source only the module's own folder is
 * searched; for a package (`walkUp`), folders up to the package root (the first one with a package.json),
 * never above `stopAt`.
 */
export function findManifest(moduleFile: string, opts: { walkUp: boolean; stopAt?: string }): ManifestLookup {
  for (let dir = path.dirname(moduleFile); ; dir = path.dirname(dir)) {
    const found = lookIn(dir, moduleFile);
    if (found) return found;
    if (!opts.walkUp || dir === opts.stopAt || path.dirname(dir) === dir) return { missing: true };
  }
}
