/**
 * Loading a spec for a command that needs a valid one (train, graph, compile): read, check with its
 * plugins, print the diagnostics, and stop with exit 1 on an error.
 */
import * as path from 'node:path';
import type { ModelIR } from '../ir/types.js';
import type { Diagnostic } from '../diagnostics/types.js';
import type { GatePlugin } from '../plugins/api.js';
import type { PluginRegistry } from '../plugins/registry.js';
import { checkFile, hasErrors } from '../language/check.js';
import type { CliIo } from './io.js';
import { readSpecFile } from './read-spec.js';
import { printDiagnostics } from './report.js';
import type { Parsed } from './args.js';
import { pluginTrust } from './plugin-trust.js';

/** A checked spec, ready to compile. */
export interface LoadedSpec {
  ir: ModelIR;
  file: string;
  dir: string;
  registry: PluginRegistry;
}

/**
 * Read and check `arg` with the command's --plugin and --trust-plugins `flags` (`fallback`: how far an
 * untrusted spec's plugins go, see {@link pluginTrust}); print warnings; return undefined (after printing)
 * when it has errors.
 */
export async function loadValidSpec(arg: string, command: string, io: CliIo, flags: Parsed['values'], fallback: 'manifest' | 'project', edit?: SpecEdit): Promise<LoadedSpec | undefined> {
  const file = path.resolve(io.cwd, arg);
  const read = await readSpecFile(file, command);
  const plugins = (flags.plugin as string[] | undefined) ?? [];
  const check = (text: string) => checkFile(text, file, { extraPlugins: plugins, cwd: io.cwd, ...pluginTrust(flags, file, fallback) });
  let text = read.text;
  let result = await check(text);
  let diagnostics = [...read.diagnostics, ...result.diagnostics];
  // An edit (`--set`) applies to the valid spec, and the edited text is checked again as the spec itself.
  if (edit && !hasErrors(diagnostics) && result.ir) {
    const edited = edit(text, result.ir);
    if (edited.diagnostics.length || edited.text === undefined) diagnostics = [...diagnostics, ...edited.diagnostics];
    else {
      text = edited.text;
      result = await check(text);
      diagnostics = [...read.diagnostics, ...result.diagnostics];
    }
  }
  for (const d of diagnostics) d.file = arg;
  if (diagnostics.length) printDiagnostics(diagnostics, text, io, { toStderr: true });
  if (hasErrors(diagnostics) || !result.ir) {
    io.stderr(`mtl ${command}: '${arg}'${edit ? ' with the --set values' : ''} has errors; fix them first (mtl check ${arg}).\n`);
    return undefined;
  }
  return { ir: result.ir, file, dir: path.dirname(file), registry: result.registry };
}

/** A change to a valid spec's text before it is used (`mtl train --set`): the new text, or diagnostics. */
export type SpecEdit = (text: string, ir: ModelIR) => { text?: string; diagnostics: Diagnostic[] };

/** The gate lookup the compiler takes. */
export function gateLookup(registry: PluginRegistry): (type: string) => GatePlugin | undefined {
  return (type) => registry.get(type)?.plugin;
}
