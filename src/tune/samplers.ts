/**
 * The samplers of `mtl tune`: random search and TPE (the Tree-structured Parzen Estimator of Bergstra et al.,
 * NeurIPS 2011, with Optuna's TPESampler defaults: 10 random start-up trials, γ(n) = min(⌈0.1·n⌉, 25),
 * 24 candidates, prior weight 1, one Parzen estimator per parameter, log scales, categorical choices).
 *
 * Determinism: trial k's draws come from a generator seeded with (seed, k) only, and TPE reads only the
 * history it is given (the caller passes the settled trials in trial-number order), so the same seed and
 * history give the same parameters, whatever ran in parallel.
 */
import { Rng, mixSeeds } from '../data/prng.js';
import type { Distribution, ParamValue, SpaceParam } from './space.js';

/**
 * A trial the sampler learns from: its parameters, its score (higher is better; the caller negates a
 * minimised objective) and how many rungs it reached (a pruned trial ranks below every trial that went
 * further, as in Optuna, whatever its score).
 */
export interface Observation {
  params: Record<string, ParamValue>;
  score: number;
  depth: number;
}

/** The sampler names. */
export const SAMPLERS = ['tpe', 'random'] as const;
/** A sampler name. */
export type SamplerName = (typeof SAMPLERS)[number];

/** TPE's settings (Optuna's defaults). */
export const TPE_DEFAULTS = { startupTrials: 10, candidates: 24, priorWeight: 1, maxGamma: 25 } as const;

/** Significant digits kept of a continuous draw, so that specs and logs read `0.00316`, not `0.0031622776601683794`. */
const DIGITS = 4;

/** The generator of trial `trial` of a tune seeded `seed`. */
function trialRng(seed: number, trial: number): Rng {
  return new Rng(mixSeeds(seed >>> 0, trial >>> 0));
}

/** Round a continuous value to {@link DIGITS} significant digits. */
function round(x: number): number {
  return Number(x.toPrecision(DIGITS));
}

/** The internal (possibly log) scale of a numeric distribution: [lo, hi] sampled uniformly, mapped back by `out`. */
function scale(d: Exclude<Distribution, { kind: 'choice' }>): { lo: number; hi: number; out(x: number): number } {
  // Integers cover [low − ½, high + ½] so that every integer has an equal share (Optuna's convention).
  const lo = d.kind === 'int' ? d.low - 0.5 : d.low;
  const hi = d.kind === 'int' ? d.high + 0.5 : d.high;
  const clamp = (v: number): number => Math.min(d.high, Math.max(d.low, v));
  const finish = (v: number): number => (d.kind === 'int' ? clamp(Math.round(v)) : clamp(round(v)));
  if (d.log) {
    const l = Math.log(Math.max(lo, d.low / 2));
    return { lo: l, hi: Math.log(hi), out: (x) => finish(Math.exp(x)) };
  }
  return { lo, hi, out: finish };
}

/** A uniform draw from a distribution. */
function drawUniform(d: Distribution, rng: Rng): ParamValue {
  if (d.kind === 'choice') return d.values[rng.int(d.values.length)]!;
  const s = scale(d);
  return s.out(s.lo + rng.next() * (s.hi - s.lo));
}

/** Random search: every parameter uniform (on its scale), independent of the history. */
export function sampleRandom(space: readonly SpaceParam[], seed: number, trial: number): Record<string, ParamValue> {
  const rng = trialRng(seed, trial);
  const out: Record<string, ParamValue> = {};
  for (const p of space) out[p.path] = drawUniform(p.dist, rng);
  return out;
}

/** γ(n): how many of n observations form the "good" group. */
function gamma(n: number): number {
  return Math.min(Math.ceil(0.1 * n), TPE_DEFAULTS.maxGamma);
}

/** Observation weights: Optuna's default ramps the oldest up to the 25 newest (weight 1). */
function weights(n: number): number[] {
  if (n < 25) return Array.from({ length: n }, () => 1);
  const ramp = n - 25;
  return Array.from({ length: n }, (_, i) => (i < ramp ? 1 / n + ((1 - 1 / n) * i) / Math.max(1, ramp - 1) : 1));
}

/** A one-dimensional Parzen estimator: a mixture of truncated normals on [lo, hi] (the prior among them). */
interface Parzen {
  w: number[];
  mu: number[];
  sigma: number[];
  lo: number;
  hi: number;
}

/** Build the estimator of observations `xs` (internal scale) with weights `ws`; the prior is N((lo+hi)/2, hi−lo). */
function parzen(xs: number[], ws: number[], lo: number, hi: number): Parzen {
  const mus = [...xs, (lo + hi) / 2];
  const wsAll = [...ws, TPE_DEFAULTS.priorWeight];
  const order = mus.map((_, i) => i).sort((a, b) => mus[a]! - mus[b]! || a - b);
  const sorted = order.map((i) => mus[i]!);
  const sig = new Array<number>(mus.length);
  // Each kernel is as wide as the larger gap to its neighbours (the bounds at the ends), clipped so that
  // kernels are neither wider than the range nor narrower than range / min(100, n + 1) ("magic clip").
  const maxS = hi - lo;
  const minS = (hi - lo) / Math.min(100, mus.length + 1);
  sorted.forEach((m, j) => {
    const left = m - (j > 0 ? sorted[j - 1]! : lo);
    const right = (j < sorted.length - 1 ? sorted[j + 1]! : hi) - m;
    sig[order[j]!] = Math.min(maxS, Math.max(minS, left, right));
  });
  sig[mus.length - 1] = maxS; // the prior
  const total = wsAll.reduce((a, b) => a + b, 0);
  return { w: wsAll.map((w) => w / total), mu: mus, sigma: sig, lo, hi };
}

/** Φ, the standard normal CDF (Abramowitz–Stegun 7.1.26 on erf: |error| < 1.5e-7). */
function phi(x: number): number {
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * z);
  const erf = 1 - (((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t) * Math.exp(-z * z);
  return x >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}

/** log density of the mixture at x. */
function logPdf(p: Parzen, x: number): number {
  let s = 0;
  for (let i = 0; i < p.mu.length; i++) {
    const m = p.mu[i]!;
    const sd = p.sigma[i]!;
    const mass = Math.max(1e-12, phi((p.hi - m) / sd) - phi((p.lo - m) / sd));
    s += (p.w[i]! * Math.exp(-0.5 * ((x - m) / sd) ** 2)) / (sd * Math.sqrt(2 * Math.PI) * mass);
  }
  return Math.log(Math.max(s, 1e-300));
}

/** A draw from the mixture (a kernel by weight, then its normal truncated to [lo, hi] by rejection). */
function drawParzen(p: Parzen, rng: Rng): number {
  let u = rng.next();
  let k = 0;
  while (k < p.w.length - 1 && u >= p.w[k]!) u -= p.w[k++]!;
  for (let tries = 0; tries < 100; tries++) {
    const x = p.mu[k]! + p.sigma[k]! * rng.normal();
    if (x >= p.lo && x <= p.hi) return x;
  }
  return Math.min(p.hi, Math.max(p.lo, p.mu[k]!));
}

/** Same parameter values (lists compared by content). */
function same(a: ParamValue, b: ParamValue): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Category probabilities: each observation's weight on its value plus the prior spread evenly. */
function categorical(values: readonly ParamValue[], obs: ParamValue[], ws: number[]): number[] {
  const p = values.map(() => TPE_DEFAULTS.priorWeight / values.length);
  obs.forEach((v, i) => {
    const j = values.findIndex((x) => same(x, v));
    if (j >= 0) p[j]! += ws[i]!;
  });
  const total = p.reduce((a, b) => a + b, 0);
  return p.map((x) => x / total);
}

/**
 * TPE: for fewer than {@link TPE_DEFAULTS.startupTrials} observations, random; then per parameter, split
 * the observations into the best γ(n) ("below", l) and the rest (g), draw 24 candidates from l and keep
 * the one maximising l(x)/g(x). `history` must be in trial-number order.
 */
export function sampleTpe(space: readonly SpaceParam[], seed: number, trial: number, history: readonly Observation[]): Record<string, ParamValue> {
  if (history.length < TPE_DEFAULTS.startupTrials) return sampleRandom(space, seed, trial);
  const rng = trialRng(seed, trial);
  const n = history.length;
  // Stable ranking: deeper first, then score descending, then trial order.
  const ranked = history.map((h, i) => ({ h, i })).sort((a, b) => b.h.depth - a.h.depth || b.h.score - a.h.score || a.i - b.i);
  const nBelow = gamma(n);
  const below = new Set(ranked.slice(0, nBelow).map((r) => r.i));
  const w = weights(n);
  const out: Record<string, ParamValue> = {};
  for (const p of space) {
    const idxB = history.map((_, i) => i).filter((i) => below.has(i));
    const idxA = history.map((_, i) => i).filter((i) => !below.has(i));
    const d = p.dist;
    if (d.kind === 'choice') {
      const vals = history.map((h) => h.params[p.path]!);
      const pl = categorical(d.values, idxB.map((i) => vals[i]!), idxB.map((i) => w[i]!));
      const pg = categorical(d.values, idxA.map((i) => vals[i]!), idxA.map((i) => w[i]!));
      let best = -Infinity;
      let pick = 0;
      for (let c = 0; c < TPE_DEFAULTS.candidates; c++) {
        let u = rng.next();
        let k = 0;
        while (k < pl.length - 1 && u >= pl[k]!) u -= pl[k++]!;
        const ei = Math.log(pl[k]!) - Math.log(pg[k]!);
        if (ei > best) (best = ei), (pick = k);
      }
      out[p.path] = d.values[pick]!;
      continue;
    }
    const s = scale(d);
    const toInternal = (v: number): number => (d.log ? Math.log(v) : v);
    const xs = history.map((h) => toInternal(h.params[p.path] as number));
    const l = parzen(idxB.map((i) => xs[i]!), idxB.map((i) => w[i]!), s.lo, s.hi);
    const g = parzen(idxA.map((i) => xs[i]!), idxA.map((i) => w[i]!), s.lo, s.hi);
    let best = -Infinity;
    let pick = l.mu[0]!;
    for (let c = 0; c < TPE_DEFAULTS.candidates; c++) {
      const x = drawParzen(l, rng);
      const ei = logPdf(l, x) - logPdf(g, x);
      if (ei > best) (best = ei), (pick = x);
    }
    out[p.path] = s.out(pick);
  }
  return out;
}

/** Sample trial `trial`'s parameters with the named sampler. */
export function sample(name: SamplerName, space: readonly SpaceParam[], seed: number, trial: number, history: readonly Observation[]): Record<string, ParamValue> {
  return name === 'tpe' ? sampleTpe(space, seed, trial, history) : sampleRandom(space, seed, trial);
}
