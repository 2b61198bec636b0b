/**
 * Hand-built IRs of the six reference specs (specs/*.mtl), so that the PyTorch target is tested without
 * depending on the parser, plus a "kitchen sink" IR that covers what the reference specs do not (batch norm,
 * dropout, sum/max pooling, buckets, vocab ids, minmax, a linear tower with mse, masks, uncertainty weighting,
 * a gate temperature).
 */
import type { Feature, GraphNode, LabelExpr, Label, ModelIR, Mlp, Task, TrainSettings } from '../../src/ir/types.js';
import { DEFAULT_TRAIN } from '../../src/ir/types.js';
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { serializeModel } from '../../src/artifact/tfjs-io.js';
import { writeManifest } from '../../src/artifact/manifest.js';

const mlp = (units: number[], extra: Partial<Mlp> = {}): Mlp => ({ units, activation: 'relu', dropout: 0, batchNorm: false, ...extra });
const lab = (label: string): LabelExpr => ({ label });
const bce = (name: string, head: string[], label: LabelExpr, extra: Partial<Task> = {}): Task => ({ name, head, loss: { type: 'bce', label }, weight: 1, ...extra });
const train = (extra: Partial<TrainSettings> = {}): TrainSettings => ({ ...DEFAULT_TRAIN, batch: 256, ...extra });

const CENSUS_CATEGORICAL = [
  'education', 'class_worker', 'det_ind_code', 'det_occ_code', 'hs_college', 'major_ind_code', 'major_occ_code', 'race',
  'hisp_origin', 'sex', 'union_member', 'unemp_reason', 'full_or_part_emp', 'tax_filer_stat', 'region_prev_res',
  'state_prev_res', 'det_hh_fam_stat', 'det_hh_summ', 'mig_chg_msa', 'mig_chg_reg', 'mig_move_reg', 'mig_same',
  'mig_prev_sunbelt', 'fam_under_18', 'country_father', 'country_mother', 'country_self', 'citizenship', 'own_or_self',
  'vet_question', 'vet_benefits', 'year',
];
const CENSUS_NUMERIC: Array<[string, 'standard' | 'log1p']> = [
  ['age', 'standard'], ['wage_per_hour', 'log1p'], ['capital_gains', 'log1p'], ['capital_losses', 'log1p'],
  ['stock_dividends', 'log1p'], ['num_emp', 'standard'], ['weeks_worked', 'standard'],
];

/** The census features of shared-bottom, omoe, mmoe, cgc and ple. */
function censusFeatures(): Feature[] {
  return [
    ...CENSUS_CATEGORICAL.map((name): Feature => ({ kind: 'categorical', name, ids: { kind: 'hash', size: 64 }, dim: 4 })),
    ...CENSUS_NUMERIC.map(([name, normalize]): Feature => ({ kind: 'numeric', name, normalize, missing: 'zero' })),
  ];
}

const CENSUS_LABELS: Label[] = [
  { name: 'income', type: 'binary', column: 'income_50k', positive: ['50000+.'] },
  { name: 'never_married', type: 'binary', column: 'marital_stat', positive: ['Never married'] },
];

function census(name: string, nodes: GraphNode[], towersOn: [string, string]): ModelIR {
  return {
    version: 1,
    name,
    plugins: [],
    features: censusFeatures(),
    labels: CENSUS_LABELS,
    nodes: [
      { kind: 'input', name: 'all', from: censusFeatures().map((f) => f.name) },
      ...nodes,
      { kind: 'tower', name: 'income', on: towersOn[0], mlp: mlp([8]), output: 'sigmoid' },
      { kind: 'tower', name: 'never_married', on: towersOn[1], mlp: mlp([8]), output: 'sigmoid' },
    ],
    tasks: [bce('income', ['income'], lab('income')), bce('never_married', ['never_married'], lab('never_married'))],
    metrics: [],
    train: train({ earlyStop: { terms: [{ coef: 1, metric: { fn: 'auc', output: 'income' } }, { coef: 1, metric: { fn: 'auc', output: 'never_married' } }], mode: 'max', patience: 1 } }),
  };
}

const softmax = (name: string, over: string[], on: string, params = {}): GraphNode => ({ kind: 'gate', name, type: 'softmax', params, over, on });
const experts = (name: string, count: number, units: number, on: string): GraphNode => ({ kind: 'experts', name, count, on, mlp: mlp([units]) });

/** specs/esmm.mtl */
export function esmm(): ModelIR {
  return {
    version: 1,
    name: 'esmm',
    doc: 'Entire Space Multi-task Model (Ma et al., SIGIR 2018)',
    plugins: [],
    features: [
      { kind: 'categorical', name: 'user_id', ids: { kind: 'hash', size: 20000 }, dim: 16 },
      { kind: 'categorical', name: 'item_id', ids: { kind: 'hash', size: 20000 }, dim: 16 },
      { kind: 'categorical', name: 'category', ids: { kind: 'hash', size: 200 }, dim: 8 },
      { kind: 'categorical', name: 'hour', ids: { kind: 'vocab', size: 24 }, dim: 4 },
      { kind: 'sequence', name: 'history', ids: { kind: 'hash', size: 20000 }, pool: 'mean', maxLen: 20, separator: '|', shares: 'item_id', dim: 16 },
      { kind: 'numeric', name: 'price', normalize: 'log1p', missing: 'zero' },
    ],
    labels: [
      { name: 'click', type: 'binary' },
      { name: 'buy', type: 'binary' },
    ],
    nodes: [
      { kind: 'input', name: 'all', from: ['user_id', 'item_id', 'category', 'hour', 'history', 'price'], doc: 'User, item and context features.' },
      { kind: 'tower', name: 'ctr', on: 'all', mlp: mlp([360, 200, 80]), output: 'sigmoid' },
      { kind: 'tower', name: 'cvr', on: 'all', mlp: mlp([360, 200, 80]), output: 'sigmoid' },
    ],
    tasks: [bce('ctr', ['ctr'], lab('click')), bce('ctcvr', ['ctr', 'cvr'], { op: 'and', args: [lab('click'), lab('buy')] })],
    metrics: [{ fn: 'auc', output: 'cvr', label: lab('buy'), mask: lab('click') }],
    train: train({ earlyStop: { terms: [{ coef: 1, metric: { fn: 'auc', output: 'ctcvr' } }], mode: 'max', patience: 1 } }),
  };
}

/** specs/shared-bottom.mtl */
export function sharedBottom(): ModelIR {
  return census('shared_bottom', [{ kind: 'layer', name: 'bottom', on: 'all', mlp: mlp([64]) }], ['bottom', 'bottom']);
}

/** specs/omoe.mtl */
export function omoe(): ModelIR {
  return census('omoe', [experts('e', 8, 16, 'all'), softmax('g', ['e'], 'all')], ['g', 'g']);
}

/** specs/mmoe.mtl */
export function mmoe(): ModelIR {
  return census('mmoe', [experts('e', 8, 16, 'all'), softmax('g_income', ['e'], 'all'), softmax('g_marital', ['e'], 'all')], ['g_income', 'g_marital']);
}

/** specs/cgc.mtl */
export function cgc(): ModelIR {
  return census(
    'cgc',
    [
      experts('shared', 2, 16, 'all'),
      experts('income_experts', 2, 16, 'all'),
      experts('marital_experts', 2, 16, 'all'),
      softmax('g_income', ['income_experts', 'shared'], 'all'),
      softmax('g_marital', ['marital_experts', 'shared'], 'all'),
    ],
    ['g_income', 'g_marital'],
  );
}

/** specs/ple.mtl */
export function ple(): ModelIR {
  return census(
    'ple',
    [
      experts('shared1', 2, 32, 'all'),
      experts('income1', 2, 32, 'all'),
      experts('marital1', 2, 32, 'all'),
      softmax('g_income1', ['income1', 'shared1'], 'all'),
      softmax('g_marital1', ['marital1', 'shared1'], 'all'),
      softmax('g_shared1', ['income1', 'marital1', 'shared1'], 'all'),
      experts('shared2', 2, 16, 'g_shared1'),
      experts('income2', 2, 16, 'g_income1'),
      experts('marital2', 2, 16, 'g_marital1'),
      softmax('g_income2', ['income2', 'shared2'], 'g_income1'),
      softmax('g_marital2', ['marital2', 'shared2'], 'g_marital1'),
    ],
    ['g_income2', 'g_marital2'],
  );
}

/** Everything the reference specs leave out, in one small model. */
export function kitchenSink(): ModelIR {
  return {
    version: 1,
    name: 'sink',
    plugins: [],
    features: [
      { kind: 'categorical', name: 'user', ids: { kind: 'hash', size: 50 }, dim: 3 },
      { kind: 'categorical', name: 'shop', ids: { kind: 'vocab', size: 10 }, dim: 2 },
      { kind: 'sequence', name: 'clicks', ids: { kind: 'hash', size: 40 }, dim: 3, pool: 'max', maxLen: 4, separator: '|' },
      { kind: 'sequence', name: 'views', ids: { kind: 'vocab', size: 10 }, pool: 'sum', maxLen: 3, separator: ';', shares: 'shop', dim: 2 },
      { kind: 'numeric', name: 'age', normalize: 'standard', buckets: [18, 30, 50], dim: 2, missing: 'mean' },
      { kind: 'numeric', name: 'spend', normalize: 'minmax', missing: { value: 1 } },
    ],
    labels: [
      { name: 'click', type: 'binary' },
      { name: 'buy', type: 'binary' },
      { name: 'watch', type: 'real' },
    ],
    nodes: [
      { kind: 'input', name: 'x', from: ['user', 'shop', 'clicks', 'views', 'age', 'spend'] },
      { kind: 'layer', name: 'bottom', on: 'x', mlp: mlp([12, 8], { batchNorm: true, dropout: 0.1, activation: 'tanh' }) },
      { kind: 'experts', name: 'e', count: 3, on: 'bottom', mlp: mlp([6], { activation: 'elu' }) },
      { kind: 'gate', name: 'g', type: 'softmax', params: { temperature: 0.5 }, over: ['e'], on: 'x' },
      { kind: 'tower', name: 'ctr', on: 'g', mlp: mlp([4], { activation: 'selu' }), output: 'sigmoid' },
      { kind: 'tower', name: 'cvr', on: 'bottom', mlp: mlp([4], { batchNorm: true }), output: 'sigmoid' },
      { kind: 'tower', name: 'time', on: 'g', mlp: mlp([], {}), output: 'linear' },
    ],
    tasks: [
      bce('ctr', ['ctr'], lab('click')),
      bce('ctcvr', ['ctr', 'cvr'], { op: 'and', args: [lab('click'), lab('buy')] }, { weight: 0.5 }),
      bce('cvr_clicked', ['cvr'], lab('buy'), { mask: lab('click') }),
      { name: 'time', head: ['time'], loss: { type: 'mse', label: lab('watch') }, weight: 0.2 },
    ],
    metrics: [{ fn: 'gauc', output: 'ctr', groupBy: 'user' }],
    train: train({ weighting: 'uncertainty', batch: 16 }),
  };
}

/** The six reference specs by file name. */
export const REFERENCE_IRS: Record<string, () => ModelIR> = {
  'shared-bottom': sharedBottom,
  omoe,
  mmoe,
  cgc,
  ple,
  esmm,
};

/** A named model input, as the export model and the PyTorch model take it. */
export interface Input {
  dtype: 'int32' | 'float32';
  shape: number[];
  data: number[];
}

/** Predict with a tfjs export model: output name → flat values. */
export function predictTfjs(model: tf.LayersModel, inputs: Record<string, Input>): Record<string, number[]> {
  const feeds = model.inputNames.map((name) => tf.tensor(inputs[name]!.data, inputs[name]!.shape, inputs[name]!.dtype));
  const outs = model.predict(feeds) as tf.Tensor | tf.Tensor[];
  const list = Array.isArray(outs) ? outs : [outs];
  const result: Record<string, number[]> = {};
  model.outputNames.forEach((name, i) => (result[name] = Array.from(list[i]!.dataSync())));
  tf.dispose([...feeds, ...list]);
  return result;
}

/** Write an export model as a model directory that `convertTfjsToTorch` reads (as mtl train writes it, with a manifest: without one, conversion warns MTL5337). */
export async function writeExportArtifact(model: tf.LayersModel, ir: ModelIR, dir: string): Promise<void> {
  await fsp.mkdir(dir);
  const { modelJson, weights } = await serializeModel(model);
  await fsp.writeFile(path.join(dir, 'model.json'), modelJson);
  await fsp.writeFile(path.join(dir, 'weights.bin'), weights);
  await fsp.writeFile(path.join(dir, 'ir.json'), JSON.stringify(ir));
  await fsp.writeFile(path.join(dir, 'preprocess.json'), JSON.stringify({ version: 1, features: {}, rowsSeen: 0 }));
  await writeManifest(dir, 'model');
}
