import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { loadArtifact, writeArtifact } from '../../src/artifact/artifact.js';
import { predictBatch } from '../../src/artifact/export-run.js';
import { evaluateArtifact } from '../../src/artifact/evaluate.js';
import { predictArtifact } from '../../src/artifact/predict.js';
import { train } from '../../src/train/train.js';
import { isMtlError } from '../../src/diagnostics/error.js';
import type { Batch } from '../../src/data/types.js';
import { FAKE_DATA, FAKE_METRICS as METRICS, FakeRuntime, fakeDeps, fakeIr, fakeReadBatches, fakeState } from '../train/train-fakes.js';

let root: string;
beforeEach(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'mtl-art-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

async function firstBatch(): Promise<Batch> {
  for await (const b of fakeReadBatches()(fakeIr(), fakeState(), FAKE_DATA, { baseDir: root, batchSize: 32, part: 'all', validSplit: 0, seed: 1 })) return b;
  throw new Error('no batch');
}

async function trainedRuntime(): Promise<FakeRuntime> {
  const rt = new FakeRuntime(fakeIr(), 0.5, 3);
  for await (const b of fakeReadBatches()(fakeIr(), fakeState(), FAKE_DATA, { baseDir: root, batchSize: 16, part: 'train', validSplit: 0, seed: 1 })) rt.trainStep(b);
  return rt;
}

describe('model directory', () => {
  it('round-trips, and model.json loads with plain tfjs giving the same predictions', async () => {
    const rt = await trainedRuntime();
    const model = rt.exportModel();
    const dir = path.join(root, 'model');
    const ir = fakeIr();
    ir.loc = { start: { line: 0, character: 0 }, end: { line: 1, character: 0 } };
    await writeArtifact(dir, { model, ir, preprocess: fakeState(5), metrics: METRICS });
    model.dispose();
    expect(readdirSync(dir).sort()).toEqual(['README.md', 'ir.json', 'metrics.json', 'model.json', 'mtl-artifact.json', 'preprocess.json', 'weights.bin']);
    expect(readdirSync(root)).toEqual(['model']);
    const irJson = JSON.parse(readFileSync(path.join(dir, 'ir.json'), 'utf8'));
    expect(irJson.loc).toBeUndefined();
    expect(irJson.name).toBe('fake');

    const batch = await firstBatch();
    const expected = rt.predict(batch).outputs;

    // 1. Our loader.
    const art = await loadArtifact(dir);
    expect(art.preprocess.rowsSeen).toBe(5);
    expect(art.metrics.seed).toBe(42);
    const got = predictBatch(art.model, batch).outputs;
    for (const o of ['ctr', 'cvr', 'ctcvr']) expect(Array.from(got[o]!)).toEqual(Array.from(expected[o]!).map((v) => expect.closeTo(v, 5)));
    art.model.dispose();

    // 2. Plain tfjs with a custom load handler reading the two files, as a serving process would.
    const json = JSON.parse(readFileSync(path.join(dir, 'model.json'), 'utf8'));
    expect(json.format).toBe('layers-model');
    expect(json.weightsManifest[0].paths).toEqual(['./weights.bin']);
    const bin = readFileSync(path.join(dir, 'weights.bin'));
    const plain = await tf.loadLayersModel({
      load: async () => ({
        modelTopology: json.modelTopology,
        weightSpecs: json.weightsManifest[0].weights,
        weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength),
      }),
    });
    const ids = tf.tensor2d(batch.features.user!.kind === 'ids' ? batch.features.user!.rows : [], [batch.size, 1], 'int32');
    const price = tf.tensor2d((batch.features.price as { values: Float32Array }).values, [batch.size, 1]);
    const outs = plain.predict([ids, price]) as tf.Tensor[];
    expect(plain.outputNames).toEqual(['ctr', 'cvr', 'ctcvr']);
    expect(Array.from(outs[2]!.dataSync())).toEqual(Array.from(expected.ctcvr!).map((v) => expect.closeTo(v, 5)));
    tf.dispose([ids, price, ...outs]);
    plain.dispose();
  });

  it('names a missing or corrupt file', async () => {
    const rt = await trainedRuntime();
    const model = rt.exportModel();
    const dir = path.join(root, 'model');
    await writeArtifact(dir, { model, ir: fakeIr(), preprocess: fakeState(), metrics: METRICS });
    model.dispose();
    const e0 = await loadArtifact(path.join(root, 'nope')).catch((e: unknown) => e);
    expect(isMtlError(e0) && e0.diagnostics[0]!.code).toBe('MTL5303');
    rmSync(path.join(dir, 'preprocess.json'));
    const e1 = await loadArtifact(dir).catch((e: unknown) => e);
    expect(isMtlError(e1) && e1.diagnostics[0]!.code).toBe('MTL5303');
    expect((e1 as Error).message).toContain('preprocess.json');
    // Without a manifest (a directory of an mtl before manifests) the files' own checks name the file.
    rmSync(path.join(dir, 'mtl-artifact.json'));
    writeFileSync(path.join(dir, 'preprocess.json'), '{"version": 1, "features": {}}');
    writeFileSync(path.join(dir, 'metrics.json'), '{ not json');
    const e2 = await loadArtifact(dir).catch((e: unknown) => e);
    expect(isMtlError(e2) && e2.diagnostics[0]!.code).toBe('MTL5304');
    expect((e2 as Error).message).toContain('metrics.json');
    writeFileSync(path.join(dir, 'metrics.json'), JSON.stringify(METRICS));
    writeFileSync(path.join(dir, 'weights.bin'), Buffer.alloc(12));
    const e3 = await loadArtifact(dir).catch((e: unknown) => e);
    expect(isMtlError(e3) && e3.diagnostics[0]!.code).toBe('MTL5304');
    expect((e3 as Error).message).toMatch(/model\.json.*12 bytes/);
  });

  it('keeps a previous model when writing a new one fails', async () => {
    const rt = await trainedRuntime();
    const model = rt.exportModel();
    const dir = path.join(root, 'model');
    await writeArtifact(dir, { model, ir: fakeIr(), preprocess: fakeState(), metrics: METRICS });
    const before = readFileSync(path.join(dir, 'weights.bin'));
    const broken = { ...model, outputNames: ['x'], save: async () => Promise.reject(new Error('disk on fire')) } as unknown as tf.LayersModel;
    await expect(writeArtifact(dir, { model: broken, ir: fakeIr(), preprocess: fakeState(), metrics: METRICS })).rejects.toThrow('disk on fire');
    model.dispose();
    expect(readFileSync(path.join(dir, 'weights.bin'))).toEqual(before);
    expect(readdirSync(root)).toEqual(['model']);
  });
});

describe('evaluateArtifact and predictArtifact', () => {
  it('evaluate gives the training run’s validation metrics on the validation part', async () => {
    const outDir = path.join(root, 'm');
    const r = await train({ ir: fakeIr(), gates: () => undefined, data: FAKE_DATA, baseDir: root, outDir, deps: fakeDeps() });
    const ev = await evaluateArtifact(outDir, FAKE_DATA, { baseDir: root, part: 'valid', deps: fakeDeps() });
    expect(ev.rows).toBe(24);
    for (const [out, ms] of Object.entries(r.metrics)) for (const [k, v] of Object.entries(ms)) expect(ev.metrics[out]![k]).toBeCloseTo(v as number, 4);
    expect(ev.gates).toEqual({});
    const all = await evaluateArtifact(outDir, FAKE_DATA, { baseDir: root, deps: fakeDeps() });
    expect(all.rows).toBe(120);
  });

  it('predict writes CSV or JSONL in input order with a kept column, atomically', async () => {
    const outDir = path.join(root, 'm');
    await train({ ir: fakeIr({ epochs: 1 }), gates: () => undefined, data: FAKE_DATA, baseDir: root, outDir, deps: fakeDeps() });
    const csv = path.join(root, 'pred', 'out.csv');
    const res = await predictArtifact(outDir, FAKE_DATA, csv, { baseDir: root, keep: 'id', batchSize: 50, deps: fakeDeps() });
    expect(res).toMatchObject({ rows: 120, outputs: ['ctr', 'cvr', 'ctcvr'], format: 'csv' });
    const lines = readFileSync(csv, 'utf8').trimEnd().split('\n');
    expect(lines[0]).toBe('id,ctr,cvr,ctcvr');
    expect(lines).toHaveLength(121);
    expect(lines[1]!.startsWith('id-0,')).toBe(true);
    expect(lines[120]!.startsWith('id-119,')).toBe(true);
    const [, ctr, cvr, ctcvr] = lines[5]!.split(',').map(Number);
    expect(ctcvr).toBeCloseTo(ctr! * cvr!, 5);
    expect(readdirSync(path.join(root, 'pred'))).toEqual(['out.csv']);

    const jsonl = path.join(root, 'pred', 'out.jsonl');
    await predictArtifact(outDir, FAKE_DATA, jsonl, { baseDir: root, deps: fakeDeps() });
    const rows = readFileSync(jsonl, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(rows).toHaveLength(120);
    expect(Object.keys(rows[0])).toEqual(['ctr', 'cvr', 'ctcvr']);
    expect(rows[4].ctr).toBeCloseTo(ctr!, 6);

    // A failure mid-way leaves no partial file and keeps the previous one.
    const deps = fakeDeps();
    const read = deps.readBatches;
    deps.readBatches = async function* (i, s, d, o) {
      let n = 0;
      for await (const b of read(i, s, d, o)) {
        if (++n === 2) throw new Error('bad row');
        yield b;
      }
    };
    await expect(predictArtifact(outDir, FAKE_DATA, csv, { baseDir: root, batchSize: 50, deps })).rejects.toThrow('bad row');
    expect(readFileSync(csv, 'utf8').split('\n')).toHaveLength(122);
    expect(readdirSync(path.join(root, 'pred')).sort()).toEqual(['out.csv', 'out.jsonl']);
  });
});
