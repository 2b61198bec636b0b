/**
 * The search space of `mtl tune`: a YAML or JSON file mapping IR paths of the spec's settings to
 * distributions, checked against schema/tune-space.schema.json with every error located at the line and
 * column of the offending value (like the YAML spec loader, src/language/load.ts).
 *
 *   params:
 *     train.lr: { loguniform: [0.0001, 0.1] }
 *     train.batch: { int: [128, 1024], log: true }
 *     experts.e.units: { choice: [8, 16, 32] }
 *     experts.e.dropout: { uniform: [0, 0.3] }
 *   objective: auc(edu) + auc(marital)     # optional; default: the spec's early_stop
 *   direction: maximize                    # optional
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { parseDocument } from 'yaml';
import { diag } from '../diagnostics/catalog.js';
import { suggest } from '../diagnostics/suggest.js';
import { FILE_START, type Diagnostic, type Range } from '../diagnostics/types.js';
import { LineIndex } from '../language/positions.js';
import { yamlLocatorOf } from '../language/load.js';
import { parsePointer, type DataPath } from '../validate/schema-errors.js';
import { TUNE_SPACE_SCHEMA } from './space-schema.js';

/** One parameter's distribution. */
export type Distribution =
  | { kind: 'uniform'; low: number; high: number; log: false }
  | { kind: 'uniform'; low: number; high: number; log: true }
  | { kind: 'int'; low: number; high: number; log: boolean }
  | { kind: 'choice'; values: ParamValue[] };

/** A sampled value: a number, a name, a flag, or a list of numbers (layer widths). */
export type ParamValue = number | string | boolean | number[];

/** One searched setting. */
export interface SpaceParam {
  /** The IR path as written in the file, e.g. `experts.e.units`. */
  path: string;
  dist: Distribution;
  /** Where the key is in the space file (for diagnostics on the path). */
  keyRange: Range;
  /** Where the distribution is. */
  range: Range;
}

/** A loaded search space. */
export interface SearchSpace {
  params: SpaceParam[];
  objective?: { text: string; range: Range };
  direction?: 'maximize' | 'minimize';
}

const KINDS = ['uniform', 'loguniform', 'int', 'choice'] as const;

let validators: { top: ValidateFunction; kinds: Record<string, ValidateFunction> } | undefined;

/** The compiled schema: the whole file with params unchecked, and one validator per distribution kind. */
function compiled(): NonNullable<typeof validators> {
  if (validators) return validators;
  const ajv = new Ajv({ allErrors: true, strict: true });
  const top = ajv.compile({ ...TUNE_SPACE_SCHEMA, $id: undefined, properties: { ...TUNE_SPACE_SCHEMA.properties, params: { type: 'object', minProperties: 1 } } });
  const kinds: Record<string, ValidateFunction> = {};
  for (const k of TUNE_SPACE_SCHEMA.properties.params.additionalProperties.oneOf) kinds[k.required[0]] = ajv.compile(k);
  return (validators = { top, kinds });
}

/** Ranges in a space file by data path: a value's (else its nearest located ancestor's), a key's (else its value's). */
function locator(text: string, doc: ReturnType<typeof parseDocument>): { value(path: DataPath): Range; key(path: DataPath): Range } {
  const loc = yamlLocatorOf(text, doc);
  const value = (path: DataPath): Range => {
    for (let n = path.length; n >= 0; n--) {
      const r = loc.value(path.slice(0, n));
      if (r) return r.range;
    }
    return FILE_START;
  };
  return { value, key: (path) => loc.key(path) ?? value(path) };
}

/** One ajv error as a sentence. */
function describe(e: ErrorObject, where: string): { problem: string; fix: string } {
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'additionalProperties':
      return { problem: `unknown key '${String(p['additionalProperty'])}' in ${where}`, fix: 'The file has the keys params, objective and direction; a distribution is one of uniform, loguniform, int (with log), choice.' };
    case 'required':
      return { problem: `${where} needs '${String(p['missingProperty'])}'`, fix: 'Declare the searched settings under `params:`.' };
    case 'minItems':
    case 'maxItems':
      return { problem: `${where} must have ${e.keyword === 'minItems' ? 'at least' : 'at most'} ${String(p['limit'])} item(s)`, fix: 'A range is [low, high]; a choice lists at least one value.' };
    case 'enum':
      return { problem: `${where} must be one of ${(p['allowedValues'] as unknown[]).join(', ')}`, fix: 'direction is maximize or minimize.' };
    default:
      return { problem: `${where} ${e.message ?? 'is invalid'}`, fix: 'See schema/tune-space.schema.json.' };
  }
}

/**
 * Read and check a search-space file's text; diagnostics carry `file` and located ranges. The space holds
 * the entries that are valid (when the file as a whole is); it is usable only without diagnostics.
 */
export function parseSpace(text: string, file: string): { space?: SearchSpace; diagnostics: Diagnostic[] } {
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true });
  const loc = locator(text, doc);
  const index = new LineIndex(text);
  const out: Diagnostic[] = [];
  const err = (problem: string, fix: string, range: Range): void => void out.push(diag('MTL5711', range, { problem, fix }, { file }));
  if (doc.errors.length) {
    for (const e of doc.errors.slice(0, 5)) {
      const at = index.position(e.pos[0]);
      err(e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, ''), 'Fix the YAML/JSON syntax.', { start: at, end: index.position(e.pos[1]) });
    }
    return { diagnostics: out };
  }
  const data = doc.toJS() as unknown;
  const { top, kinds } = compiled();
  if (!top(data)) {
    for (const e of top.errors ?? []) {
      const path = parsePointer(e.instancePath);
      const where = path.length ? `'${path.join('.')}'` : 'the file';
      const { problem, fix } = describe(e, where);
      const range = e.keyword === 'additionalProperties' ? loc.key([...path, String((e.params as Record<string, unknown>)['additionalProperty'])]) : loc.value(path);
      err(problem, fix, range);
    }
    return { diagnostics: out };
  }
  const file0 = data as { params: Record<string, unknown>; objective?: string; direction?: 'maximize' | 'minimize' };
  const params: SpaceParam[] = [];
  for (const [key, raw] of Object.entries(file0.params)) {
    const base = ['params', key];
    const range = loc.value(base);
    const obj = raw && typeof raw === 'object' && !Array.isArray(raw) ? (raw as Record<string, unknown>) : undefined;
    const kind = obj ? KINDS.find((k) => k in obj) : undefined;
    if (!obj || !kind) {
      const given = obj ? Object.keys(obj)[0] : undefined;
      const close = given ? suggest(given, KINDS) : undefined;
      err(`'${key}' must be a distribution: one of uniform, loguniform, int, choice${given ? `, not '${given}'` : ''}`, close ? `Did you mean '${close}'?` : 'e.g. { loguniform: [0.0001, 0.1] } or { choice: [16, 32, 64] }.', given ? loc.key([...base, given]) : range);
      continue;
    }
    const check = kinds[kind]!;
    if (!check(obj)) {
      const e = check.errors![0]!;
      const path = [...base, ...parsePointer(e.instancePath)];
      const { problem, fix } = describe(e, `'${path.slice(1).join('.')}'`);
      const where = e.keyword === 'type' && path.length > 3 ? `'${key}': ${kind} takes ${kind === 'int' ? 'integers' : 'numbers'}` : undefined;
      err(where ?? problem, where ? 'Write the range as [low, high].' : fix, e.keyword === 'additionalProperties' ? loc.key([...path, String((e.params as Record<string, unknown>)['additionalProperty'])]) : loc.value(path));
      continue;
    }
    const dist = toDistribution(kind, obj);
    const bad = rangeProblem(dist);
    if (bad) {
      out.push(diag('MTL5714', range, { path: key, problem: bad }, { file }));
      continue;
    }
    params.push({ path: key, dist, keyRange: loc.key(base), range });
  }
  // The valid entries are returned with the diagnostics of the others, so that all problems are reported at once.
  const space: SearchSpace = { params };
  if (file0.objective !== undefined) space.objective = { text: file0.objective, range: loc.value(['objective']) };
  if (file0.direction !== undefined) space.direction = file0.direction;
  return { space, diagnostics: out };
}

/** The distribution a schema-valid entry declares. */
function toDistribution(kind: (typeof KINDS)[number], obj: Record<string, unknown>): Distribution {
  if (kind === 'choice') return { kind, values: obj['choice'] as ParamValue[] };
  const [low, high] = obj[kind] as [number, number];
  if (kind === 'int') return { kind, low, high, log: obj['log'] === true };
  return kind === 'loguniform' ? { kind: 'uniform', low, high, log: true } : { kind: 'uniform', low, high, log: false };
}

/** Why a range is empty or reversed, if it is. */
function rangeProblem(d: Distribution): string | undefined {
  if (d.kind === 'choice') return undefined;
  if (!(d.low < d.high)) return `the range [${d.low}, ${d.high}] is empty or reversed`;
  if (d.log && d.low <= 0) return `a log scale needs low > 0, got ${d.low}`;
  return undefined;
}
