/**
 * Builds the core model from a validated IR with the tfjs-layers functional API. Inputs: one dense
 * [batch, width] input per used feature (`feature_NAME`); outputs, in order: every tower's logit (no
 * activation), every gate's expert weights, every auxiliary loss a gate plugin registered.
 * Layer names come from the IR: `input_NAME_concat`, `layer_NAME_dense_0`, `expert_NAME_3_dense_0`,
 * `gate_NAME_*` (the plugin's), `tower_NAME_dense_0`, `tower_NAME_out`.
 */
import * as tf from '@tensorflow/tfjs';
import type { ExpertsNode, Feature, GateNode, GraphNode, ModelIR, TowerNode } from '../ir/types.js';
import type { GatePlugin } from '../plugins/api.js';
import { diag } from '../diagnostics/catalog.js';
import { FILE_START } from '../diagnostics/types.js';
import { MtlError } from '../diagnostics/error.js';
import { applyMlp, seededGlorot } from './mlp.js';
import { deriveSeed } from './seed.js';
import { applyFusedExperts, canFuse } from './fused-experts.js';

/** An auxiliary loss output of the core model and its weight. */
export interface AuxLoss {
  gate: string;
  weight: number;
}

/** The core model and the meaning of its inputs and outputs. */
export interface CoreGraph {
  model: tf.LayersModel;
  /** The features behind the model's inputs, in input order (the IR's order, used ones only). */
  features: Feature[];
  /** Towers whose logits are the first outputs, in IR order. */
  towers: TowerNode[];
  /** Gates whose weights follow, in IR order. */
  gates: GateNode[];
  /** Auxiliary losses ([batch, 1] each) that end the outputs. */
  aux: AuxLoss[];
}

/** What the builder needs beyond the IR. */
export interface CoreOptions {
  gates: (type: string) => GatePlugin | undefined;
  seed: number;
  /** Compute each fusable expert group as one fused layer (./fused-experts.ts); the export model is built without. */
  fuseExperts?: boolean;
  /**
   * Initial bias of each tower's output unit (its logit), by tower name; default 0. Starting a sigmoid tower at
   * the log-odds of its base rate keeps early epochs from spending their steps on calibration (see tower-priors.ts).
   */
  outputBias?: Record<string, number>;
}

/** Width of a feature's dense input. */
export function featureWidth(f: Feature): number {
  if (f.width !== undefined) return f.width;
  if (f.kind === 'numeric') return f.buckets && f.buckets.length ? (f.dim ?? 1) : 1;
  return f.dim ?? 1;
}

/** The core model's input name of a feature. */
export function coreInputName(feature: string): string {
  return `feature_${feature}`;
}

/** The core graph's symbolic outputs (towers' logits, gates' weights, auxiliary losses) on given feature inputs. */
export interface CoreOutputs extends Omit<CoreGraph, 'model'> {
  /** The dense input of each used feature, in `features` order. */
  inputs: tf.SymbolicTensor[];
  outputs: tf.SymbolicTensor[];
}

/** Build the core model. Throws MtlError (MTL5202/5203) for a gate type nobody provides or a failing plugin. */
export function buildCore(ir: ModelIR, opts: CoreOptions): CoreGraph {
  const graph = applyCore(ir, opts, (f) => tf.input({ shape: [featureWidth(f)], name: coreInputName(f.name) }));
  const model = tf.model({ inputs: graph.inputs, outputs: graph.outputs, name: 'core' });
  return { model, features: graph.features, towers: graph.towers, gates: graph.gates, aux: graph.aux };
}

/**
 * The core graph's layers applied to the dense feature inputs `inputFor` gives (tf.input for the core model;
 * the export model's embedded ids, so that its graph is flat: tfjs-layers' executor runs a nested
 * multi-output model once per output). Layer names are the same either way.
 */
export function applyCore(ir: ModelIR, opts: CoreOptions, inputFor: (f: Feature) => tf.SymbolicTensor): CoreOutputs {
  const features = new Map(ir.features.map((f) => [f.name, f]));
  const nodes = new Map<string, GraphNode>(ir.nodes.map((n) => [n.name, n]));
  const inputs = new Map<string, tf.SymbolicTensor>();
  const built = new Map<string, tf.SymbolicTensor>();
  const experts = new Map<string, tf.SymbolicTensor[]>();
  const stacked = new Map<string, tf.SymbolicTensor>();
  const gateWeights = new Map<string, tf.SymbolicTensor>();
  const towerLogits = new Map<string, tf.SymbolicTensor>();
  const aux: Array<AuxLoss & { tensor: tf.SymbolicTensor }> = [];

  const featureInput = (f: Feature): tf.SymbolicTensor => {
    let t = inputs.get(f.name);
    if (!t) {
      t = inputFor(f);
      inputs.set(f.name, t);
    }
    return t;
  };

  const expertOutputs = (node: ExpertsNode): tf.SymbolicTensor[] => {
    let outs = experts.get(node.name);
    if (!outs) {
      const on = resolve(node.on);
      outs = [];
      for (let i = 0; i < node.count; i++) outs.push(applyMlp(on, node.mlp, `expert_${node.name}_${i}`, opts.seed));
      experts.set(node.name, outs);
    }
    return outs;
  };

  /** One expert as [batch, 1, width], for stacking (cached: several gates may mix the same expert). */
  /** A fused group's [batch, count, width] output (cached: several gates may mix the same group). */
  const fused = new Map<string, tf.SymbolicTensor>();
  const fusedOutput = (node: ExpertsNode): tf.SymbolicTensor => {
    let out = fused.get(node.name);
    if (!out) {
      out = applyFusedExperts(resolve(node.on), node, opts.seed);
      fused.set(node.name, out);
    }
    return out;
  };

  const expertSlice = (group: string, i: number, t: tf.SymbolicTensor): tf.SymbolicTensor => {
    const key = `${group}/${i}`;
    let s = stacked.get(key);
    if (!s) {
      s = tf.layers.reshape({ targetShape: [1, t.shape[1] as number], name: `expert_${group}_${i}_slice` }).apply(t) as tf.SymbolicTensor;
      stacked.set(key, s);
    }
    return s;
  };

  const buildGate = (gate: GateNode): tf.SymbolicTensor => {
    const plugin = opts.gates(gate.type);
    if (!plugin) throw new MtlError(diag('MTL5202', gate.locs?.type ?? gate.loc ?? FILE_START, { gate: gate.name, type: gate.type }));
    // Register the plugin's custom layer classes (idempotent) so that any model built from here saves and reloads.
    for (const cls of plugin.layers ?? []) tf.serialization.registerClass(cls as unknown as tf.serialization.SerializableConstructor<tf.serialization.Serializable>);
    const slices: tf.SymbolicTensor[] = [];
    for (const group of gate.over) {
      const node = nodes.get(group);
      if (!node || node.kind !== 'experts') continue;
      if (opts.fuseExperts && canFuse(node)) slices.push(fusedOutput(node));
      else expertOutputs(node).forEach((t, i) => slices.push(expertSlice(group, i, t)));
    }
    const stack =
      slices.length === 1 ? slices[0]! : (tf.layers.concatenate({ axis: 1, name: `gate_${gate.name}_experts` }).apply(slices) as tf.SymbolicTensor);
    const input = resolve(gate.on);
    const expertCount = slices.reduce((n, s) => n + (s.shape[1] as number), 0);
    const expertWidth = stack.shape[2] as number;
    const fail = (reason: string): MtlError =>
      new MtlError(diag('MTL5203', gate.locs?.type ?? gate.loc ?? FILE_START, { gate: gate.name, type: gate.type, reason }));
    let result;
    try {
      result = plugin.build({
        tf,
        gate,
        params: gate.params,
        input,
        experts: stack,
        expertCount,
        expertWidth,
        inputWidth: input.shape[1] as number,
        prefix: `gate_${gate.name}`,
        seed: deriveSeed(opts.seed, `gate_${gate.name}`),
        addAuxLoss: (loss, weight) => aux.push({ gate: gate.name, weight, tensor: loss }),
      });
    } catch (e) {
      throw fail(e instanceof Error ? e.message : String(e));
    }
    const { output, weights } = result;
    if (output.shape.length !== 2 || output.shape[1] !== expertWidth) throw fail(`its output has shape [${output.shape}], expected [batch, ${expertWidth}]`);
    if (weights.shape.length !== 2 || weights.shape[1] !== expertCount) throw fail(`its weights have shape [${weights.shape}], expected [batch, ${expertCount}]`);
    gateWeights.set(gate.name, weights);
    return output;
  };

  const resolve = (name: string): tf.SymbolicTensor => {
    const done = built.get(name);
    if (done) return done;
    const f = features.get(name);
    if (f) return featureInput(f);
    const node = nodes.get(name);
    if (!node) throw new Error(`internal: unknown reference '${name}' in a validated IR`);
    let out: tf.SymbolicTensor;
    switch (node.kind) {
      case 'input': {
        const parts = node.from.map(resolve);
        out = parts.length === 1 ? parts[0]! : (tf.layers.concatenate({ axis: -1, name: `input_${node.name}_concat` }).apply(parts) as tf.SymbolicTensor);
        break;
      }
      case 'layer':
        out = applyMlp(resolve(node.on), node.mlp, `layer_${node.name}`, opts.seed);
        break;
      case 'experts':
        throw new Error(`internal: expert group '${name}' used outside a gate in a validated IR`);
      case 'gate':
        out = buildGate(node);
        break;
      case 'tower': {
        const h = applyMlp(resolve(node.on), node.mlp, `tower_${node.name}`, opts.seed);
        const outName = `tower_${node.name}_out`;
        const bias = opts.outputBias?.[node.name] ?? 0;
        out = tf.layers.dense({ units: 1, kernelInitializer: seededGlorot(opts.seed, outName), biasInitializer: tf.initializers.constant({ value: bias }), name: outName }).apply(h) as tf.SymbolicTensor;
        towerLogits.set(node.name, out);
        break;
      }
    }
    built.set(name, out);
    return out;
  };

  const towers = ir.nodes.filter((n): n is TowerNode => n.kind === 'tower');
  const gates = ir.nodes.filter((n): n is GateNode => n.kind === 'gate');
  for (const t of towers) resolve(t.name);
  for (const g of gates) resolve(g.name);

  const usedFeatures = ir.features.filter((f) => inputs.has(f.name));
  return {
    inputs: usedFeatures.map((f) => inputs.get(f.name)!),
    outputs: [...towers.map((t) => towerLogits.get(t.name)!), ...gates.map((g) => gateWeights.get(g.name)!), ...aux.map((a) => a.tensor)],
    features: usedFeatures,
    towers,
    gates,
    aux: aux.map(({ gate, weight }) => ({ gate, weight })),
  };
}
