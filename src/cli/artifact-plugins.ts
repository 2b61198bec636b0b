/**
 * The gate plugins a saved model needs (for their custom layers): the first-party ones and those the user
 * names with --plugin. A model directory is data: the plugins its ir.json lists are never imported (a
 * model directory from elsewhere must not run code). A gate whose plugin is absent still loads when its
 * saved layers are tfjs's own; when they are the plugin's own classes, that is an MTL4208 error.
 */
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { diag } from '../diagnostics/catalog.js';
import { FILE_START } from '../diagnostics/types.js';
import type { GatePlugin } from '../plugins/api.js';
import type { ModelIR } from '../ir/types.js';
import { createDefaultRegistry, loadPlugins } from '../plugins/load.js';
import { registerPluginLayers } from '../artifact/artifact.js';
import { unregisteredLayerClasses } from '../artifact/layer-classes.js';
import type { CliIo } from './io.js';
import { printDiagnostics } from './report.js';

/**
 * Load the plugins for the model in `dir`: the built-in ones and `extra` (--plugin, resolved from the cwd,
 * run because the user named them). Returns undefined, after printing MTL4208, when the model cannot load
 * without a plugin none of them provides; other plugin problems are printed as warnings.
 */
export async function artifactPlugins(dir: string, io: CliIo, extra: string[]): Promise<GatePlugin[] | undefined> {
  const registry = createDefaultRegistry();
  const problems = extra.length ? await loadPlugins(extra.map((source) => ({ source })), { baseDir: io.cwd, registry, trust: 'any' }) : [];
  if (problems.length) printDiagnostics(problems.map((d) => ({ ...d, severity: 'warning' as const })), undefined, io, { toStderr: true });
  const ir = await readJson(path.join(dir, 'ir.json')) as ModelIR | undefined;
  const types = new Set((Array.isArray(ir?.nodes) ? ir.nodes : []).flatMap((n) => (n?.kind === 'gate' && typeof n.type === 'string' ? [n.type] : [])));
  const missing = [...types].filter((type) => !registry.get(type)?.plugin);
  if (!missing.length) return registry.gatePlugins();
  registerPluginLayers(registry.gatePlugins());
  const model = await readFile(path.join(dir, 'model.json'), 'utf8').catch(() => undefined);
  const classes = model === undefined ? [] : unregisteredLayerClasses(model);
  if (classes.length) {
    const listed = Array.isArray(ir?.plugins) ? ir.plugins.map((p) => (typeof p?.source === 'string' ? `'${p.source}'` : '?')) : [];
    const quote = (names: string[]): string => names.map((n) => `'${n}'`).join(', ');
    const args = { types: quote(missing), classes: quote(classes), sources: listed.length ? listed.join(', ') : 'no plugin' };
    printDiagnostics([{ ...diag('MTL4208', FILE_START, args), file: path.join(dir, 'ir.json') }], undefined, io, { toStderr: true });
    return undefined;
  }
  return registry.gatePlugins();
}

/** A JSON file's value, or undefined when it is missing or corrupt (loadArtifact reports those with its own codes). */
async function readJson(file: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as unknown;
  } catch {
    return undefined;
  }
}
