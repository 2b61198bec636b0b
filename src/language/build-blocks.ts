/**
 * CST→IR for the block declarations: `features { … }`, `labels { … }`, `data { … }`, `train { … }`.
 * Their option words are identifiers in the grammar; here they are checked (unknown word → did you
 * mean, repeated word, value of the wrong kind) and given their IR shape and defaults.
 */
import { suggest } from '../diagnostics/suggest.js';
import type { CstNode, IToken } from 'chevrotain';
import type { Range } from '../diagnostics/types.js';
import {
  CATEGORICAL_OPTIONS, FILE_DATA_KEYS, LABEL_OPTIONS, LABEL_TYPES, MAXIMISED_METRICS, MISSING_WORDS, MODES,
  NORMALIZATIONS, NUMERIC_OPTIONS, OPTIMIZERS, POOLINGS, SEQUENCE_OPTIONS, TRAIN_KEYS, WEIGHTINGS,
  EMBEDDING_OPTIMIZERS, EVERY_UNITS, SCHEDULES,
} from './vocabulary.js';
import { edgeTokens, kindName, sub, subs, tok, toks, toJson, type BuildContext, type Value } from './build-context.js';
import { buildMetricCall } from './build-nodes.js';
import {
  DEFAULT_MISSING, DEFAULT_TRAIN, type DataSource, type Feature, type IdSpace, type JsonValue, type Label, type Located,
  type LrSchedule, type MetricTerm, type NumericMissing, type TrainSettings,
} from '../ir/types.js';

/** One `WORD VALUE[, VALUE]...` entry as written. */
interface Entry {
  key: string;
  keyToken: IToken;
  keyRange: Range;
  /** Key through last value. */
  range: Range;
  values: Value[];
}

/** Read the entries of a node (`optionEntry`, `dataEntry`, `trainEntry` lists). */
function entries(ctx: BuildContext, nodes: CstNode[]): Entry[] {
  const out: Entry[] = [];
  for (const n of nodes) {
    const keyToken = tok(n, 'key');
    if (!keyToken) continue;
    const values = subs(n, 'value').map((v) => ctx.value(v)).filter((v): v is Value => v !== undefined);
    const edges = edgeTokens(n)!;
    out.push({ key: keyToken.image, keyToken, keyRange: ctx.range(keyToken)!, range: ctx.range(keyToken, edges[1])!, values });
  }
  return out;
}

/** The single value of an entry; reports a missing value or a list of several. */
function single(ctx: BuildContext, e: Entry): Value | undefined {
  if (e.values.length > 1) ctx.report('MTL1043', e.range, { word: e.key, expected: 'one value', found: `${e.values.length} values` });
  return e.values[0];
}

/** Remembers the words already seen in one declaration, to report repetitions (the first wins). */
class Seen {
  private readonly words = new Map<string, Range>();
  constructor(private readonly ctx: BuildContext) {}
  /** True (and reported) when `word` was already given; `group` lets exclusive words share a slot. */
  repeated(e: Entry, group = e.key): boolean {
    const first = this.words.get(group);
    if (!first) {
      this.words.set(group, e.keyRange);
      return false;
    }
    const related = [{ range: first, message: 'First given here.', ...(this.ctx.file !== undefined ? { file: this.ctx.file } : {}) }];
    const firstWord = this.firstWord.get(group);
    if (firstWord !== undefined && firstWord !== e.key) this.ctx.report('MTL1044', e.keyRange, { word: e.key, other: firstWord }, { related });
    else this.ctx.report('MTL1042', e.keyRange, { word: e.key }, { related });
    return true;
  }
  private readonly firstWord = new Map<string, string>();
  /** True when `group` was given (even with a bad value, which was reported already). */
  has(group: string): boolean {
    return this.words.has(group);
  }
  /** Note which word filled a group. */
  note(group: string, word: string): void {
    if (!this.firstWord.has(group)) this.firstWord.set(group, word);
  }
}

/** Attach a docstring token, if any. */
export function withDoc<T extends Located>(ctx: BuildContext, target: T, doc: IToken | undefined): T {
  if (doc) target.doc = ctx.string(doc);
  return target;
}

// ---------------------------------------------------------------- features

const OPTIONS_OF = { categorical: CATEGORICAL_OPTIONS, sequence: SEQUENCE_OPTIONS, numeric: NUMERIC_OPTIONS } as const;

/** Build one feature entry. */
function buildFeature(ctx: BuildContext, node: CstNode): Feature | undefined {
  const kindToken = tok(node, 'kind');
  if (!kindToken) return undefined;
  const kind = kindToken.image as keyof typeof OPTIONS_OF;
  const nameToken = tok(node, 'name');
  const locs: Record<string, Range> = { kind: ctx.range(kindToken)! };
  if (nameToken) locs['name'] = ctx.range(nameToken)!;
  const declRange = ctx.range(kindToken, edgeTokens(node)![1])!;
  const seen = new Seen(ctx);
  let ids: IdSpace | undefined;
  let dim: number | undefined;
  let column: string | undefined;
  let shares: string | undefined;
  let pool: 'mean' | 'sum' | 'max' | undefined;
  let maxLen: number | undefined;
  let separator: string | undefined;
  let normalize: 'none' | 'standard' | 'minmax' | 'log1p' | undefined;
  let buckets: number[] | undefined;
  let missing: NumericMissing | undefined;

  for (const e of entries(ctx, subs(node, 'optionEntry'))) {
    const allowed: readonly string[] = OPTIONS_OF[kind];
    if (!allowed.includes(e.key)) {
      // `categorial hour ...` after a feature reads as options of that feature: the misspelt kind is
      // the likelier mistake, and the words after it belong to the feature the user meant to start.
      const kindGuess = suggest(e.key, Object.keys(OPTIONS_OF));
      if (kindGuess !== undefined) {
        ctx.report('MTL1030', e.keyRange, { word: e.key, what: `a ${kind} feature` }, {
          hint: `Did you mean '${kindGuess}'? Each feature starts with its kind: \`${kindGuess} NAME ...\`.`,
          fix: { title: `Replace '${e.key}' with '${kindGuess}'`, edits: [{ range: e.keyRange, newText: kindGuess }] },
        });
        break;
      }
      ctx.reportUnknown('MTL1030', e.keyRange, e.key, allowed, { what: `a ${kind} feature` });
      continue;
    }
    const group = e.key === 'hash' || e.key === 'vocab' ? 'ids' : e.key;
    if (seen.repeated(e, group)) continue;
    seen.note(group, e.key);
    const v = single(ctx, e);
    if (!v) continue;
    switch (e.key) {
      case 'hash':
      case 'vocab': {
        if (e.key === 'vocab' && v.kind === 'string') ids = { kind: 'file', path: v.value };
        else {
          const size = ctx.numberValue(v, e.key);
          if (size !== undefined) ids = { kind: e.key, size };
        }
        if (ids) {
          locs['ids'] = e.range;
          locs[ids.kind === 'file' ? 'ids.path' : 'ids.size'] = v.range;
        }
        break;
      }
      case 'dim':
        dim = ctx.numberValue(v, e.key);
        if (dim !== undefined) locs['dim'] = v.range;
        break;
      case 'column':
        column = ctx.textValue(v, e.key);
        if (column !== undefined) locs['column'] = v.range;
        break;
      case 'shares':
        shares = v.kind === 'word' ? v.value : undefined;
        if (shares === undefined) ctx.report('MTL1043', v.range, { word: e.key, expected: 'a feature name', found: kindName(v) });
        else locs['shares'] = v.range;
        break;
      case 'pool':
        pool = ctx.oneOf(v, POOLINGS, 'pooling');
        if (pool) locs['pool'] = v.range;
        break;
      case 'max_len':
        maxLen = ctx.numberValue(v, e.key);
        if (maxLen !== undefined) locs['maxLen'] = v.range;
        break;
      case 'sep':
        separator = ctx.textValue(v, e.key, false);
        if (separator !== undefined) locs['separator'] = v.range;
        break;
      case 'normalize':
        normalize = ctx.oneOf(v, NORMALIZATIONS, 'normalisation');
        if (normalize) locs['normalize'] = v.range;
        break;
      case 'buckets':
        if (v.kind !== 'list') ctx.report('MTL1043', v.range, { word: e.key, expected: 'a list of numbers [B1, B2, ...]', found: kindName(v) });
        else {
          buckets = [];
          v.items.forEach((item) => {
            const b = ctx.numberValue(item, e.key);
            if (b !== undefined) {
              locs[`buckets.${buckets!.length}`] = item.range;
              buckets!.push(b);
            }
          });
          locs['buckets'] = v.range;
        }
        break;
      case 'missing':
        if (v.kind === 'number') missing = { value: v.value };
        else missing = ctx.oneOf(v, MISSING_WORDS, "value of 'missing' (or a number)");
        if (missing !== undefined) locs['missing'] = v.range;
        break;
    }
  }

  const name = nameToken?.image ?? '';
  const what = `The ${kind} feature '${name}'`;
  const base = { name, loc: declRange, locs } as const;
  if (kind === 'numeric') {
    const f: Feature = { kind, ...base, normalize: normalize ?? 'none', missing: missing ?? DEFAULT_MISSING };
    if (column !== undefined) f.column = column;
    if (buckets !== undefined) f.buckets = buckets;
    if (dim !== undefined) f.dim = dim;
    // A numeric feature is one value unless bucketed: a lone `dim` would be silently ignored.
    if (dim !== undefined && buckets === undefined && locs['dim']) ctx.report('MTL1045', locs['dim'], { word: 'dim', needs: '`buckets [...]`' });
    return f;
  }
  if (!seen.has('ids')) ctx.report('MTL1041', locs['name'] ?? declRange, { what, option: '`hash N`, `vocab N` or `vocab "FILE"`' });
  // Without ids the shared feature's are filled in after all features are read (resolveSharedIds).
  const common = { ...base, ids: ids ?? { kind: 'hash' as const, size: 0 } };
  if (kind === 'categorical') {
    const f: Feature = { kind, ...common };
    if (column !== undefined) f.column = column;
    if (dim !== undefined) f.dim = dim;
    if (shares !== undefined) f.shares = shares;
    return f;
  }
  if (!seen.has('pool')) ctx.report('MTL1041', locs['name'] ?? declRange, { what, option: '`pool mean|sum|max`' });
  if (!seen.has('max_len')) ctx.report('MTL1041', locs['name'] ?? declRange, { what, option: '`max_len L`' });
  const f: Feature = { kind, ...common, pool: pool ?? 'mean', maxLen: maxLen ?? 0, separator: separator ?? '|' };
  if (column !== undefined) f.column = column;
  if (dim !== undefined) f.dim = dim;
  if (shares !== undefined) f.shares = shares;
  return f;
}

/**
 * A feature that `shares` another and gives no ids of its own uses the other's id space (the IR
 * requires `ids`). Chains are followed; an unknown or cyclic target leaves the placeholder, which the
 * validator reports as an unknown reference.
 */
function resolveSharedIds(features: Feature[], explicit: Set<Feature>): void {
  const byName = new Map(features.map((f) => [f.name, f]));
  for (const f of features) {
    if (f.kind === 'numeric' || explicit.has(f) || f.shares === undefined) continue;
    let target: Feature | undefined = f;
    for (let hops = 0; target && target.kind !== 'numeric' && target.shares !== undefined && !explicit.has(target) && hops <= features.length; hops++) {
      target = byName.get(target.shares);
    }
    if (target && target.kind !== 'numeric' && explicit.has(target)) f.ids = { ...target.ids };
  }
}

/** Build the features of every `features { … }` block. */
export function buildFeatures(ctx: BuildContext, blocks: CstNode[]): Feature[] {
  const features: Feature[] = [];
  const explicit = new Set<Feature>();
  for (const block of blocks) {
    for (const entry of subs(block, 'featureEntry')) {
      const f = buildFeature(ctx, entry);
      if (!f) continue;
      withDoc(ctx, f, tok(entry, 'doc'));
      if (f.kind !== 'numeric' && f.locs?.['ids']) explicit.add(f);
      features.push(f);
    }
  }
  resolveSharedIds(features, explicit);
  return features;
}

// ---------------------------------------------------------------- labels

/** Build the labels of every `labels { … }` block. */
export function buildLabels(ctx: BuildContext, blocks: CstNode[]): Label[] {
  const labels: Label[] = [];
  for (const block of blocks) {
    for (const entry of subs(block, 'labelEntry')) {
      const nameToken = tok(entry, 'name');
      if (!nameToken) continue;
      const typeToken = tok(entry, 'type');
      const locs: Record<string, Range> = { name: ctx.range(nameToken)! };
      const edges = edgeTokens(entry)!;
      let type: Label['type'] = 'binary';
      if (typeToken) {
        const t = ctx.oneOf({ kind: 'word', value: typeToken.image, range: ctx.range(typeToken)! }, LABEL_TYPES, 'label type');
        if (t) type = t;
        locs['type'] = ctx.range(typeToken)!;
      }
      const label: Label = { name: nameToken.image, type, loc: ctx.range(nameToken, edges[1])!, locs };
      const seen = new Seen(ctx);
      for (const e of entries(ctx, subs(entry, 'optionEntry'))) {
        if (!(LABEL_OPTIONS as readonly string[]).includes(e.key)) {
          ctx.reportUnknown('MTL1030', e.keyRange, e.key, LABEL_OPTIONS, { what: 'a label' });
          continue;
        }
        if (seen.repeated(e)) continue;
        if (e.key === 'column') {
          const column = ctx.textValue(single(ctx, e), e.key);
          if (column !== undefined) {
            label.column = column;
            locs['column'] = e.values[0]!.range;
          }
        } else {
          const positive: string[] = [];
          for (const v of e.values) {
            const s = v.kind === 'number' ? String(v.value) : ctx.textValue(v, e.key);
            if (s === undefined) continue;
            locs[`positive.${positive.length}`] = v.range;
            positive.push(s);
          }
          label.positive = positive;
          locs['positive'] = e.range;
        }
      }
      labels.push(withDoc(ctx, label, tok(entry, 'doc')));
    }
  }
  return labels;
}

// ---------------------------------------------------------------- data

/** Build a `data { … }` block: `synth GEN [rows N] [KEY VALUE]...` or `train "PATH" [valid "PATH"]`. */
export function buildData(ctx: BuildContext, node: CstNode, declRange: Range): (DataSource & Located) | undefined {
  const list = entries(ctx, subs(node, 'dataEntry'));
  const synth = list.find((e) => e.key === 'synth');
  const train = list.find((e) => e.key === 'train');
  const locs: Record<string, Range> = {};
  if (synth && train) {
    const [second] = [synth, train].sort((a, b) => a.keyToken.startOffset - b.keyToken.startOffset).slice(1);
    ctx.report('MTL1044', second!.keyRange, { word: second!.key, other: second === synth ? 'train' : 'synth' });
  }
  if (synth && (!train || synth.keyToken.startOffset < train.keyToken.startOffset)) {
    const seen = new Seen(ctx);
    let generator = '';
    let rows = 10000;
    const params: Record<string, JsonValue> = {};
    for (const e of list) {
      if (e.key === 'train' || seen.repeated(e)) continue;
      const v = single(ctx, e);
      if (!v) continue;
      if (e.key === 'synth') {
        generator = ctx.textValue(v, e.key) ?? '';
        locs['generator'] = v.range;
      } else if (e.key === 'rows') {
        const n = ctx.numberValue(v, e.key);
        if (n !== undefined) {
          rows = n;
          locs['rows'] = v.range;
        }
      } else {
        params[e.key] = toJson(v);
        locs[`params.${e.key}`] = v.range;
      }
    }
    return { kind: 'synth', generator, rows, params, loc: declRange, locs };
  }
  if (train) {
    const seen = new Seen(ctx);
    const source: DataSource & Located = { kind: 'file', train: '', loc: declRange, locs };
    for (const e of list) {
      if (e.key === 'synth') continue;
      if (!(FILE_DATA_KEYS as readonly string[]).includes(e.key)) {
        ctx.reportUnknown('MTL1030', e.keyRange, e.key, FILE_DATA_KEYS, { what: 'a data block' });
        continue;
      }
      if (seen.repeated(e)) continue;
      const path = ctx.textValue(single(ctx, e), e.key, false);
      if (path === undefined) continue;
      if (e.key === 'train') source.train = path;
      else source.valid = path;
      locs[e.key] = e.values[0]!.range;
    }
    return source;
  }
  ctx.report('MTL1041', declRange, { what: 'The data block', option: '`synth GENERATOR` or `train "PATH"`' });
  return undefined;
}

// ---------------------------------------------------------------- train

/** Build the `early_stop` expression's terms. */
function buildTerms(ctx: BuildContext, sum: CstNode | undefined): MetricTerm[] {
  const terms: MetricTerm[] = [];
  const signs = toks(sum, 'sign');
  const lead = tok(sum, 'lead');
  subs(sum, 'metricTerm').forEach((term, i) => {
    const metric = buildMetricCall(ctx, sub(term, 'metricCall'));
    if (!metric) return;
    const coefToken = tok(term, 'coef');
    let coef = coefToken ? Number(coefToken.image) : 1;
    if (!Number.isFinite(coef)) coef = 0;
    const sign = i === 0 ? lead : signs[i - 1];
    if (sign?.image === '-') coef = -coef;
    if (Object.is(coef, -0)) coef = 0;
    const range = ctx.nodeRange(term);
    if (range) metric.loc = range;
    terms.push({ coef, metric });
  });
  return terms;
}

/** Build the settings of the `train { … }` block (defaults from DEFAULT_TRAIN). */
export function buildTrain(ctx: BuildContext, node: CstNode | undefined, declRange: Range | undefined): TrainSettings {
  const settings: TrainSettings = { ...DEFAULT_TRAIN };
  if (!node || !declRange) return settings;
  const locs: Record<string, Range> = {};
  settings.loc = declRange;
  settings.locs = locs;
  const seen = new Seen(ctx);
  let terms: MetricTerm[] | undefined;
  let mode: 'max' | 'min' | undefined;
  let patience: number | undefined;
  let earlyStopRange: Range | undefined;
  let modeRange: Range | undefined;
  let patienceRange: Range | undefined;
  for (const entry of subs(node, 'trainEntry')) {
    const weightBy = sub(entry, 'weightByClause');
    const keyToken = tok(entry, 'key') ?? tok(weightBy, 'keyword');
    if (!keyToken) continue;
    const key = keyToken.image;
    const keyRange = ctx.range(keyToken)!;
    const e: Entry = { key, keyToken, keyRange, range: ctx.range(keyToken, edgeTokens(entry)![1])!, values: [] };
    if (!(TRAIN_KEYS as readonly string[]).includes(key)) {
      ctx.reportUnknown('MTL1031', keyRange, key, TRAIN_KEYS, {});
      continue;
    }
    if (seen.repeated(e)) continue;
    if (weightBy) {
      const column = tok(weightBy, 'column');
      if (column) (settings.weightBy = column.image), (locs['weightBy'] = ctx.range(column)!);
      continue;
    }
    if (key === 'early_stop') {
      terms = buildTerms(ctx, sub(entry, 'metricSum'));
      earlyStopRange = e.range;
      locs['earlyStop'] = e.range;
      terms.forEach((t, i) => t.metric.loc && (locs[`earlyStop.terms.${i}`] = t.metric.loc));
      continue;
    }
    const v = ctx.value(sub(entry, 'value'));
    if (!v) continue;
    if (key === 'schedule') {
      const schedule = buildSchedule(ctx, v, subs(entry, 'scheduleOption'), locs);
      if (schedule) (settings.schedule = schedule), (locs['schedule'] = e.range);
      continue;
    }
    const numberSetting = (prop: 'lr' | 'batch' | 'epochs' | 'seed' | 'validSplit' | 'weightDecay' | 'embeddingL2' | 'clipNorm'): void => {
      const n = ctx.numberValue(v, key);
      if (n === undefined) return;
      settings[prop] = n;
      locs[prop] = v.range;
    };
    switch (key) {
      case 'optimizer': {
        const o = ctx.oneOf(v, OPTIMIZERS, 'optimizer');
        if (o) (settings.optimizer = o), (locs['optimizer'] = v.range);
        break;
      }
      case 'weighting': {
        const w = ctx.oneOf(v, WEIGHTINGS, 'weighting');
        if (w) (settings.weighting = w), (locs['weighting'] = v.range);
        break;
      }
      case 'mode':
        mode = ctx.oneOf(v, MODES, 'early-stopping mode');
        modeRange = e.range;
        if (mode) locs['earlyStop.mode'] = v.range;
        break;
      case 'patience':
        patience = ctx.numberValue(v, key);
        patienceRange = e.range;
        if (patience !== undefined) locs['earlyStop.patience'] = v.range;
        break;
      case 'lr': numberSetting('lr'); break;
      case 'batch': numberSetting('batch'); break;
      case 'epochs': numberSetting('epochs'); break;
      case 'seed': numberSetting('seed'); break;
      case 'valid_split': numberSetting('validSplit'); break;
      case 'weight_decay': numberSetting('weightDecay'); break;
      case 'embedding_l2': numberSetting('embeddingL2'); break;
      case 'clip_norm': numberSetting('clipNorm'); break;
      case 'embedding_optimizer': {
        const o = ctx.oneOf(v, EMBEDDING_OPTIMIZERS, 'embedding optimizer');
        if (o) (settings.embeddingOptimizer = o), (locs['embeddingOptimizer'] = v.range);
        break;
      }
      case 'shuffle_buffer': {
        // `all` or a row count (checked to be a positive integer by values-in-range.ts).
        const b = v.kind === 'number' ? v.value : ctx.oneOf(v, ['all'] as const, 'shuffle buffer (a row count or `all`)');
        if (b !== undefined) (settings.shuffleBuffer = b), (locs['shuffleBuffer'] = v.range);
        break;
      }
    }
  }
  if (terms && earlyStopRange) {
    settings.earlyStop = { terms, mode: mode ?? defaultMode(ctx, terms, earlyStopRange), patience: patience ?? 2 };
  } else {
    if (modeRange) ctx.report('MTL1045', modeRange, { word: 'mode', needs: '`early_stop`' });
    if (patienceRange) ctx.report('MTL1045', patienceRange, { word: 'patience', needs: '`early_stop`' });
  }
  return settings;
}

/**
 * `schedule NAME [warmup N] [min_lr X] [every N epochs|steps] [gamma X]`. Every option word is kept (a
 * repeated one is MTL1042; each is located as `schedule.WORD`); whether the schedule takes it is the semantic
 * rule optim-settings.ts's.
 */
function buildSchedule(ctx: BuildContext, name: Value, options: CstNode[], locs: Record<string, Range>): LrSchedule | undefined {
  const type = ctx.oneOf(name, SCHEDULES, 'schedule');
  if (!type) return undefined;
  const schedule: LrSchedule = { type };
  const seen = new Seen(ctx);
  for (const option of options) {
    const keyToken = tok(option, 'key');
    const n = ctx.number(sub(option, 'number'));
    if (!keyToken || !n) continue;
    const keyRange = ctx.range(keyToken)!;
    if (seen.repeated({ key: keyToken.image, keyToken, keyRange, range: keyRange, values: [] })) continue;
    const unitToken = tok(option, 'unit');
    locs[`schedule.${keyToken.image}`] = ctx.nodeRange(option) ?? keyRange;
    switch (keyToken.image) {
      case 'warmup': schedule.warmup = n.value; break;
      case 'min_lr': schedule.minLr = n.value; break;
      case 'gamma': schedule.gamma = n.value; break;
      case 'every': {
        schedule.every = n.value;
        if (!unitToken) {
          ctx.report('MTL1043', n.range, { word: 'every', expected: 'a number and a unit (`every 2 epochs` or `every 1000 steps`)', found: 'no unit' });
          break;
        }
        const unit = ctx.oneOf({ kind: 'word', value: unitToken.image, range: ctx.range(unitToken)! }, EVERY_UNITS, 'unit of `every`');
        if (unit) schedule.everyUnit = unit;
        break;
      }
    }
  }
  return schedule;
}

/**
 * The early-stopping direction when `mode` is omitted: every term must agree (auc/gauc with a
 * positive coefficient, or a loss-like metric with a negative one, is maximised); otherwise `mode`
 * is required (MTL1041) and 'max' is used.
 */
function defaultMode(ctx: BuildContext, terms: MetricTerm[], range: Range): 'max' | 'min' {
  const directions = new Set(terms.map((t) => (MAXIMISED_METRICS.includes(t.metric.fn) === t.coef >= 0 ? 'max' : 'min')));
  if (directions.size === 1) return [...directions][0] as 'max' | 'min';
  if (directions.size > 1) ctx.report('MTL1041', range, { what: 'This early_stop expression', option: '`mode max` or `mode min` (its terms disagree on the direction)' });
  return 'max';
}
