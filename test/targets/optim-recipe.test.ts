/**
 * Optimisation recipes against PyTorch: from the same initial weights, on the same batches, the tfjs step with a
 * recipe (schedule, clipping, weight decay, embedding L2, each embedding optimiser) and the generated package's
 * optim.Recipe (templates/optim.py, as train.py runs it) use the same learning rates and end with the same
 * model (predictions within 1e-5 and embedding tables within 2e-6 after six updates; they differ by ~2e-7);
 * and the generated train.py resumed mid-schedule writes the weights of an uninterrupted run.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { ModelIR } from '../../src/ir/types.js';
import type { Batch } from '../../src/data/types.js';
import type { OptimRecipe } from '../../src/model/types.js';
import { createModelRuntime } from '../../src/model/index.js';
import { learningRateAt } from '../../src/model/optim-step.js';
import { compileToPytorch } from '../../src/targets/pytorch/index.js';
import { embeddingName } from '../../src/targets/pytorch/names.js';
import { convertTfjsToTorch } from '../../src/targets/convert.js';
import { mmoeIR, options, randomBatch } from '../model/fixtures.js';
import { execFileSync } from 'node:child_process';
import { runPython, torchPython } from './python-env.js';
import { runCli } from '../cli/run-cli.js';
import { likesSpec } from '../cli/helpers.js';
import { predictTfjs, writeExportArtifact, type Input } from './fixtures.js';

const STEPS = 6;
const LR = 0.05;

const RECIPES: Record<string, OptimRecipe> = {
  lazy_adam_cosine_clip_l2_decay: { embeddingOptimizer: 'lazy_adam', schedule: { type: 'cosine', warmup: 2, minLr: 0.001 }, weightDecay: 0.05, embeddingL2: 0.01, clipNorm: 0.5 },
  adam_step: { embeddingOptimizer: 'adam', schedule: { type: 'step', every: 1, everyUnit: 'epochs', gamma: 0.5 } },
  rowwise_adagrad_linear_clip: { embeddingOptimizer: 'rowwise_adagrad', schedule: { type: 'linear', minLr: 0.005 }, clipNorm: 0.3 },
  adagrad_l2_decay: { embeddingOptimizer: 'adagrad', embeddingL2: 0.02, weightDecay: 0.1 },
};

/** A batch as the export model's (and the PyTorch model's) named inputs. */
function inputsOf(ir: ModelIR, batch: Batch): Record<string, Input> {
  const out: Record<string, Input> = {};
  for (const f of ir.features) {
    const c = batch.features[f.name]!;
    if (c.kind === 'dense') out[f.name] = { dtype: 'float32', shape: [batch.size, 1], data: Array.from(c.values) };
    else if (c.kind === 'ids') out[f.name] = { dtype: 'int32', shape: [batch.size, 1], data: Array.from(c.rows) };
    else {
      out[f.name] = { dtype: 'int32', shape: [batch.size, c.maxLen], data: Array.from(c.rows) };
      out[`${f.name}__w`] = { dtype: 'float32', shape: [batch.size, c.maxLen], data: Array.from(c.weights) };
    }
  }
  return out;
}

describe.skipIf(!torchPython)('optimisation recipes: tfjs step = PyTorch target', () => {
  let tmp: string;
  const ours: Record<string, { lrs: number[]; before: Record<string, number[]>; after: Record<string, number[]>; tables: Record<string, Float32Array> }> = {};
  let py: Record<string, { lrs: number[]; after: Record<string, number[]>; tables: Record<string, number[]> }>;

  beforeAll(async () => {
    await tf.setBackend('cpu');
    tmp = await fsp.mkdtemp(path.join(os.tmpdir(), 'mtl-optim-'));
    const cases = [];
    for (const [name, r] of Object.entries(RECIPES)) {
      const ir = mmoeIR();
      const recipe: OptimRecipe = { ...r, stepsPerEpoch: 3, epochs: 2 };
      const runtime = createModelRuntime(ir, options({ optimizer: { optimizer: 'adam', lr: LR, recipe }, directStep: false }));
      const batches = Array.from({ length: STEPS }, (_, i) => randomBatch(ir, 24, 20 + i));
      const inputs = batches.map((b) => inputsOf(ir, b));
      const initial = runtime.exportModel();
      const artifact = path.join(tmp, `${name}-tfjs`);
      await writeExportArtifact(initial, ir, artifact);
      const before = predictTfjs(initial, inputs[0]!);
      initial.dispose();
      for (const b of batches) runtime.trainStep(b);
      const trained = runtime.exportModel();
      const tables = Object.fromEntries(Object.entries(runtime.getState().tensors).filter(([k]) => k.startsWith('embedding/')).map(([k, t]) => [embeddingName(k.slice(10)), t.data]));
      ours[name] = { lrs: batches.map((_, k) => learningRateAt({ optimizer: 'adam', lr: LR, recipe }, k)), before, after: predictTfjs(trained, inputs[0]!), tables };
      trained.dispose();
      runtime.dispose();
      const torchDir = path.join(tmp, `${name}-torch`);
      expect((await convertTfjsToTorch(artifact, torchDir)).diagnostics).toEqual([]);
      const pkg = path.join(tmp, `${name}-pkg`);
      expect((await compileToPytorch(ir, pkg)).diagnostics).toEqual([]);
      const train = { schedule: r.schedule, weightDecay: r.weightDecay, embeddingL2: r.embeddingL2, clipNorm: r.clipNorm, embeddingOptimizer: r.embeddingOptimizer };
      cases.push({
        name, package: pkg, weights: path.join(torchDir, 'model.safetensors'), optimizer: 'adam', lr: LR, stepsPerEpoch: 3, epochs: 2,
        train: JSON.parse(JSON.stringify(train)),
        batches: batches.map((b, i) => ({ inputs: inputs[i], labels: Object.fromEntries(Object.entries(b.labels).map(([k, v]) => [k, Array.from(v)])) })),
      });
    }
    const casesFile = path.join(tmp, 'cases.json');
    await fsp.writeFile(casesFile, JSON.stringify(cases));
    py = JSON.parse(runPython([path.join(import.meta.dirname, 'optim-recipe.py'), casesFile], { timeoutMs: 240_000 }));
  }, 300_000);

  afterAll(async () => {
    if (tmp) await fsp.rm(tmp, { recursive: true, force: true });
  });

  for (const name of Object.keys(RECIPES)) {
    it(`${name}: the same learning rates and, after ${STEPS} updates, the same predictions (within 1e-5) and embedding tables (within 2e-6)`, () => {
      const mine = ours[name]!;
      const theirs = py[name]!;
      theirs.lrs.forEach((lr, k) => expect(lr, `update ${k}`).toBeCloseTo(mine.lrs[k]!, 12));
      let worst = 0;
      let moved = 0;
      for (const [out, values] of Object.entries(mine.after)) {
        const other = theirs.after[out];
        expect(other, out).toBeDefined();
        values.forEach((v, i) => {
          worst = Math.max(worst, Math.abs(v - other![i]!));
          moved = Math.max(moved, Math.abs(v - mine.before[out]![i]!));
        });
      }
      expect(worst).toBeLessThan(1e-5);
      expect(moved).toBeGreaterThan(1e-2);
      // The embedding tables, value by value (where the embedding optimisers differ most).
      expect(Object.keys(theirs.tables).sort()).toEqual(Object.keys(mine.tables).sort());
      let worstRow = 0;
      for (const [table, values] of Object.entries(mine.tables)) values.forEach((v, i) => (worstRow = Math.max(worstRow, Math.abs(v - theirs.tables[table]![i]!))));
      expect(worstRow).toBeLessThan(2e-6);
    });
  }
});

describe.skipIf(!torchPython)('optimisation recipes: the generated train.py resumes mid-schedule', () => {
  it('one epoch, then --resume to two, writes the weights of two epochs at once (byte for byte)', async () => {
    const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'mtl-optim-resume-'));
    try {
      const lines = ['user,x,y'];
      for (let i = 0; i < 300; i++) lines.push(`u${(i * 7) % 40},${(i % 10).toFixed(1)},${((i * 7) % 40) % 2 === 0 ? 1 : 0}`);
      await fsp.writeFile(path.join(dir, 'a.csv'), lines.join('\n') + '\n');
      await fsp.writeFile(
        path.join(dir, 'spec.mtl'),
        likesSpec('optimizer adam lr 0.05 batch 32 seed 7 schedule step every 1 epochs gamma 0.5 clip_norm 0.5 weight_decay 0.01 embedding_l2 0.001 embedding_optimizer lazy_adam'),
      );
      const compiled = await runCli(['compile', 'spec.mtl', '--target', 'pytorch', '-o', 'pkg'], { cwd: dir });
      expect(compiled.code, compiled.stderr).toBe(0);
      const train = (out: string, epochs: number, resume = false): void => {
        runPython([path.join(dir, 'pkg', 'train.py'), '--data', path.join(dir, 'a.csv'), '--out', path.join(dir, out), '--epochs', String(epochs), ...(resume ? ['--resume'] : [])]);
      };
      train('whole', 2);
      train('split', 1);
      train('split', 2, true);
      const weights = (run: string): Promise<Buffer> => fsp.readFile(path.join(dir, run, 'model.safetensors'));
      expect((await weights('split')).equals(await weights('whole'))).toBe(true);
      const steps = (run: string): number => JSON.parse(execFileSync(torchPython!.python, ['-c', `import torch; print(torch.load(${JSON.stringify(path.join(dir, run, 'checkpoint.pt'))})["step"])`], { encoding: 'utf8' }));
      expect(steps('split')).toBe(steps('whole'));
    } finally {
      await fsp.rm(dir, { recursive: true, force: true });
    }
  }, 240_000);
});
