/**
 * Generates model.py: the spec's architecture as a readable `nn.Module`, one commented block per
 * declaration, with parameters named as in the tfjs target (see ./names.ts) so weights convert by name.
 */
import type { Feature, GateNode, GraphNode, ModelIR, Mlp } from '../../ir/types.js';
import type { GatePlugin } from '../../plugins/api.js';
import { pytorchLosses } from './emit-ops.js';
import type { Diagnostic } from '../../diagnostics/types.js';
import { FILE_START } from '../../diagnostics/types.js';
import { diag } from '../../diagnostics/catalog.js';
import {
  denseName,
  embeddingName,
  expertPrefix,
  gateDenseName,
  gateExperts,
  inputSources,
  isBucketised,
  nodeWidths,
  pyIdent,
  tableOwner,
  tableRows,
  towerOutName,
  featureWidth,
} from './names.js';

/** Gate plugins by type; the PyTorch target generates a gate whose plugin has a `pytorch` member. */
export type GateLookup = (type: string) => GatePlugin | undefined;

/** The gate's weights as a Python expression of `logits`, or why the PyTorch target cannot generate it. */
export function gateWeightsPython(gates: GateLookup, g: GateNode): string | { unsupported: string } {
  const plugin = gates(g.type);
  if (!plugin?.pytorch) return { unsupported: 'its plugin has no `pytorch` member' };
  return plugin.pytorch(g.params, 'logits');
}

/** A Python string literal. */
export function pyStr(s: string): string {
  return JSON.stringify(s);
}

/** The spec line of an MLP, for comments: `mlp(360, 200, 80) relu dropout 0.1 batchnorm`. */
function mlpText(m: Mlp): string {
  return `mlp(${m.units.join(', ')}) ${m.activation}${m.dropout > 0 ? ` dropout ${m.dropout}` : ''}${m.batchNorm ? ' batchnorm' : ''}`;
}

/** A one-line summary of a feature, for comments. */
function featureText(f: Feature): string {
  if (f.kind === 'numeric') return `numeric ${f.name} normalize ${f.normalize}${isBucketised(f) ? ` buckets [${f.buckets!.join(', ')}] dim ${f.dim}` : ''}`;
  const ids = f.ids.kind === 'file' ? `vocab "${f.ids.path}"` : `${f.ids.kind} ${f.ids.size}`;
  const extra = f.kind === 'sequence' ? ` pool ${f.pool} max_len ${f.maxLen}` : '';
  return `${f.kind} ${f.name} ${ids}${f.dim !== undefined ? ` dim ${f.dim}` : ''}${extra}${f.shares ? ` shares ${f.shares}` : ''}`;
}

/** A one-line summary of a node, for comments. */
function nodeText(n: GraphNode): string {
  switch (n.kind) {
    case 'input':
      return `input ${n.name} = concat(${n.from.join(', ')})`;
    case 'layer':
      return `layer ${n.name} = ${mlpText(n.mlp)} on ${n.on}`;
    case 'experts':
      return `experts ${n.name}[${n.count}] = ${mlpText(n.mlp)} on ${n.on}`;
    case 'gate': {
      const params = Object.entries(n.params).map(([k, v]) => `${k}: ${JSON.stringify(v)}`);
      return `gate ${n.name} = ${n.type}${params.length ? `(${params.join(', ')})` : ''} over ${n.over.join(', ')} on ${n.on}`;
    }
    case 'tower':
      return `tower ${n.name} = ${mlpText(n.mlp)} on ${n.on} -> ${n.output}`;
  }
}

/** Nodes in an order where every node comes after the nodes it reads (declarations may come in any order). */
export function topoOrder(ir: ModelIR): GraphNode[] {
  const byName = new Map(ir.nodes.map((n) => [n.name, n]));
  const done = new Set<string>();
  const order: GraphNode[] = [];
  const deps = (n: GraphNode): string[] => (n.kind === 'input' ? inputSources(ir, n.from) : n.kind === 'gate' ? [n.on, ...n.over] : [n.on]);
  const visit = (n: GraphNode, stack: Set<string>): void => {
    if (done.has(n.name) || stack.has(n.name)) return;
    stack.add(n.name);
    for (const d of deps(n)) {
      const m = byName.get(d);
      if (m) visit(m, stack);
    }
    stack.delete(n.name);
    done.add(n.name);
    order.push(n);
  };
  for (const n of ir.nodes) visit(n, new Set());
  return order;
}

/** Python builtins that a node name must not shadow in generated code. */
const BUILTINS = new Set(['all', 'any', 'input', 'sum', 'max', 'min', 'type', 'id', 'map', 'filter', 'len', 'list', 'dict', 'range', 'format', 'object', 'out']);

/** The Python variable holding a node's output. */
function varName(name: string): string {
  const id = pyIdent(name);
  return BUILTINS.has(id) ? `${id}_` : id;
}

/**
 * Problems that keep a spec from being generated for PyTorch: gates whose plugin has no (or declines a)
 * `pytorch` member, and losses whose definition (src/ir/ops) has no PyTorch emission.
 */
export function checkSupported(ir: ModelIR, gates: GateLookup, pluginTypes: readonly string[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const n of ir.nodes) {
    if (n.kind === 'gate' && typeof gateWeightsPython(gates, n) !== 'string') {
      const supported = pluginTypes.filter((t) => gates(t)?.pytorch).join(', ');
      out.push(diag('MTL5400', n.locs?.['type'] ?? n.loc ?? FILE_START, { gate: n.name, type: n.type, supported }));
    }
  }
  const losses = pytorchLosses();
  for (const t of ir.tasks) {
    if (!losses.includes(t.loss.type)) out.push(diag('MTL5204', t.loc ?? FILE_START, { task: t.name, loss: t.loss.type, supported: losses.join(', ') }));
  }
  return out;
}

/** The source of model.py for a validated IR (call {@link checkSupported} first). */
export function emitModel(ir: ModelIR, version: string, gatePlugins: GateLookup): string {
  const widths = nodeWidths(ir);
  const features = new Map(ir.features.map((f) => [f.name, f]));
  const width = (name: string): number => {
    const f = features.get(name);
    return f ? featureWidth(ir, f) : widths.get(name) ?? 0;
  };
  const init: string[] = [];
  const fwd: string[] = [];
  const towers: string[] = [];
  const gates: string[] = [];

  init.push('        # ---- embedding tables (features that `shares` a table use its owner\'s)');
  for (const f of ir.features) {
    if (f.kind === 'numeric' && !isBucketised(f)) continue;
    if (f.kind !== 'numeric' && f.shares !== undefined) continue;
    const rows = f.kind === 'numeric' ? f.buckets!.length + 1 : tableRows(f.ids);
    init.push(`        self.add_table(${pyStr(embeddingName(f.name))}, ${rows}, ${f.dim})  # ${featureText(f)}`);
  }

  const featureExpr = (f: Feature): string => {
    const x = `x[${pyStr(f.name)}]`;
    if (f.kind === 'numeric' && !isBucketised(f)) return `${x}.reshape(-1, 1).float()`;
    const table = pyStr(embeddingName(tableOwner(ir, f).name));
    if (f.kind === 'sequence') return `self.pool(${table}, ${x}, x[${pyStr(`${f.name}__w`)}], ${pyStr(f.pool)})`;
    return `self.lookup(${table}, ${x}.reshape(-1))`;
  };
  const ref = (name: string): string => {
    const f = features.get(name);
    return f ? featureExpr(f) : varName(name);
  };

  for (const n of topoOrder(ir)) {
    const v = varName(n.name);
    const doc = n.doc ? `  — ${n.doc.replace(/\s+/g, ' ')}` : '';
    init.push('', `        # ${nodeText(n)}${doc}`);
    fwd.push('', `        # ${nodeText(n)}`);
    const act = (m: Mlp): string => `${pyStr(m.activation)}, ${m.dropout}`;
    switch (n.kind) {
      case 'input': {
        const parts = inputSources(ir, n.from).map(ref);
        init.pop();
        init.push(`        # ${nodeText(n)}: width ${width(n.name)}${doc}`);
        if (parts.length === 1) fwd.push(`        ${v} = ${parts[0]}`);
        else fwd.push(`        ${v} = torch.cat([`, ...parts.map((p) => `            ${p},`), '        ], dim=1)');
        break;
      }
      case 'layer':
        init.push(`        self.add_mlp(${pyStr(`layer_${n.name}`)}, ${width(n.on)}, [${n.mlp.units.join(', ')}], batch_norm=${n.mlp.batchNorm ? 'True' : 'False'})`);
        fwd.push(`        ${v} = self.mlp(${pyStr(`layer_${n.name}`)}, ${ref(n.on)}, ${n.mlp.units.length}, ${act(n.mlp)})`);
        break;
      case 'experts':
        init.push(`        for i in range(${n.count}):`);
        init.push(`            self.add_mlp(f${pyStr(expertPrefix(n.name, 0).replace(/_0$/, '_{i}'))}, ${width(n.on)}, [${n.mlp.units.join(', ')}], batch_norm=${n.mlp.batchNorm ? 'True' : 'False'})`);
        fwd.push(`        ${v} = [self.mlp(f${pyStr(expertPrefix(n.name, 0).replace(/_0$/, '_{i}'))}, ${ref(n.on)}, ${n.mlp.units.length}, ${act(n.mlp)}) for i in range(${n.count})]`);
        break;
      case 'gate': {
        const g = n as GateNode;
        const count = gateExperts(ir, g.over).length;
        const weights = gateWeightsPython(gatePlugins, g);
        if (typeof weights !== 'string') throw new Error(`internal: gate '${g.name}' cannot be generated (call checkSupported first)`);
        init.push(`        self.add_dense(${pyStr(gateDenseName(g.name))}, ${width(g.on)}, ${count})`);
        fwd.push(`        ${v}, ${v}_weights = self.logits_gate(${pyStr(gateDenseName(g.name))}, ${ref(g.on)}, ${g.over.map(varName).join(' + ')}, lambda logits: ${weights})`);
        gates.push(`${pyStr(g.name)}: ${v}_weights`);
        break;
      }
      case 'tower': {
        const hidden = n.mlp.units.length;
        init.push(`        last = self.add_mlp(${pyStr(`tower_${n.name}`)}, ${width(n.on)}, [${n.mlp.units.join(', ')}], batch_norm=${n.mlp.batchNorm ? 'True' : 'False'})`);
        init.push(`        self.add_dense(${pyStr(towerOutName(n.name))}, last, 1)`);
        const h = hidden > 0 ? `self.mlp(${pyStr(`tower_${n.name}`)}, ${ref(n.on)}, ${hidden}, ${act(n.mlp)})` : ref(n.on);
        fwd.push(`        ${v} = self.dense[${pyStr(towerOutName(n.name))}](${h}).squeeze(1)  # logit; ${n.output} output`);
        towers.push(`${pyStr(n.name)}: ${v}`);
        break;
      }
    }
  }
  if (ir.train.weighting === 'uncertainty') {
    init.push('', `        # weighting uncertainty: one learned log-variance per task (${ir.tasks.map((t) => t.name).join(', ')})`);
    init.push(`        self.log_vars = nn.Parameter(torch.zeros(${ir.tasks.length}))`);
  }

  const summary = ir.doc ? `${ir.name}: ${ir.doc}` : ir.name;
  const lines = [
    `"""${summary.replace(/"""/g, "'''").replace(/\\/g, '\\\\')}`,
    '',
    `Generated by mtl ${version} from the spec's IR (ir.json): regenerate with \`mtl compile SPEC --target pytorch\``,
    'rather than editing. Parameter names follow the tfjs target, so weights convert between them by name.',
    '',
    'forward(x) takes a dict of tensors from data.Preprocessor.encode: a categorical or bucketised feature',
    '[batch] row ids, a sequence [batch, max_len] row ids plus NAME__w pooling weights, a numeric [batch] values;',
    'it returns {"logits": {tower: [batch]}, "gates": {gate: [batch, experts]}} (see objective.Objective.outputs).',
    '"""',
    'import torch',
    'from torch import nn',
    '',
    'from layers import MtlModule',
    '',
    `# Towers and their output activations; tasks and their heads (product of towers).`,
    `TOWERS = {${ir.nodes.filter((n) => n.kind === 'tower').map((n) => `${pyStr(n.name)}: ${pyStr((n as { output: string }).output)}`).join(', ')}}`,
    `TASKS = {${ir.tasks.map((t) => `${pyStr(t.name)}: [${t.head.map(pyStr).join(', ')}]`).join(', ')}}`,
    `# Each tower's output unit (a Dense of width 1), by tower: train.py starts its bias at the base rate.`,
    `TOWER_OUTPUTS = {${ir.nodes.filter((n) => n.kind === 'tower').map((n) => `${pyStr(n.name)}: ${pyStr(towerOutName(n.name))}`).join(', ')}}`,
    '',
    '',
    'class Model(MtlModule):',
    `    """The ${ir.name} model (${ir.features.length} features, ${ir.nodes.length} nodes, ${ir.tasks.length} tasks)."""`,
    '',
    '    def __init__(self):',
    '        super().__init__()',
    ...init,
    '',
    '    def forward(self, x):',
    ...fwd.slice(1),
    '',
    `        return {"logits": {${towers.join(', ')}}, "gates": {${gates.join(', ')}}}`,
    '',
  ];
  return lines.join('\n');
}
