/**
 * Optimisation recipes through the CLI: a run with a step schedule, clipping, weight decay, embedding L2 and
 * row-wise Adagrad tables, resumed after its first epoch for a second (`--resume --epochs 2`), ends with the
 * same weights, byte for byte, as the same two epochs run at once (the schedule's position is in the
 * checkpoint); a warm-up longer than the run is warned about (MTL5070) and training goes on.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { runCli } from './run-cli.js';
import { hasStackTrace, likesSpec, tempDir } from './helpers.js';

const spec = (train: string): string => likesSpec(`optimizer adam lr 0.05 batch 32 seed 7 ${train}`);

let dir: string;
let cleanup: () => void;
const p = (f: string): string => path.join(dir, f);

beforeAll(() => {
  ({ dir, cleanup } = tempDir('mtl-optim-'));
  const lines = ['user,x,y'];
  for (let i = 0; i < 400; i++) lines.push(`u${(i * 7) % 40},${(i % 10).toFixed(1)},${((i * 7) % 40) % 2 === 0 ? 1 : 0}`);
  writeFileSync(p('a.csv'), lines.join('\n') + '\n');
  writeFileSync(p('recipe.mtl'), spec('schedule step every 1 epochs gamma 0.5 clip_norm 0.5 weight_decay 0.01 embedding_l2 0.001 embedding_optimizer rowwise_adagrad'));
  writeFileSync(p('warm.mtl'), spec('epochs 1 schedule cosine warmup 1000'));
});
afterAll(() => cleanup());

describe('mtl train with an optimisation recipe', () => {
  it('resumed after one epoch of two, ends with the weights of an uninterrupted run', async () => {
    const args = (out: string, epochs: number): string[] => ['train', 'recipe.mtl', '--data', 'a.csv', '--out', out, '--backend', 'cpu', '--epochs', String(epochs)];
    const whole = await runCli(args('whole', 2), { cwd: dir });
    expect(whole.stderr).not.toContain('error');
    expect(whole.code).toBe(0);
    expect((await runCli(args('split', 1), { cwd: dir })).code).toBe(0);
    const resumed = await runCli([...args('split', 2), '--resume'], { cwd: dir });
    expect(resumed.stderr).not.toContain('error');
    expect(resumed.code).toBe(0);
    const once = readFileSync(p('whole/weights.bin'));
    expect(readFileSync(p('split/weights.bin')).equals(once)).toBe(true);
    // The recipe is part of the model's IR.
    const ir = JSON.parse(readFileSync(p('whole/ir.json'), 'utf8'));
    expect(ir.train).toMatchObject({ schedule: { type: 'step', every: 1, everyUnit: 'epochs', gamma: 0.5 }, clipNorm: 0.5, embeddingOptimizer: 'rowwise_adagrad' });
    // And it changed the result: the same run with the constant lr ends elsewhere.
    writeFileSync(p('plain.mtl'), spec(''));
    expect((await runCli(['train', 'plain.mtl', '--data', 'a.csv', '--out', 'plain', '--backend', 'cpu', '--epochs', '2'], { cwd: dir })).code).toBe(0);
    expect(readFileSync(p('plain/weights.bin')).equals(once)).toBe(false);
  }, 240_000);

  it('warns when the warm-up outlasts the run (MTL5070), naming the spec line, and trains anyway', async () => {
    const r = await runCli(['train', 'warm.mtl', '--data', 'a.csv', '--out', 'warm', '--backend', 'cpu'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/warm\.mtl:10:\d+: warning MTL5070: The schedule warms up over 1000 updates, but this run makes only 12 \(1 epochs of 12 updates\)/);
    expect(hasStackTrace(r.stderr)).toBe(false);
  }, 120_000);
});
