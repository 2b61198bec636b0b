/**
 * The printer: `printIR` writes an IR as .mtl text (e.g. a YAML spec converted to text) and hands it
 * to the formatter, so text specs and printed IRs share one canonical layout. `formatSpec` (the
 * formatter itself) is re-exported from here for `mtl fmt` and the language server.
 */
import { formatSpec } from './format.js';
import { TOKEN_TABLE } from './tokens.js';
import { MAXIMISED_METRICS } from './vocabulary.js';
import {
  DEFAULT_MISSING, DEFAULT_MLP, DEFAULT_TRAIN, type Feature, type GraphNode, type JsonValue, type LabelExpr, type Located, type Metric,
  type LrSchedule, type Mlp, type ModelIR, type Task,
} from '../ir/types.js';

export { formatSpec };

/** A string literal: quotes and backslashes escaped, control characters as \n \t \r. */
export function quote(s: string): string {
  return `"${s.replace(/[\\"\n\t\r]/g, (c) => ({ '\\': '\\\\', '"': '\\"', '\n': '\\n', '\t': '\\t', '\r': '\\r' })[c]!)}"`;
}

const IDENT = new RegExp(`^(?:${TOKEN_TABLE.patterns.identifier})$`);
const RESERVED = new Set(TOKEN_TABLE.keywords);

/** A JSON value in .mtl syntax (objects have no syntax: written as a JSON string). */
function value(v: JsonValue): string {
  if (v === null) return 'null';
  if (typeof v === 'number') return String(v);
  if (typeof v === 'boolean') return String(v);
  if (typeof v === 'string') return IDENT.test(v) && !RESERVED.has(v) ? v : quote(v);
  if (Array.isArray(v)) return `[${v.map(value).join(', ')}]`;
  return quote(JSON.stringify(v));
}

/** A label expression with the fewest parentheses (`&` binds tighter than `|`). */
export function printLabelExpr(e: LabelExpr): string {
  if ('label' in e) return e.label;
  if (e.op === 'not') return `!${'label' in e.arg || e.arg.op === 'not' ? printLabelExpr(e.arg) : `(${printLabelExpr(e.arg)})`}`;
  if (e.op === 'and') return e.args.map((a) => ('op' in a && a.op === 'or' ? `(${printLabelExpr(a)})` : printLabelExpr(a))).join(' & ');
  return e.args.map((a) => ('op' in a && a.op === 'or' ? `(${printLabelExpr(a)})` : printLabelExpr(a))).join(' | ');
}

/** True when a property was written (has a range) or differs from its default: then it is printed. */
function shown(o: Located, key: string, isDefault: boolean): boolean {
  return !isDefault || o.locs?.[key] !== undefined;
}

function mlp(m: Mlp, owner: Located): string {
  let s = `mlp(${m.units.join(', ')})`;
  if (shown(owner, 'activation', m.activation === DEFAULT_MLP.activation)) s += ` ${m.activation}`;
  if (shown(owner, 'dropout', m.dropout === DEFAULT_MLP.dropout)) s += ` dropout ${m.dropout}`;
  if (m.batchNorm) s += ' batchnorm';
  return s;
}

function feature(f: Feature): string {
  const parts: string[] = [f.kind, f.name];
  if (f.kind !== 'numeric') {
    parts.push(f.ids.kind === 'file' ? `vocab ${quote(f.ids.path)}` : `${f.ids.kind} ${f.ids.size}`);
    if (f.dim !== undefined) parts.push(`dim ${f.dim}`);
    if (f.kind === 'sequence') {
      parts.push(`pool ${f.pool}`, `max_len ${f.maxLen}`);
      if (shown(f, 'separator', f.separator === '|')) parts.push(`sep ${quote(f.separator)}`);
    }
    if (f.column !== undefined) parts.push(`column ${quote(f.column)}`);
    if (f.shares !== undefined) parts.push(`shares ${f.shares}`);
  } else {
    if (shown(f, 'normalize', f.normalize === 'none')) parts.push(`normalize ${f.normalize}`);
    if (f.buckets !== undefined) parts.push(`buckets [${f.buckets.join(', ')}]`);
    if (f.dim !== undefined) parts.push(`dim ${f.dim}`);
    if (shown(f, 'missing', f.missing === DEFAULT_MISSING)) parts.push(`missing ${typeof f.missing === 'object' ? f.missing.value : f.missing}`);
    if (f.column !== undefined) parts.push(`column ${quote(f.column)}`);
  }
  return parts.join(' ');
}

function node(n: GraphNode): string {
  switch (n.kind) {
    case 'input': return `input ${n.name} = concat(${n.from.join(', ')})`;
    case 'layer': return `layer ${n.name} = ${mlp(n.mlp, n)} on ${n.on}`;
    case 'experts': return `experts ${n.name}[${n.count}] = ${mlp(n.mlp, n)} on ${n.on}`;
    case 'gate': {
      const params = Object.entries(n.params).map(([k, v]) => `${k}: ${value(v)}`);
      return `gate ${n.name} = ${n.type}${params.length ? `(${params.join(', ')})` : ''} over ${n.over.join(', ')} on ${n.on}`;
    }
    case 'tower': return `tower ${n.name} = ${mlp(n.mlp, n)} on ${n.on} -> ${n.output}`;
  }
}

function task(t: Task): string {
  let s = `task ${t.name} = ${t.head.join(' * ')} loss ${t.loss.type}(${printLabelExpr(t.loss.label)})`;
  if (shown(t, 'weight', t.weight === 1)) s += ` weight ${t.weight}`;
  if (t.mask) s += ` where ${printLabelExpr(t.mask)}`;
  if (t.weightBy !== undefined) s += ` weight_by ${t.weightBy}`;
  return s;
}

function call(m: Metric): string {
  return `${m.fn}(${m.output}${m.label ? `, ${printLabelExpr(m.label)}` : ''})`;
}

function metric(m: Metric): string {
  let s = `metric ${call(m)}`;
  if (m.groupBy !== undefined) s += ` by ${m.groupBy}`;
  if (m.mask) s += ` where ${printLabelExpr(m.mask)}`;
  if (m.weightBy !== undefined) s += ` weight_by ${m.weightBy}`;
  return s;
}

/** `schedule NAME [warmup N] [min_lr X] [every N UNIT] [gamma X]`. */
function schedule(s: LrSchedule): string {
  let out = `schedule ${s.type}`;
  if (s.warmup !== undefined) out += ` warmup ${s.warmup}`;
  if (s.minLr !== undefined) out += ` min_lr ${s.minLr}`;
  if (s.every !== undefined) out += ` every ${s.every} ${s.everyUnit ?? 'epochs'}`;
  if (s.gamma !== undefined) out += ` gamma ${s.gamma}`;
  return out;
}

function train(ir: ModelIR): string | undefined {
  const t = ir.train;
  const lines: string[] = [];
  if (shown(t, 'optimizer', t.optimizer === DEFAULT_TRAIN.optimizer)) lines.push(`optimizer ${t.optimizer}`);
  if (shown(t, 'lr', t.lr === DEFAULT_TRAIN.lr)) lines.push(`lr ${t.lr}`);
  if (shown(t, 'batch', t.batch === DEFAULT_TRAIN.batch)) lines.push(`batch ${t.batch}`);
  if (shown(t, 'epochs', t.epochs === DEFAULT_TRAIN.epochs)) lines.push(`epochs ${t.epochs}`);
  if (shown(t, 'seed', t.seed === DEFAULT_TRAIN.seed)) lines.push(`seed ${t.seed}`);
  if (shown(t, 'validSplit', t.validSplit === DEFAULT_TRAIN.validSplit)) lines.push(`valid_split ${t.validSplit}`);
  if (t.shuffleBuffer !== undefined) lines.push(`shuffle_buffer ${t.shuffleBuffer}`);
  if (t.schedule) lines.push(schedule(t.schedule));
  if (t.weightDecay !== undefined) lines.push(`weight_decay ${t.weightDecay}`);
  if (t.embeddingL2 !== undefined) lines.push(`embedding_l2 ${t.embeddingL2}`);
  if (t.clipNorm !== undefined) lines.push(`clip_norm ${t.clipNorm}`);
  if (t.embeddingOptimizer !== undefined) lines.push(`embedding_optimizer ${t.embeddingOptimizer}`);
  const es = t.earlyStop;
  if (es) {
    const terms = es.terms.map((term, i) => {
      const mag = Math.abs(term.coef);
      const body = mag === 1 ? call(term.metric) : `${mag} * ${call(term.metric)}`;
      if (i === 0) return term.coef < 0 ? `-${body}` : body;
      return `${term.coef < 0 ? '-' : '+'} ${body}`;
    });
    lines.push(`early_stop ${terms.join(' ')}`);
    const directions = new Set(es.terms.map((x) => (MAXIMISED_METRICS.includes(x.metric.fn) === x.coef >= 0 ? 'max' : 'min')));
    const inferred = directions.size === 1 ? [...directions][0] : undefined;
    if (shown(t, 'earlyStop.mode', es.mode === inferred)) lines.push(`mode ${es.mode}`);
    if (shown(t, 'earlyStop.patience', es.patience === 2)) lines.push(`patience ${es.patience}`);
  }
  if (shown(t, 'weighting', t.weighting === DEFAULT_TRAIN.weighting)) lines.push(`weighting ${t.weighting}`);
  if (t.weightBy !== undefined) lines.push(`weight_by ${t.weightBy}`);
  return lines.length ? `train {\n${lines.map((l) => `  ${l}`).join('\n')}\n}` : undefined;
}

/** A docstring line before a declaration, if it has one. */
function withDoc(o: Located, text: string): string {
  return o.doc !== undefined ? `${quote(o.doc)}\n${text}` : text;
}

/**
 * Print an IR as .mtl text, without comments. Declarations keep their source order when they have
 * ranges (`loc`), else a canonical order. The result is formatted; if it does not parse (names that
 * are not identifiers, object parameters) it is returned as printed.
 */
export function printIR(ir: ModelIR): string {
  const items: Array<{ at: number; text: string }> = [];
  let order = 0;
  const at = (o: Located): number => (o.loc ? o.loc.start.line * 1e7 + o.loc.start.character : 1e15 + order++);
  const head = `model ${ir.name}${ir.doc !== undefined ? ` ${quote(ir.doc)}` : ''}`;
  items.push({ at: ir.loc ? at(ir) : -1, text: head });
  for (const p of ir.plugins) items.push({ at: p.loc ? p.loc.start.line * 1e7 + p.loc.start.character : 1e15 + order++, text: `use ${quote(p.source)}` });
  if (ir.data) {
    const d = ir.data;
    const body = d.kind === 'synth'
      ? [`synth ${value(d.generator)}`, `rows ${d.rows}`, ...Object.entries(d.params).map(([k, v]) => `${k} ${value(v)}`)]
      : [`train ${quote(d.train)}`, ...(d.valid !== undefined ? [`valid ${quote(d.valid)}`] : [])];
    items.push({ at: at(d), text: withDoc(d, `data {\n${body.map((l) => `  ${l}`).join('\n')}\n}`) });
  }
  if (ir.features.length) {
    const body = ir.features.map((f) => withDoc(f, feature(f)).replace(/^/gm, '  ')).join('\n');
    items.push({ at: at(ir.features[0]!), text: `features {\n${body}\n}` });
  }
  if (ir.labels.length) {
    const body = ir.labels.map((l) => {
      let s = `${l.name}: ${l.type}`;
      if (l.column !== undefined) s += ` column ${quote(l.column)}`;
      if (l.positive?.length) s += ` positive ${l.positive.map(quote).join(', ')}`;
      return withDoc(l, s).replace(/^/gm, '  ');
    }).join('\n');
    items.push({ at: at(ir.labels[0]!), text: `labels {\n${body}\n}` });
  }
  for (const n of ir.nodes) items.push({ at: at(n), text: withDoc(n, node(n)) });
  for (const t of ir.tasks) items.push({ at: at(t), text: withDoc(t, task(t)) });
  for (const m of ir.metrics) items.push({ at: at(m), text: withDoc(m, metric(m)) });
  const tr = train(ir);
  if (tr) items.push({ at: at(ir.train), text: withDoc(ir.train, tr) });
  const text = `${items.sort((a, b) => a.at - b.at).map((i) => i.text).join('\n')}\n`;
  const formatted = formatSpec(text);
  return formatted.value ?? text;
}
