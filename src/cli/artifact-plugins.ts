/**
 * The gate plugins a saved model needs (for their custom layers): the first-party ones and those the user
 * names with --plugin. A model directory is data: the plugins its ir.json lists are never imported (a
 * model directory from elsewhere must not run code); a gate type nobody provides is an MTL4208 error.
 */
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { diag } from '../diagnostics/catalog.js';
import { FILE_START, type Diagnostic } from '../diagnostics/types.js';
import type { GatePlugin } from '../plugins/api.js';
import type { ModelIR } from '../ir/types.js';
import { createDefaultRegistry, loadPlugins } from '../plugins/load.js';
import type { CliIo } from './io.js';
import { printDiagnostics } from './report.js';

/**
 * Load the plugins for the model in `dir`: the built-in ones and `extra` (--plugin, resolved from the cwd,
 * run because the user named them). Returns undefined, after printing MTL4208, when the model uses a
 * gate type none of them provides; other plugin problems are printed as warnings.
 */
export async function artifactPlugins(dir: string, io: CliIo, extra: string[]): Promise<GatePlugin[] | undefined> {
  const registry = createDefaultRegistry();
  const problems = extra.length ? await loadPlugins(extra.map((source) => ({ source })), { baseDir: io.cwd, registry, trust: 'any' }) : [];
  if (problems.length) printDiagnostics(problems.map((d) => ({ ...d, severity: 'warning' as const })), undefined, io, { toStderr: true });
  let ir: ModelIR | undefined;
  try {
    ir = JSON.parse(await readFile(path.join(dir, 'ir.json'), 'utf8')) as ModelIR;
  } catch {
    ir = undefined; // loadArtifact reports a missing or corrupt ir.json with its own code.
  }
  const listed = Array.isArray(ir?.plugins) ? ir.plugins.map((p) => (typeof p?.source === 'string' ? `'${p.source}'` : '?')) : [];
  const types = new Set((Array.isArray(ir?.nodes) ? ir.nodes : []).flatMap((n) => (n?.kind === 'gate' && typeof n.type === 'string' ? [n.type] : [])));
  const missing: Diagnostic[] = [...types]
    .filter((type) => !registry.get(type)?.plugin)
    .map((type) => ({ ...diag('MTL4208', FILE_START, { type, sources: listed.length ? listed.join(', ') : 'no plugin' }), file: path.join(dir, 'ir.json') }));
  if (missing.length) {
    printDiagnostics(missing, undefined, io, { toStderr: true });
    return undefined;
  }
  return registry.gatePlugins();
}
