/**
 * The JSON Schema (draft-07, for ajv 8 with `discriminator: true`) of {@link ModelIR}, exactly as typed
 * in src/ir/types.ts. Written out to schema/mtl-ir.schema.json (a test keeps the two equal).
 *
 * Only shapes and JSON types are checked here: value ranges (positive sizes, fractions) are semantic
 * rules in src/validate/rules, which give better messages and keep partial specs checkable.
 */
import { ACTIVATION_NAMES, EMBEDDING_OPTIMIZER_NAMES, OPTIMIZER_NAMES, SCHEDULE_NAMES } from './ops/index.js';

/** A JSON Schema, as plain data. */
export type JsonSchema = Record<string, unknown>;

const ref = (name: string): JsonSchema => ({ $ref: `#/definitions/${name}` });

/** The properties every Located declaration may carry. */
const LOCATED = {
  loc: ref('range'),
  locs: { type: 'object', additionalProperties: ref('range') },
  doc: { type: 'string' },
};

/** A closed object schema: `additionalProperties: false`, the given required keys. */
function obj(properties: Record<string, unknown>, required: string[], located = false): JsonSchema {
  return {
    type: 'object',
    properties: located ? { ...properties, ...LOCATED } : properties,
    required,
    additionalProperties: false,
  };
}

/** A union discriminated by `kind` (ajv `discriminator`): errors come only from the selected branch. */
function byKind(names: string[]): JsonSchema {
  return { type: 'object', discriminator: { propertyName: 'kind' }, required: ['kind'], oneOf: names.map(ref) };
}

const int = { type: 'integer' };
const num = { type: 'number' };
const str = { type: 'string' };
const strList = { type: 'array', items: str };

/** The IR schema. */
export const MODEL_IR_SCHEMA: JsonSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://mtl.dev/schema/mtl-ir.schema.json',
  title: 'mtl model IR',
  description: 'A multi-task recommender model spec (the IR of the mtl compiler), version 1.',
  type: 'object',
  properties: {
    version: { const: 1 },
    name: str,
    plugins: { type: 'array', items: ref('pluginRef') },
    data: ref('dataSource'),
    features: { type: 'array', items: ref('feature') },
    labels: { type: 'array', items: ref('label') },
    nodes: { type: 'array', items: ref('node') },
    tasks: { type: 'array', items: ref('task') },
    metrics: { type: 'array', items: ref('metric') },
    train: ref('train'),
    ...LOCATED,
  },
  required: ['version', 'name', 'plugins', 'features', 'labels', 'nodes', 'tasks', 'metrics', 'train'],
  additionalProperties: false,
  definitions: {
    position: obj({ line: { type: 'integer', minimum: 0 }, character: { type: 'integer', minimum: 0 } }, ['line', 'character']),
    range: obj({ start: ref('position'), end: ref('position') }, ['start', 'end']),
    jsonValue: { description: 'Any JSON value (plugin and generator parameters).' },
    pluginRef: obj({ source: str, loc: ref('range') }, ['source']),
    dataSource: byKind(['fileData', 'synthData']),
    fileData: obj({ kind: { const: 'file' }, train: str, valid: str }, ['kind', 'train'], true),
    synthData: obj(
      { kind: { const: 'synth' }, generator: str, rows: int, params: { type: 'object', additionalProperties: ref('jsonValue') } },
      ['kind', 'generator', 'rows', 'params'],
      true,
    ),
    idSpace: byKind(['hashIds', 'vocabIds', 'fileIds']),
    hashIds: obj({ kind: { const: 'hash' }, size: int }, ['kind', 'size']),
    vocabIds: obj({ kind: { const: 'vocab' }, size: int }, ['kind', 'size']),
    fileIds: obj({ kind: { const: 'file' }, path: str, size: int }, ['kind', 'path']),
    feature: byKind(['categoricalFeature', 'numericFeature', 'sequenceFeature']),
    categoricalFeature: obj(
      { kind: { const: 'categorical' }, name: str, column: str, ids: ref('idSpace'), dim: int, shares: str, width: int },
      ['kind', 'name', 'ids'],
      true,
    ),
    numericFeature: obj(
      {
        kind: { const: 'numeric' },
        name: str,
        column: str,
        normalize: { enum: ['none', 'standard', 'minmax', 'log1p'] },
        buckets: { type: 'array', items: num },
        dim: int,
        missing: ref('numericMissing'),
        width: int,
      },
      ['kind', 'name', 'normalize', 'missing'],
      true,
    ),
    numericMissing: {
      if: { type: 'object' },
      then: obj({ value: num }, ['value']),
      else: { enum: ['error', 'zero', 'mean'] },
    },
    sequenceFeature: obj(
      {
        kind: { const: 'sequence' },
        name: str,
        column: str,
        ids: ref('idSpace'),
        dim: int,
        shares: str,
        pool: { enum: ['mean', 'sum', 'max'] },
        maxLen: int,
        separator: str,
        width: int,
      },
      ['kind', 'name', 'ids', 'pool', 'maxLen', 'separator'],
      true,
    ),
    label: obj({ name: str, type: { enum: ['binary', 'real'] }, column: str, positive: strList }, ['name', 'type'], true),
    labelExpr: {
      if: { type: 'object', required: ['label'] },
      then: obj({ label: str, loc: ref('range') }, ['label']),
      else: {
        if: { type: 'object', properties: { op: { const: 'not' } }, required: ['op'] },
        then: obj({ op: { const: 'not' }, arg: ref('labelExpr'), loc: ref('range') }, ['op', 'arg']),
        else: obj(
          { op: { enum: ['and', 'or', 'not'] }, args: { type: 'array', minItems: 1, items: ref('labelExpr') }, loc: ref('range') },
          ['op', 'args'],
        ),
      },
    },
    mlp: obj(
      {
        units: { type: 'array', items: int },
        activation: { enum: [...ACTIVATION_NAMES] },
        dropout: num,
        batchNorm: { type: 'boolean' },
      },
      ['units', 'activation', 'dropout', 'batchNorm'],
    ),
    node: byKind(['inputNode', 'layerNode', 'expertsNode', 'gateNode', 'towerNode']),
    inputNode: obj({ kind: { const: 'input' }, name: str, from: strList, width: int }, ['kind', 'name', 'from'], true),
    layerNode: obj({ kind: { const: 'layer' }, name: str, on: str, mlp: ref('mlp'), width: int }, ['kind', 'name', 'on', 'mlp'], true),
    expertsNode: obj(
      { kind: { const: 'experts' }, name: str, count: int, on: str, mlp: ref('mlp'), width: int },
      ['kind', 'name', 'count', 'on', 'mlp'],
      true,
    ),
    gateNode: obj(
      {
        kind: { const: 'gate' },
        name: str,
        type: str,
        params: { type: 'object', additionalProperties: ref('jsonValue') },
        over: { type: 'array', minItems: 1, items: str },
        on: str,
        width: int,
      },
      ['kind', 'name', 'type', 'params', 'over', 'on'],
      true,
    ),
    towerNode: obj(
      { kind: { const: 'tower' }, name: str, on: str, mlp: ref('mlp'), output: { enum: ['sigmoid', 'linear'] }, width: int },
      ['kind', 'name', 'on', 'mlp', 'output'],
      true,
    ),
    task: obj(
      {
        name: str,
        head: { type: 'array', minItems: 1, items: str },
        loss: obj({ type: str, label: ref('labelExpr') }, ['type', 'label']),
        weight: num,
        mask: ref('labelExpr'),
        weightBy: str,
      },
      ['name', 'head', 'loss', 'weight'],
      true,
    ),
    metric: obj(
      {
        fn: { enum: ['auc', 'logloss', 'mse', 'mae', 'gauc'] },
        output: str,
        label: ref('labelExpr'),
        mask: ref('labelExpr'),
        groupBy: str,
        weightBy: str,
      },
      ['fn', 'output'],
      true,
    ),
    train: obj(
      {
        optimizer: { enum: [...OPTIMIZER_NAMES] },
        lr: num,
        batch: int,
        epochs: int,
        seed: int,
        validSplit: num,
        earlyStop: obj(
          {
            terms: { type: 'array', minItems: 1, items: obj({ coef: num, metric: ref('metric') }, ['coef', 'metric']) },
            mode: { enum: ['max', 'min'] },
            patience: int,
          },
          ['terms', 'mode', 'patience'],
        ),
        weighting: { enum: ['static', 'uncertainty'] },
        shuffleBuffer: { oneOf: [{ enum: ['all'] }, int] },
        schedule: obj(
          { type: { enum: [...SCHEDULE_NAMES] }, warmup: int, minLr: num, every: int, everyUnit: { enum: ['epochs', 'steps'] }, gamma: num },
          ['type'],
        ),
        weightDecay: num,
        embeddingL2: num,
        clipNorm: num,
        embeddingOptimizer: { enum: [...EMBEDDING_OPTIMIZER_NAMES] },
        weightBy: str,
      },
      ['optimizer', 'lr', 'batch', 'epochs', 'seed', 'validSplit', 'weighting'],
      true,
    ),
  },
};
