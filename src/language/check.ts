/**
 * The one `check()` that the CLI, the language server and the library API share:
 * text (.mtl, .mtl.yaml, .mtl.json) → IR → validated IR + diagnostics.
 */
import * as path from 'node:path';
import type { Diagnostic } from '../diagnostics/types.js';
import type { ModelIR } from '../ir/types.js';
import { parseSpec } from './index.js';
import { loadSpecData } from './load.js';
import { validate } from '../validate/validate.js';
import { blameUnloadedPlugins, dropCascades } from './cascade.js';
import { PluginRegistry } from '../plugins/registry.js';
import { createDefaultRegistry, loadPlugins } from '../plugins/load.js';
import type { PluginTrust } from '../plugins/trust.js';

/** The result of checking one spec. `ir` is the validated IR (with widths) when the spec parsed, possibly partial. */
export interface CheckResult {
  ir: ModelIR | undefined;
  diagnostics: Diagnostic[];
}

/** Options of {@link checkText}. */
export interface CheckOptions {
  /** The file name, used in diagnostics and to pick the front end (.yaml/.yml/.json → data, else .mtl text). */
  file?: string;
  /** Gate plugins to resolve gate types with; defaults to the first-party plugins. */
  registry?: PluginRegistry;
}

/** True when the file is a YAML or JSON form of the IR rather than .mtl text. */
export function isDataSpec(file: string | undefined): boolean {
  return file !== undefined && /\.(ya?ml|json)$/i.test(file);
}

/** Parse (or load) the spec's text into an unvalidated IR. */
export function parseAny(text: string, file?: string): { ir: ModelIR | undefined; diagnostics: Diagnostic[] } {
  if (isDataSpec(file)) {
    const r = loadSpecData(text, file ?? 'spec.yaml');
    return { ir: r.value, diagnostics: r.diagnostics };
  }
  const r = parseSpec(text, file);
  return { ir: r.value, diagnostics: r.diagnostics };
}

/**
 * Check a spec with an already-loaded plugin registry (synchronous; the language server calls this on every change).
 * Never throws on user input.
 */
export function checkText(text: string, opts: CheckOptions = {}): CheckResult {
  const parsed = parseAny(text, opts.file);
  if (!parsed.ir) return withFile(parsed, opts.file);
  const registry = opts.registry ?? createDefaultRegistry();
  const validated = validate(parsed.ir, { file: opts.file, registry });
  return withFile({ ir: validated.value, diagnostics: [...parsed.diagnostics, ...dropCascades(parsed.diagnostics, validated.diagnostics, parsed.ir)] }, opts.file);
}

/** Options of {@link checkFile}. */
export interface CheckFileOptions {
  /** Extra plugin sources (the CLI's --plugin), resolved relative to the current directory. */
  extraPlugins?: string[];
  /** Directory that extraPlugins are relative to; default process.cwd(). */
  cwd?: string;
  /**
   * What may be done with the spec's `use` modules (default `manifest`: read their manifests, run no code).
   * Extra plugins are always run: the user named them.
   */
  trust?: PluginTrust;
  /** How the user can trust the spec, for the hints of refusals (the CLI's flag, the editor's workspace trust). */
  consent?: string;
}

/**
 * Check a spec file's text, first loading the plugins it names (`use "..."`, relative to the file; as far as
 * `opts.trust` allows) and any extra ones.
 * Returns the registry so that callers (compile, the language server) resolve gate types the same way.
 */
export async function checkFile(text: string, file: string, opts: CheckFileOptions = {}): Promise<CheckResult & { registry: PluginRegistry }> {
  const registry = createDefaultRegistry();
  const parsed = parseAny(text, file);
  const pluginDiagnostics: Diagnostic[] = [];
  const extra = (opts.extraPlugins ?? []).map((source) => ({ source }));
  if (extra.length) {
    pluginDiagnostics.push(...(await loadPlugins(extra, { baseDir: opts.cwd ?? process.cwd(), registry, trust: 'any' })));
  }
  if (parsed.ir && parsed.ir.plugins.length) {
    const trust = opts.trust ?? 'manifest';
    pluginDiagnostics.push(...(await loadPlugins(parsed.ir.plugins, { baseDir: path.dirname(path.resolve(file)), registry, trust, ...(opts.consent ? { consent: opts.consent } : {}) })));
  }
  if (!parsed.ir) return { ...withFile({ ir: undefined, diagnostics: [...parsed.diagnostics, ...pluginDiagnostics] }, file), registry };
  const validated = validate(parsed.ir, { file, registry });
  const semantic = blameUnloadedPlugins(pluginDiagnostics, dropCascades(parsed.diagnostics, validated.diagnostics, parsed.ir));
  const diagnostics = [...parsed.diagnostics, ...pluginDiagnostics, ...semantic];
  return { ...withFile({ ir: validated.value, diagnostics }, file), registry };
}

/** True when any diagnostic is an error. */
export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}

function withFile(r: CheckResult, file: string | undefined): CheckResult {
  if (file === undefined) return r;
  for (const d of r.diagnostics) if (d.file === undefined) d.file = file;
  return r;
}
