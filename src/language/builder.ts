/**
 * CST→IR: turns the parser's CST into a ModelIR (src/ir/types.ts), with 0-based end-exclusive
 * ranges on every declaration (`loc`) and property (`locs`), defaults filled in, and the structural
 * diagnostics only text can have (no model, two models, unknown option words …). Semantic checks
 * (references, duplicates, sizes) belong to src/validate. The builder never throws on user input:
 * nodes cut short by error recovery give partial declarations, and unreadable names are ''.
 */
import type { CstNode } from 'chevrotain';
import { subs, tok, type BuildContext } from './build-context.js';
import { buildData, buildFeatures, buildLabels, buildTrain, withDoc } from './build-blocks.js';
import { buildMetric, buildNode, buildTask } from './build-nodes.js';
import { IR_VERSION, type GraphNode, type Metric, type ModelIR, type PluginRef, type Task } from '../ir/types.js';

const NODE_RULES = ['inputDecl', 'layerDecl', 'expertsDecl', 'gateDecl', 'towerDecl'] as const;

/** A declaration as it appears in the file: its rule, its CST node and its docstring node. */
interface Decl {
  rule: string;
  node: CstNode;
  declaration: CstNode;
  offset: number;
}

/** The declarations of a spec CST, in text order. */
export function declarationsOf(cst: CstNode): Decl[] {
  const out: Decl[] = [];
  for (const declaration of subs(cst, 'declaration')) {
    for (const [rule, list] of Object.entries(declaration.children)) {
      if (rule === 'doc') continue;
      const node = list[0] as CstNode | undefined;
      if (!node || (node as { name?: string }).name !== rule) continue;
      const kw = tok(node, 'keyword');
      out.push({ rule, node, declaration, offset: kw?.startOffset ?? Number.MAX_SAFE_INTEGER });
    }
  }
  return out.sort((a, b) => a.offset - b.offset);
}

/** Report repeats of a declaration that may appear once, pointing at the first. Returns the first. */
function onlyOne(ctx: BuildContext, decls: Decl[], kind: string): Decl | undefined {
  const [first, ...rest] = decls;
  const firstRange = first && ctx.range(tok(first.node, 'keyword'));
  for (const d of rest) {
    const r = ctx.range(tok(d.node, 'keyword'));
    if (!r) continue;
    ctx.report('MTL1021', r, { kind }, firstRange ? { related: [{ range: firstRange, message: `The first '${kind}' declaration.`, ...(ctx.file !== undefined ? { file: ctx.file } : {}) }] } : {});
  }
  return first;
}

/** Build the IR of a spec from its CST. */
export function buildModel(ctx: BuildContext, cst: CstNode): ModelIR {
  const decls = declarationsOf(cst);
  const byRule = (rule: string): Decl[] => decls.filter((d) => d.rule === rule);
  const docOf = (d: Decl): ReturnType<typeof tok> => tok(d.declaration, 'doc');

  const ir: ModelIR = { version: IR_VERSION, name: '', plugins: [], features: [], labels: [], nodes: [], tasks: [], metrics: [], train: buildTrain(ctx, undefined, undefined) };

  // model
  const model = onlyOne(ctx, byRule('modelDecl'), 'model');
  if (!model) ctx.report('MTL1020', ctx.index.pointRange(0));
  else {
    const name = tok(model.node, 'name');
    ir.name = name?.image ?? '';
    const loc = ctx.nodeRange(model.node);
    if (loc) ir.loc = loc;
    const nameRange = ctx.range(name);
    if (nameRange) ir.locs = { name: nameRange };
    const doc = tok(model.node, 'doc') ?? docOf(model);
    withDoc(ctx, ir, doc);
  }

  // use
  for (const d of byRule('useDecl')) {
    const source = tok(d.node, 'source');
    if (!source) continue;
    const ref: PluginRef = { source: ctx.string(source) };
    const r = ctx.range(source);
    if (r) ref.loc = r;
    ir.plugins.push(ref);
  }

  // data
  const data = onlyOne(ctx, byRule('dataDecl'), 'data');
  const dataRange = ctx.nodeRange(data?.node);
  if (data && dataRange) {
    const source = buildData(ctx, data.node, dataRange);
    if (source) ir.data = withDoc(ctx, source, docOf(data));
  }

  // blocks
  ir.features = buildFeatures(ctx, byRule('featuresDecl').map((d) => d.node));
  ir.labels = buildLabels(ctx, byRule('labelsDecl').map((d) => d.node));
  const train = onlyOne(ctx, byRule('trainDecl'), 'train');
  if (train) ir.train = withDoc(ctx, buildTrain(ctx, train.node, ctx.nodeRange(train.node)), docOf(train));

  // graph, tasks, metrics, in text order
  const featureNames = ir.features.map((f) => f.name);
  for (const d of decls) {
    let built: GraphNode | Task | Metric | undefined;
    if ((NODE_RULES as readonly string[]).includes(d.rule)) {
      const node = buildNode(ctx, d.rule, d.node, featureNames);
      if (node) ir.nodes.push(node);
      built = node;
    } else if (d.rule === 'taskDecl') {
      const task = buildTask(ctx, d.node);
      if (task) ir.tasks.push(task);
      built = task;
    } else if (d.rule === 'metricDecl') {
      const metric = buildMetric(ctx, d.node);
      if (metric) ir.metrics.push(metric);
      built = metric;
    }
    if (built) withDoc(ctx, built, docOf(d));
  }
  return ir;
}
