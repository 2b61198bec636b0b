/**
 * The samplers alone (no training): seeded determinism, values inside their distributions, and TPE finding
 * better points than random search on a cheap synthetic objective over several seeds.
 */
import { describe, expect, it } from 'vitest';
import { sampleRandom, sampleTpe, TPE_DEFAULTS, type Observation } from '../../src/tune/samplers.js';
import type { SpaceParam } from '../../src/tune/space.js';
import { FILE_START } from '../../src/diagnostics/types.js';

const at = { keyRange: FILE_START, range: FILE_START };
const SPACE: SpaceParam[] = [
  { path: 'train.lr', dist: { kind: 'uniform', low: 1e-4, high: 1e-1, log: true }, ...at },
  { path: 'train.batch', dist: { kind: 'int', low: 16, high: 1024, log: true }, ...at },
  { path: 'x', dist: { kind: 'uniform', low: -5, high: 5, log: false }, ...at },
  { path: 'units', dist: { kind: 'choice', values: [8, 16, 32, 64] }, ...at },
];

/** A synthetic objective (higher is better) with its optimum at lr 0.003, batch 128, x 1.5, units 32. */
function objective(p: Record<string, unknown>): number {
  const lr = Math.log10(p['train.lr'] as number) - Math.log10(0.003);
  const b = Math.log2(p['train.batch'] as number) - 7;
  const x = (p['x'] as number) - 1.5;
  const u = p['units'] === 32 ? 0 : 1;
  return -(lr * lr + 0.3 * b * b + 0.2 * x * x + u);
}

/** Run a sequential search of n trials; the best value found. */
function search(kind: 'tpe' | 'random', seed: number, n: number): number {
  const history: Observation[] = [];
  let best = -Infinity;
  for (let k = 1; k <= n; k++) {
    const params = kind === 'tpe' ? sampleTpe(SPACE, seed, k, history) : sampleRandom(SPACE, seed, k);
    const v = objective(params);
    best = Math.max(best, v);
    history.push({ params, score: v, depth: 1 });
  }
  return best;
}

describe('samplers', () => {
  it('give the same parameters for the same seed, trial and history, and others for another seed', () => {
    expect(sampleRandom(SPACE, 5, 3)).toEqual(sampleRandom(SPACE, 5, 3));
    expect(sampleRandom(SPACE, 5, 3)).not.toEqual(sampleRandom(SPACE, 6, 3));
    expect(sampleRandom(SPACE, 5, 3)).not.toEqual(sampleRandom(SPACE, 5, 4));
    const history: Observation[] = Array.from({ length: 12 }, (_, i) => {
      const params = sampleRandom(SPACE, 1, i + 1);
      return { params, score: objective(params), depth: 1 };
    });
    expect(sampleTpe(SPACE, 9, 13, history)).toEqual(sampleTpe(SPACE, 9, 13, history));
  });

  it('keep values inside their distributions: integers whole, log ranges positive, choices from the list', () => {
    for (let k = 1; k <= 200; k++) {
      const p = sampleRandom(SPACE, 11, k);
      expect(p['train.lr']).toBeGreaterThanOrEqual(1e-4);
      expect(p['train.lr']).toBeLessThanOrEqual(1e-1);
      expect(Number.isInteger(p['train.batch'])).toBe(true);
      expect(p['train.batch']).toBeGreaterThanOrEqual(16);
      expect(p['train.batch']).toBeLessThanOrEqual(1024);
      expect([8, 16, 32, 64]).toContain(p['units']);
    }
  });

  it('log scales: about half of the draws of loguniform [1e-4, 1e-1] fall below its geometric middle', () => {
    const below = Array.from({ length: 400 }, (_, k) => sampleRandom(SPACE, 3, k + 1)['train.lr'] as number).filter((v) => v < Math.sqrt(1e-5)).length;
    expect(below).toBeGreaterThan(150);
    expect(below).toBeLessThan(250);
  });

  it(`TPE is random search for the first ${TPE_DEFAULTS.startupTrials} trials`, () => {
    const history: Observation[] = [];
    for (let k = 1; k <= TPE_DEFAULTS.startupTrials; k++) {
      expect(sampleTpe(SPACE, 4, k, history)).toEqual(sampleRandom(SPACE, 4, k));
      history.push({ params: sampleRandom(SPACE, 4, k), score: 0, depth: 1 });
    }
  });

  it('TPE beats random search on a synthetic objective: better best-of-60 on most of 8 seeds, and on average', () => {
    let wins = 0;
    let tpeSum = 0;
    let randSum = 0;
    for (let seed = 1; seed <= 8; seed++) {
      const t = search('tpe', seed, 60);
      const r = search('random', seed, 60);
      tpeSum += t;
      randSum += r;
      if (t > r) wins++;
    }
    expect(wins).toBeGreaterThanOrEqual(6);
    expect(tpeSum / 8).toBeGreaterThan(randSum / 8);
  });
});
