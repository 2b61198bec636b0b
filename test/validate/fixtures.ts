/**
 * Hand-built IR for the validator tests: a small valid MMoE + ESMM model whose declarations sit on
 * distinct lines, with `locs` for their properties, so tests can assert exact ranges.
 */
import type { Range } from '../../src/diagnostics/types.js';
import type { ModelIR } from '../../src/ir/types.js';
import { validate } from '../../src/validate/validate.js';
import { createDefaultRegistry } from '../../src/plugins/load.js';
import type { Diagnostic } from '../../src/diagnostics/types.js';

/** A range on one line. */
export function r(line: number, from: number, to: number): Range {
  return { start: { line, character: from }, end: { line, character: to } };
}

/** `locs` for the given keys, each on `line` at successive columns (10 characters apart). */
function locsOn(line: number, keys: string[]): Record<string, Range> {
  return Object.fromEntries(keys.map((k, i) => [k, r(line, 10 * i, 10 * i + 5)]));
}

/** A fresh valid IR (a new object on every call, so tests may mutate it). */
export function baseIR(): ModelIR {
  let line = 0;
  const at = <T extends object>(decl: T, keys: string[]): T => {
    line++;
    return { ...decl, loc: r(line, 0, 80), locs: locsOn(line, keys) };
  };
  const mlp = (units: number[]) => ({ units, activation: 'relu' as const, dropout: 0, batchNorm: false });
  return {
    version: 1,
    name: 'demo',
    loc: r(0, 0, 10),
    locs: { name: r(0, 6, 10) },
    plugins: [],
    features: [
      at({ kind: 'categorical', name: 'user_id', ids: { kind: 'hash', size: 1000 }, dim: 8 }, ['name', 'ids.size', 'dim']),
      at({ kind: 'categorical', name: 'item_id', ids: { kind: 'vocab', size: 500 }, dim: 8 }, ['name', 'ids.size', 'dim']),
      at({ kind: 'sequence', name: 'history', ids: { kind: 'vocab', size: 500 }, shares: 'item_id', pool: 'mean', maxLen: 20, separator: '|' }, [
        'name',
        'ids.size',
        'shares',
        'maxLen',
      ]),
      at({ kind: 'numeric', name: 'price', normalize: 'log1p', missing: 'mean' }, ['name']),
      at({ kind: 'numeric', name: 'age', normalize: 'none', buckets: [18, 25, 35], dim: 4, missing: 'zero' }, ['name', 'buckets.0', 'buckets.1', 'buckets.2', 'dim']),
    ],
    labels: [
      at({ name: 'click', type: 'binary' }, ['name']),
      at({ name: 'buy', type: 'binary' }, ['name']),
      at({ name: 'watch', type: 'real' }, ['name']),
    ],
    nodes: [
      at({ kind: 'input', name: 'all', from: ['user_id', 'item_id', 'history', 'price', 'age'] }, ['name', 'from.0', 'from.1', 'from.2', 'from.3', 'from.4']),
      at({ kind: 'experts', name: 'e', count: 4, on: 'all', mlp: mlp([32, 16]) }, ['name', 'count', 'on', 'units.0', 'units.1', 'dropout']),
      at({ kind: 'experts', name: 'f', count: 2, on: 'all', mlp: mlp([16]) }, ['name', 'count', 'on', 'units.0']),
      at({ kind: 'gate', name: 'g1', type: 'softmax', params: {}, over: ['e', 'f'], on: 'all' }, ['name', 'type', 'over.0', 'over.1', 'on']),
      at({ kind: 'gate', name: 'g2', type: 'softmax', params: { temperature: 0.5 }, over: ['e'], on: 'all' }, ['name', 'type', 'params.temperature', 'over.0', 'on']),
      at({ kind: 'tower', name: 'ctr', on: 'g1', mlp: mlp([8]), output: 'sigmoid' }, ['name', 'on', 'units.0']),
      at({ kind: 'tower', name: 'cvr', on: 'g2', mlp: mlp([8]), output: 'sigmoid' }, ['name', 'on', 'units.0']),
      at({ kind: 'tower', name: 'wt', on: 'all', mlp: mlp([8]), output: 'linear' }, ['name', 'on', 'units.0']),
    ],
    tasks: [
      at({ name: 'ctr', head: ['ctr'], loss: { type: 'bce', label: { label: 'click', loc: r(100, 20, 25) } }, weight: 1 }, ['name', 'head.0', 'loss.type', 'weight']),
      at(
        { name: 'ctcvr', head: ['ctr', 'cvr'], loss: { type: 'bce', label: { op: 'and', args: [{ label: 'click', loc: r(101, 20, 25) }, { label: 'buy', loc: r(101, 28, 31) }] } }, weight: 1 },
        ['name', 'head.0', 'head.1', 'loss.type', 'weight'],
      ),
      at({ name: 'watch_time', head: ['wt'], loss: { type: 'mse', label: { label: 'watch', loc: r(102, 20, 25) } }, weight: 0.5, mask: { label: 'click', loc: r(102, 40, 45) } }, [
        'name',
        'head.0',
        'loss.type',
        'weight',
        'mask',
      ]),
    ],
    metrics: [
      at({ fn: 'auc', output: 'cvr', label: { label: 'buy', loc: r(103, 10, 13) }, mask: { label: 'click', loc: r(103, 20, 25) } }, ['fn', 'output']),
      at({ fn: 'gauc', output: 'ctr', groupBy: 'user_id' }, ['fn', 'output', 'groupBy']),
    ],
    train: at(
      {
        optimizer: 'adam',
        lr: 0.001,
        batch: 64,
        epochs: 2,
        seed: 1,
        validSplit: 0.1,
        weighting: 'static',
        earlyStop: { terms: [{ coef: 1, metric: { fn: 'auc', output: 'ctcvr', locs: { output: r(104, 30, 35) } } }], mode: 'max', patience: 1 },
      },
      ['lr', 'batch', 'epochs', 'validSplit', 'earlyStop.patience'],
    ),
  } as ModelIR;
}

/** Validate with the default plugins. */
export function check(ir: ModelIR): Diagnostic[] {
  return validate(ir, { registry: createDefaultRegistry() }).diagnostics;
}

/** The diagnostics with a code. */
export function withCode(diags: Diagnostic[], code: string): Diagnostic[] {
  return diags.filter((d) => d.code === code);
}
