/**
 * Loading gate plugins: `use` sources (a path relative to the spec, or an npm package resolved from
 * the spec's directory) and the first-party plugins. What may happen is the caller's {@link PluginTrust}:
 * read manifests only, run code from inside the spec's project, or run code from anywhere. Every failure
 * is an MTL4xxx diagnostic at the `use` declaration; nothing throws on user input.
 */
import { pathToFileURL } from 'node:url';
import { diag } from '../diagnostics/catalog.js';
import { FILE_START, type Diagnostic, type Range } from '../diagnostics/types.js';
import type { PluginRef } from '../ir/types.js';
import type { GatePlugin } from './api.js';
import { findManifest } from './manifest.js';
import { PluginRegistry } from './registry.js';
import { isPathSource, messageOf, resolvePluginSource } from './resolve.js';
import { projectRoot, type PluginTrust } from './trust.js';
import { BUILTIN_PLUGIN_FACTORIES } from './builtin.js';

/** The end of a refusal's hint when the caller does not say how its user trusts a spec (the CLI and the editor do). */
const DEFAULT_CONSENT = 'trust the spec (docs/plugins.md, "Trust and security")';

/** Options of {@link loadPlugins}. */
export interface LoadPluginsOptions {
  /** The directory sources are resolved from (the spec's directory, or the cwd for --plugin). */
  baseDir: string;
  /** Where the loaded plugins are registered. */
  registry: PluginRegistry;
  /** What may be done: read manifests only, or run code (from inside the project, or from anywhere). */
  trust: PluginTrust;
  /** How the user can trust the spec, ending hints of refusals (the CLI's flag, the editor's workspace trust). */
  consent?: string;
}

/**
 * Resolve each plugin source and register its plugin: from its manifest alone when `trust` is
 * `manifest`, else by importing it and calling its factory. Returns MTL4001 (not found), MTL4201-4203
 * (outside the project), MTL4204 (no manifest), MTL4205 (unreadable manifest), MTL4206 (info: the
 * plugin's own checks did not run), MTL4007 (import failed), MTL4002 (no default factory), MTL4003
 * (factory threw) and the registry's MTL4004-4006 and MTL4207.
 */
export async function loadPlugins(sources: readonly PluginRef[], opts: LoadPluginsOptions): Promise<Diagnostic[]> {
  const diagnostics: Diagnostic[] = [];
  const consent = opts.consent ?? DEFAULT_CONSENT;
  for (const ref of sources) {
    const range = ref.loc ?? FILE_START;
    const source = ref.source;
    const resolved = resolvePluginSource(source, opts.baseDir, opts.trust, range, consent);
    if ('diagnostic' in resolved) {
      diagnostics.push(resolved.diagnostic);
      continue;
    }
    const confined = opts.trust !== 'any';
    const manifest = findManifest(resolved.file, { walkUp: !isPathSource(source), ...(confined ? { stopAt: projectRoot(opts.baseDir) } : {}) });
    if ('error' in manifest) diagnostics.push(diag('MTL4205', range, { source, file: manifest.file, detail: manifest.error }));
    if (opts.trust === 'manifest') {
      if ('missing' in manifest) diagnostics.push(diag('MTL4204', range, { source }, { hint: `add a manifest next to it (see docs/plugins.md), or ${consent}` }));
      if (!('value' in manifest)) continue;
      const problems = opts.registry.declare(manifest.value, source, ref.loc);
      diagnostics.push(...problems);
      if (!problems.length) diagnostics.push(diag('MTL4206', range, { source }, { hint: `${consent} to run them` }));
      continue;
    }
    const plugin = await runPluginModule(source, resolved.file, range, diagnostics);
    if (plugin === undefined) continue;
    diagnostics.push(...opts.registry.register(plugin as GatePlugin, source, ref.loc, 'value' in manifest ? (manifest.value as GatePlugin) : undefined));
  }
  return diagnostics;
}

/** Import a plugin module and call its default-exported factory: the only place plugin code runs. Returns what the factory returned, or undefined after pushing the problem. */
async function runPluginModule(source: string, file: string, range: Range, diagnostics: Diagnostic[]): Promise<unknown> {
  let mod: { default?: unknown };
  try {
    mod = (await import(pathToFileURL(file).href)) as { default?: unknown };
  } catch (e) {
    diagnostics.push(diag('MTL4007', range, { source, detail: messageOf(e) }));
    return undefined;
  }
  const factory = mod.default;
  if (typeof factory !== 'function') {
    const looksLikePlugin = factory !== null && typeof factory === 'object' && 'build' in factory;
    diagnostics.push(
      diag('MTL4002', range, { source }, looksLikePlugin ? { hint: 'the default export is a plugin object: wrap it, `export default definePlugin(() => ({ ... }))`' } : {}),
    );
    return undefined;
  }
  try {
    return (factory as () => unknown)();
  } catch (e) {
    diagnostics.push(diag('MTL4003', range, { source, detail: messageOf(e) }));
    return undefined;
  }
}

/** A registry with the first-party gate plugins (softmax, noisy-topk, sigmoid). A failure here is a bug in mtl, so it throws. */
export function createDefaultRegistry(): PluginRegistry {
  const registry = new PluginRegistry();
  const problems = BUILTIN_PLUGIN_FACTORIES.flatMap((factory) => registry.register(factory(), 'builtin'));
  if (problems.length) throw new Error(`internal: builtin plugin failed to register: ${problems.map((d) => d.message).join('; ')}`);
  return registry;
}
