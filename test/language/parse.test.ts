import { describe, expect, it } from 'vitest';
import { parseSpec } from '../../src/language/index.js';
import { DEFAULT_TRAIN } from '../../src/ir/types.js';
import { slice, stripLocs } from './helpers.js';

/** The example of docs/language.md. */
const EXAMPLE = `# specs/esmm.mtl
model esmm "Entire Space Multi-task Model (Ma et al., SIGIR 2018)"

use "./plugins/my-gate.js"                 # plugins: a path relative to the spec, or a package name

data { synth esmm rows 20000 }             # built-in data when \`mtl train\` gets no --data
# data { train "train.csv.gz" valid "valid.csv" }

features {
  categorical user_id  hash 100000 dim 18
  categorical item_id  vocab 500000 dim 18 column "item"
  categorical city     vocab "cities.txt" dim 8
  sequence    history  hash 500000 pool mean max_len 50 sep "|" shares item_id
  numeric     price    normalize log1p missing mean
  numeric     age      buckets [18, 25, 35, 50] dim 4
}
labels {
  click: binary
  buy: binary
  income: binary column "income_50k" positive "50000+."
  watch_time: real
}

input all = concat(user_id, item_id, history, price)
layer bottom = mlp(128, 64) relu dropout 0.1 batchnorm on all
experts e[8] = mlp(16) relu on all
gate g_ctr = softmax(temperature: 1.0) over e on all
tower ctr = mlp(360, 200, 80) on all -> sigmoid
tower cvr = mlp(360, 200, 80) on all -> sigmoid

task ctr   = ctr        loss bce(click)
task ctcvr = ctr * cvr  loss bce(click & buy) weight 1.0
task cvr_clicked = cvr  loss bce(buy) where click

metric auc(cvr, buy) where click
metric gauc(ctr) by user_id

train {
  optimizer adam lr 0.001 batch 1024 epochs 3 seed 42
  valid_split 0.1
  early_stop auc(ctcvr) patience 1            # or: early_stop 2 * auc(ctr) - logloss(ctr) mode max
  weighting uncertainty                       # or static (the default)
}
`;

const mlp = (units: number[], extra: object = {}) => ({ units, activation: 'relu', dropout: 0, batchNorm: false, ...extra });

describe('parseSpec: the language reference example', () => {
  const r = parseSpec(EXAMPLE, 'esmm.mtl');

  it('has no diagnostics', () => {
    expect(r.diagnostics).toEqual([]);
  });

  it('builds the whole IR', () => {
    expect(stripLocs(r.value)).toEqual({
      version: 1,
      name: 'esmm',
      doc: 'Entire Space Multi-task Model (Ma et al., SIGIR 2018)',
      plugins: [{ source: './plugins/my-gate.js' }],
      data: { kind: 'synth', generator: 'esmm', rows: 20000, params: {} },
      features: [
        { kind: 'categorical', name: 'user_id', ids: { kind: 'hash', size: 100000 }, dim: 18 },
        { kind: 'categorical', name: 'item_id', ids: { kind: 'vocab', size: 500000 }, dim: 18, column: 'item' },
        { kind: 'categorical', name: 'city', ids: { kind: 'file', path: 'cities.txt' }, dim: 8 },
        { kind: 'sequence', name: 'history', ids: { kind: 'hash', size: 500000 }, pool: 'mean', maxLen: 50, separator: '|', shares: 'item_id' },
        { kind: 'numeric', name: 'price', normalize: 'log1p', missing: 'mean' },
        { kind: 'numeric', name: 'age', normalize: 'none', missing: 'error', buckets: [18, 25, 35, 50], dim: 4 },
      ],
      labels: [
        { name: 'click', type: 'binary' },
        { name: 'buy', type: 'binary' },
        { name: 'income', type: 'binary', column: 'income_50k', positive: ['50000+.'] },
        { name: 'watch_time', type: 'real' },
      ],
      nodes: [
        { kind: 'input', name: 'all', from: ['user_id', 'item_id', 'history', 'price'] },
        { kind: 'layer', name: 'bottom', on: 'all', mlp: mlp([128, 64], { dropout: 0.1, batchNorm: true }) },
        { kind: 'experts', name: 'e', count: 8, on: 'all', mlp: mlp([16]) },
        { kind: 'gate', name: 'g_ctr', type: 'softmax', params: { temperature: 1 }, over: ['e'], on: 'all' },
        { kind: 'tower', name: 'ctr', on: 'all', mlp: mlp([360, 200, 80]), output: 'sigmoid' },
        { kind: 'tower', name: 'cvr', on: 'all', mlp: mlp([360, 200, 80]), output: 'sigmoid' },
      ],
      tasks: [
        { name: 'ctr', head: ['ctr'], loss: { type: 'bce', label: { label: 'click' } }, weight: 1 },
        { name: 'ctcvr', head: ['ctr', 'cvr'], loss: { type: 'bce', label: { op: 'and', args: [{ label: 'click' }, { label: 'buy' }] } }, weight: 1 },
        { name: 'cvr_clicked', head: ['cvr'], loss: { type: 'bce', label: { label: 'buy' } }, weight: 1, mask: { label: 'click' } },
      ],
      metrics: [
        { fn: 'auc', output: 'cvr', label: { label: 'buy' }, mask: { label: 'click' } },
        { fn: 'gauc', output: 'ctr', groupBy: 'user_id' },
      ],
      train: {
        optimizer: 'adam', lr: 0.001, batch: 1024, epochs: 3, seed: 42, validSplit: 0.1, weighting: 'uncertainty',
        earlyStop: { terms: [{ coef: 1, metric: { fn: 'auc', output: 'ctcvr' } }], mode: 'max', patience: 1 },
      },
    });
  });

  it('is plain JSON', () => {
    expect(JSON.parse(JSON.stringify(r.value))).toEqual(r.value);
  });

  it('puts 0-based, end-exclusive ranges on declarations and properties', () => {
    const gate = r.value.nodes.find((n) => n.name === 'g_ctr')!;
    expect(slice(EXAMPLE, gate.loc!)).toBe('gate g_ctr = softmax(temperature: 1.0) over e on all');
    expect(slice(EXAMPLE, gate.locs!['name']!)).toBe('g_ctr');
    expect(slice(EXAMPLE, gate.locs!['type']!)).toBe('softmax');
    expect(slice(EXAMPLE, gate.locs!['params.temperature']!)).toBe('1.0');
    expect(slice(EXAMPLE, gate.locs!['over.0']!)).toBe('e');
    expect(slice(EXAMPLE, gate.locs!['on']!)).toBe('all');
    const tower = r.value.nodes.find((n) => n.name === 'ctr')!;
    expect(slice(EXAMPLE, tower.locs!['units.2']!)).toBe('80');
    expect(slice(EXAMPLE, tower.locs!['output']!)).toBe('sigmoid');
    const experts = r.value.nodes.find((n) => n.name === 'e')!;
    expect(slice(EXAMPLE, experts.locs!['count']!)).toBe('8');
    const input = r.value.nodes[0]!;
    expect(slice(EXAMPLE, input.locs!['from.1']!)).toBe('item_id');
    const ctcvr = r.value.tasks[1]!;
    expect(slice(EXAMPLE, ctcvr.locs!['head.1']!)).toBe('cvr');
    expect(slice(EXAMPLE, ctcvr.locs!['label']!)).toBe('click & buy');
    expect(slice(EXAMPLE, ctcvr.locs!['weight']!)).toBe('1.0');
    expect(slice(EXAMPLE, ctcvr.locs!['loss.type']!)).toBe('bce');
    const and = ctcvr.loss.label as { args: Array<{ loc: never }> };
    expect(slice(EXAMPLE, and.args[1]!.loc)).toBe('buy');
    expect(slice(EXAMPLE, r.value.tasks[2]!.locs!['mask']!)).toBe('click');
    const history = r.value.features[3]!;
    expect(slice(EXAMPLE, history.locs!['ids']!)).toBe('hash 500000');
    expect(slice(EXAMPLE, history.locs!['shares']!)).toBe('item_id');
    expect(slice(EXAMPLE, history.locs!['maxLen']!)).toBe('50');
    expect(slice(EXAMPLE, r.value.features[5]!.locs!['buckets.3']!)).toBe('50');
    expect(slice(EXAMPLE, r.value.train.locs!['optimizer']!)).toBe('adam');
    expect(slice(EXAMPLE, r.value.train.locs!['lr']!)).toBe('0.001');
    expect(slice(EXAMPLE, r.value.train.locs!['earlyStop.patience']!)).toBe('1');
    expect(slice(EXAMPLE, r.value.metrics[1]!.locs!['groupBy']!)).toBe('user_id');
    expect(slice(EXAMPLE, r.value.locs!['name']!)).toBe('esmm');
    expect(slice(EXAMPLE, r.value.plugins[0]!.loc!)).toBe('"./plugins/my-gate.js"');
  });
});

describe('parseSpec: constructs', () => {
  const ir = (body: string) => {
    const r = parseSpec(`model m\n${body}\n`);
    expect(r.diagnostics).toEqual([]);
    return stripLocs(r.value);
  };

  it('reads early_stop sums with coefficients, mode and patience', () => {
    const t = ir('train { early_stop 2 * auc(ctr) - logloss(ctr) mode max patience 2 }').train;
    expect(t.earlyStop).toEqual({
      terms: [
        { coef: 2, metric: { fn: 'auc', output: 'ctr' } },
        { coef: -1, metric: { fn: 'logloss', output: 'ctr' } },
      ],
      mode: 'max',
      patience: 2,
    });
  });

  it('infers the early-stopping mode and defaults patience to 2', () => {
    expect(ir('train { early_stop logloss(a) }').train.earlyStop).toEqual({ terms: [{ coef: 1, metric: { fn: 'logloss', output: 'a' } }], mode: 'min', patience: 2 });
    expect(ir('train { early_stop -0.5 * logloss(a) + auc(b, x & y) }').train.earlyStop!.mode).toBe('max');
  });

  it('fills training defaults', () => {
    expect(ir('').train).toEqual(DEFAULT_TRAIN);
  });

  it('reads label expressions with precedence, negation and parentheses', () => {
    const t = ir('task t = a loss bce(!a | b & !(c | d)) where !!x').tasks[0]!;
    expect(t.loss.label).toEqual({
      op: 'or',
      args: [
        { op: 'not', arg: { label: 'a' } },
        { op: 'and', args: [{ label: 'b' }, { op: 'not', arg: { op: 'or', args: [{ label: 'c' }, { label: 'd' }] } }] },
      ],
    });
    expect(t.mask).toEqual({ op: 'not', arg: { op: 'not', arg: { label: 'x' } } });
  });

  it('reads task products of any length and clauses in any order', () => {
    const t = ir('task f = click * cart * buy where x weight 2 loss bce(y)').tasks[0]!;
    expect(t).toEqual({ name: 'f', head: ['click', 'cart', 'buy'], loss: { type: 'bce', label: { label: 'y' } }, weight: 2, mask: { label: 'x' } });
  });

  it('reads gate parameters of every value kind and hyphenated types', () => {
    const g = ir('gate g = noisy-topk(k: 2, noise: true, off: false, sizes: [1, -2.5, [3]], name: "x", mode: fast) over a, b on all').nodes[0]!;
    expect(g).toEqual({ kind: 'gate', name: 'g', type: 'noisy-topk', params: { k: 2, noise: true, off: false, sizes: [1, -2.5, [3]], name: 'x', mode: 'fast' }, over: ['a', 'b'], on: 'all' });
  });

  it('reads MLP options and tower outputs', () => {
    const nodes = ir('layer l = mlp(4) tanh dropout 0.25 on x\ntower t = mlp(8, 4) gelu batchnorm on l -> linear').nodes;
    expect(nodes[0]).toMatchObject({ mlp: { units: [4], activation: 'tanh', dropout: 0.25, batchNorm: false } });
    expect(nodes[1]).toMatchObject({ mlp: { units: [8, 4], activation: 'gelu', dropout: 0, batchNorm: true }, output: 'linear' });
  });

  it('expands concat(*) to every feature in declaration order', () => {
    const v = ir('features { categorical a hash 2 dim 2  numeric b }\ninput all = concat(*)\ninput two = concat(all, *)');
    expect(v.nodes.map((n) => (n as { from: string[] }).from)).toEqual([['a', 'b'], ['all', 'a', 'b']]);
  });

  it('reads data sources', () => {
    expect(ir('data { train "t.csv" valid "v.csv" }').data).toEqual({ kind: 'file', train: 't.csv', valid: 'v.csv' });
    expect(ir('data { synth mmoe rows 10 noise 0.5 tag "a" }').data).toEqual({ kind: 'synth', generator: 'mmoe', rows: 10, params: { noise: 0.5, tag: 'a' } });
  });

  it('reads numeric options, missing numbers, positives and separators', () => {
    const v = ir('features { numeric p normalize standard missing -1 column "P" sequence s vocab 10 dim 3 pool max max_len 5 sep "," }\nlabels { y: binary positive "a", "b" column "Y" }');
    expect(v.features).toEqual([
      { kind: 'numeric', name: 'p', normalize: 'standard', missing: { value: -1 }, column: 'P' },
      { kind: 'sequence', name: 's', ids: { kind: 'vocab', size: 10 }, dim: 3, pool: 'max', maxLen: 5, separator: ',' },
    ]);
    expect(v.labels).toEqual([{ name: 'y', type: 'binary', positive: ['a', 'b'], column: 'Y' }]);
  });

  it('keeps docstrings on declarations, features and labels, with escapes', () => {
    const v = ir('features { "the user" categorical u hash 1 dim 1 }\n"A \\"quoted\\" tower\\n2nd line" tower t = mlp(1) on x -> sigmoid\nlabels { "clicked" c: binary }\n"the task" task t = t loss bce(c)');
    expect(v.nodes[0]!.doc).toBe('A "quoted" tower\n2nd line');
    expect(v.features[0]!.doc).toBe('the user');
    expect(v.labels[0]!.doc).toBe('clicked');
    expect(v.tasks[0]!.doc).toBe('the task');
  });

  it('takes the model docstring before the model or on its line; a string on the next line documents the next declaration', () => {
    expect(parseSpec('"doc" model m').value.doc).toBe('doc');
    const r = parseSpec('model m "inline"\n"tower doc"\ntower t = mlp(1) on x -> sigmoid');
    expect(r.value.doc).toBe('inline');
    expect(r.value.nodes[0]!.doc).toBe('tower doc');
    const r2 = parseSpec('model m\n"tower doc"\ntower t = mlp(1) on x -> sigmoid');
    expect(r2.value.doc).toBeUndefined();
    expect(r2.value.nodes[0]!.doc).toBe('tower doc');
  });

  it('copies a shared feature id space when it is omitted (and reports it)', () => {
    const r = parseSpec('model m\nfeatures { sequence h pool mean max_len 3 shares i  categorical i hash 7 dim 2 }');
    expect(r.value.features[0]).toMatchObject({ ids: { kind: 'hash', size: 7 }, shares: 'i' });
    expect(r.diagnostics.map((d) => d.code)).toEqual(['MTL1041']);
  });

  it('accepts both comment styles and CRLF line ends', () => {
    const r = parseSpec('// a\r\nmodel m # b\r\ntower t = mlp(1) on x -> sigmoid // c\r\n');
    expect(r.diagnostics).toEqual([]);
    expect(r.value.nodes[0]!.loc).toEqual({ start: { line: 2, character: 0 }, end: { line: 2, character: 32 } });
  });
});
