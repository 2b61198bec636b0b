/**
 * One checked version of a document: its text, the result of the shared `check` (the same as
 * `mtl check`), the plugin registry it was checked with, and the symbol index built from it.
 */
import type { Diagnostic } from '../diagnostics/types.js';
import type { ModelIR } from '../ir/types.js';
import type { PluginManifest } from '../plugins/api.js';
import type { PluginRegistry } from '../plugins/registry.js';
import { buildSymbolIndex, type SymbolIndex } from './symbol-index.js';
import { splitLines } from './text.js';

/** A document's text checked once. */
export interface Analysis {
  uri: string;
  version: number;
  text: string;
  lines: string[];
  ir: ModelIR | undefined;
  diagnostics: Diagnostic[];
  registry: PluginRegistry | undefined;
  index: SymbolIndex;
}

/** Assemble an analysis from a check result. */
export function makeAnalysis(uri: string, version: number, text: string, ir: ModelIR | undefined, diagnostics: Diagnostic[], registry: PluginRegistry | undefined): Analysis {
  const lines = splitLines(text);
  return { uri, version, text, lines, ir, diagnostics, registry, index: buildSymbolIndex(ir, lines) };
}

/** The declaration (manifest) of a gate type's plugin, if the registry has it: all hover and completion need. */
export function gatePlugin(registry: PluginRegistry | undefined, type: string): PluginManifest | undefined {
  return registry?.get(type)?.manifest;
}

/** The gate types the registry knows, sorted. */
export function gateTypes(registry: PluginRegistry | undefined): string[] {
  return registry ? [...registry.types()].sort() : [];
}
