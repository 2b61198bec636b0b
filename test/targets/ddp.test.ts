/**
 * DistributedDataParallel: the generated ESMM package trained for a few steps by 2 processes under torchrun
 * (gloo over loopback) takes the same steps as 1 process on the same data: the losses agree within 1e-5.
 * Also checks what rank 0 writes (weights, checkpoint, preprocessing state, metrics) and that a run resumes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { esmm } from './fixtures.js';
import { runPython, torchPython } from './python-env.js';
import { esmmPackage, runTorchrun, SHORT_RUN, steps } from './ddp-helpers.js';

describe.skipIf(!torchPython)('DDP training of the generated ESMM package', () => {
  let tmp: string;
  let pkg: string;
  let csv: string;
  const ARGS = SHORT_RUN;

  beforeAll(async () => {
    ({ tmp, pkg, csv } = await esmmPackage('mtl-ddp-'));
  });

  afterAll(async () => {
    if (tmp) await fsp.rm(tmp, { recursive: true, force: true });
  });

  it('2 processes (gloo) take the same steps as 1 process', async () => {
    const one = steps(runPython([path.join(pkg, 'train.py'), '--data', csv, '--out', path.join(tmp, 'run1'), ...ARGS]));
    const two = steps(await runTorchrun(2, path.join(pkg, 'train.py'), ['--data', csv, '--out', path.join(tmp, 'run2'), ...ARGS]));
    expect(one.map((s) => s.step)).toEqual([1, 2, 3, 4]);
    expect(two.map((s) => s.step)).toEqual([1, 2, 3, 4]);
    for (let i = 0; i < 4; i++) {
      expect(Math.abs(one[i]!.loss - two[i]!.loss)).toBeLessThan(1e-5);
      for (const task of ['ctr', 'ctcvr']) expect(Math.abs(one[i]!.tasks[task]! - two[i]!.tasks[task]!)).toBeLessThan(1e-5);
    }
    // The loss moved: the runs really trained.
    expect(one[0]!.loss).not.toBe(one[3]!.loss);
    // Exactly rank 0's outputs: each written under a temporary name and renamed, none left behind.
    expect((await fsp.readdir(path.join(tmp, 'run2'))).sort()).toEqual(['checkpoint.pt', 'ir.json', 'metrics.json', 'model.safetensors', 'preprocess.json']);
    const metrics = JSON.parse(await fsp.readFile(path.join(tmp, 'run2', 'metrics.json'), 'utf8'));
    expect(Object.keys(metrics.final).sort()).toEqual(['ctcvr', 'ctr', 'cvr']);
    const pre = JSON.parse(await fsp.readFile(path.join(tmp, 'run2', 'preprocess.json'), 'utf8'));
    expect(pre.version).toBe(1);
    expect(pre.features.price).toMatchObject({ kind: 'numeric', normalize: 'log1p' });
    expect(pre.features.history).toMatchObject({ kind: 'ids', space: 'hash', tableSize: 20000, owner: 'item_id' });
  }, 240_000);

  it('train.py logs every --log-every steps with samples/s, and metrics.json describes the exported epoch', async () => {
    const run = path.join(tmp, 'run-log');
    const out = runPython([path.join(pkg, 'train.py'), '--data', csv, '--out', run, '--epochs', '2', '--batch', '32', '--valid-split', '0.2', '--log-every', '4']);
    const events = out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { event: string; step?: number; epoch?: number; samples_per_second?: number });
    const logged = events.filter((e) => e.event === 'step');
    const perEpoch = logged.filter((e) => e.epoch === 1).at(-1)!.step!; // the last step of epoch 1 is always logged
    expect(perEpoch).toBeGreaterThan(4);
    // Every 4th step, plus each epoch's last step; never every step.
    const expected = Array.from({ length: 2 * perEpoch }, (_, i) => i + 1).filter((k) => k % 4 === 0 || k === perEpoch || k === 2 * perEpoch);
    expect(logged.map((e) => e.step)).toEqual(expected);
    for (const e of logged) expect(e.samples_per_second).toBeGreaterThan(0);
    const epochs = events.filter((e) => e.event === 'epoch');
    expect(epochs).toHaveLength(2);
    for (const e of epochs) expect(e.samples_per_second).toBeGreaterThan(0);
    const metrics = JSON.parse(await fsp.readFile(path.join(run, 'metrics.json'), 'utf8')) as { bestEpoch: number; stoppedEarly: boolean; final: unknown; history: Array<{ epoch: number; valid: unknown }> };
    expect(metrics.stoppedEarly).toBe(false);
    expect([1, 2]).toContain(metrics.bestEpoch);
    expect(metrics.final).toEqual(metrics.history[metrics.bestEpoch - 1]!.valid);
  }, 120_000);

  it('train.py starts each tower at its base rate, as the tfjs target does', async () => {
    const run = path.join(tmp, 'run-init');
    runPython([path.join(pkg, 'train.py'), '--data', csv, '--out', run, '--epochs', '0', '--valid-split', '0.2']);
    const biases = JSON.parse(
      runPython(['-c', `import json, sys; sys.path.insert(0, ${JSON.stringify(pkg)}); import weights; w = weights.load(${JSON.stringify(path.join(run, 'model.safetensors'))}); print(json.dumps({k: float(v.reshape(-1)[0]) for k, v in w.items() if k.endswith('_out.bias')}))`]),
    ) as Record<string, number>;
    // The training part of the CSV (the same split train.py uses): click rate for ctr; buy rate among all rows / ctr rate for cvr.
    const rows = (await fsp.readFile(csv, 'utf8')).trim().split('\n').slice(1).map((l) => l.split(','));
    const { isValidationRow } = await import('../../src/data/split.js');
    const train = rows.filter((_, i) => !isValidationRow(i, esmm().train.seed, 0.2));
    const click = train.filter((r) => r[6] === 'true' || r[6] === '1').length / train.length;
    const both = train.filter((r) => (r[6] === 'true' || r[6] === '1') && (r[7] === 'true' || r[7] === '1')).length / train.length;
    const logit = (p: number) => Math.log(p / (1 - p));
    const ctrKey = Object.keys(biases).find((k) => k.includes('tower_ctr_out'))!;
    const cvrKey = Object.keys(biases).find((k) => k.includes('tower_cvr_out'))!;
    expect(biases[ctrKey]).toBeCloseTo(logit(click), 4);
    expect(biases[cvrKey]).toBeCloseTo(logit(both / click), 4);
  }, 120_000);

  it('predict.py scores a file with the trained weights', () => {
    const out = runPython([path.join(pkg, 'predict.py'), '--model', path.join(tmp, 'run1'), '--data', csv]);
    const lines = out.trim().split('\n');
    expect(lines[0]).toBe('row,ctr,cvr,ctcvr');
    expect(lines).toHaveLength(241);
    const [, ctr, cvr, ctcvr] = lines[1]!.split(',').map(Number);
    expect(ctcvr).toBeCloseTo(ctr! * cvr!, 6);
  });
});
