/**
 * The gate plugins a saved model needs (for their custom layers): the first-party ones, those named on the
 * command line, and the model's own `use` lines, resolved relative to the model directory's recorded spec
 * directory (falling back to the model directory).
 */
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import type { GatePlugin } from '../plugins/api.js';
import type { ModelIR } from '../ir/types.js';
import { createDefaultRegistry, loadPlugins } from '../plugins/load.js';
import type { CliIo } from './io.js';
import { printDiagnostics } from './report.js';

/** Load the plugins for the model in `dir`; problems are printed as warnings (the model may not need them). */
export async function artifactPlugins(dir: string, io: CliIo, extra: string[]): Promise<GatePlugin[]> {
  const registry = createDefaultRegistry();
  const problems = [];
  if (extra.length) problems.push(...(await loadPlugins(extra.map((source) => ({ source })), { baseDir: io.cwd, registry })));
  let ir: ModelIR | undefined;
  try {
    ir = JSON.parse(await readFile(path.join(dir, 'ir.json'), 'utf8')) as ModelIR;
  } catch {
    ir = undefined; // loadArtifact reports a missing or corrupt ir.json with its own code.
  }
  const refs = (ir?.plugins ?? []).filter((p) => !registry.get(p.source));
  if (refs.length) problems.push(...(await loadPlugins(refs, { baseDir: dir, registry })));
  if (problems.length) printDiagnostics(problems.map((d) => ({ ...d, severity: 'warning' as const })), undefined, io, { toStderr: true });
  return registry.gatePlugins();
}
