/**
 * End to end with the real compiler, data pipeline and metrics: a scaled-down ESMM (synthetic data)
 * and a small MMoE with softmax gates.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseSpec } from '../../src/language/index.js';
import { validate } from '../../src/validate/validate.js';
import { PluginRegistry } from '../../src/plugins/registry.js';
import softmax from '../../plugins/softmax/index.js';
import type { ModelIR } from '../../src/ir/types.js';
import type { GatePlugin } from '../../src/plugins/api.js';
import { train, type TrainOptions } from '../../src/train/train.js';
import { readCheckpoint } from '../../src/artifact/checkpoint.js';
import { evaluateArtifact } from '../../src/artifact/evaluate.js';
import { predictArtifact } from '../../src/artifact/predict.js';
import { loadArtifact } from '../../src/artifact/artifact.js';
import type { DataRef } from '../../src/data/index.js';
import { describeBackend, type MetricsFile } from '../../src/artifact/run-record.js';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../src/exec/backend.js';
import { loadNativeBlas, nativeBlasError } from '../../src/exec/native-blas.js';

const nativeAvailable = loadNativeBlas() !== undefined;
const nativeSkipNote = nativeAvailable ? '' : ` (SKIPPED: OpenBLAS addon not built: ${nativeBlasError()})`;

const registry = new PluginRegistry();
registry.register(softmax(), 'builtin');
const gates = (type: string): GatePlugin | undefined => registry.get(type)?.plugin;

function compile(text: string): ModelIR {
  const parsed = parseSpec(text, 'spec.mtl');
  expect(parsed.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  const v = validate(parsed.value, { registry });
  expect(v.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return v.value;
}

const ESMM = compile(
  readFileSync(path.join(import.meta.dirname, '../../specs/esmm.mtl'), 'utf8')
    .replace(/mlp\(360, 200, 80\)/g, 'mlp(8)')
    .replace(/hash 20000 dim 16/g, 'hash 300 dim 4')
    .replace(/hash 20000/g, 'hash 300')
    .replace(/train \{[^}]*\}/, 'train { optimizer adam lr 0.01 batch 64 epochs 2 early_stop auc(ctcvr) patience 1 }'),
);
const ESMM_DATA: DataRef = { kind: 'synth', generator: 'esmm', rows: 480, params: {}, seed: 5 };

const MMOE_TEXT = `model small_mmoe
features {
  categorical education hash 64 dim 4
  categorical sex hash 8 dim 2
  numeric age normalize standard
}
labels {
  high_income: binary column "income_50k" positive "50000+."
  single: binary column "marital_stat" positive "Never married"
}
input all = concat(education, sex, age)
experts e[3] = mlp(4) relu on all
gate g_income  = softmax over e on all
gate g_marital = softmax over e on all
tower income        = mlp(4) on g_income  -> sigmoid
tower never_married = mlp(4) on g_marital -> sigmoid
task income        = income        loss bce(high_income)
task never_married = never_married loss bce(single)
train { optimizer adam lr 0.01 batch 64 epochs 1 }
`;
const MMOE = compile(MMOE_TEXT);
const CENSUS: DataRef = { kind: 'synth', generator: 'census', rows: 300, params: {}, seed: 3 };

let root: string;
beforeAll(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'mtl-e2e-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

function opts(ir: ModelIR, data: DataRef, out: string, over: Partial<TrainOptions> = {}): TrainOptions {
  return { ir, gates, data, baseDir: root, outDir: path.join(root, out), ...over };
}

async function weights(out: string): Promise<Record<string, number[]>> {
  const ck = await readCheckpoint(path.join(root, out, 'checkpoint'));
  return Object.fromEntries(Object.entries(ck!.states.current!.tensors).map(([k, t]) => [k, Array.from(t.data)]));
}

function strip(h: Array<{ seconds: number; samplesPerSecond: number }>): unknown[] {
  return h.map(({ seconds: _s, samplesPerSecond: _r, ...rest }) => rest);
}

describe('train end to end (real compiler and data)', () => {
  it('ESMM: resumes after an epoch and after Ctrl-C with the same weights and metrics as a straight run', async () => {
    const straight = await train(opts(ESMM, ESMM_DATA, 'straight'));
    expect(straight.history).toHaveLength(2);
    expect(Object.keys(straight.metrics).sort()).toEqual(['ctcvr', 'ctr', 'cvr']);
    expect(straight.metrics.cvr).toHaveProperty(['auc(buy)@click']);
    expect(straight.history.every((h) => typeof h.score === 'number' || h.score === null)).toBe(true);

    await train(opts(ESMM, ESMM_DATA, 'resumed', { overrides: { epochs: 1 } }));
    const resumed = await train(opts(ESMM, ESMM_DATA, 'resumed', { resume: true }));
    expect(strip(resumed.history)).toEqual(strip(straight.history));
    expect(await weights('resumed')).toEqual(await weights('straight'));

    const ac = new AbortController();
    let steps = 0;
    const log = { write: (s: string) => void (s.includes('batch') && ++steps === 9 && ac.abort()), isTTY: false, every: 1 };
    const cut = await train(opts(ESMM, ESMM_DATA, 'cut', { signal: ac.signal, log }));
    expect(cut.interrupted).toBe(true);
    const done = await train(opts(ESMM, ESMM_DATA, 'cut', { resume: true }));
    expect(strip(done.history)).toEqual(strip(straight.history));
    expect(await weights('cut')).toEqual(await weights('straight'));
    expect(done.metrics).toEqual(straight.metrics);
  });

  it('ESMM: the model directory evaluates and predicts like the training run', async () => {
    const dir = path.join(root, 'straight');
    const art = await loadArtifact(dir);
    expect(art.model.outputNames).toEqual(['ctr', 'cvr', 'ctcvr']);
    art.model.dispose();
    const m = JSON.parse(readFileSync(path.join(dir, 'metrics.json'), 'utf8'));
    const ev = await evaluateArtifact(dir, ESMM_DATA, { baseDir: root, part: 'valid', batchSize: 64 });
    for (const [out, ms] of Object.entries(m.final as Record<string, Record<string, number | null>>)) {
      for (const [k, v] of Object.entries(ms)) {
        if (v === null) expect(ev.metrics[out]![k]).toBeNull();
        else expect(ev.metrics[out]![k]).toBeCloseTo(v, 3);
      }
    }
    const csv = path.join(root, 'pred.csv');
    const p = await predictArtifact(dir, ESMM_DATA, csv, { baseDir: root, keep: 'user_id' });
    expect(p.rows).toBe(480);
    const lines = readFileSync(csv, 'utf8').trimEnd().split('\n');
    expect(lines[0]).toBe('user_id,ctr,cvr,ctcvr');
    expect(lines).toHaveLength(481);
    const [, ctr, cvr, ctcvr] = lines[1]!.split(',');
    expect(Number(ctcvr)).toBeCloseTo(Number(ctr) * Number(cvr), 5);
  });

  it('MMoE: reports mean gate weights that sum to one', async () => {
    await train(opts(MMOE, CENSUS, 'mmoe'));
    const ev = await evaluateArtifact(path.join(root, 'mmoe'), CENSUS, { baseDir: root });
    expect(ev.rows).toBe(300);
    expect(Object.keys(ev.gates).sort()).toEqual(['g_income', 'g_marital']);
    for (const w of Object.values(ev.gates)) {
      expect(w).toHaveLength(3);
      expect(w.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
    }
    expect(Object.keys(ev.metrics.income!)).toEqual(['auc', 'logloss']);
  });
});

describe.skipIf(!nativeAvailable)(`train end to end on the direct step (native backend)${nativeSkipNote}`, () => {
  let previous: string;
  beforeAll(async () => {
    previous = tf.getBackend();
    expect((await selectBackend('native')).name).toBe('native');
  });
  afterAll(async () => {
    await tf.setBackend(previous);
  });

  it('MMoE with dropout: says which step ran; a run resumed after Ctrl-C ends with the same weights and metrics as a straight one', async () => {
    const ir = compile(MMOE_TEXT.replace('experts e[3] = mlp(4) relu on all', 'experts e[3] = mlp(4) relu dropout 0.2 on all').replace('epochs 1', 'epochs 2'));
    const straight = await train(opts(ir, CENSUS, 'direct-straight'));
    expect(straight.trainStep).toEqual({ kind: 'direct' });
    // metrics.json says which GEMM, how many threads and which step trained the model
    const recorded = JSON.parse(readFileSync(path.join(root, 'direct-straight', 'metrics.json'), 'utf8')) as MetricsFile;
    expect(recorded.backend).toBe('native');
    expect(recorded.kernels).toMatch(/^(OpenBLAS \d+\.\d+\.\d+, \d+ threads?|built-in GEMM \(.+, \d+ threads?\))$/);
    expect(recorded.trainStep).toEqual({ kind: 'direct' });
    expect(describeBackend(recorded)).toBe(`native (${recorded.kernels}), direct step`);
    const ac = new AbortController();
    let steps = 0;
    const log = { write: (s: string) => void (s.includes('batch') && ++steps === 5 && ac.abort()), isTTY: false, every: 1 };
    const cut = await train(opts(ir, CENSUS, 'direct-cut', { signal: ac.signal, log }));
    expect(cut.interrupted).toBe(true);
    const done = await train(opts(ir, CENSUS, 'direct-cut', { resume: true }));
    expect(strip(done.history)).toEqual(strip(straight.history));
    expect(await weights('direct-cut')).toEqual(await weights('direct-straight'));
    expect(done.metrics).toEqual(straight.metrics);
  });
});
