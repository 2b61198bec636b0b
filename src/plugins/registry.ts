/**
 * The gate plugin registry: the only plugin state, passed explicitly (nothing registers itself on
 * import). Registration checks the plugin object and compiles its `paramsSchema` once; problems are
 * MTL4xxx diagnostics, never exceptions.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { diag } from '../diagnostics/catalog.js';
import { suggest } from '../diagnostics/suggest.js';
import { FILE_START, type Diagnostic, type Range } from '../diagnostics/types.js';
import type { GatePlugin, LoadedPlugin, PluginManifest } from './api.js';
import { canonicalJson } from '../util/canonical-json.js';

/** A parameter problem found by a plugin's `paramsSchema`: the data of an MTL4008 diagnostic. */
export interface ParamIssue {
  /** The `locs` key of the offending parameter ("params.k"), or "params" for the whole list. */
  property: string;
  /** What is wrong, e.g. "parameter 'k' must be integer". */
  message: string;
  hint?: string;
  /** The ajv keyword that failed ("type", "required", ...). */
  keyword: string;
}

/** Valid gate type names: letters, digits, '-' and '_', starting with a letter. */
const NAME_PATTERN = /^[A-Za-z][A-Za-z0-9_-]*$/;

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The deepest nesting a manifest's `paramsSchema` may have (a parameter schema is a few levels deep). */
const MAX_MANIFEST_SCHEMA_DEPTH = 32;

/** How deeply objects and arrays nest in a JSON value (stops counting past the limit). */
function depth(v: unknown, level = 0): number {
  if (level > MAX_MANIFEST_SCHEMA_DEPTH || typeof v !== 'object' || v === null) return level;
  return Object.values(v).reduce<number>((deepest, x) => Math.max(deepest, depth(x, level + 1)), level + 1);
}

/** Loaded gate plugins by type name, with their compiled parameter validators. */
export class PluginRegistry {
  private readonly plugins = new Map<string, LoadedPlugin>();
  private readonly validators = new Map<string, ValidateFunction>();
  // strict off: plugin authors write ordinary JSON Schema, possibly with annotations ajv does not know.
  private readonly ajv = new Ajv({ strict: false, allErrors: true });

  /**
   * Register a plugin's code (from `source`: a `use` source, a --plugin argument or "builtin"; `loc` is the
   * `use` declaration). When the plugin also has a `manifest`, the two must agree (MTL4207): the manifest is
   * what untrusted checks go by. Returns MTL4004 (missing or ill-typed field), MTL4005 (schema does not
   * compile) or MTL4006 (duplicate name) diagnostics; the plugin is registered only when there are none.
   */
  register(plugin: GatePlugin, source: string, loc?: Range, manifest?: unknown): Diagnostic[] {
    const range = loc ?? FILE_START;
    const invalid = (detail: string): Diagnostic => diag('MTL4004', range, { source, detail });
    if (typeof plugin !== 'object' || plugin === null || Array.isArray(plugin)) return [invalid('the factory did not return an object')];
    const p = plugin as unknown as Record<string, unknown>;
    const problems = declarationProblems(p).map(invalid);
    if (typeof p.build !== 'function') problems.push(invalid("'build' must be a function"));
    if (p.check !== undefined && typeof p.check !== 'function') problems.push(invalid("'check' must be a function when present"));
    if (p.layers !== undefined && !Array.isArray(p.layers)) problems.push(invalid("'layers' must be a list of layer classes when present"));
    if (problems.length) return problems;
    const drift = manifest === undefined ? undefined : manifestDrift(manifest, plugin);
    if (drift) return [diag('MTL4207', range, { source, detail: drift })];
    const declared: PluginManifest = { name: plugin.name, version: plugin.version, description: plugin.description, paramsSchema: plugin.paramsSchema };
    return this.add({ manifest: declared, plugin, source, ...(loc ? { loc } : {}) });
  }

  /**
   * Register a plugin from its manifest alone (its code is not trusted to run): gate types and parameters
   * are checked, the plugin's own `check` is not. Returns MTL4004 for a field missing or of the wrong type,
   * and MTL4005/MTL4006 like {@link register}.
   */
  declare(manifest: unknown, source: string, loc?: Range): Diagnostic[] {
    const range = loc ?? FILE_START;
    if (!isPlainObject(manifest)) return [diag('MTL4004', range, { source, detail: 'its manifest is not a JSON object' })];
    const problems = declarationProblems(manifest).map((detail) => diag('MTL4004', range, { source, detail: `manifest: ${detail}` }));
    // ajv treats schemas as trusted; an untrusted one is kept shallow so compiling it cannot overflow the stack.
    if (!problems.length && depth(manifest.paramsSchema) > MAX_MANIFEST_SCHEMA_DEPTH) {
      problems.push(diag('MTL4004', range, { source, detail: `manifest: 'paramsSchema' nests deeper than ${MAX_MANIFEST_SCHEMA_DEPTH} levels` }));
    }
    if (problems.length) return problems;
    const m = manifest as unknown as PluginManifest;
    return this.add({ manifest: { name: m.name, version: m.version, description: m.description, paramsSchema: m.paramsSchema }, source, ...(loc ? { loc } : {}) });
  }

  /** Add a checked entry: refuse a duplicate name (MTL4006) or a schema that does not compile (MTL4005). */
  private add(entry: LoadedPlugin): Diagnostic[] {
    const { name, paramsSchema } = entry.manifest;
    const range = entry.loc ?? FILE_START;
    const previous = this.plugins.get(name);
    if (previous) {
      return [
        diag('MTL4006', range, { name, previous: previous.source }, {
          // A built-in gate needs no `use` line at all; the catalog's hint (remove one of two lines) would not apply.
          ...(previous.source === 'builtin' ? { hint: `'${name}' is built in: remove this \`use\` line` } : {}),
          ...(previous.loc ? { related: [{ range: previous.loc, message: `'${name}' is first loaded here` }] } : {}),
        }),
      ];
    }
    let validate: ValidateFunction;
    try {
      validate = this.ajv.compile(paramsSchema);
    } catch (e) {
      return [diag('MTL4005', range, { name, detail: (e instanceof Error ? e.message : String(e)).replace(/\.$/, '') })];
    }
    this.plugins.set(name, entry);
    this.validators.set(name, validate);
    return [];
  }

  /** The loaded plugin of a gate type. */
  get(type: string): LoadedPlugin | undefined {
    return this.plugins.get(type);
  }

  /** The registered gate types, in registration order. */
  types(): string[] {
    return [...this.plugins.keys()];
  }

  /** Every registered plugin whose code is loaded, in registration order (manifest-only ones cannot build a gate). */
  gatePlugins(): GatePlugin[] {
    return [...this.plugins.values()].flatMap((p) => (p.plugin ? [p.plugin] : []));
  }

  /**
   * Check a gate's parameters against its plugin's `paramsSchema`. Returns the problems (empty when
   * valid), or undefined when no plugin has that type.
   */
  validateParams(type: string, params: unknown): ParamIssue[] | undefined {
    const loaded = this.plugins.get(type);
    const validate = this.validators.get(type);
    if (!loaded || !validate) return undefined;
    if (!isPlainObject(params)) return [{ property: 'params', message: 'the parameters must be a mapping of names to values', keyword: 'type' }];
    if (validate(params)) return [];
    const known = Object.keys((loaded.manifest.paramsSchema as { properties?: object }).properties ?? {});
    return (validate.errors ?? []).map((e) => toIssue(e, known));
  }
}

/** What is wrong with the declared fields (name, version, description, paramsSchema) of a plugin or manifest. */
function declarationProblems(p: Record<string, unknown>): string[] {
  const problems: string[] = [];
  if (typeof p.name !== 'string') problems.push("'name' must be a string");
  else if (!NAME_PATTERN.test(p.name)) problems.push(`'name' ('${p.name}') must start with a letter and use only letters, digits, '-' and '_'`);
  if (typeof p.version !== 'string') problems.push("'version' must be a string");
  if (typeof p.description !== 'string') problems.push("'description' must be a string");
  if (!isPlainObject(p.paramsSchema)) problems.push("'paramsSchema' must be a JSON Schema object");
  return problems;
}

/** How a manifest differs from its plugin's code (name, version or parameter schema), or undefined when they agree. */
export function manifestDrift(manifest: unknown, plugin: PluginManifest): string | undefined {
  if (!isPlainObject(manifest)) return 'the manifest is not a JSON object';
  if (manifest.name !== plugin.name) return `the manifest names the gate '${String(manifest.name)}', the code '${plugin.name}'`;
  if (manifest.version !== plugin.version) return `the manifest says version ${String(manifest.version)}, the code ${plugin.version}`;
  if (canonicalJson(manifest.paramsSchema) !== canonicalJson(plugin.paramsSchema)) return "the manifest's 'paramsSchema' differs from the code's";
  return undefined;
}

/** One ajv error as a {@link ParamIssue}. */
function toIssue(e: ErrorObject, known: string[]): ParamIssue {
  const segments = e.instancePath.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  const name = segments.join('.');
  const property = segments.length ? `params.${name}` : 'params';
  const params = e.params as Record<string, unknown>;
  if (e.keyword === 'required') {
    return { property, message: `the required parameter '${String(params.missingProperty)}' is missing`, keyword: e.keyword };
  }
  if (e.keyword === 'additionalProperties') {
    const extra = String(params.additionalProperty);
    const guess = suggest(extra, known);
    const hint = guess !== undefined ? `did you mean '${guess}'?` : known.length ? `known parameters: ${known.join(', ')}` : 'this gate takes no parameters';
    return { property: `params.${extra}`, message: `'${extra}' is not a parameter of this gate`, hint, keyword: e.keyword };
  }
  const what = segments.length ? `parameter '${name}'` : 'the parameters';
  // ajv says "must be number"; users read "must be a number".
  const text = e.keyword === 'type' && typeof params.type === 'string' ? `must be ${/^[aeiou]/.test(params.type) ? 'an' : 'a'} ${params.type}` : e.message;
  const issue: ParamIssue = { property, message: `${what} ${text ?? `breaks '${e.keyword}'`}`, keyword: e.keyword };
  if (e.keyword === 'enum' && Array.isArray(params.allowedValues)) issue.hint = `allowed: ${params.allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
  return issue;
}
