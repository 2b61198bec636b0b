/**
 * Short, human-readable renderings of IR parts for diagram labels ("bce(click & buy)", "mlp 64·32 relu").
 * Kept apart from the diagram builder so that SVG and DOT print exactly the same words.
 */
import type { Feature, IdSpace, JsonValue, LabelExpr, Mlp } from '../ir/types.js';

/** Binding strength of a label operator: `|` < `&` < `!`, so parentheses appear only where needed. */
function precedence(e: LabelExpr): number {
  if ('label' in e) return 3;
  if (e.op === 'not') return 2;
  return e.op === 'and' ? 1 : 0;
}

/** Prints a label expression in the .mtl surface syntax with minimal parentheses: `click & (buy | cart)`. */
export function formatLabelExpr(e: LabelExpr): string {
  if ('label' in e) return e.label;
  if (e.op === 'not') {
    const inner = formatLabelExpr(e.arg);
    return precedence(e.arg) < 2 ? `!(${inner})` : `!${inner}`;
  }
  const sep = e.op === 'and' ? ' & ' : ' | ';
  const own = precedence(e);
  return e.args
    .map((a) => {
      const s = formatLabelExpr(a);
      // Same-operator children read fine without parentheses; only a weaker child needs them.
      return precedence(a) < own ? `(${s})` : s;
    })
    .join(sep);
}

/** A count with a k/M suffix so that vocabulary sizes stay short: 500000 -> "500k". */
export function formatCount(n: number): string {
  if (n >= 1_000_000 && n % 100_000 === 0) return `${trimZero(n / 1_000_000)}M`;
  if (n >= 10_000 && n % 100 === 0) return `${trimZero(n / 1000)}k`;
  return String(n);
}

/** Drops a trailing ".0" so that 2.0 reads "2". */
function trimZero(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toFixed(1);
}

/** The id space of a categorical/sequence feature in a few characters: "hash 100k", "vocab 17", "vocab file". */
export function formatIdSpace(ids: IdSpace): string {
  if (ids.kind === 'file') return ids.size !== undefined ? `vocab ${formatCount(ids.size)}` : 'vocab file';
  return `${ids.kind} ${formatCount(ids.size)}`;
}

/** One detail line describing a feature's encoding, e.g. "hash 100k · d18", "log1p", "5 buckets · d4". */
export function formatFeatureDetail(f: Feature): string {
  switch (f.kind) {
    case 'categorical':
      return joinParts([f.shares ? `shares ${f.shares}` : formatIdSpace(f.ids), f.dim !== undefined ? `d${f.dim}` : '']);
    case 'sequence':
      return joinParts([`${f.pool} pool`, f.shares ? '' : formatIdSpace(f.ids), f.dim !== undefined ? `d${f.dim}` : '']);
    case 'numeric':
      if (f.buckets) return joinParts([`${f.buckets.length + 1} buckets`, f.dim !== undefined ? `d${f.dim}` : '']);
      return f.normalize === 'none' ? 'numeric' : f.normalize;
  }
}

/** Joins the non-empty parts with a middle dot. */
export function joinParts(parts: string[]): string {
  return parts.filter((p) => p.length > 0).join(' · ');
}

/** An MLP's hidden units and activation: "128 → 64 relu"; `outputUnit` appends the tower's final unit. */
export function formatMlp(mlp: Mlp, output?: 'sigmoid' | 'linear'): string {
  const units = mlp.units.map(String);
  const act = mlp.activation;
  if (output) {
    // A tower: hidden layers with their activation, then the single output unit with its own activation.
    const hidden = units.length > 0 ? `${units.join(' → ')} ${act} → ` : '';
    return `${hidden}1 ${output}`;
  }
  return `${units.join(' → ')} ${act}`;
}

/** Regularisation extras of an MLP ("dropout 0.1 · batchnorm"), empty when there are none. */
export function formatMlpExtras(mlp: Mlp): string {
  return joinParts([mlp.dropout > 0 ? `dropout ${mlp.dropout}` : '', mlp.batchNorm ? 'batchnorm' : '']);
}

/** A plugin parameter value, compactly. */
function formatJson(v: JsonValue): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** A gate's type with its parameters, as written in the spec: "softmax(temperature: 1)". */
export function formatGateType(type: string, params: Record<string, JsonValue>): string {
  const keys = Object.keys(params);
  if (keys.length === 0) return type;
  return `${type}(${keys.map((k) => `${k}: ${formatJson(params[k] as JsonValue)}`).join(', ')})`;
}

/**
 * The name of one expert of a group, 1-based like the papers' "Expert 1": `E1`. The diagram draws it in the
 * group's boxes and the report's gate-usage heatmap heads its columns with it, so both read the same.
 */
export function expertLabel(index: number): string {
  return `E${index + 1}`;
}

/** An expert named with its group (`shared E1`), for places that show experts of several groups side by side. */
export function groupExpertLabel(group: string, index: number): string {
  return `${group} ${expertLabel(index)}`;
}
