/**
 * Hand-built IRs of the six reference architectures (the parser is written elsewhere; these mirror
 * docs/language.md and shared/design/LANGUAGE.md). Small builders keep each model a few lines.
 */
import { DEFAULT_MLP, DEFAULT_TRAIN, IR_VERSION } from '../../src/ir/types.js';
import type {
  Feature,
  GraphNode,
  Label,
  LabelExpr,
  Mlp,
  ModelIR,
  Task,
} from '../../src/ir/types.js';

/** An MLP with defaults. */
export function mlp(units: number[], extra: Partial<Mlp> = {}): Mlp {
  return { ...DEFAULT_MLP, units, ...extra };
}

/** A label reference. */
export const L = (label: string): LabelExpr => ({ label });
/** `a & b`. */
export const and = (...args: LabelExpr[]): LabelExpr => ({ op: 'and', args });

/** Builds a model from its parts with default training settings. */
export function model(name: string, parts: { doc?: string; features: Feature[]; labels: Label[]; nodes: GraphNode[]; tasks: Task[] }): ModelIR {
  const ir: ModelIR = {
    version: IR_VERSION,
    name,
    plugins: [],
    features: parts.features,
    labels: parts.labels,
    nodes: parts.nodes,
    tasks: parts.tasks,
    metrics: [],
    train: { ...DEFAULT_TRAIN },
  };
  if (parts.doc) ir.doc = parts.doc;
  return ir;
}

/** A task with weight 1 and a bce loss. */
export function task(name: string, head: string[], label: LabelExpr, extra: Partial<Task> = {}): Task {
  return { name, head, loss: { type: 'bce', label }, weight: 1, ...extra };
}

/** The Ali-CCP-like features used by the CTR/CVR models: ids, a history sharing the item table, a price. */
export function ccpFeatures(): Feature[] {
  return [
    { kind: 'categorical', name: 'user_id', ids: { kind: 'hash', size: 100000 }, dim: 18 },
    { kind: 'categorical', name: 'item_id', ids: { kind: 'hash', size: 500000 }, dim: 18 },
    { kind: 'sequence', name: 'history', ids: { kind: 'hash', size: 500000 }, dim: 18, shares: 'item_id', pool: 'mean', maxLen: 50, separator: '|' },
    { kind: 'numeric', name: 'price', normalize: 'log1p', missing: 'mean' },
  ];
}

/** Click and buy labels. */
export const ccpLabels = (): Label[] => [
  { name: 'click', type: 'binary' },
  { name: 'buy', type: 'binary' },
];

const ALL: GraphNode = { kind: 'input', name: 'all', from: ['user_id', 'item_id', 'history', 'price'] };

/** Shared-Bottom (Caruana 1997): one shared MLP, one tower per task. */
export function sharedBottom(): ModelIR {
  return model('shared_bottom', {
    doc: 'Shared-Bottom multi-task model (Caruana, 1997)',
    features: ccpFeatures(),
    labels: ccpLabels(),
    nodes: [
      ALL,
      { kind: 'layer', name: 'bottom', on: 'all', mlp: mlp([128, 64], { dropout: 0.1, batchNorm: true }) },
      { kind: 'tower', name: 'ctr', on: 'bottom', mlp: mlp([32]), output: 'sigmoid' },
      { kind: 'tower', name: 'cvr', on: 'bottom', mlp: mlp([32]), output: 'sigmoid' },
    ],
    tasks: [task('ctr', ['ctr'], L('click')), task('cvr', ['cvr'], L('buy'), { mask: L('click') })],
  });
}

/** Census-income features of the MMoE paper's experiment. */
function censusFeatures(): Feature[] {
  return [
    { kind: 'numeric', name: 'age', normalize: 'standard', missing: 'mean' },
    { kind: 'categorical', name: 'education', ids: { kind: 'vocab', size: 17 }, dim: 4 },
    { kind: 'categorical', name: 'occupation', ids: { kind: 'vocab', size: 47 }, dim: 8 },
    { kind: 'numeric', name: 'hours', normalize: 'minmax', missing: 'zero' },
  ];
}

const CENSUS_LABELS: Label[] = [
  { name: 'income_50k', type: 'binary', positive: ['50000+.'] },
  { name: 'never_married', type: 'binary' },
];
const CENSUS_ALL: GraphNode = { kind: 'input', name: 'all', from: ['age', 'education', 'occupation', 'hours'] };

/** One-gate MoE (Ma et al. 2018, OMoE baseline): one gate shared by both towers. */
export function omoe(): ModelIR {
  return model('omoe', {
    doc: 'One-gate Mixture-of-Experts (Ma et al., KDD 2018)',
    features: censusFeatures(),
    labels: CENSUS_LABELS,
    nodes: [
      CENSUS_ALL,
      { kind: 'experts', name: 'e', count: 4, on: 'all', mlp: mlp([16]) },
      { kind: 'gate', name: 'g', type: 'softmax', params: {}, over: ['e'], on: 'all' },
      { kind: 'tower', name: 'income', on: 'g', mlp: mlp([8]), output: 'sigmoid' },
      { kind: 'tower', name: 'marital', on: 'g', mlp: mlp([8]), output: 'sigmoid' },
    ],
    tasks: [task('income', ['income'], L('income_50k')), task('marital', ['marital'], L('never_married'), { weight: 0.5 })],
  });
}

/** MMoE (Ma et al. 2018): 8 experts on the raw input, one softmax gate per task. */
export function mmoe(count = 8): ModelIR {
  return model('mmoe', {
    doc: 'Multi-gate Mixture-of-Experts (Ma et al., KDD 2018)',
    features: censusFeatures(),
    labels: CENSUS_LABELS,
    nodes: [
      CENSUS_ALL,
      { kind: 'experts', name: 'e', count, on: 'all', mlp: mlp([16]) },
      { kind: 'gate', name: 'g_income', type: 'softmax', params: {}, over: ['e'], on: 'all' },
      { kind: 'gate', name: 'g_marital', type: 'softmax', params: { temperature: 1 }, over: ['e'], on: 'all' },
      { kind: 'tower', name: 'income', on: 'g_income', mlp: mlp([8]), output: 'sigmoid' },
      { kind: 'tower', name: 'marital', on: 'g_marital', mlp: mlp([8]), output: 'sigmoid' },
    ],
    tasks: [task('income', ['income'], L('income_50k')), task('marital', ['marital'], L('never_married'), { weight: 0.5 })],
  });
}

/** CGC (Tang et al. 2020, single-level PLE): task-specific and shared experts, one gate per task. */
export function cgc(): ModelIR {
  return model('cgc', {
    doc: 'Customized Gate Control (Tang et al., RecSys 2020)',
    features: ccpFeatures(),
    labels: ccpLabels(),
    nodes: [
      ALL,
      { kind: 'experts', name: 'ctr_e', count: 2, on: 'all', mlp: mlp([64]) },
      { kind: 'experts', name: 'shared', count: 2, on: 'all', mlp: mlp([64]) },
      { kind: 'experts', name: 'cvr_e', count: 2, on: 'all', mlp: mlp([64]) },
      { kind: 'gate', name: 'ctr_g', type: 'softmax', params: {}, over: ['ctr_e', 'shared'], on: 'all' },
      { kind: 'gate', name: 'cvr_g', type: 'softmax', params: {}, over: ['cvr_e', 'shared'], on: 'all' },
      { kind: 'tower', name: 'ctr', on: 'ctr_g', mlp: mlp([32]), output: 'sigmoid' },
      { kind: 'tower', name: 'cvr', on: 'cvr_g', mlp: mlp([32]), output: 'sigmoid' },
    ],
    tasks: [task('ctr', ['ctr'], L('click')), task('cvr', ['cvr'], L('buy'), { mask: L('click') })],
  });
}

/** PLE with two extraction levels (Tang et al. 2020): level 1's shared gate feeds level 2's shared experts. */
export function ple(): ModelIR {
  return model('ple', {
    doc: 'Progressive Layered Extraction, 2 levels (Tang et al., RecSys 2020)',
    features: ccpFeatures(),
    labels: ccpLabels(),
    nodes: [
      ALL,
      { kind: 'experts', name: 'ctr1', count: 2, on: 'all', mlp: mlp([64]) },
      { kind: 'experts', name: 'shared1', count: 2, on: 'all', mlp: mlp([64]) },
      { kind: 'experts', name: 'cvr1', count: 2, on: 'all', mlp: mlp([64]) },
      { kind: 'gate', name: 'ctr_g1', type: 'softmax', params: {}, over: ['ctr1', 'shared1'], on: 'all' },
      { kind: 'gate', name: 'shared_g1', type: 'softmax', params: {}, over: ['ctr1', 'shared1', 'cvr1'], on: 'all' },
      { kind: 'gate', name: 'cvr_g1', type: 'softmax', params: {}, over: ['cvr1', 'shared1'], on: 'all' },
      { kind: 'experts', name: 'ctr2', count: 2, on: 'ctr_g1', mlp: mlp([32]) },
      { kind: 'experts', name: 'shared2', count: 2, on: 'shared_g1', mlp: mlp([32]) },
      { kind: 'experts', name: 'cvr2', count: 2, on: 'cvr_g1', mlp: mlp([32]) },
      { kind: 'gate', name: 'ctr_g2', type: 'softmax', params: {}, over: ['ctr2', 'shared2'], on: 'ctr_g1' },
      { kind: 'gate', name: 'cvr_g2', type: 'softmax', params: {}, over: ['cvr2', 'shared2'], on: 'cvr_g1' },
      { kind: 'tower', name: 'ctr', on: 'ctr_g2', mlp: mlp([32]), output: 'sigmoid' },
      { kind: 'tower', name: 'cvr', on: 'cvr_g2', mlp: mlp([32]), output: 'sigmoid' },
    ],
    tasks: [task('ctr', ['ctr'], L('click')), task('cvr', ['cvr'], L('buy'), { mask: L('click') })],
  });
}

/** ESMM (Ma et al. 2018): CTR and CVR towers on shared embeddings; CTCVR = CTR × CVR; CVR has no direct loss. */
export function esmm(): ModelIR {
  return model('esmm', {
    doc: 'Entire Space Multi-task Model (Ma et al., SIGIR 2018)',
    features: ccpFeatures(),
    labels: ccpLabels(),
    nodes: [
      ALL,
      { kind: 'tower', name: 'ctr', on: 'all', mlp: mlp([360, 200, 80]), output: 'sigmoid' },
      { kind: 'tower', name: 'cvr', on: 'all', mlp: mlp([360, 200, 80]), output: 'sigmoid' },
    ],
    tasks: [task('ctr', ['ctr'], L('click')), task('ctcvr', ['ctr', 'cvr'], and(L('click'), L('buy')))],
  });
}

/** The six reference models by file stem. */
export const REFERENCE_MODELS: Record<string, () => ModelIR> = {
  'shared-bottom': sharedBottom,
  omoe,
  mmoe: () => mmoe(),
  cgc,
  ple,
  esmm,
};

/** MMoE on `n` hashed features (like the census spec's ~40 columns), to exercise the compact features block. */
export function wideMmoe(n: number): ModelIR {
  const ir = mmoe();
  ir.features = Array.from({ length: n }, (_, i): Feature => ({ kind: 'categorical', name: `f${i}`, ids: { kind: 'hash', size: 64 }, dim: 4 }));
  ir.nodes[0] = { kind: 'input', name: 'all', from: ir.features.map((f) => f.name) };
  return ir;
}
