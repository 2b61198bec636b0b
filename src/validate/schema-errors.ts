/**
 * Turning ajv errors on the IR schema into located MTL2xxx diagnostics. Shared by the YAML/JSON
 * loader (ranges from the YAML document) and the schema check (ranges from the IR's `locs`):
 * both provide a {@link SchemaLocator}.
 */
import type { ErrorObject } from 'ajv';
import { diag } from '../diagnostics/catalog.js';
import { suggest } from '../diagnostics/suggest.js';
import { FILE_START, type Diagnostic, type Fix, type Range } from '../diagnostics/types.js';
import { IR_VERSION } from '../ir/types.js';
import { MODEL_IR_SCHEMA } from '../ir/schema.js';

/** A path into the spec data: property names and array indices. */
export type DataPath = Array<string | number>;

/** Where things are in the source, for a path into the data. */
export interface SchemaLocator {
  /** The range of the value at `path`; `exact` when it is the value's own range (safe for a quick fix). */
  value(path: DataPath): { range: Range; exact: boolean } | undefined;
  /** The range of the key naming the last segment of `path` (a property name), when known. */
  key(path: DataPath): Range | undefined;
}

/** Split a JSON pointer (`/nodes/3/over/1`) into segments; numeric segments become numbers. */
export function parsePointer(pointer: string): DataPath {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^(0|[1-9]\d*)$/.test(s) ? Number(s) : s));
}

/** The value at `path` in `data`, or undefined. */
export function valueAt(data: unknown, path: DataPath): unknown {
  let cur: unknown = data;
  for (const seg of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[seg];
  }
  return cur;
}

const NODE_KINDS = new Set(['input', 'layer', 'experts', 'gate', 'tower']);

const DECL_LISTS: Record<string, string> = {
  features: 'feature',
  labels: 'label',
  nodes: 'node',
  tasks: 'task',
  metrics: 'metric',
  plugins: 'plugin',
};

/** The declaration a path is in (its path and a phrase naming it) and the property path inside it. */
export function ownerOf(data: unknown, path: DataPath): { ownerPath: DataPath; owner: string; prop: string } {
  const [first, second] = path;
  let ownerPath: DataPath = [];
  let owner = 'the model';
  if (typeof first === 'string' && first in DECL_LISTS && typeof second === 'number') {
    ownerPath = [first, second];
    const decl = valueAt(data, ownerPath) as Record<string, unknown> | undefined;
    const name = decl && typeof decl === 'object' && typeof decl.name === 'string' ? decl.name : undefined;
    const kind = first === 'nodes' && decl && typeof decl.kind === 'string' && NODE_KINDS.has(decl.kind) ? decl.kind : DECL_LISTS[first];
    if (first === 'metrics' && decl && typeof decl === 'object') {
      owner = `metric ${String(decl.fn ?? '?')}(${String(decl.output ?? '?')})`;
    } else if (first === 'plugins') {
      owner = `plugin #${second + 1}`;
    } else {
      owner = name !== undefined ? `${kind} '${name}'` : `${first}[${second}]`;
    }
  } else if (first === 'train') {
    ownerPath = ['train'];
    owner = 'the train settings';
  } else if (first === 'data') {
    ownerPath = ['data'];
    owner = 'the data source';
  }
  return { ownerPath, owner, prop: path.slice(ownerPath.length).join('.') };
}

const TYPE_WORDS: Record<string, string> = {
  integer: 'an integer',
  number: 'a number',
  string: 'a string',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping',
  null: 'null',
};

/** Describe a JSON type name (or list of them) for a message. */
function typeWords(t: unknown): string {
  const list = Array.isArray(t) ? t : [t];
  return list.map((x) => TYPE_WORDS[String(x)] ?? String(x)).join(' or ');
}

/** Capitalise the first letter (owners start sentences). */
function cap(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** A quick fix replacing `range` by `newText`. */
export function replaceFix(range: Range, from: string, to: string): Fix {
  return { title: `Replace '${from}' with '${to}'`, edits: [{ range, newText: to }] };
}

/** The `kind` values a discriminated union schema (`oneOf` of `$ref`s) allows. */
function kindsOf(schema: unknown): string[] {
  const defs = MODEL_IR_SCHEMA.definitions as Record<string, { properties?: { kind?: { const?: string } } }>;
  const oneOf = (schema as { oneOf?: Array<{ $ref?: string }> } | undefined)?.oneOf ?? [];
  return oneOf
    .map((s) => (s.$ref ? defs[s.$ref.replace('#/definitions/', '')]?.properties?.kind?.const : undefined))
    .filter((k): k is string => typeof k === 'string');
}

/** Render a value for a message: strings quoted, others as JSON. */
function show(v: unknown): string {
  return typeof v === 'string' ? `'${v}'` : JSON.stringify(v) ?? String(v);
}

/** True for an error of the and/or branch of a label expression (the branch every malformed expression falls into). */
function inLabelExprBranch(err: ErrorObject): boolean {
  const props = (err.parentSchema as { properties?: Record<string, unknown> } | undefined)?.properties;
  return !!props && 'op' in props && 'args' in props;
}

/** Convert ajv errors (from {@link irValidator}) on `data` into diagnostics located by `locate`. */
export function schemaErrorsToDiagnostics(
  errors: readonly ErrorObject[],
  data: unknown,
  locate: SchemaLocator,
  file?: string,
): Diagnostic[] {
  const out: Diagnostic[] = [];
  const seen = new Set<string>();
  const extras = file !== undefined ? { file } : {};
  const push = (d: Diagnostic): void => {
    const key = `${d.code}|${d.message}|${JSON.stringify(d.range)}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push(d);
  };
  const valueRange = (path: DataPath): Range => {
    for (let p = path; ; p = p.slice(0, -1)) {
      const r = locate.value(p);
      if (r) return r.range;
      if (p.length === 0) return FILE_START;
    }
  };
  // Where a missing property is reported: a declaration's name, else the key of the object, else the object.
  const objectRange = (path: DataPath): Range => {
    const last = path[path.length - 1];
    if (typeof last === 'number' || path.length === 0) {
      const nameRange = locate.value([...path, 'name']);
      if (nameRange) return nameRange.range;
      return valueRange(path);
    }
    return locate.key(path) ?? valueRange(path);
  };
  const badLabelExprs = new Set<string>();

  for (const err of errors) {
    const path = parsePointer(err.instancePath);
    const { owner, prop } = ownerOf(data, path);
    const at = (p: string): string => (prop ? `${prop}.${p}` : p);

    // A malformed label expression produces several errors of its and/or branch: report it once.
    if (inLabelExprBranch(err) && (err.keyword === 'required' || err.keyword === 'additionalProperties')) {
      const key = err.instancePath;
      if (badLabelExprs.has(key)) continue;
      badLabelExprs.add(key);
      push(
        diag('MTL2007', valueRange(path), { prop, owner, detail: 'is not a label expression' }, {
          ...extras,
          hint: 'write {label: NAME}, {op: and|or, args: [EXPR, ...]} or {op: not, arg: EXPR}',
        }),
      );
      continue;
    }

    switch (err.keyword) {
      case 'if':
        continue; // the failing then/else branch reported its own errors
      case 'required': {
        const missing = String((err.params as { missingProperty: string }).missingProperty);
        push(diag('MTL2003', objectRange(path), { owner: cap(owner), prop: at(missing) }, extras));
        continue;
      }
      case 'additionalProperties': {
        const extra = String((err.params as { additionalProperty: string }).additionalProperty);
        const allowed = Object.keys(((err.parentSchema as { properties?: object } | undefined)?.properties ?? {}) as object);
        const keyPath = [...path, extra];
        const range = locate.key(keyPath) ?? valueRange(keyPath);
        const guess = suggest(extra, allowed);
        const hint = guess !== undefined ? `did you mean '${guess}'?` : allowed.length ? `allowed properties: ${allowed.join(', ')}` : undefined;
        push(
          diag('MTL2004', range, { owner: cap(owner), prop: at(extra) }, {
            ...extras,
            ...(hint !== undefined ? { hint } : {}),
            ...(guess !== undefined && locate.key(keyPath) ? { fix: replaceFix(range, extra, guess) } : {}),
          }),
        );
        continue;
      }
      case 'type': {
        const expected = typeWords((err.params as { type: unknown }).type);
        const message = prop ? undefined : `${cap(owner)} must be ${expected}.`;
        push(diag('MTL2005', valueRange(path), { prop, owner, expected }, { ...extras, ...(message ? { message } : {}) }));
        continue;
      }
      case 'const':
      case 'enum': {
        const actual = valueAt(data, path);
        if (path.length === 1 && path[0] === 'version') {
          push(diag('MTL2002', valueRange(path), { found: show(actual), expected: IR_VERSION }, extras));
          continue;
        }
        const allowed: unknown[] =
          err.keyword === 'enum' ? (err.params as { allowedValues: unknown[] }).allowedValues : [(err.params as { allowedValue: unknown }).allowedValue];
        const names = allowed.map(String);
        const guess = typeof actual === 'string' ? suggest(actual, names) : undefined;
        const exact = locate.value(path);
        const hint = (guess !== undefined ? `did you mean '${guess}'? ` : '') + `allowed: ${names.join(', ')}`;
        push(
          diag('MTL2006', valueRange(path), { prop, owner, value: show(actual) }, {
            ...extras,
            hint,
            ...(guess !== undefined && exact?.exact && typeof actual === 'string' ? { fix: replaceFix(exact.range, actual, guess) } : {}),
          }),
        );
        continue;
      }
      case 'discriminator': {
        const params = err.params as { error: string; tagValue?: unknown };
        const kinds = kindsOf(err.parentSchema);
        const kindPath = [...path, 'kind'];
        const actual = valueAt(data, kindPath);
        if (params.error === 'mapping' && typeof actual === 'string') {
          const guess = suggest(actual, kinds);
          const exact = locate.value(kindPath);
          push(
            diag('MTL2009', valueRange(kindPath), { owner: cap(owner), kind: actual }, {
              ...extras,
              hint: (guess !== undefined ? `did you mean '${guess}'? ` : '') + `kinds: ${kinds.join(', ')}`,
              ...(guess !== undefined && exact?.exact ? { fix: replaceFix(exact.range, actual, guess) } : {}),
            }),
          );
        } else if (actual === undefined) {
          push(diag('MTL2003', objectRange(path), { owner: cap(owner), prop: at('kind') }, { ...extras, hint: `kinds: ${kinds.join(', ')}` }));
        } else {
          push(diag('MTL2005', valueRange(kindPath), { prop: at('kind'), owner, expected: `one of ${kinds.join(', ')}` }, extras));
        }
        continue;
      }
      default:
        push(diag('MTL2007', valueRange(path), { prop, owner, detail: err.message ?? `breaks the schema keyword '${err.keyword}'` }, extras));
    }
  }
  return out;
}
