/**
 * Loading gate plugins: `use` sources (a path relative to the spec, or an npm package resolved from
 * the spec's directory) and the first-party plugins. Every failure is an MTL4xxx diagnostic at the
 * `use` declaration; nothing throws on user input.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { diag } from '../diagnostics/catalog.js';
import { FILE_START, type Diagnostic } from '../diagnostics/types.js';
import type { PluginRef } from '../ir/types.js';
import type { GatePlugin } from './api.js';
import { PluginRegistry } from './registry.js';
import { BUILTIN_PLUGIN_FACTORIES } from './builtin.js';

/** Options of {@link loadPlugins}. */
export interface LoadPluginsOptions {
  /** The directory sources are resolved from (the spec's directory, or the cwd for --plugin). */
  baseDir: string;
  /** Where the loaded plugins are registered. */
  registry: PluginRegistry;
}

/** True for a source written as a path (`./x.js`, `../x.mjs`, `/abs/x.js`), not a package name. */
function isPathSource(source: string): boolean {
  return source.startsWith('./') || source.startsWith('../') || source === '.' || source === '..' || path.isAbsolute(source) || /^[A-Za-z]:[\\/]/.test(source);
}

/** The message of an unknown thrown value, without a trailing period. */
function messageOf(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0]!.replace(/\.$/, '');
}

/** Resolve a source to a file URL, or explain why it cannot be. */
function resolveSource(source: string, baseDir: string): { url: string } | { hint: string } {
  if (isPathSource(source)) {
    const file = path.resolve(baseDir, source);
    if (!existsSync(file)) return { hint: `looked for ${file} (paths are relative to the spec's directory)` };
    return { url: pathToFileURL(file).href };
  }
  try {
    const require = createRequire(path.join(path.resolve(baseDir), '__mtl_plugin_resolver__.js'));
    return { url: pathToFileURL(require.resolve(source)).href };
  } catch (e) {
    return { hint: `no package '${source}' is installed where the spec is (${messageOf(e)}); install it, or write a relative path like "./${source}.js"` };
  }
}

/**
 * Load each plugin source and register its plugin. Relative paths resolve against `baseDir`; package
 * names through Node resolution from `baseDir`. Returns MTL4001 (not found), MTL4007 (import failed),
 * MTL4002 (no default factory), MTL4003 (factory threw) and the registry's MTL4004-4006.
 */
export async function loadPlugins(sources: readonly PluginRef[], opts: LoadPluginsOptions): Promise<Diagnostic[]> {
  const diagnostics: Diagnostic[] = [];
  for (const ref of sources) {
    const range = ref.loc ?? FILE_START;
    const source = ref.source;
    const resolved = resolveSource(source, opts.baseDir);
    if ('hint' in resolved) {
      diagnostics.push(diag('MTL4001', range, { source }, { hint: resolved.hint }));
      continue;
    }
    let mod: { default?: unknown };
    try {
      mod = (await import(resolved.url)) as { default?: unknown };
    } catch (e) {
      diagnostics.push(diag('MTL4007', range, { source, detail: messageOf(e) }));
      continue;
    }
    const factory = mod.default;
    if (typeof factory !== 'function') {
      const looksLikePlugin = factory !== null && typeof factory === 'object' && 'build' in factory;
      diagnostics.push(
        diag('MTL4002', range, { source }, looksLikePlugin ? { hint: 'the default export is a plugin object: wrap it, `export default definePlugin(() => ({ ... }))`' } : {}),
      );
      continue;
    }
    let plugin: unknown;
    try {
      plugin = (factory as () => unknown)();
    } catch (e) {
      diagnostics.push(diag('MTL4003', range, { source, detail: messageOf(e) }));
      continue;
    }
    diagnostics.push(...opts.registry.register(plugin as GatePlugin, source, ref.loc));
  }
  return diagnostics;
}

/** A registry with the first-party gate plugins (softmax, noisy-topk, sigmoid). A failure here is a bug in mtl, so it throws. */
export function createDefaultRegistry(): PluginRegistry {
  const registry = new PluginRegistry();
  const problems = BUILTIN_PLUGIN_FACTORIES.flatMap((factory) => registry.register(factory(), 'builtin'));
  if (problems.length) throw new Error(`internal: builtin plugin failed to register: ${problems.map((d) => d.message).join('; ')}`);
  return registry;
}
