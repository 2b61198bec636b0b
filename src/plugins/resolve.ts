/**
 * Resolving a `use` source to a module file, confined to the spec's project unless the spec is trusted:
 * relative paths must stay inside the project (symlinks followed), absolute paths are refused, and a
 * package must be installed inside the project (not only in a node_modules above it).
 */
import { existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { diag } from '../diagnostics/catalog.js';
import type { Diagnostic, Range } from '../diagnostics/types.js';
import { isInside, projectRoot, realPath, type PluginTrust } from './trust.js';

/** A resolved source: the module file (a real path when confined), or the diagnostic saying why not. */
export type Resolution = { file: string } | { diagnostic: Diagnostic };

/** The package name of a bare specifier: `pkg` of `pkg/sub`, `@scope/pkg` of `@scope/pkg/sub`. */
function packageName(source: string): string {
  const parts = source.split('/');
  return source.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

/**
 * The folder of package `source` in the node_modules folders from `dir` up to `root` (inclusive), never
 * above: Node's own lookup would go on to every node_modules up to the file system root.
 */
function packageDirIn(source: string, dir: string, root: string): string | undefined {
  const name = packageName(source);
  for (let d = dir; isInside(d, root); d = path.dirname(d)) {
    const candidate = path.join(d, 'node_modules', name);
    if (existsSync(path.join(candidate, 'package.json'))) return candidate;
    if (d === root) break;
  }
  return undefined;
}

/** Node's resolution of `source` from `baseDir` (every node_modules up to the file system root): a file, a built-in's name, or the error. */
function nodeResolve(source: string, baseDir: string): string | Error {
  try {
    return createRequire(path.join(path.resolve(baseDir), '__mtl_plugin_resolver__.js')).resolve(source);
  } catch (e) {
    return e instanceof Error ? e : new Error(String(e));
  }
}

/** Where Node would resolve `source` from `baseDir` with no confinement (only to name it in a refusal); undefined when nowhere. */
function resolveAnywhere(source: string, baseDir: string): string | undefined {
  const found = nodeResolve(source, baseDir);
  return typeof found === 'string' && path.isAbsolute(found) ? realPath(found) : undefined;
}

/** True for a source written as a path (`./x.js`, `../x.mjs`, `/abs/x.js`), not a package name. */
export function isPathSource(source: string): boolean {
  return source.startsWith('./') || source.startsWith('../') || source === '.' || source === '..' || isAbsoluteSource(source);
}

/** True for an absolute path, POSIX or Windows. */
function isAbsoluteSource(source: string): boolean {
  return path.isAbsolute(source) || /^[A-Za-z]:[\\/]/.test(source);
}

/** The message of an unknown thrown value, without a trailing period. */
export function messageOf(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0]!.replace(/\.$/, '');
}

/**
 * Resolve `source` from `baseDir` (the spec's directory). With trust other than `any`, the module must
 * lie inside the spec's project root: MTL4201 (absolute path), MTL4202 (a path leaving the project),
 * MTL4203 (a package installed only outside the project). MTL4001 when nothing is found. `consent`
 * tells the user how to trust the spec (it differs between the CLI and the editor).
 */
export function resolvePluginSource(source: string, baseDir: string, trust: PluginTrust, range: Range, consent: string): Resolution {
  const confined = trust !== 'any';
  const root = confined ? projectRoot(baseDir) : '';
  if (isPathSource(source)) {
    if (confined && isAbsoluteSource(source)) return { diagnostic: diag('MTL4201', range, { source }, { hint: `write a path relative to the spec, inside its project ${root}; or ${consent}` }) };
    const file = path.resolve(baseDir, source);
    if (!existsSync(file)) return { diagnostic: diag('MTL4001', range, { source }, { hint: `looked for ${file} (paths are relative to the spec's directory)` }) };
    // A folder is not a module (ES modules do not resolve index.js), and its manifest would be looked for beside it.
    if (!statSync(file).isFile()) return { diagnostic: diag('MTL4001', range, { source }, { hint: `${file} is a folder; name the plugin's module file, e.g. "${source.replace(/\/$/, '')}/index.js"` }) };
    if (!confined) return { file };
    const real = realPath(file);
    if (!isInside(real, root)) {
      const via = real !== file && isInside(file, root) ? ` (through a symbolic link: it is really ${real})` : '';
      return { diagnostic: diag('MTL4202', range, { source, root }, { hint: `${file} is outside the project${via}; move the plugin into the project, or ${consent}` }) };
    }
    return { file: real };
  }
  const notInstalled = (e: unknown): Resolution => ({
    diagnostic: diag('MTL4001', range, { source }, { hint: `no package '${source}' is installed where the spec is (${messageOf(e)}); install it, or write a relative path like "./${source}.js"` }),
  });
  if (!confined) {
    const found = nodeResolve(source, baseDir);
    if (found instanceof Error) return notInstalled(found);
    if (!path.isAbsolute(found)) return { diagnostic: diag('MTL4001', range, { source }, { hint: `'${source}' is a Node.js built-in module, not a gate plugin` }) };
    return { file: found };
  }
  const pkgDir = packageDirIn(source, realPath(baseDir), root);
  if (!pkgDir) {
    const elsewhere = resolveAnywhere(source, baseDir);
    if (elsewhere === undefined) return notInstalled(new Error(`not in a node_modules folder of the project ${root}`));
    return { diagnostic: diag('MTL4203', range, { source, root }, { hint: `it was found at ${elsewhere}; install it in the project (npm install ${source}), or ${consent}` }) };
  }
  let file: string;
  try {
    // Resolved from inside the package (its entry point, "exports" honoured); the nearest node_modules is the package's own.
    file = createRequire(path.join(pkgDir, 'package.json')).resolve(source);
  } catch (e) {
    return notInstalled(e);
  }
  const real = realPath(file);
  if (!isInside(real, root)) {
    return { diagnostic: diag('MTL4203', range, { source, root }, { hint: `it is really at ${real} (a symbolic link out of the project); install it in the project, or ${consent}` }) };
  }
  return { file: real };
}
