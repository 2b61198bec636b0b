/**
 * Sample weights (`weight_by`) give the same training step in every target: on an ESMM-like model (a product
 * head, a masked task, uncertainty weighting, batch norm) with a spec-wide weight column and a task's own
 * column (non-uniform, some zero), one SGD step's loss, per-task losses and gradients agree between the tfjs
 * step, the direct step (native backend, when the OpenBLAS addon is built) and the generated PyTorch package
 * (when Python has torch). Also: weights of 1 reproduce the unweighted step exactly, integer weights k equal
 * k copies of each row, a batch whose weights are all 0 gives a loss of 0 and no NaN, and the package's
 * weighted metrics equal mtl's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { ModelIR } from '../../src/ir/types.js';
import type { Batch, FeatureColumn } from '../../src/data/types.js';
import type { ModelRuntime, StepResult } from '../../src/model/types.js';
import { createModelRuntime } from '../../src/model/index.js';
import { serializeModel } from '../../src/artifact/tfjs-io.js';
import { writeManifest } from '../../src/artifact/manifest.js';
import { compileToPytorch } from '../../src/targets/pytorch/index.js';
import { convertTfjsToTorch } from '../../src/targets/convert.js';
import { parameterNames } from '../../src/targets/pytorch/names.js';
import { loadNativeBlas } from '../../src/exec/native-blas.js';
import { selectBackend } from '../../src/exec/backend.js';
import { mulberry32 } from '../../src/model/seed.js';
import { computeMetric } from '../../src/artifact/metrics.js';
import { esmmIR, mmoeIR, options, randomBatch } from '../model/fixtures.js';
import { runPython, torchPython } from './python-env.js';

const BATCH = 24;

/** The ESMM fixture weighted by `iw` for every task and by `delay` for the masked CVR task. */
function weightedEsmm(): ModelIR {
  const ir = esmmIR('mean');
  ir.train = { ...ir.train, weightBy: 'iw' };
  ir.tasks = ir.tasks.map((t) => (t.name === 'cvr_clicked' ? { ...t, weightBy: 'delay' } : t));
  return ir;
}

/** A batch with non-uniform weights: `iw` in {0, 0.25, …, 3}, `delay` in (0, 2]. */
function weightedBatch(ir: ModelIR, seed: number): Batch {
  const batch = randomBatch(ir, BATCH, seed);
  const rand = mulberry32(seed + 100);
  const iw = Float32Array.from({ length: BATCH }, (_, i) => (i % 7 === 3 ? 0 : Math.round(rand() * 12) / 4));
  const delay = Float32Array.from({ length: BATCH }, () => Math.fround(0.1 + rand() * 1.9));
  return { ...batch, weights: { iw, delay } };
}

/** Each trainable export weight's values by tfjs name (embedding tables included). */
function exportWeights(rt: ModelRuntime): Map<string, Float32Array> {
  const model = rt.exportModel();
  const out = new Map(model.weights.map((w) => [w.originalName, w.read().dataSync().slice() as Float32Array]));
  model.dispose();
  return out;
}

/** One SGD step with lr 1 from a fresh runtime: the step's losses and each weight's gradient (its move, negated). */
function sgdStep(ir: ModelIR, batch: Batch, directStep: boolean): { result: StepResult; grads: Map<string, Float32Array>; kind: string | undefined } {
  const rt = createModelRuntime(ir, { ...options({ optimizer: { optimizer: 'sgd', lr: 1 } }), directStep });
  try {
    const before = exportWeights(rt);
    const result = rt.trainStep(batch);
    const after = exportWeights(rt);
    const grads = new Map([...before].map(([k, v]) => [k, v.map((x, i) => x - after.get(k)![i]!)]));
    return { result, grads, kind: rt.trainStepKind?.().kind };
  } finally {
    rt.dispose();
  }
}

/** max |a − b| / max(scale, |b|) over the trainable weights. */
function worst(a: Map<string, ArrayLike<number>>, b: Map<string, ArrayLike<number>>, names: string[], scale: number): { worst: number; where: string } {
  let w = 0;
  let where = '';
  for (const name of names) {
    const x = a.get(name);
    const y = b.get(name);
    expect(x, name).toBeDefined();
    expect(y, name).toBeDefined();
    for (let i = 0; i < y!.length; i++) {
      const d = Math.abs(x![i]! - y![i]!) / Math.max(scale, Math.abs(y![i]!));
      if (d > w) (w = d), (where = `${name}[${i}]: ${x![i]} vs ${y![i]}`);
    }
  }
  return { worst: w, where };
}

/** The trainable parameters of `ir` by tfjs name, except batch-norm statistics. */
function trainable(ir: ModelIR): string[] {
  return parameterNames(ir).filter((p) => p.trainable).map((p) => p.tfjs);
}

describe('sample weights: one weighted step, tfjs step', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('weights of 1 reproduce the unweighted step exactly', () => {
    const plain = esmmIR('mean');
    const ones = weightedEsmm();
    const batch = randomBatch(plain, BATCH, 4);
    const a = sgdStep(plain, batch, false);
    const b = sgdStep(ones, { ...batch, weights: { iw: new Float32Array(BATCH).fill(1), delay: new Float32Array(BATCH).fill(1) } }, false);
    expect(b.result).toEqual(a.result);
    for (const [k, v] of a.grads) expect(Array.from(b.grads.get(k)!), k).toEqual(Array.from(v));
  });

  it('integer weights k give the loss and gradients of each row repeated k times', () => {
    const ir = mmoeIR();
    ir.train = { ...ir.train, weightBy: 'k' };
    const batch = randomBatch(ir, 16, 8);
    const k = Float32Array.from({ length: 16 }, (_, i) => [0, 1, 2, 3][i % 4]!);
    const idx = Array.from({ length: 16 }, (_, i) => i).flatMap((i) => Array(k[i]!).fill(i) as number[]);
    const repeat = (col: FeatureColumn): FeatureColumn => {
      if (col.kind === 'ids') return { kind: 'ids', rows: Int32Array.from(idx, (i) => col.rows[i]!) };
      if (col.kind === 'dense') return { kind: 'dense', values: Float32Array.from(idx, (i) => col.values[i]!) };
      const L = col.maxLen;
      return { kind: 'seq', maxLen: L, rows: Int32Array.from(idx.flatMap((i) => Array.from(col.rows.subarray(i * L, i * L + L)))), weights: Float32Array.from(idx.flatMap((i) => Array.from(col.weights.subarray(i * L, i * L + L)))) };
    };
    const repeated: Batch = {
      size: idx.length,
      features: Object.fromEntries(Object.entries(batch.features).map(([n, c]) => [n, repeat(c)])),
      labels: Object.fromEntries(Object.entries(batch.labels).map(([n, v]) => [n, Float32Array.from(idx, (i) => v[i]!)])),
      weights: { k: new Float32Array(idx.length).fill(1) },
      groups: {},
      rowNumbers: Int32Array.from(idx, (i) => i + 2),
    };
    const a = sgdStep(ir, { ...batch, weights: { k } }, false);
    const b = sgdStep(ir, repeated, false);
    expect(a.result.loss).toBeCloseTo(b.result.loss, 5);
    for (const t of ir.tasks) expect(a.result.taskLosses[t.name]).toBeCloseTo(b.result.taskLosses[t.name]!, 5);
    const { worst: w, where } = worst(a.grads, b.grads, trainable(ir), 1e-3);
    expect(w, where).toBeLessThan(1e-3);
  });

  it('a batch whose weights are all 0: every task loss is 0, the total is finite and no network weight moves', () => {
    const ir = weightedEsmm();
    const batch = weightedBatch(ir, 5);
    batch.weights!['iw']!.fill(0);
    const { result, grads } = sgdStep(ir, batch, false);
    for (const t of ir.tasks) expect(result.taskLosses[t.name]).toBe(0);
    expect(Number.isFinite(result.loss)).toBe(true);
    for (const name of trainable(ir)) expect(Array.from(grads.get(name)!).every((g) => g === 0), name).toBe(true);
  });
});

describe.skipIf(!loadNativeBlas())('sample weights: the direct step equals the tfjs step', () => {
  beforeAll(async () => {
    expect((await selectBackend('native')).name).toBe('native');
  });
  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  it('same losses and gradients on a weighted batch (one SGD step, lr 1)', () => {
    const ir = weightedEsmm();
    const batch = weightedBatch(ir, 3);
    const direct = sgdStep(ir, batch, true);
    const reference = sgdStep(ir, batch, false);
    expect(direct.kind).toBe('direct');
    expect(reference.kind).toBe('tfjs');
    expect(direct.result.loss).toBeCloseTo(reference.result.loss, 4);
    for (const t of ir.tasks) expect(direct.result.taskLosses[t.name], t.name).toBeCloseTo(reference.result.taskLosses[t.name]!, 4);
    const { worst: w, where } = worst(direct.grads, reference.grads, trainable(ir), 1e-3);
    expect(w, where).toBeLessThan(2e-3);
  });
});

describe.skipIf(!torchPython)('sample weights: PyTorch computes the same step as tfjs', () => {
  let tmp: string;
  beforeAll(async () => {
    await tf.setBackend('cpu');
    tmp = await fsp.mkdtemp(path.join(os.tmpdir(), 'mtl-weights-'));
  });
  afterAll(async () => {
    if (tmp) await fsp.rm(tmp, { recursive: true, force: true });
  });

  it("the package's metrics, weighted and not, equal mtl's (auc with ties and zero weights, logloss, mse, mae, gauc)", async () => {
    const rand = mulberry32(21);
    const n = 300;
    const pred = Float32Array.from({ length: n }, () => Math.round(rand() * 20) / 20);
    const label = Float32Array.from(pred, (p) => (rand() < p ? 1 : 0));
    const w = Float32Array.from({ length: n }, () => (rand() < 0.1 ? 0 : Math.round(rand() * 16) / 4));
    const groups = Array.from({ length: n }, (_, i) => `u${i % 7}`);
    const fns = ['auc', 'logloss', 'mse', 'mae', 'gauc'] as const;
    const plan = fns.flatMap((fn) => {
      const m = { output: 'p', key: fn, fn, label: { label: 'y' }, ...(fn === 'gauc' ? { groupBy: 'g' } : {}) };
      return [m, { ...m, key: `${fn}*w`, weights: ['w'] }];
    });
    const script = [
      'import json, sys, torch',
      `sys.path.insert(0, ${JSON.stringify(path.join(import.meta.dirname, '../../src/targets/pytorch/templates'))})`,
      'import objective, data',
      'case = json.load(open(sys.argv[1]))',
      'labels = {"y": torch.tensor(case["y"]), data.WEIGHT_KEY + "w": torch.tensor(case["w"])}',
      'print(json.dumps(objective.compute_metrics(case["plan"], {"p": torch.tensor(case["p"])}, labels, {"g": case["g"]})))',
    ].join('\n');
    const file = path.join(tmp, 'metrics.py');
    const caseFile = path.join(tmp, 'metrics.json');
    await fsp.writeFile(file, script);
    await fsp.writeFile(caseFile, JSON.stringify({ plan, p: Array.from(pred), y: Array.from(label), w: Array.from(w), g: groups }));
    const out = JSON.parse(runPython([file, caseFile])) as Record<string, Record<string, number>>;
    for (const fn of fns) {
      const opts = fn === 'gauc' ? { groups } : {};
      expect(out['p']![`${fn}*w`], fn).toBeCloseTo(computeMetric(fn, pred, label, { ...opts, weights: w })!, 5);
      expect(out['p']![fn], fn).toBeCloseTo(computeMetric(fn, pred, label, opts)!, 5);
      expect(out['p']![fn], fn).not.toBeCloseTo(out['p']![`${fn}*w`]!, 6);
    }
  });

  it('same loss, task losses and gradients on a weighted batch', async () => {
    const ir = weightedEsmm();
    const batch = weightedBatch(ir, 11);
    const rt = createModelRuntime(ir, { ...options({ optimizer: { optimizer: 'sgd', lr: 1 } }), directStep: false });
    const model = rt.exportModel();
    const artifact = path.join(tmp, 'tfjs');
    await fsp.mkdir(artifact);
    const { modelJson, weights } = await serializeModel(model);
    model.dispose();
    rt.dispose();
    await fsp.writeFile(path.join(artifact, 'model.json'), modelJson);
    await fsp.writeFile(path.join(artifact, 'weights.bin'), weights);
    await fsp.writeFile(path.join(artifact, 'ir.json'), JSON.stringify(ir));
    await fsp.writeFile(path.join(artifact, 'preprocess.json'), JSON.stringify({ version: 1, features: {}, rowsSeen: 0 }));
    await writeManifest(artifact, 'model');
    const torchDir = path.join(tmp, 'torch');
    expect((await convertTfjsToTorch(artifact, torchDir)).diagnostics).toEqual([]);
    const pkg = path.join(tmp, 'pkg');
    expect((await compileToPytorch(ir, pkg)).diagnostics).toEqual([]);
    const tfjsStep = sgdStep(ir, batch, false);

    const inputs: Record<string, { dtype: string; shape: number[]; data: number[] }> = {};
    for (const [name, col] of Object.entries(batch.features)) {
      if (col.kind === 'ids') inputs[name] = { dtype: 'int32', shape: [BATCH, 1], data: Array.from(col.rows) };
      else if (col.kind === 'dense') inputs[name] = { dtype: 'float32', shape: [BATCH, 1], data: Array.from(col.values) };
      else {
        inputs[name] = { dtype: 'int32', shape: [BATCH, col.maxLen], data: Array.from(col.rows) };
        inputs[`${name}__w`] = { dtype: 'float32', shape: [BATCH, col.maxLen], data: Array.from(col.weights) };
      }
    }
    const caseFile = path.join(tmp, 'case.json');
    await fsp.writeFile(
      caseFile,
      JSON.stringify({
        package: pkg,
        weights: path.join(torchDir, 'model.safetensors'),
        inputs,
        labels: Object.fromEntries(Object.entries(batch.labels).map(([k, v]) => [k, Array.from(v)])),
        weights_by_column: Object.fromEntries(Object.entries(batch.weights!).map(([k, v]) => [k, Array.from(v)])),
        params: parameterNames(ir).filter((p) => p.trainable),
      }),
    );
    const py = JSON.parse(runPython([path.join(import.meta.dirname, 'sample-weights.py'), caseFile], { timeoutMs: 120_000 })) as { loss: number; tasks: number[]; grads: Record<string, number[]> };
    expect(py.loss).toBeCloseTo(tfjsStep.result.loss, 4);
    ir.tasks.forEach((t, i) => expect(py.tasks[i], t.name).toBeCloseTo(tfjsStep.result.taskLosses[t.name]!, 4));
    const names = trainable(ir);
    expect(Object.keys(py.grads).sort()).toEqual([...names].sort());
    const { worst: w, where } = worst(new Map(Object.entries(py.grads)), tfjsStep.grads, names, 1e-3);
    expect(w, where).toBeLessThan(2e-3);
    // The weights matter: the unweighted step's loss differs.
    const plain = sgdStep(esmmIR('mean'), batch, false);
    expect(Math.abs(plain.result.loss - tfjsStep.result.loss)).toBeGreaterThan(1e-3);
  }, 180_000);
});
