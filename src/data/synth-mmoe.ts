/**
 * The `mmoe` built-in data: the synthetic regression pair of Ma et al., "Modeling Task Relationships in
 * Multi-task Learning with Multi-gate Mixture-of-Experts" (KDD 2018), section 4.2, whose task correlation
 * is controlled exactly:
 *
 *   u1, u2 ∈ R^d orthogonal unit vectors;  w1 = c·u1;  w2 = c·(p·u1 + sqrt(1 − p²)·u2)
 *   x ~ N(0, I_d);  y_i = w_iᵀx + Σ_{j=1..m} sin(α_j w_iᵀx + β_j) + ε_i,  ε_i ~ N(0, noise)
 *
 * The cosine similarity of w1 and w2 (= the Pearson correlation of the linear parts w_iᵀx) is p.
 * α_j, β_j are drawn once from N(0, 1) per seed and shared by both tasks, as in the paper's equations.
 * `noise` is the variance of ε, following the paper's N(0, 0.01) notation (standard deviation 0.1).
 */
import type { JsonValue } from '../ir/types.js';
import { Rng } from './prng.js';

/** Parameters of the mmoe generator. */
export const MMOE_PARAMS: Record<string, { default: JsonValue; description: string }> = {
  correlation: { default: 0.5, description: 'Task correlation p in [-1, 1]: the cosine of the two tasks\' weight vectors.' },
  dim: { default: 100, description: 'Input dimension d (columns x0..x{d-1}).' },
  sines: { default: 10, description: 'Number m of sine terms.' },
  noise: { default: 0.01, description: 'Variance of the Gaussian label noise.' },
  scale: { default: 1, description: 'Scale c of the weight vectors.' },
};

/** The weights of one dataset: task vectors and sine parameters. */
export interface MmoeWeights {
  w1: Float64Array;
  w2: Float64Array;
  alpha: Float64Array;
  beta: Float64Array;
}

function num(params: Record<string, JsonValue>, key: string): number {
  const v = params[key];
  return typeof v === 'number' ? v : (MMOE_PARAMS[key]!.default as number);
}

/** Check the parameters; a message when one is out of range. */
export function checkMmoeParams(params: Record<string, JsonValue>): string | undefined {
  const p = num(params, 'correlation');
  if (p < -1 || p > 1) return `correlation must be in [-1, 1], got ${p}`;
  const d = num(params, 'dim');
  if (!Number.isInteger(d) || d < 2) return `dim must be an integer >= 2, got ${d}`;
  const m = num(params, 'sines');
  if (!Number.isInteger(m) || m < 0) return `sines must be an integer >= 0, got ${m}`;
  if (num(params, 'noise') < 0) return `noise (a variance) must be >= 0`;
  return undefined;
}

/** The weight vectors and sine parameters for `params` and `seed` (what {@link generateMmoe} uses). */
export function mmoeWeights(params: Record<string, JsonValue>, seed: number): MmoeWeights {
  const d = Math.floor(num(params, 'dim'));
  const m = Math.floor(num(params, 'sines'));
  const p = num(params, 'correlation');
  const c = num(params, 'scale');
  const rng = new Rng(seed ^ 0x3303e);
  const u1 = Float64Array.from({ length: d }, () => rng.normal());
  const u2 = Float64Array.from({ length: d }, () => rng.normal());
  const norm = (v: Float64Array): void => {
    const n = Math.sqrt(v.reduce((a, x) => a + x * x, 0));
    for (let i = 0; i < v.length; i++) v[i] = v[i]! / n;
  };
  norm(u1);
  // Gram–Schmidt: make u2 orthogonal to u1.
  const dot = u1.reduce((a, x, i) => a + x * u2[i]!, 0);
  for (let i = 0; i < d; i++) u2[i] = u2[i]! - dot * u1[i]!;
  norm(u2);
  const q = Math.sqrt(Math.max(0, 1 - p * p));
  const w1 = u1.map((x) => c * x);
  const w2 = u1.map((x, i) => c * (p * x + q * u2[i]!));
  const alpha = Float64Array.from({ length: m }, () => rng.normal());
  const beta = Float64Array.from({ length: m }, () => rng.normal());
  return { w1, w2, alpha, beta };
}

/** Column names: x0..x{d-1}, y1, y2. */
export function mmoeColumns(params: Record<string, JsonValue>): string[] {
  const d = Math.floor(num(params, 'dim'));
  return [...Array.from({ length: d }, (_, i) => `x${i}`), 'y1', 'y2'];
}

const round6 = (x: number): number => Math.round(x * 1e6) / 1e6;

/** Generate `rows` examples. Inputs and labels are rounded to 6 decimals (so a CSV copy reads back identically). */
export function* generateMmoe(rows: number, params: Record<string, JsonValue>, seed: number): Iterable<Record<string, string | number>> {
  const { w1, w2, alpha, beta } = mmoeWeights(params, seed);
  const d = w1.length;
  const sd = Math.sqrt(Math.max(0, num(params, 'noise')));
  const rng = new Rng(seed ^ 0x77aa1);
  const names = mmoeColumns(params);
  const x = new Float64Array(d);
  for (let n = 0; n < rows; n++) {
    const rec: Record<string, number> = {};
    let s1 = 0;
    let s2 = 0;
    for (let i = 0; i < d; i++) {
      const v = round6(rng.normal());
      x[i] = v;
      rec[names[i]!] = v;
      s1 += w1[i]! * v;
      s2 += w2[i]! * v;
    }
    let y1 = s1;
    let y2 = s2;
    for (let j = 0; j < alpha.length; j++) {
      y1 += Math.sin(alpha[j]! * s1 + beta[j]!);
      y2 += Math.sin(alpha[j]! * s2 + beta[j]!);
    }
    rec.y1 = round6(y1 + sd * rng.normal());
    rec.y2 = round6(y2 + sd * rng.normal());
    yield rec;
  }
}
