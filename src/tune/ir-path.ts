/**
 * Settings of a spec addressed by IR path (`train.lr`, `experts.e.units`, `towers.edu.dropout`,
 * `features.age.dim`): resolving a path against a checked IR, and writing values into the spec's source
 * text in place, so that a trial's spec and best.mtl keep the user's comments and layout.
 *
 * Path rules: the first segment is a top-level IR key (`train`, `features`, `nodes`, …) or a node kind
 * (`experts`, `gates`, `towers`, `layers`, `inputs`, singular or plural) followed by the node's name;
 * a list of declarations is indexed by name; snake_case segments are read as the IR's camelCase
 * (`train.valid_split` = `train.validSplit`); a node's MLP settings (`units`, `dropout`, `activation`,
 * `batchNorm`) are reached directly on the node. A number given for `units` sets every layer.
 */
import type { ModelIR } from '../ir/types.js';
import type { Range } from '../diagnostics/types.js';
import { suggest } from '../diagnostics/suggest.js';
import { LineIndex } from '../language/positions.js';
import { printIR } from '../language/printer.js';
import type { ParamValue } from './space.js';

/** The kind of value a setting holds. */
export type SettingKind = 'number' | 'integer' | 'name' | 'flag' | 'list of numbers';

/** A resolved setting. */
export interface ResolvedSetting {
  /** The object holding the setting (inside the IR given to {@link resolvePath}). */
  holder: Record<string, unknown>;
  key: string;
  /** The value in the spec. */
  current: unknown;
  kind: SettingKind;
  /** Source ranges of the value in the spec's text (one per list element for `units`); empty when the spec does not spell it out. */
  ranges: Range[];
}

const NODE_KINDS: Record<string, string> = { experts: 'experts', expert: 'experts', gates: 'gate', gate: 'gate', towers: 'tower', tower: 'tower', layers: 'layer', layer: 'layer', inputs: 'input', input: 'input' };

/** snake_case → camelCase (`valid_split` → `validSplit`). */
const camel = (s: string): string => s.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => Boolean(v) && typeof v === 'object' && !Array.isArray(v);
/** Keys that are bookkeeping, not settings. */
const HIDDEN = new Set(['loc', 'locs', 'doc', 'width', 'name', 'kind']);

/** What was wrong with a path: the reason and a suggested fix. */
export class PathError extends Error {
  constructor(readonly reason: string, readonly fix: string) {
    super(reason);
  }
}

function kindOf(v: unknown): SettingKind | undefined {
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  if (typeof v === 'string') return 'name';
  if (typeof v === 'boolean') return 'flag';
  if (Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'number')) return 'list of numbers';
  return undefined;
}

function didYouMean(seg: string, options: string[]): string {
  const close = suggest(seg, options);
  return close ? `Did you mean '${close}'?` : `Choose one of: ${options.slice(0, 12).join(', ')}${options.length > 12 ? ', …' : ''}.`;
}

/** The settings under an object (for messages): its own scalar keys and its MLP's. */
function settingKeys(o: Obj): string[] {
  const keys = Object.keys(o).filter((k) => !HIDDEN.has(k) && (kindOf(o[k]) !== undefined || isObj(o[k])));
  if (isObj(o['mlp'])) keys.push(...Object.keys(o['mlp']).filter((k) => kindOf((o['mlp'] as Obj)[k]) !== undefined));
  return [...new Set(keys.filter((k) => k !== 'mlp'))];
}

/**
 * Resolve `path` in `ir` (an IR with `locs`, as checkText/checkFile return it). Throws {@link PathError}
 * naming the first segment that names nothing, with a did-you-mean.
 */
export function resolvePath(ir: ModelIR, path: string): ResolvedSetting {
  const segs = path.split('.');
  let cur: unknown = ir;
  // The nearest declaration with `locs`, and the property path from it.
  let owner: Obj | undefined;
  let rel: string[] = [];
  for (let i = 0; i < segs.length; i++) {
    const seg = segs[i]!;
    const at = segs.slice(0, i + 1).join('.');
    if (cur === ir && seg in NODE_KINDS) {
      const name = segs[++i];
      const nodes = ir.nodes.filter((n) => n.kind === NODE_KINDS[seg]);
      if (name === undefined) throw new PathError(`'${at}' must be followed by the name of a ${NODE_KINDS[seg]} node`, `Its nodes: ${nodes.map((n) => n.name).join(', ') || 'none'}.`);
      const node = nodes.find((n) => n.name === name);
      if (!node) throw new PathError(`the spec has no ${NODE_KINDS[seg]} node '${name}'`, nodes.length ? didYouMean(name, nodes.map((n) => n.name)) : `It has no ${NODE_KINDS[seg]} nodes.`);
      cur = node;
      owner = node as unknown as Obj;
      rel = [];
      continue;
    }
    if (Array.isArray(cur)) {
      const named = cur.filter(isObj);
      const el = /^\d+$/.test(seg) ? cur[Number(seg)] : named.find((x) => x['name'] === seg);
      if (el === undefined) throw new PathError(`'${segs.slice(0, i).join('.')}' has no entry '${seg}'`, didYouMean(seg, named.map((x) => String(x['name']))));
      cur = el;
      if (isObj(el) && isObj(el['locs'])) {
        owner = el;
        rel = [];
      } else rel.push(seg);
      continue;
    }
    if (!isObj(cur)) throw new PathError(`'${segs.slice(0, i).join('.')}' is a value, not a block`, `Stop the path at '${segs.slice(0, i).join('.')}'.`);
    const key = camel(seg);
    if (key in cur && !HIDDEN.has(key)) {
      cur = cur[key];
      if (cur === (ir.train as unknown) || cur === (ir.data as unknown)) {
        owner = cur as Obj;
        rel = [];
      } else rel.push(key);
    } else if (isObj(cur['mlp']) && key in (cur['mlp'] as Obj)) {
      cur = (cur['mlp'] as Obj)[key];
      rel.push('mlp', key);
    } else {
      const options = i === 0 ? ['train', 'features', 'labels', 'tasks', 'experts', 'gates', 'towers', 'layers', 'inputs', 'data'] : settingKeys(cur);
      throw new PathError(`${i === 0 ? 'the spec' : `'${segs.slice(0, i).join('.')}'`} has no setting '${seg}'`, didYouMean(seg, options));
    }
  }
  const kind = kindOf(cur);
  if (!kind) throw new PathError(`'${path}' is a block, not a setting`, isObj(cur) ? `Its settings: ${settingKeys(cur).join(', ')}.` : 'Name a number, a name or a list of numbers.');
  // The holder is the object owning the last key (walk again: `cur` is the value).
  const last = rel[rel.length - 1] ?? camel(segs[segs.length - 1]!);
  const holderPath = rel.slice(0, -1);
  let holder: Obj = owner ?? (ir as unknown as Obj);
  for (const k of holderPath) holder = holder[k] as Obj;
  const locs = (owner?.['locs'] ?? {}) as Record<string, Range>;
  const relText = rel.join('.');
  const noMlp = rel.filter((k) => k !== 'mlp').join('.');
  const rangeOf = (p: string): Range | undefined => locs[p] ?? locs[p.replace(/^mlp\./, '')];
  let ranges: Range[] = [];
  if (kind === 'list of numbers') {
    const list = cur as number[];
    const rs = list.map((_, j) => rangeOf(`${relText}.${j}`) ?? locs[`${noMlp}.${j}`]);
    ranges = rs.every((r): r is Range => r !== undefined) ? rs : [];
  } else {
    const r = rangeOf(relText) ?? locs[noMlp];
    ranges = r ? [r] : [];
  }
  return { holder, key: last, current: cur, kind, ranges };
}

/** A setting kind with its article, for messages ("an integer", "a name"). */
export function withArticle(kind: SettingKind): string {
  return `${kind === 'integer' ? 'an' : 'a'} ${kind}`;
}

/** Whether `value` can be the value of a setting of `kind` (the `units` list also takes one number). */
export function fits(kind: SettingKind, value: ParamValue): boolean {
  switch (kind) {
    case 'integer':
      return typeof value === 'number';
    case 'number':
      return typeof value === 'number';
    case 'name':
      return typeof value === 'string';
    case 'flag':
      return typeof value === 'boolean';
    case 'list of numbers':
      return typeof value === 'number' || (Array.isArray(value) && value.length > 0);
  }
}

/** A value as .mtl source text. */
function sourceText(v: number | string | boolean, quoted: boolean): string {
  if (typeof v === 'string') return quoted ? JSON.stringify(v) : v;
  return String(v);
}

/**
 * The spec's text with `values` (IR path → value) written in. Each value replaces its source text where
 * the spec spells the setting out (comments and layout kept); when one is not in the text (a default, or a
 * list of another length), the whole spec is printed from the changed IR instead (`printed: true`: the
 * comments are then lost). `check` re-parses the result, so any invalid combination is reported there.
 */
export function applySettings(text: string, ir: ModelIR, values: Record<string, ParamValue>): { text: string; printed: boolean } {
  const copy = structuredClone(ir);
  const edits: Array<{ range: Range; text: string }> = [];
  const index = new LineIndex(text);
  let inPlace = true;
  for (const [path, value] of Object.entries(values)) {
    const s = resolvePath(copy, path);
    const list = s.kind === 'list of numbers' ? (typeof value === 'number' ? (s.current as number[]).map(() => value) : (value as number[])) : undefined;
    s.holder[s.key] = list ?? value;
    const parts = list ?? [value as number | string | boolean];
    if (s.ranges.length !== parts.length) {
      inPlace = false;
      continue;
    }
    parts.forEach((p, j) => {
      const r = s.ranges[j]!;
      edits.push({ range: r, text: sourceText(p, /^["']/.test(text.slice(index.offsetAt(r.start)))) });
    });
  }
  if (!inPlace) return { text: printIR(copy), printed: true };
  // Replace from the end, so that earlier offsets stay valid.
  const sorted = edits.map((e) => ({ from: index.offsetAt(e.range.start), to: index.offsetAt(e.range.end), text: e.text })).sort((a, b) => b.from - a.from);
  let out = text;
  for (const e of sorted) out = out.slice(0, e.from) + e.text + out.slice(e.to);
  return { text: out, printed: false };
}
