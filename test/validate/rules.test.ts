/** One small test per semantic rule: the valid fixture passes; each violation gives its code, range and hint. */
import { describe, expect, it } from 'vitest';
import type { ExpertsNode, GateNode, InputNode, Metric, NumericFeature, SequenceFeature, TowerNode } from '../../src/ir/types.js';
import { RULES } from '../../src/validate/rules/index.js';
import { validate } from '../../src/validate/validate.js';
import { baseIR, check, r, withCode } from './fixtures.js';

const node = <T>(ir: ReturnType<typeof baseIR>, name: string): T => ir.nodes.find((n) => n.name === name) as T;
const feature = <T>(ir: ReturnType<typeof baseIR>, name: string): T => ir.features.find((f) => f.name === name) as T;
const task = (ir: ReturnType<typeof baseIR>, name: string) => ir.tasks.find((t) => t.name === name)!;

describe('the rule list', () => {
  it('is frozen, with named rules', () => {
    expect(Object.isFrozen(RULES)).toBe(true);
    expect(RULES.every((rule) => rule.name.length > 0)).toBe(true);
  });
  it('accepts the valid fixture without any diagnostic', () => {
    expect(check(baseIR())).toEqual([]);
  });
});

describe('model-has-task', () => {
  it('reports a model without tasks at its name', () => {
    const ir = baseIR();
    ir.tasks = [];
    ir.train.earlyStop = undefined as never;
    delete ir.train.earlyStop;
    const [d] = withCode(check(ir), 'MTL3027');
    expect(d?.range).toEqual(r(0, 6, 10));
    expect(d?.hint).toContain('task');
  });
});

describe('unique-names', () => {
  it('reports the second declaration, related to the first', () => {
    const ir = baseIR();
    ir.labels[1]!.name = 'click';
    const ds = withCode(check(ir), 'MTL3002');
    expect(ds).toHaveLength(1);
    expect(ds[0]!.message).toBe("The name 'click' is already declared by a label.");
    expect(ds[0]!.range).toEqual(ir.labels[1]!.locs!.name);
    expect(ds[0]!.related?.[0]?.range).toEqual(ir.labels[0]!.locs!.name);
  });
  it('allows a task named after the single tower it heads, but not a second one', () => {
    const ir = baseIR();
    expect(withCode(check(ir), 'MTL3002')).toEqual([]);
    ir.tasks.push({ ...structuredClone(task(ir, 'ctr')), loc: r(150, 0, 9), locs: { name: r(150, 5, 8) } });
    const ds = withCode(check(ir), 'MTL3002');
    expect(ds.map((d) => d.range)).toEqual([r(150, 5, 8)]);
  });
  it("says why a label cannot share a tower's name", () => {
    const ir = baseIR();
    ir.labels[0]!.name = 'ctr';
    const ds = withCode(check(ir), 'MTL3002');
    expect(ds.length).toBeGreaterThan(0);
    expect(ds.every((d) => /metrics and 'where' masks refer to both by name/.test(d.hint ?? ''))).toBe(true);
  });
  it('rejects a task named after a tower it does not head alone', () => {
    const ir = baseIR();
    task(ir, 'ctcvr').name = 'cvr';
    expect(withCode(check(ir), 'MTL3002')).toHaveLength(1);
  });
});

describe('known-references', () => {
  it('reports an unknown `on` with a did-you-mean and a quick fix', () => {
    const ir = baseIR();
    node<TowerNode>(ir, 'ctr').on = 'g11';
    const [d] = withCode(check(ir), 'MTL3001');
    expect(d?.message).toBe("Tower 'ctr' refers to 'g11', which is not declared.");
    expect(d?.range).toEqual(node<TowerNode>(ir, 'ctr').locs!.on);
    expect(d?.hint).toBe("did you mean 'g1'?");
    expect(d?.fix?.edits).toEqual([{ range: node<TowerNode>(ir, 'ctr').locs!.on, newText: 'g1' }]);
  });
  it('reports unknown input parts, heads, shares, labels, masks and metric outputs', () => {
    const ir = baseIR();
    node<InputNode>(ir, 'all').from[1] = 'itemid';
    task(ir, 'ctcvr').head[1] = 'cvv';
    feature<SequenceFeature>(ir, 'history').shares = 'item_idd';
    task(ir, 'ctr').loss.label = { label: 'clik', loc: r(100, 20, 24) };
    task(ir, 'watch_time').mask = { label: 'buyy', loc: r(102, 40, 44) };
    ir.metrics[0]!.output = 'cvrr';
    const ds = withCode(check(ir), 'MTL3001');
    expect(ds.map((d) => d.hint)).toEqual([
      "did you mean 'item_id'?",
      "did you mean 'item_id'?",
      "did you mean 'cvr'?",
      "did you mean 'click'?",
      "did you mean 'buy'?",
      "did you mean 'cvr'?",
    ]);
    expect(ds[3]!.range).toEqual(r(100, 20, 24));
  });
  it('lists the candidates when nothing is close', () => {
    const ir = baseIR();
    task(ir, 'ctr').head[0] = 'zzzzzz';
    const [d] = withCode(check(ir), 'MTL3001');
    expect(d?.hint).toBe('declared towers: ctr, cvr, wt');
    expect(d?.fix).toBeUndefined();
  });
  it('reports a reference of the wrong kind', () => {
    const ir = baseIR();
    node<TowerNode>(ir, 'wt').on = 'click';
    task(ir, 'ctr').head[0] = 'all';
    const ds = withCode(check(ir), 'MTL3031');
    expect(ds.map((d) => d.message)).toEqual([
      "Tower 'wt' refers to label 'click', but a feature or a node is expected.",
      "Task 'ctr' refers to input 'all', but a tower is expected.",
    ]);
    expect(ds[1]!.range).toEqual(task(ir, 'ctr').locs!['head.0']);
  });
});

describe('no-cycles', () => {
  it('reports a cycle once, naming its path', () => {
    const ir = baseIR();
    node<ExpertsNode>(ir, 'e').on = 'g1';
    const ds = withCode(check(ir), 'MTL3003');
    expect(ds).toHaveLength(1);
    expect(ds[0]!.message).toBe("Node 'e' is part of a cycle: e -> g1 -> e.");
    expect(ds[0]!.range).toEqual(node<ExpertsNode>(ir, 'e').locs!.on);
  });
  it('reports a self-reference', () => {
    const ir = baseIR();
    node<TowerNode>(ir, 'wt').on = 'wt';
    expect(withCode(check(ir), 'MTL3003').map((d) => d.message)).toEqual(["Node 'wt' is part of a cycle: wt -> wt."]);
  });
});

describe('experts-through-gates and gate-over-experts', () => {
  it('rejects a tower on an expert group', () => {
    const ir = baseIR();
    node<TowerNode>(ir, 'wt').on = 'e';
    const [d] = withCode(check(ir), 'MTL3018');
    expect(d?.message).toBe("Tower 'wt' reads the expert group 'e' directly.");
    expect(d?.range).toEqual(node<TowerNode>(ir, 'wt').locs!.on);
  });
  it('rejects a gate over a non-expert node', () => {
    const ir = baseIR();
    node<GateNode>(ir, 'g2').over = ['all'];
    const [d] = withCode(check(ir), 'MTL3019');
    expect(d?.message).toBe("Gate 'g2' mixes 'all', which is an input, not an expert group.");
    expect(d?.range).toEqual(node<GateNode>(ir, 'g2').locs!['over.0']);
  });
});

describe('gate-widths-match', () => {
  it('reports expert groups of different widths at the odd one', () => {
    const ir = baseIR();
    node<ExpertsNode>(ir, 'f').mlp.units = [12];
    const [d] = withCode(check(ir), 'MTL3004');
    expect(d?.message).toBe("Gate 'g1' mixes expert groups of different widths (e: 16, f: 12).");
    expect(d?.range).toEqual(node<GateNode>(ir, 'g1').locs!['over.1']);
  });
});

describe('known-gate-type, gate-params, gate-plugin-check', () => {
  it('reports an unknown gate type with did-you-mean and the loaded types', () => {
    const ir = baseIR();
    node<GateNode>(ir, 'g1').type = 'sofmax';
    const [d] = withCode(check(ir), 'MTL3009');
    expect(d?.hint).toContain("did you mean 'softmax'?");
    expect(d?.hint).toContain('loaded gate types: softmax');
    expect(d?.fix?.edits[0]?.newText).toBe('softmax');
    expect(d?.range).toEqual(node<GateNode>(ir, 'g1').locs!.type);
  });
  it('does not check gate types without a registry', () => {
    const ir = baseIR();
    node<GateNode>(ir, 'g1').type = 'sofmax';
    expect(validate(ir, {}).diagnostics).toEqual([]);
  });
  it('maps parameter schema errors to the parameter', () => {
    const ir = baseIR();
    node<GateNode>(ir, 'g2').params = { temperature: 'hot' };
    const [d] = withCode(check(ir), 'MTL4008');
    expect(d?.message).toBe("Gate 'g2' has an invalid parameter: parameter 'temperature' must be a number.");
    expect(d?.range).toEqual(node<GateNode>(ir, 'g2').locs!['params.temperature']);
  });
  it('suggests a known parameter for an unknown one', () => {
    const ir = baseIR();
    node<GateNode>(ir, 'g1').params = { temprature: 2 };
    const [d] = withCode(check(ir), 'MTL4008');
    expect(d?.hint).toBe("did you mean 'temperature'?");
    expect(d?.range).toEqual(node<GateNode>(ir, 'g1').locs!.type);
  });
});

describe('task-has-loss and known-loss-type', () => {
  it('reports a task without loss (as the text builder leaves it) once', () => {
    const ir = baseIR();
    delete (task(ir, 'ctr') as { loss?: unknown }).loss;
    const ds = check(ir);
    expect(ds.map((d) => d.code)).toEqual(['MTL3013']);
    expect(ds[0]!.range).toEqual(task(ir, 'ctr').locs!.name);
  });
  it('reports an unknown loss with a did-you-mean', () => {
    const ir = baseIR();
    task(ir, 'ctr').loss.type = 'bse';
    const [d] = withCode(check(ir), 'MTL3010');
    expect(d?.hint).toBe("did you mean 'bce'? known losses: bce, mse, huber");
    expect(d?.range).toEqual(task(ir, 'ctr').locs!['loss.type']);
  });
});

describe('positive-sizes and values-in-range', () => {
  it('reports every non-positive size at its property', () => {
    const ir = baseIR();
    node<ExpertsNode>(ir, 'e').count = 0;
    node<ExpertsNode>(ir, 'e').mlp.units = [32, -1];
    feature<SequenceFeature>(ir, 'history').maxLen = 0;
    (feature<SequenceFeature>(ir, 'user_id').ids as { size: number }).size = -5;
    ir.train.lr = 0;
    ir.train.batch = 0;
    ir.train.epochs = -1;
    const ds = withCode(check(ir), 'MTL3011');
    expect(ds.map((d) => d.message)).toEqual([
      "The table size of feature 'user_id' must be positive, not -5.",
      "The max_len of feature 'history' must be positive, not 0.",
      "The expert count of experts 'e' must be positive, not 0.",
      "The mlp unit 2 of experts 'e' must be positive, not -1.",
      'The learning rate of the train settings must be positive, not 0.',
      'The batch size of the train settings must be positive, not 0.',
      'The number of epochs of the train settings must be positive, not -1.',
    ]);
    expect(ds[3]!.range).toEqual(node<ExpertsNode>(ir, 'e').locs!['units.1']);
    expect(ds[0]!.range).toEqual(feature<SequenceFeature>(ir, 'user_id').locs!['ids.size']);
  });
  it('reports fractions and weights out of range', () => {
    const ir = baseIR();
    node<ExpertsNode>(ir, 'e').mlp.dropout = 1;
    ir.train.validSplit = 1.5;
    task(ir, 'ctr').weight = -1;
    ir.train.earlyStop!.patience = -1;
    const ds = withCode(check(ir), 'MTL3012');
    expect(ds.map((d) => d.message)).toEqual([
      "The dropout of experts 'e' must be in [0, 1), not 1.",
      "The weight of task 'ctr' must be at least 0, not -1.",
      'The valid_split of the train settings must be in [0, 1), not 1.5.',
      'The early-stop patience of the train settings must be at least 0, not -1.',
    ]);
    expect(ds[0]!.range).toEqual(node<ExpertsNode>(ir, 'e').locs!.dropout);
  });
});

describe('feature-has-dim, valid-shares, ascending-buckets', () => {
  it('requires a dim without shares, and on bucketised numerics', () => {
    const ir = baseIR();
    delete feature<SequenceFeature>(ir, 'user_id').dim;
    delete feature<NumericFeature>(ir, 'age').dim;
    const ds = withCode(check(ir), 'MTL3023');
    expect(ds.map((d) => d.range)).toEqual([feature<SequenceFeature>(ir, 'user_id').locs!.name, feature<NumericFeature>(ir, 'age').locs!.name]);
    expect(ds[0]!.hint).toContain('dim D');
  });
  it('rejects shares of a numeric feature, chains, self-sharing and mismatches', () => {
    const ir = baseIR();
    ir.features.push({ kind: 'categorical', name: 'x', ids: { kind: 'hash', size: 10 }, shares: 'price' });
    ir.features.push({ kind: 'categorical', name: 'y', ids: { kind: 'vocab', size: 500 }, shares: 'history' });
    ir.features.push({ kind: 'categorical', name: 'z', ids: { kind: 'hash', size: 10 }, shares: 'z' });
    ir.features.push({ kind: 'categorical', name: 'w', ids: { kind: 'hash', size: 10 }, dim: 4, shares: 'item_id' });
    node<InputNode>(ir, 'all').from.push('x', 'y', 'z', 'w');
    const ds = check(ir).filter((d) => /MTL302[012]/.test(d.code));
    expect(ds.map((d) => `${d.code} ${d.message}`)).toEqual([
      "MTL3020 Feature 'x' shares the table of 'price', which is not a categorical or sequence feature.",
      "MTL3021 Feature 'y' shares the table of 'history', which itself shares another table.",
      "MTL3021 Feature 'z' shares the table of 'z', which itself shares another table.",
      "MTL3022 Feature 'w' declares a dim different from the table it shares ('item_id').",
      "MTL3022 Feature 'w' declares an id space different from the table it shares ('item_id').",
    ]);
    expect(ds[1]!.hint).toBe('share the owner of the table directly: `shares item_id`');
  });
  it('rejects buckets that are not strictly ascending', () => {
    const ir = baseIR();
    feature<NumericFeature>(ir, 'age').buckets = [18, 35, 35];
    const [d] = withCode(check(ir), 'MTL3028');
    expect(d?.range).toEqual(feature<NumericFeature>(ir, 'age').locs!['buckets.2']);
  });
});

describe('label semantics', () => {
  it('rejects logic on a real label', () => {
    const ir = baseIR();
    task(ir, 'ctcvr').loss.label = { op: 'and', args: [{ label: 'click' }, { label: 'watch', loc: r(101, 28, 33) }] };
    const ds = check(ir);
    expect(withCode(ds, 'MTL3030').map((d) => [d.message, d.range])).toEqual([["The label expression applies '&' to the non-binary label 'watch'.", r(101, 28, 33)]]);
    // One mistake, one report: the bce rule leaves compound expressions to MTL3030.
    expect(withCode(ds, 'MTL3006')).toHaveLength(0);
  });
  it('rejects bce on a real label at the label', () => {
    const ir = baseIR();
    task(ir, 'ctr').loss.label = { label: 'watch', loc: r(100, 20, 25) };
    const [d] = withCode(check(ir), 'MTL3006');
    expect(d?.message).toBe("Task 'ctr' uses a bce loss on the non-binary label 'watch'.");
    expect(d?.range).toEqual(r(100, 20, 25));
  });
  it('rejects a mask that is not binary (tasks and metrics)', () => {
    const ir = baseIR();
    task(ir, 'watch_time').mask = { label: 'watch', loc: r(102, 40, 45) };
    ir.metrics[0]!.mask = { op: 'not', arg: { label: 'watch' }, loc: r(103, 20, 26) };
    const ds = withCode(check(ir), 'MTL3008');
    expect(ds.map((d) => [d.message, d.range])).toEqual([
      ["The mask of task 'watch_time' is not a binary label expression.", r(102, 40, 45)],
      ['The mask of metric auc(cvr) is not a binary label expression.', r(103, 20, 26)],
    ]);
  });
  it('rejects a product of non-probabilities at the linear tower', () => {
    const ir = baseIR();
    node<TowerNode>(ir, 'cvr').output = 'linear';
    const ds = withCode(check(ir), 'MTL3005');
    expect(ds.map((d) => d.range)).toEqual([task(ir, 'ctcvr').locs!['head.1']]);
    expect(ds[0]!.hint).toContain('-> sigmoid');
  });
  it('checks the loss against the output activation', () => {
    const ir = baseIR();
    node<TowerNode>(ir, 'ctr').output = 'linear';
    node<TowerNode>(ir, 'wt').output = 'sigmoid';
    const ds = check(ir);
    const bce = withCode(ds, 'MTL3025');
    expect(bce.map((d) => d.range)).toEqual([task(ir, 'ctr').locs!['loss.type']]);
    const mse = withCode(ds, 'MTL3024');
    expect(mse.map((d) => d.severity)).toEqual(['warning']);
  });
  it('rejects a feature reading a label column', () => {
    const ir = baseIR();
    ir.features[3]!.column = 'click';
    ir.features[3]!.locs!.column = r(4, 60, 67);
    const [d] = withCode(check(ir), 'MTL3007');
    expect(d?.message).toBe("Feature 'price' reads column 'click', which is also the column of label 'click'.");
    expect(d?.range).toEqual(r(4, 60, 67));
    expect(d?.related?.[0]?.range).toEqual(ir.labels[0]!.locs!.name);
  });
});

describe('metrics', () => {
  it('requires gauc to have a group column and warns about `by` elsewhere', () => {
    const ir = baseIR();
    delete ir.metrics[1]!.groupBy;
    ir.metrics[0]!.groupBy = 'user_id';
    ir.metrics[0]!.locs!.groupBy = r(200, 1, 2);
    const ds = check(ir);
    expect(withCode(ds, 'MTL3026').map((d) => d.range)).toEqual([ir.metrics[1]!.locs!.fn]);
    expect(withCode(ds, 'MTL3033').map((d) => [d.severity, d.range])).toEqual([['warning', r(200, 1, 2)]]);
  });
  it('reports a metric whose label cannot be inferred', () => {
    const ir = baseIR();
    ir.metrics.push({ fn: 'auc', output: 'cvr', locs: { output: r(210, 4, 7) } } as Metric);
    const [d] = withCode(check(ir), 'MTL3029');
    expect(d?.range).toEqual(r(210, 4, 7));
    expect(d?.hint).toContain("tower 'cvr' is not the head of any task");
  });
  it('infers the label from the task a tower heads alone', () => {
    const ir = baseIR();
    ir.metrics.push({ fn: 'logloss', output: 'ctr' } as Metric);
    expect(check(ir)).toEqual([]);
  });
  it('rejects auc on a real label', () => {
    const ir = baseIR();
    ir.metrics.push({ fn: 'auc', output: 'watch_time', locs: { output: r(211, 4, 14) } } as Metric);
    const [d] = withCode(check(ir), 'MTL3032');
    expect(d?.message).toBe("Metric auc(watch_time) needs a binary label, but 'watch' is not binary.");
    expect(d?.range).toEqual(r(211, 4, 14));
  });
  it('reports an early-stop metric that names no output', () => {
    const ir = baseIR();
    ir.train.earlyStop!.terms[0]!.metric.output = 'ctcv';
    const ds = check(ir);
    expect(ds.map((d) => d.code)).toEqual(['MTL3017']);
    expect(ds[0]!.range).toEqual(r(104, 30, 35));
    expect(ds[0]!.hint).toBe("did you mean 'ctcvr'?");
    expect(ds[0]!.fix?.edits[0]?.newText).toBe('ctcvr');
  });
});

describe('unused declarations', () => {
  it('warns about nodes, features and labels that reach no output', () => {
    const ir = baseIR();
    ir.nodes.push({ kind: 'layer', name: 'dead1', on: 'all', mlp: { units: [4], activation: 'relu', dropout: 0, batchNorm: false } });
    ir.nodes.push({ kind: 'layer', name: 'dead2', on: 'dead1', mlp: { units: [4], activation: 'relu', dropout: 0, batchNorm: false } });
    ir.features.push({ kind: 'numeric', name: 'lonely', normalize: 'none', missing: 'zero' });
    ir.labels.push({ name: 'spare', type: 'binary' });
    const ds = check(ir);
    expect(ds.map((d) => `${d.severity} ${d.code} ${d.message}`)).toEqual([
      "warning MTL3014 Node 'dead1' is not used by any tower or task.",
      "warning MTL3014 Node 'dead2' is not used by any tower or task.",
      "warning MTL3015 Feature 'lonely' is not used by any tower or task.",
      "warning MTL3016 Label 'spare' is not used by any loss, mask or metric.",
    ]);
  });
  it('counts a feature whose table a used feature shares as used', () => {
    const ir = baseIR();
    node<InputNode>(ir, 'all').from = ['user_id', 'history', 'price', 'age'];
    expect(check(ir)).toEqual([]);
  });
});
