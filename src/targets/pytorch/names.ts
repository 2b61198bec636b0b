/**
 * The parameter naming contract shared by the tfjs target, the PyTorch target and the weight converter.
 * Every trainable tensor of a model is named from the IR, so that weights move between the two targets by
 * name alone (no positional matching, which would silently swap experts or towers):
 *
 *   embedding table of feature F (its owner when it `shares` one) ... `embedding_F`            [rows, dim]
 *   dense j of `layer L` .................................................... `layer_L_dense_j`
 *   dense j of expert i of `experts E[n]` ................................... `expert_E_i_dense_j`
 *   gate G's logits (the softmax gate plugin's Dense) ....................... `gate_G_logits`
 *   dense j of tower T, and its output unit ................................. `tower_T_dense_j`, `tower_T_out`
 *   batch norm after dense j ................................................ the dense name with `_bn_j`
 *
 * A dense followed by batch norm has no bias (the norm's beta replaces it), as in src/model/mlp.ts.
 *
 * In tfjs a layer's weights are `NAME/kernel` [in, out], `NAME/bias`, `NAME/embeddings`, `NAME/gamma`,
 * `NAME/beta`, `NAME/moving_mean`, `NAME/moving_variance`. In the generated PyTorch module they are
 * `dense.NAME.weight` [out, in] (transposed), `dense.NAME.bias`, `embedding.NAME.weight`, and
 * `norm.NAME.{weight,bias,running_mean,running_var}`.
 */
import type { ExpertsNode, Feature, GraphNode, IdSpace, ModelIR } from '../../ir/types.js';

/** One named tensor of a model, in both targets' vocabularies. */
export interface ParamName {
  /** The tfjs weight name, e.g. `tower_ctr_out/kernel`. */
  tfjs: string;
  /** The PyTorch state-dict key, e.g. `dense.tower_ctr_out.weight`. */
  torch: string;
  /** The tfjs shape (a Dense kernel is [in, out]; PyTorch's weight is its transpose). */
  shape: number[];
  /** True for a Dense kernel, which is transposed between the targets. */
  transpose: boolean;
  /** False for batch-norm moving statistics (buffers in PyTorch, non-trainable in tfjs). */
  trainable: boolean;
}

/** The layer name of dense `j` of an MLP block named `prefix` (`layer_L`, `expert_E_i`, `tower_T`). */
export function denseName(prefix: string, j: number): string {
  return `${prefix}_dense_${j}`;
}

/** The batch-norm layer that follows dense `j` of block `prefix`. */
export function normName(prefix: string, j: number): string {
  return `${prefix}_bn_${j}`;
}

/** The embedding layer (table) name of a table owner. */
export function embeddingName(owner: string): string {
  return `embedding_${owner}`;
}

/** The Dense layer computing gate `gate`'s logits. */
export function gateDenseName(gate: string): string {
  return `gate_${gate}_logits`;
}

/** The output unit of tower `tower`. */
export function towerOutName(tower: string): string {
  return `tower_${tower}_out`;
}

/** The MLP block prefix of expert `i` of group `group`. */
export function expertPrefix(group: string, i: number): string {
  return `expert_${group}_${i}`;
}

/** Rows of an embedding table over an id space: hash N → N; vocab N → N + 1 (row 0 is OOV); file → tokens + 1. */
export function tableRows(ids: IdSpace): number {
  if (ids.kind === 'hash') return ids.size;
  if (ids.kind === 'vocab') return ids.size + 1;
  return (ids.size ?? 0) + 1;
}

/** The feature whose table `f` uses (itself unless it `shares` one; chains are followed). */
export function tableOwner(ir: ModelIR, f: Feature): Feature {
  const byName = new Map(ir.features.map((x) => [x.name, x]));
  let cur = f;
  const seen = new Set<string>();
  while ((cur.kind === 'categorical' || cur.kind === 'sequence') && cur.shares !== undefined && !seen.has(cur.name)) {
    seen.add(cur.name);
    const next = byName.get(cur.shares);
    if (!next) break;
    cur = next;
  }
  return cur;
}

/** True when a numeric feature is bucketised into an embedding rather than fed as a value. */
export function isBucketised(f: Feature): boolean {
  return f.kind === 'numeric' && f.buckets !== undefined && f.buckets.length > 0;
}

/** The embedding dimension of a feature's table, or undefined for a plain numeric value. */
export function featureDim(ir: ModelIR, f: Feature): number | undefined {
  if (f.kind === 'numeric' && !isBucketised(f)) return undefined;
  const owner = tableOwner(ir, f);
  return owner.dim ?? f.dim;
}

/** Width a feature contributes to a concatenation: its embedding dim, or 1 for a numeric value. */
export function featureWidth(ir: ModelIR, f: Feature): number {
  return featureDim(ir, f) ?? 1;
}

/** Expand `concat(*)` (kept as "*" by some front ends) into every feature, in declaration order. */
export function inputSources(ir: ModelIR, from: string[]): string[] {
  return from.flatMap((s) => (s === '*' ? ir.features.map((f) => f.name) : [s]));
}

/**
 * The output width of every node, computed from the IR (the validator's `width` is used when present,
 * but a hand-built IR without widths works too).
 */
export function nodeWidths(ir: ModelIR): Map<string, number> {
  const widths = new Map<string, number>();
  const features = new Map(ir.features.map((f) => [f.name, f]));
  const nodes = new Map(ir.nodes.map((n) => [n.name, n]));
  const visiting = new Set<string>();
  const widthOf = (name: string): number => {
    const f = features.get(name);
    if (f) return featureWidth(ir, f);
    const known = widths.get(name);
    if (known !== undefined) return known;
    const n = nodes.get(name);
    if (!n || visiting.has(name)) return 0;
    visiting.add(name);
    const w = computeWidth(n, widthOf, nodes);
    visiting.delete(name);
    widths.set(name, w);
    return w;
  };
  for (const n of ir.nodes) widthOf(n.name);
  return widths;
}

function computeWidth(n: GraphNode, widthOf: (name: string) => number, nodes: Map<string, GraphNode>): number {
  switch (n.kind) {
    case 'input':
      return n.from.reduce((s, x) => s + widthOf(x), 0);
    case 'layer':
    case 'experts':
      return n.mlp.units[n.mlp.units.length - 1] ?? widthOf(n.on);
    case 'tower':
      return 1;
    case 'gate': {
      const first = nodes.get(n.over[0] ?? '');
      return first ? widthOf(first.name) : 0;
    }
  }
}

/** Experts that gate `over` mixes, in order: each group's experts, groups concatenated. */
export function gateExperts(ir: ModelIR, over: string[]): Array<{ group: string; index: number }> {
  const groups = new Map(ir.nodes.filter((n): n is ExpertsNode => n.kind === 'experts').map((n) => [n.name, n]));
  return over.flatMap((g) => Array.from({ length: groups.get(g)?.count ?? 0 }, (_, index) => ({ group: g, index })));
}

/**
 * Every named tensor of the model described by `ir`, in a stable order (features, then nodes in IR order).
 * `ir` must have its vocabulary-file sizes filled (the validator does it).
 */
export function parameterNames(ir: ModelIR): ParamName[] {
  const out: ParamName[] = [];
  const inputNames = new Set(ir.features.map((f) => f.name));
  const inputWidth = (name: string): number => (inputNames.has(name) ? featureWidth(ir, ir.features.find((f) => f.name === name)!) : widths.get(name) ?? 0);
  const widths = nodeWidths(ir);
  const dense = (name: string, nIn: number, nOut: number, bias = true): void => {
    out.push({ tfjs: `${name}/kernel`, torch: `dense.${name}.weight`, shape: [nIn, nOut], transpose: true, trainable: true });
    if (bias) out.push({ tfjs: `${name}/bias`, torch: `dense.${name}.bias`, shape: [nOut], transpose: false, trainable: true });
  };
  const norm = (name: string, n: number): void => {
    out.push({ tfjs: `${name}/gamma`, torch: `norm.${name}.weight`, shape: [n], transpose: false, trainable: true });
    out.push({ tfjs: `${name}/beta`, torch: `norm.${name}.bias`, shape: [n], transpose: false, trainable: true });
    out.push({ tfjs: `${name}/moving_mean`, torch: `norm.${name}.running_mean`, shape: [n], transpose: false, trainable: false });
    out.push({ tfjs: `${name}/moving_variance`, torch: `norm.${name}.running_var`, shape: [n], transpose: false, trainable: false });
  };
  const mlp = (prefix: string, nIn: number, units: number[], batchNorm: boolean): number => {
    let w = nIn;
    units.forEach((u, j) => {
      dense(denseName(prefix, j), w, u, !batchNorm);
      if (batchNorm) norm(normName(prefix, j), u);
      w = u;
    });
    return w;
  };
  for (const f of ir.features) {
    if (f.kind === 'numeric' && !isBucketised(f)) continue;
    if ((f.kind === 'categorical' || f.kind === 'sequence') && f.shares !== undefined) continue;
    const rows = f.kind === 'numeric' ? (f.buckets?.length ?? 0) + 1 : tableRows(f.ids);
    const name = embeddingName(f.name);
    out.push({ tfjs: `${name}/embeddings`, torch: `embedding.${name}.weight`, shape: [rows, f.dim ?? 0], transpose: false, trainable: true });
  }
  for (const n of ir.nodes) {
    switch (n.kind) {
      case 'input':
        break;
      case 'layer':
        mlp(`layer_${n.name}`, inputWidth(n.on), n.mlp.units, n.mlp.batchNorm);
        break;
      case 'experts':
        for (let i = 0; i < n.count; i++) mlp(expertPrefix(n.name, i), inputWidth(n.on), n.mlp.units, n.mlp.batchNorm);
        break;
      case 'gate':
        dense(gateDenseName(n.name), inputWidth(n.on), gateExperts(ir, n.over).length);
        break;
      case 'tower': {
        const w = mlp(`tower_${n.name}`, inputWidth(n.on), n.mlp.units, n.mlp.batchNorm);
        dense(towerOutName(n.name), w, 1);
        break;
      }
    }
  }
  return out;
}

/** Number of trainable parameters (embedding tables included, batch-norm moving statistics excluded). */
export function countParameters(ir: ModelIR): number {
  let n = 0;
  for (const p of parameterNames(ir)) if (p.trainable) n += p.shape.reduce((a, b) => a * b, 1);
  if (ir.train.weighting === 'uncertainty') n += ir.tasks.length;
  return n;
}

/** A Python identifier for an IR name (names may contain `-`, and may be Python keywords). */
export function pyIdent(name: string): string {
  const id = name.replace(/[^A-Za-z0-9_]/g, '_');
  return PY_KEYWORDS.has(id) || /^[0-9]/.test(id) ? `${id}_` : id;
}

const PY_KEYWORDS = new Set(
  'False None True and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield x self torch nn F'.split(' '),
);
