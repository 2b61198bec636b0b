/**
 * CST→IR for the graph, task and metric declarations: input, layer, experts, gate, tower, task,
 * metric (and the `FN(OUTPUT[, LABEL])` call shared with early stopping).
 */
import type { CstNode } from 'chevrotain';
import type { Range } from '../diagnostics/types.js';
import { ACTIVATIONS, METRIC_FNS, MLP_OPTIONS, TOWER_OUTPUTS } from './vocabulary.js';
import { sub, subs, tok, toks, toJson, type BuildContext } from './build-context.js';
import { DEFAULT_MLP, type GraphNode, type JsonValue, type Metric, type MetricFn, type Mlp, type Task } from '../ir/types.js';

type Locs = Record<string, Range>;

/** Put a token's range under `key` when the token is real. */
function put(ctx: BuildContext, locs: Locs, key: string, t: Parameters<BuildContext['range']>[0]): void {
  const r = ctx.range(t);
  if (r) locs[key] = r;
}

/** `mlp(U1, ...) [ACTIVATION] [dropout P] [batchnorm]`; locs go to the declaration ("units.0", "activation", …). */
function buildMlp(ctx: BuildContext, node: CstNode | undefined, locs: Locs, owner: string): Mlp {
  const mlp: Mlp = { units: [], ...DEFAULT_MLP };
  if (!node) return mlp;
  const whole = ctx.nodeRange(node);
  if (whole) locs['mlp'] = whole;
  for (const u of subs(node, 'units')) {
    const n = ctx.number(u);
    if (!n) continue;
    locs[`units.${mlp.units.length}`] = n.range;
    mlp.units.push(n.value);
  }
  const close = tok(node, 'close');
  if (mlp.units.length === 0 && close) ctx.report('MTL1041', ctx.range(tok(node, 'keyword'), close)!, { what: `The MLP of '${owner}'`, option: 'at least one layer size, e.g. `mlp(64)`' });
  const seen = new Set<string>();
  for (const opt of subs(node, 'mlpOption')) {
    const key = tok(opt, 'key');
    if (!key) continue;
    const keyRange = ctx.range(key)!;
    const num = ctx.number(sub(opt, 'number'));
    const word = key.image;
    const isActivation = (ACTIVATIONS as readonly string[]).includes(word);
    if (!isActivation && !(MLP_OPTIONS as readonly string[]).includes(word)) {
      ctx.reportUnknown('MTL1030', keyRange, word, [...ACTIVATIONS, ...MLP_OPTIONS], { what: 'an MLP' });
      continue;
    }
    const slot = isActivation ? 'activation' : word;
    if (seen.has(slot)) {
      ctx.report('MTL1042', keyRange, { word: slot });
      continue;
    }
    seen.add(slot);
    if (word === 'dropout') {
      if (!num) ctx.report('MTL1041', keyRange, { what: "'dropout'", option: 'a rate, e.g. `dropout 0.1`' });
      else (mlp.dropout = num.value), (locs['dropout'] = num.range);
      continue;
    }
    if (num) ctx.report('MTL1043', num.range, { word, expected: 'no value', found: `the number ${num.value}` });
    if (word === 'batchnorm') (mlp.batchNorm = true), (locs['batchNorm'] = keyRange);
    else (mlp.activation = word as Mlp['activation']), (locs['activation'] = keyRange);
  }
  return mlp;
}

/** Range and name shared by node declarations. */
function head(ctx: BuildContext, node: CstNode): { name: string; locs: Locs; loc: Range } | undefined {
  const loc = ctx.nodeRange(node);
  if (!loc) return undefined;
  const locs: Locs = {};
  const name = tok(node, 'name');
  put(ctx, locs, 'name', name);
  return { name: name?.image ?? '', locs, loc };
}

/** Build a graph node from its declaration (`inputDecl`, `layerDecl`, …); `featureNames` expand `concat(*)`. */
export function buildNode(ctx: BuildContext, rule: string, node: CstNode, featureNames: readonly string[] = []): GraphNode | undefined {
  const h = head(ctx, node);
  if (!h) return undefined;
  const { name, locs, loc } = h;
  const on = tok(node, 'on');
  put(ctx, locs, 'on', on);
  switch (rule) {
    case 'inputDecl': {
      const from: string[] = [];
      for (const t of toks(node, 'from').sort((a, b) => a.startOffset - b.startOffset)) {
        for (const f of t.image === '*' ? featureNames : [t.image]) {
          put(ctx, locs, `from.${from.length}`, t);
          from.push(f);
        }
      }
      return { kind: 'input', name, from, loc, locs };
    }
    case 'layerDecl':
      return { kind: 'layer', name, on: on?.image ?? '', mlp: buildMlp(ctx, sub(node, 'mlpSpec'), locs, name), loc, locs };
    case 'expertsDecl': {
      const count = ctx.number(sub(node, 'count'));
      if (count) locs['count'] = count.range;
      return { kind: 'experts', name, count: count?.value ?? 0, on: on?.image ?? '', mlp: buildMlp(ctx, sub(node, 'mlpSpec'), locs, name), loc, locs };
    }
    case 'gateDecl': {
      const type = tok(node, 'type');
      put(ctx, locs, 'type', type);
      const params: Record<string, JsonValue> = {};
      const paramsNode = sub(node, 'gateParams');
      const whole = ctx.nodeRange(paramsNode);
      if (whole) locs['params'] = whole;
      for (const p of subs(paramsNode, 'param')) {
        const key = tok(p, 'key');
        const v = ctx.value(sub(p, 'value'));
        if (!key || !v) continue;
        if (Object.prototype.hasOwnProperty.call(params, key.image)) {
          ctx.report('MTL1042', ctx.range(key)!, { word: key.image }, { related: [{ range: locs[`params.${key.image}`]!, message: 'First given here.' }] });
          continue;
        }
        params[key.image] = toJson(v);
        locs[`params.${key.image}`] = v.range;
      }
      const over = toks(node, 'over');
      over.forEach((t, i) => put(ctx, locs, `over.${i}`, t));
      return { kind: 'gate', name, type: type?.image ?? '', params, over: over.map((t) => t.image), on: on?.image ?? '', loc, locs };
    }
    case 'towerDecl': {
      const mlp = buildMlp(ctx, sub(node, 'mlpSpec'), locs, name);
      const outToken = tok(node, 'output');
      let output: 'sigmoid' | 'linear' = 'sigmoid';
      if (outToken) {
        const r = ctx.range(outToken)!;
        output = ctx.oneOf({ kind: 'word', value: outToken.image, range: r }, TOWER_OUTPUTS, 'tower output') ?? 'sigmoid';
        locs['output'] = r;
      }
      return { kind: 'tower', name, on: on?.image ?? '', mlp, output, loc, locs };
    }
  }
  return undefined;
}

/**
 * Build a task. `loss` is optional in the grammar (so that the rest of the task still parses) and
 * required here: without it the task gets an empty loss (`type: ''`, label `''`), and MTL1041.
 */
export function buildTask(ctx: BuildContext, node: CstNode): Task | undefined {
  const h = head(ctx, node);
  if (!h) return undefined;
  const { name, locs, loc } = h;
  const heads = toks(node, 'head');
  heads.forEach((t, i) => put(ctx, locs, `head.${i}`, t));
  const task: Task = { name, head: heads.map((t) => t.image), loss: { type: '', label: { label: '' } }, weight: 1, loc, locs };
  const once = (clauses: CstNode[], word: string): CstNode | undefined => {
    clauses.slice(1).forEach((c) => {
      const kw = ctx.range(tok(c, 'keyword'));
      if (kw) ctx.report('MTL1042', kw, { word });
    });
    return clauses[0];
  };
  const loss = once(subs(node, 'lossClause'), 'loss');
  const weight = once(subs(node, 'weightClause'), 'weight');
  const where = once(subs(node, 'whereClause'), 'where');
  weightByColumn(ctx, once(subs(node, 'weightByClause'), 'weight_by'), task, locs);
  if (loss) {
    const type = tok(loss, 'type');
    put(ctx, locs, 'loss.type', type);
    const whole = ctx.nodeRange(loss);
    if (whole) locs['loss'] = whole;
    const label = ctx.labelExpr(sub(loss, 'labelExpr'));
    if (label?.loc) locs['label'] = label.loc;
    task.loss = { type: type?.image ?? '', label: label ?? { label: '' } };
  } else {
    ctx.report('MTL1041', locs['name'] ?? loc, { what: `The task '${name}'`, option: 'a loss, e.g. `loss bce(click)`' });
  }
  const w = ctx.number(sub(weight, 'number'));
  if (w) (task.weight = w.value), (locs['weight'] = w.range);
  const mask = ctx.labelExpr(sub(where, 'labelExpr'));
  if (mask) {
    task.mask = mask;
    if (mask.loc) locs['mask'] = mask.loc;
  }
  return task;
}

/** A `weight_by COL` clause's column into `target.weightBy` (and `locs.weightBy`). */
function weightByColumn(ctx: BuildContext, clause: CstNode | undefined, target: { weightBy?: string }, locs: Locs): void {
  const column = tok(clause, 'column');
  if (!column) return;
  target.weightBy = column.image;
  put(ctx, locs, 'weightBy', column);
}

/** `FN(OUTPUT[, LABELEXPR])` → a Metric (without mask / group). Unknown FN: MTL1040, and undefined. */
export function buildMetricCall(ctx: BuildContext, call: CstNode | undefined): Metric | undefined {
  const fnToken = tok(call, 'fn');
  const output = tok(call, 'output');
  if (!fnToken) return undefined;
  const fnRange = ctx.range(fnToken)!;
  const fn = ctx.oneOf<MetricFn>({ kind: 'word', value: fnToken.image, range: fnRange }, METRIC_FNS, 'metric');
  if (!fn) return undefined;
  const locs: Locs = { fn: fnRange };
  put(ctx, locs, 'output', output);
  const metric: Metric = { fn, output: output?.image ?? '', locs };
  const label = ctx.labelExpr(sub(call, 'labelExpr'));
  if (label) {
    metric.label = label;
    if (label.loc) locs['label'] = label.loc;
  }
  return metric;
}

/** Build a `metric` declaration. */
export function buildMetric(ctx: BuildContext, node: CstNode): Metric | undefined {
  const metric = buildMetricCall(ctx, sub(node, 'metricCall'));
  const loc = ctx.nodeRange(node);
  if (!metric || !loc) return undefined;
  metric.loc = loc;
  const locs = metric.locs!;
  const bys = subs(node, 'byClause');
  const wheres = subs(node, 'whereClause');
  const weightBys = subs(node, 'weightByClause');
  [...bys.slice(1), ...wheres.slice(1), ...weightBys.slice(1)].forEach((c) => {
    const kw = ctx.range(tok(c, 'keyword'));
    if (kw) ctx.report('MTL1042', kw, { word: tok(c, 'keyword')!.image });
  });
  const column = tok(bys[0], 'column');
  if (column) (metric.groupBy = column.image), put(ctx, locs, 'groupBy', column);
  const mask = ctx.labelExpr(sub(wheres[0], 'labelExpr'));
  if (mask) {
    metric.mask = mask;
    if (mask.loc) locs['mask'] = mask.loc;
  }
  weightByColumn(ctx, weightBys[0], metric, locs);
  return metric;
}
