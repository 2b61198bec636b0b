/**
 * The two targets compute the same function: for the six reference specs (and a kitchen-sink model), a tfjs
 * export model converts into a PyTorch state dict whose predictions agree within 1e-5, and weights trained in
 * PyTorch convert back into a tfjs model directory whose predictions agree within 1e-5.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { ModelIR } from '../../src/ir/types.js';
import { createModelRuntime } from '../../src/model/index.js';
import { createDefaultRegistry } from '../../src/plugins/load.js';
import { deserializeModel } from '../../src/artifact/tfjs-io.js';
import { compileToPytorch, countParameters } from '../../src/targets/pytorch/index.js';
import { convertTfjsToTorch, convertTorchToTfjs } from '../../src/targets/convert.js';
import { parameterNames } from '../../src/targets/pytorch/names.js';
import { Rng } from '../../src/data/prng.js';
import { REFERENCE_IRS, kitchenSink, predictTfjs, writeExportArtifact, type Input } from './fixtures.js';
import { runPython, torchPython } from './python-env.js';

const BATCH = 6;
const TOL = 1e-5;

/** A random batch of model inputs (already preprocessed) for `ir`. */
function randomInputs(ir: ModelIR, rng: Rng): Record<string, Input> {
  const rows = new Map(parameterNames(ir).filter((p) => p.tfjs.endsWith('/embeddings')).map((p) => [p.tfjs.slice(10, -11), p.shape[0]!]));
  const owner = (f: ModelIR['features'][number]): string => ('shares' in f && f.shares ? f.shares : f.name);
  const out: Record<string, Input> = {};
  for (const f of ir.features) {
    if (f.kind === 'numeric' && !f.buckets) {
      out[f.name] = { dtype: 'float32', shape: [BATCH, 1], data: Array.from({ length: BATCH }, () => rng.normal()) };
    } else if (f.kind === 'sequence') {
      const n = rows.get(owner(f))!;
      const data: number[] = [];
      const w: number[] = [];
      for (let b = 0; b < BATCH; b++) {
        const len = b === 0 ? 0 : 1 + rng.int(f.maxLen);
        const ids = Array.from({ length: len }, () => rng.int(n));
        for (let i = 0; i < f.maxLen; i++) {
          if (f.pool === 'max') {
            data.push(i < len ? ids[i]! : len ? ids[0]! : 0);
            w.push(len ? 1 : 0);
          } else {
            data.push(i < len ? ids[i]! : 0);
            w.push(i < len ? (f.pool === 'mean' ? Math.fround(1 / len) : 1) : 0);
          }
        }
      }
      out[f.name] = { dtype: 'int32', shape: [BATCH, f.maxLen], data };
      out[`${f.name}__w`] = { dtype: 'float32', shape: [BATCH, f.maxLen], data: w };
    } else {
      const n = rows.get(owner(f))!;
      out[f.name] = { dtype: 'int32', shape: [BATCH, 1], data: Array.from({ length: BATCH }, () => rng.int(n)) };
    }
  }
  return out;
}

function maxDiff(a: Record<string, number[]>, b: Record<string, number[]>): number {
  let d = 0;
  for (const [k, v] of Object.entries(a)) {
    const w = b[k];
    if (!w || w.length !== v.length) return Infinity;
    for (let i = 0; i < v.length; i++) d = Math.max(d, Math.abs(v[i]! - w[i]!));
  }
  return d;
}

const SPECS: Record<string, () => ModelIR> = { ...REFERENCE_IRS, sink: kitchenSink };

describe.skipIf(!torchPython)('tfjs ⇄ PyTorch equivalence', () => {
  let tmp: string;
  const tfjsBefore: Record<string, Record<string, number[]>> = {};
  const inputs: Record<string, Record<string, Input>> = {};
  const runtimeParams: Record<string, number> = {};
  let py: Record<string, { before: Record<string, number[]>; after: Record<string, number[]>; parameters: number }>;

  beforeAll(async () => {
    await tf.setBackend('cpu');
    tmp = await fsp.mkdtemp(path.join(os.tmpdir(), 'mtl-equiv-'));
    const registry = createDefaultRegistry();
    const rng = new Rng(7);
    const cases = [];
    for (const [name, make] of Object.entries(SPECS)) {
      const ir = make();
      const runtime = createModelRuntime(ir, { gates: (t) => registry.get(t)?.plugin, seed: 3, optimizer: { optimizer: 'adam', lr: 0.01 } });
      runtimeParams[name] = runtime.parameterCount();
      const model = runtime.exportModel();
      // Non-trivial batch-norm statistics, so that their mapping is tested too.
      for (const w of model.weights) if (/moving_(mean|variance)/.test(w.originalName)) w.write(tf.randomUniform(w.shape, 0.5, 1.5, 'float32', 11));
      inputs[name] = randomInputs(ir, rng);
      tfjsBefore[name] = predictTfjs(model, inputs[name]!);
      const artifact = path.join(tmp, `${name}-tfjs`);
      await writeExportArtifact(model, ir, artifact);
      model.dispose();
      runtime.dispose();
      const torchDir = path.join(tmp, `${name}-torch`);
      expect((await convertTfjsToTorch(artifact, torchDir)).diagnostics).toEqual([]);
      const pkg = path.join(tmp, `${name}-pkg`);
      expect((await compileToPytorch(ir, pkg)).diagnostics).toEqual([]);
      const run = path.join(tmp, `${name}-run`);
      await fsp.mkdir(run);
      await fsp.copyFile(path.join(torchDir, 'ir.json'), path.join(run, 'ir.json'));
      await fsp.copyFile(path.join(torchDir, 'preprocess.json'), path.join(run, 'preprocess.json'));
      const labels = Object.fromEntries(ir.labels.map((l) => [l.name, Array.from({ length: BATCH }, () => (l.type === 'real' ? rng.normal() : rng.int(2)))]));
      cases.push({ name, package: pkg, weights: path.join(torchDir, 'model.safetensors'), inputs: inputs[name], labels, run });
    }
    const casesFile = path.join(tmp, 'cases.json');
    await fsp.writeFile(casesFile, JSON.stringify(cases));
    py = JSON.parse(runPython([path.join(import.meta.dirname, 'equivalence.py'), casesFile], { timeoutMs: 240_000 }));
  }, 300_000);

  afterAll(async () => {
    if (tmp) await fsp.rm(tmp, { recursive: true, force: true });
  });

  for (const name of Object.keys(SPECS)) {
    it(`${name}: tfjs → PyTorch predictions agree within 1e-5, with the same outputs and parameter count`, () => {
      const ir = SPECS[name]!();
      const torchOut = Object.fromEntries(Object.entries(py[name]!.before));
      expect(Object.keys(torchOut).sort()).toEqual(Object.keys(tfjsBefore[name]!).sort());
      expect(maxDiff(tfjsBefore[name]!, torchOut)).toBeLessThan(TOL);
      expect(py[name]!.parameters).toBe(countParameters(ir));
      expect(countParameters(ir)).toBe(runtimeParams[name]);
    });

    it(`${name}: PyTorch-trained weights → tfjs model directory, predictions agree within 1e-5`, async () => {
      const out = path.join(tmp, `${name}-back`);
      const r = await convertTorchToTfjs(path.join(tmp, `${name}-run`), out);
      expect(r.diagnostics).toEqual([]);
      const modelJson = await fsp.readFile(path.join(out, 'model.json'), 'utf8');
      const model = await deserializeModel(modelJson, await fsp.readFile(path.join(out, 'weights.bin')));
      const back = predictTfjs(model, inputs[name]!);
      model.dispose();
      expect(maxDiff(py[name]!.after, back)).toBeLessThan(TOL);
      // Training moved the weights: the comparison is not trivially between two untouched models.
      expect(maxDiff(py[name]!.after, py[name]!.before)).toBeGreaterThan(1e-4);
    });
  }
});
