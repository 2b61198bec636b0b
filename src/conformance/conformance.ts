/**
 * The gate-plugin conformance suite: the checks every gate plugin (first-party or not) must pass, run
 * through the real pipeline (registry, `checkText`, the compiler, tfjs save/load). A plugin's own test
 * calls it in one line:
 *
 *   it('conforms', () => assertGatePluginConformance(factory, { params: { k: 2 } }), 60_000);
 *
 * The checks never throw: each one becomes a named entry of the report (`assertGatePluginConformance`
 * throws one Error listing the failed ones). Runs on whatever tfjs backend is current.
 */
import * as tf from '@tensorflow/tfjs';
import type { Diagnostic } from '../diagnostics/types.js';
import type { Feature, GateNode, GraphNode, JsonValue, ModelIR } from '../ir/types.js';
import type { Batch, FeatureColumn } from '../data/types.js';
import { createModelRuntime } from '../model/index.js';
import { mulberry32 } from '../model/seed.js';
import { checkText } from '../language/check.js';
import type { GateCheckContext, GatePlugin, PluginFactory } from '../plugins/api.js';
import { PluginRegistry } from '../plugins/registry.js';

/** A case where the plugin's `check` must report: the parameters (and expert count) and what it must report where. */
export interface ConformanceCheckCase {
  /** Gate parameters (valid for the schema) that the plugin's `check` must object to. */
  params: Record<string, JsonValue>;
  /** Experts mixed in this case (default: the suite's `expertCount`). */
  expertCount?: number;
  /** The parameter the diagnostic must point at ("params.k"); omitted: anywhere on the gate declaration. */
  property?: string;
  /** The expected code (default: any MTL4xxx). */
  code?: string;
  /** The expected severity (default 'error'). */
  severity?: Diagnostic['severity'];
}

/** Options of {@link runGatePluginConformance}. */
export interface ConformanceOptions {
  /** Valid gate parameters used for the model checks (default `{}`: the schema's defaults). */
  params?: Record<string, JsonValue>;
  /** Experts mixed by the test gate (default 3). */
  expertCount?: number;
  /** Width of one expert's output (default 4). */
  expertWidth?: number;
  /** Width of the gate input (default 5). */
  inputWidth?: number;
  /** Cases that the plugin's `check` must report through diagnostics (e.g. noisy-topk's k above the expert count). */
  checkCases?: ConformanceCheckCase[];
  /** Training seed (default 7). */
  seed?: number;
  /** Largest allowed difference between the saved and the reloaded model's predictions (default 1e-6). */
  tolerance?: number;
}

/** The named checks of the suite, in the order they run. */
export type ConformanceCheckName = 'factory' | 'schema' | 'check' | 'diagnostics' | 'build' | 'train' | 'reload' | 'direct';

/** The outcome of one check. */
export interface ConformanceCheck {
  name: ConformanceCheckName;
  ok: boolean;
  /** What was verified, or why it failed. */
  detail: string;
}

/** The outcome of the suite for one plugin. */
export interface ConformanceReport {
  /** The plugin's name (or "<unknown>" when the factory failed). */
  plugin: string;
  ok: boolean;
  checks: ConformanceCheck[];
}

/** The suite's settings with defaults applied. */
interface Setup {
  params: Record<string, JsonValue>;
  expertCount: number;
  expertWidth: number;
  inputWidth: number;
  checkCases: ConformanceCheckCase[];
  seed: number;
  tolerance: number;
}

/** The name the suite uses for an unknown parameter: one no real gate takes. */
const UNKNOWN_PARAM = 'zz_not_a_parameter';
const BATCH = 8;

/**
 * Run every conformance check on the plugin of `factory`. Never throws: a failing or crashing check is a
 * `{ ok: false }` entry naming what went wrong; later checks that need an earlier one are reported failed too.
 */
export async function runGatePluginConformance(factory: PluginFactory, opts: ConformanceOptions = {}): Promise<ConformanceReport> {
  const setup: Setup = {
    params: opts.params ?? {},
    expertCount: opts.expertCount ?? 3,
    expertWidth: opts.expertWidth ?? 4,
    inputWidth: opts.inputWidth ?? 5,
    checkCases: opts.checkCases ?? [],
    seed: opts.seed ?? 7,
    tolerance: opts.tolerance ?? 1e-6,
  };
  const checks: ConformanceCheck[] = [];
  const run = async (name: ConformanceCheckName, body: () => string | Promise<string>): Promise<boolean> => {
    try {
      checks.push({ name, ok: true, detail: await body() });
      return true;
    } catch (e) {
      checks.push({ name, ok: false, detail: e instanceof Error ? e.message : String(e) });
      return false;
    }
  };

  let plugin: GatePlugin | undefined;
  const registry = new PluginRegistry();
  const registered = await run('factory', () => {
    plugin = factory();
    const problems = registry.register(plugin, 'conformance');
    if (problems.length) throw new Error(`the registry rejects it: ${problems.map((d) => d.message).join(' ')}`);
    return `registered '${plugin.name}' ${plugin.version}; its parameter schema compiles`;
  });
  if (!registered || !plugin) {
    for (const name of ['schema', 'check', 'diagnostics', 'build', 'train', 'reload', 'direct'] as const) checks.push({ name, ok: false, detail: 'skipped: the factory check failed' });
    return { plugin: '<unknown>', ok: false, checks };
  }
  const p = plugin;
  await run('schema', () => checkSchema(p, registry, setup));
  await run('check', () => checkCheck(p, setup));
  await run('diagnostics', () => checkDiagnostics(p, registry, setup));
  await run('build', () => checkBuild(p, setup));
  const trained = await run('train', () => checkTrain(p, setup));
  if (trained) {
    await run('reload', () => checkReload(p, setup));
    await run('direct', () => checkDirect(p, setup));
  } else {
    for (const name of ['reload', 'direct'] as const) checks.push({ name, ok: false, detail: 'skipped: the train check failed' });
  }
  return { plugin: p.name, ok: checks.every((c) => c.ok), checks };
}

/**
 * Run the suite and throw one Error listing every failed check (for a test: `await assertGatePluginConformance(f)`).
 * Returns the report when every check passed.
 */
export async function assertGatePluginConformance(factory: PluginFactory, opts: ConformanceOptions = {}): Promise<ConformanceReport> {
  const report = await runGatePluginConformance(factory, opts);
  if (!report.ok) {
    const failed = report.checks.filter((c) => !c.ok).map((c) => `  - ${c.name}: ${c.detail}`);
    throw new Error(`gate plugin '${report.plugin}' fails ${failed.length} conformance check(s):\n${failed.join('\n')}`);
  }
  return report;
}

/** The schema accepts the test parameters, rejects an unknown one, and documents every parameter. */
function checkSchema(plugin: GatePlugin, registry: PluginRegistry, setup: Setup): string {
  const issues = registry.validateParams(plugin.name, setup.params) ?? [];
  if (issues.length) throw new Error(`the schema rejects the test parameters ${JSON.stringify(setup.params)}: ${issues.map((i) => i.message).join('; ')}`);
  const unknown = registry.validateParams(plugin.name, { ...setup.params, [UNKNOWN_PARAM]: 1 }) ?? [];
  if (!unknown.length) throw new Error(`the schema accepts an unknown parameter '${UNKNOWN_PARAM}': set "additionalProperties": false so that misspelt parameters are reported`);
  const properties = (plugin.paramsSchema as { properties?: Record<string, unknown> }).properties ?? {};
  const undocumented = Object.entries(properties)
    .filter(([, s]) => typeof (s as { description?: unknown })?.description !== 'string')
    .map(([k]) => k);
  if (undocumented.length) throw new Error(`parameter(s) ${undocumented.join(', ')} have no "description" (shown on hover)`);
  return `accepts ${JSON.stringify(setup.params)}, rejects an unknown parameter, documents ${Object.keys(properties).length} parameter(s)`;
}

/** `check` (when present) runs on the test gate without throwing and reports no error there; its reports are well formed. */
function checkCheck(plugin: GatePlugin, setup: Setup): string {
  if (!plugin.check) return 'no check (optional)';
  const reports: Array<Parameters<GateCheckContext['report']>[0]> = [];
  plugin.check({
    gate: gateNode(plugin.name, setup.params),
    expertCount: setup.expertCount,
    expertWidth: setup.expertWidth,
    inputWidth: setup.inputWidth,
    report: (d) => reports.push(d),
  });
  for (const r of reports) {
    const own = r?.code !== undefined && plugin.codes?.[r.code] !== undefined;
    if (!own && (typeof r?.message !== 'string' || !r.message)) throw new Error(`check reported ${JSON.stringify(r)} without a message (or a code of the plugin's own codes)`);
    if (r.property !== undefined && !/^params(\.|$)/.test(r.property)) throw new Error(`check reported property '${r.property}': properties are "params.NAME"`);
    if (r.code !== undefined && !/^MTL4\d{3}$/.test(r.code)) throw new Error(`check reported code '${r.code}': plugin codes are MTL4xxx`);
  }
  for (const [code, info] of Object.entries(plugin.codes ?? {})) {
    if (!/^MTL4\d{3}$/.test(code)) throw new Error(`the plugin's codes list '${code}': plugin codes are MTL4xxx`);
    if (!info.message || !info.title || !info.doc) throw new Error(`the plugin's code ${code} lacks a message, title or doc`);
  }
  const severityOf = (r: (typeof reports)[number]) => r.severity ?? (r.code !== undefined ? plugin.codes?.[r.code]?.severity : undefined) ?? 'error';
  const errors = reports.filter((r) => severityOf(r) === 'error');
  if (errors.length) throw new Error(`check reports errors on the valid test gate: ${errors.map((r) => r.message ?? r.code).join('; ')}`);
  return `ran on the test gate with ${reports.length} report(s), none an error`;
}

/** A spec text with one gate of the plugin's type, and where its parameters are. */
interface TestSpec {
  text: string;
  gateLine: number;
  /** Character span of each parameter's `key: value` on the gate line. */
  spans: Record<string, [number, number]>;
  /** Character span of the parenthesised parameter list. */
  paramsSpan: [number, number];
}

/** An .mtl literal for a parameter value, or undefined when the language cannot write it (an object). */
function literal(v: JsonValue): string | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : undefined;
  if (typeof v === 'boolean') return String(v);
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) {
    const parts = v.map(literal);
    return parts.every((s) => s !== undefined) ? `[${parts.join(', ')}]` : undefined;
  }
  return undefined;
}

/** Write the suite's model as .mtl text with the given gate parameters. */
function specText(type: string, params: Record<string, JsonValue>, setup: Setup, expertCount: number): TestSpec | undefined {
  const xs = Array.from({ length: setup.inputWidth }, (_, i) => `x${i}`);
  const prefix = `gate g = ${type}(`;
  const spans: Record<string, [number, number]> = {};
  let body = '';
  for (const [k, v] of Object.entries(params)) {
    const lit = literal(v);
    if (lit === undefined) return undefined;
    if (body) body += ', ';
    const start = prefix.length + body.length;
    body += `${k}: ${lit}`;
    spans[`params.${k}`] = [start, prefix.length + body.length];
  }
  const gateLine = `${prefix}${body}) over e on all`;
  const lines = [
    'model conformance',
    'features {',
    ...xs.map((x) => `  numeric ${x}`),
    '}',
    'labels { y: binary }',
    `input all = concat(${xs.join(', ')})`,
    `experts e[${expertCount}] = mlp(${setup.expertWidth}) relu on all`,
    gateLine,
    'tower t = mlp(4) relu on g -> sigmoid',
    'task t = t loss bce(y)',
  ];
  return { text: lines.join('\n') + '\n', gateLine: lines.indexOf(gateLine), spans, paramsSpan: [prefix.length - 1, prefix.length + body.length + 1] };
}

/** True when a diagnostic starts on `line` within the character span. */
function within(d: Diagnostic, line: number, [from, to]: [number, number]): boolean {
  return d.range.start.line === line && d.range.start.character >= from && d.range.start.character < to;
}

/** Through the real `checkText`: the test spec is clean, an unknown parameter is located, and each check case is reported where expected. */
function checkDiagnostics(plugin: GatePlugin, registry: PluginRegistry, setup: Setup): string {
  const clean = specText(plugin.name, setup.params, setup, setup.expertCount);
  if (!clean) return 'skipped: the test parameters include a value that .mtl text cannot write';
  const show = (ds: Diagnostic[]): string => ds.map((d) => `${d.code} ${d.range.start.line + 1}:${d.range.start.character + 1} ${d.message}`).join('; ');
  const first = checkText(clean.text, { file: 'conformance.mtl', registry });
  const errors = first.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) throw new Error(`a spec using the gate with ${JSON.stringify(setup.params)} has errors: ${show(errors)}`);

  const bad = specText(plugin.name, { ...setup.params, [UNKNOWN_PARAM]: 1 }, setup, setup.expertCount)!;
  const unknown = checkText(bad.text, { file: 'conformance.mtl', registry }).diagnostics;
  if (!unknown.some((d) => d.severity === 'error' && within(d, bad.gateLine, bad.paramsSpan))) {
    throw new Error(`an unknown parameter is not reported inside the gate's parameter list (got: ${show(unknown) || 'nothing'})`);
  }

  setup.checkCases.forEach((c, i) => {
    const spec = specText(plugin.name, c.params, setup, c.expertCount ?? setup.expertCount);
    if (!spec) throw new Error(`check case ${i + 1}: its parameters include a value that .mtl text cannot write`);
    const ds = checkText(spec.text, { file: 'conformance.mtl', registry }).diagnostics;
    const span = c.property ? spec.spans[c.property] : [0, Number.MAX_SAFE_INTEGER];
    if (!span) throw new Error(`check case ${i + 1}: property '${c.property}' is not among its parameters`);
    const hit = ds.find(
      (d) =>
        within(d, spec.gateLine, span as [number, number]) &&
        d.severity === (c.severity ?? 'error') &&
        (c.code ? d.code === c.code : /^MTL4\d{3}$/.test(d.code)),
    );
    if (!hit) {
      throw new Error(
        `check case ${i + 1} (${JSON.stringify(c.params)}, ${c.expertCount ?? setup.expertCount} experts): expected ${c.code ?? 'an MTL4xxx'} ${c.severity ?? 'error'} at ${c.property ?? 'the gate'}, got: ${show(ds) || 'nothing'}`,
      );
    }
  });
  return `a clean spec has no error, an unknown parameter is located, ${setup.checkCases.length} check case(s) reported at their parameter`;
}

/** The gate node of the suite's model. */
function gateNode(type: string, params: Record<string, JsonValue>): GateNode {
  return { kind: 'gate', name: 'g', type, params, over: ['e'], on: 'all' };
}

/** `build` alone, on symbolic inputs: output [batch, expertWidth], weights [batch, expertCount], finite on random data. */
function checkBuild(plugin: GatePlugin, setup: Setup): string {
  const { expertCount: n, expertWidth: d, inputWidth: w } = setup;
  const input = tf.input({ shape: [w], name: 'conformance_input' });
  const experts = tf.input({ shape: [n, d], name: 'conformance_experts' });
  const gate = gateNode(plugin.name, setup.params);
  const aux: tf.SymbolicTensor[] = [];
  const r = plugin.build({
    tf,
    gate,
    params: setup.params,
    input,
    experts,
    expertCount: n,
    expertWidth: d,
    inputWidth: w,
    prefix: 'gate_g',
    seed: setup.seed,
    addAuxLoss: (loss) => aux.push(loss),
  });
  const shape = (t: tf.SymbolicTensor): string => `[${t.shape.map((s) => s ?? 'batch').join(', ')}]`;
  if (r.output.shape.length !== 2 || r.output.shape[1] !== d) throw new Error(`the output has shape ${shape(r.output)}, expected [batch, ${d}]`);
  if (r.weights.shape.length !== 2 || r.weights.shape[1] !== n) throw new Error(`the weights have shape ${shape(r.weights)}, expected [batch, ${n}]`);
  for (const a of aux) if (a.shape.length !== 2 || a.shape[1] !== 1) throw new Error(`an auxiliary loss has shape ${shape(a)}, expected [batch, 1]`);
  const model = tf.model({ inputs: [input, experts], outputs: [r.output, r.weights, ...aux] });
  try {
    const values = tf.tidy(() => {
      const x = tf.randomNormal([BATCH, w], 0, 1, 'float32', setup.seed);
      const e = tf.randomNormal([BATCH, n, d], 0, 1, 'float32', setup.seed + 1);
      const outs = model.predict([x, e]) as tf.Tensor[];
      return outs.map((t) => ({ shape: t.shape, data: Array.from(t.dataSync()) }));
    });
    if (values[0]!.shape.join() !== `${BATCH},${d}` || values[1]!.shape.join() !== `${BATCH},${n}`) throw new Error('the built model computes tensors of the wrong shape');
    if (!values.every((v) => v.data.every(Number.isFinite))) throw new Error('the gate computes non-finite values on random inputs');
  } finally {
    model.dispose();
  }
  return `output [batch, ${d}], weights [batch, ${n}], ${aux.length} auxiliary loss(es), finite on random inputs`;
}

/** The suite's model as a validated IR (widths filled): numeric inputs → experts → the gate → one sigmoid tower. */
function conformanceIR(plugin: GatePlugin, setup: Setup): ModelIR {
  const features: Feature[] = Array.from({ length: setup.inputWidth }, (_, i) => ({ kind: 'numeric', name: `x${i}`, normalize: 'none', missing: 'zero', width: 1 }));
  const mlp = (units: number[]) => ({ units, activation: 'relu' as const, dropout: 0, batchNorm: false });
  const nodes: GraphNode[] = [
    { kind: 'input', name: 'all', from: features.map((f) => f.name), width: setup.inputWidth },
    { kind: 'experts', name: 'e', count: setup.expertCount, on: 'all', mlp: mlp([setup.expertWidth]), width: setup.expertWidth },
    { ...gateNode(plugin.name, setup.params), width: setup.expertWidth },
    { kind: 'tower', name: 't', on: 'g', mlp: mlp([4]), output: 'sigmoid', width: 1 },
  ];
  return {
    version: 1,
    name: 'conformance',
    plugins: [],
    features,
    labels: [{ name: 'y', type: 'binary' }],
    nodes,
    tasks: [{ name: 't', head: ['t'], loss: { type: 'bce', label: { label: 'y' } }, weight: 1 }],
    metrics: [],
    train: { optimizer: 'adam', lr: 0.01, batch: BATCH, epochs: 1, seed: setup.seed, validSplit: 0, weighting: 'static' },
  };
}

/** A seeded batch for the suite's model: x_i ~ U(-1, 1), y = [x0 > 0]. */
function conformanceBatch(setup: Setup): Batch {
  const rand = mulberry32(setup.seed);
  const features: Record<string, FeatureColumn> = {};
  for (let i = 0; i < setup.inputWidth; i++) features[`x${i}`] = { kind: 'dense', values: Float32Array.from({ length: BATCH }, () => rand() * 2 - 1) };
  const x0 = (features['x0'] as { values: Float32Array }).values;
  return { size: BATCH, features, labels: { y: x0.map((v) => (v > 0 ? 1 : 0)) }, groups: {}, rowNumbers: Int32Array.from({ length: BATCH }, (_, i) => i + 2) };
}

/** Runtime options that resolve only the plugin under test. */
function runtimeOptions(plugin: GatePlugin, setup: Setup) {
  return { gates: (t: string) => (t === plugin.name ? plugin : undefined), seed: setup.seed, optimizer: { optimizer: 'adam' as const, lr: 0.01 } };
}

/** The compiler builds a model with the gate; one training step gives a finite loss, and the same seed gives the same loss. */
function checkTrain(plugin: GatePlugin, setup: Setup): string {
  const ir = conformanceIR(plugin, setup);
  const batch = conformanceBatch(setup);
  const losses: number[] = [];
  for (let run = 0; run < 2; run++) {
    const runtime = createModelRuntime(ir, runtimeOptions(plugin, setup));
    try {
      const step = runtime.trainStep(batch);
      if (!Number.isFinite(step.loss)) throw new Error(`one training step gives a non-finite loss (${step.loss})`);
      losses.push(step.loss);
    } finally {
      runtime.dispose();
    }
  }
  if (Math.abs(losses[0]! - losses[1]!) > setup.tolerance) {
    throw new Error(`two runs with seed ${setup.seed} give different losses (${losses[0]} and ${losses[1]}): seed every random op (initialisers, noise) from ctx.seed`);
  }
  return `one step trains (loss ${losses[0]!.toFixed(4)}), reproducibly for a seed`;
}

/** Largest absolute difference between two equally long arrays (Infinity when the lengths differ). */
function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

/** After two training steps: the exported model matches the runtime, and saving and reloading it gives equal predictions. */
async function checkReload(plugin: GatePlugin, setup: Setup): Promise<string> {
  const ir = conformanceIR(plugin, setup);
  const batch = conformanceBatch(setup);
  const runtime = createModelRuntime(ir, runtimeOptions(plugin, setup));
  const disposables: Array<{ dispose(): void }> = [runtime];
  try {
    runtime.trainStep(batch);
    runtime.trainStep(batch);
    const expected = runtime.predict(batch);
    const exported = runtime.exportModel();
    disposables.push(exported);
    // inputNames are the layer names (the spec's feature names); the symbolic tensors' names get unique suffixes.
    const feeds = exported.inputNames.map((name) => {
      const column = batch.features[name];
      if (!column || column.kind !== 'dense') throw new Error(`the export model has an unexpected input '${name}'`);
      return tf.tensor2d(column.values, [batch.size, 1]);
    });
    disposables.push(...feeds);
    const outputsOf = (model: tf.LayersModel): Float32Array[] =>
      tf.tidy(() => {
        const raw = model.predict(feeds);
        return (Array.isArray(raw) ? raw : [raw]).map((t) => t.dataSync() as Float32Array);
      });
    const before = outputsOf(exported);
    const names = exported.outputNames;
    const towerAt = names.indexOf('t');
    const gateAt = names.indexOf('gate__g');
    if (towerAt < 0 || gateAt < 0) throw new Error(`the export model's outputs are [${names.join(', ')}], expected 't' and 'gate__g'`);
    const runtimeGap = Math.max(maxDiff(before[towerAt]!, expected.outputs['t']!), maxDiff(before[gateAt]!, expected.gates['g']!.weights));
    if (runtimeGap > 1e-5) throw new Error(`the export model's predictions differ from the runtime's by ${runtimeGap}`);

    let artifacts: tf.io.ModelArtifacts | undefined;
    await exported.save(
      tf.io.withSaveHandler(async (a) => {
        artifacts = a;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    if (!artifacts) throw new Error('saving the export model wrote nothing');
    let loaded: tf.LayersModel;
    try {
      loaded = await tf.loadLayersModel(tf.io.fromMemory(artifacts));
    } catch (e) {
      const why = (e instanceof Error ? e.message : String(e)).split('\n')[0]!.replace(/\.$/, '');
      throw new Error(`the saved model does not reload (${why}); list every custom layer class in the plugin's \`layers\`, with a static className and a getConfig()`);
    }
    disposables.push(loaded);
    const after = outputsOf(loaded);
    const gap = Math.max(...before.map((b, i) => maxDiff(b, after[i] ?? [])));
    if (!(gap <= setup.tolerance)) throw new Error(`the reloaded model's predictions differ by ${gap} (tolerance ${setup.tolerance})`);
    return `the export matches the runtime and reloads with predictions within ${setup.tolerance} (max difference ${gap})`;
  } finally {
    for (const d of disposables) d.dispose();
  }
}

/**
 * A plugin that declares `direct`: the direct step plans the suite's model from its binding (the weights it
 * names exist with the right sizes, the auxiliary losses `build` adds are the ones it declares). Where the
 * current backend runs the direct step (native, or wasm with mtl's kernels), the binding's math is compared
 * with `build`'s: without noise, one training step on each step from the same weights gives the same loss and
 * then the same predictions (tower and gate weights); with noise (which the two steps draw differently), the
 * predictions, which draw none, from the initial weights.
 */
function checkDirect(plugin: GatePlugin, setup: Setup): string {
  if (!plugin.direct) return 'no `direct` member: models with this gate train on the tfjs step';
  const binding = plugin.direct(gateNode(plugin.name, setup.params).params, 'gate_g');
  if ('unsupported' in binding) return `\`direct\` declines these parameters (${binding.unsupported}): models with them train on the tfjs step`;
  const ir = conformanceIR(plugin, setup);
  const batch = conformanceBatch(setup);
  const direct = createModelRuntime(ir, { ...runtimeOptions(plugin, setup), directStep: true });
  const reference = createModelRuntime(ir, { ...runtimeOptions(plugin, setup), directStep: false });
  try {
    const planned = direct.trainStepKind?.();
    if (planned?.reason) throw new Error(`the direct step cannot use the \`direct\` binding: ${planned.reason}`);
    if (!direct.predictsDirectly?.()) {
      return `the direct step plans the model from the binding; its math is compared on the native or wasm backend (this is ${tf.getBackend()})`;
    }
    const noisy = binding.noise === true;
    let trained = '';
    if (!noisy) {
      const a = direct.trainStep(batch).loss;
      const b = reference.trainStep(batch).loss;
      if (!(Math.abs(a - b) <= 1e-4 * Math.max(1, Math.abs(b)))) throw new Error(`one training step gives the loss ${a} on the direct step and ${b} on the tfjs step: the binding does not compute what build builds`);
      trained = `one training step gives the tfjs step's loss (${b.toFixed(4)}), then `;
    }
    const pa = direct.predict(batch);
    const pb = reference.predict(batch);
    const gap = Math.max(maxDiff(pa.outputs['t']!, pb.outputs['t']!), maxDiff(pa.gates['g']!.weights, pb.gates['g']!.weights));
    if (!(gap <= 1e-4)) throw new Error(`the direct step's predictions differ from the tfjs model's by ${gap}: the binding does not compute what build builds`);
    return `${trained}the direct step predicts what the tfjs model does (max difference ${gap.toExponential(1)})${noisy ? '; noise is drawn differently by the two steps, so training is not compared' : ''}`;
  } finally {
    direct.dispose();
    reference.dispose();
  }
}
