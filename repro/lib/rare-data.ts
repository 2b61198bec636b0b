/**
 * The time-ordered ratings data of the rare-task experiment (issue #13): impressions of items by users over
 * `days` days, written sorted by time as a ranking team's log is, with a common binary task (`like`, ~45 %
 * positive, its base rate drifting up over time; label `liked`), a rare binary task (`buy`, ~3 % positive,
 * label `bought`, driven by a per-item appeal that only rare items' few rows reveal) and a 1–5 `rating`
 * regression (label `stars`) whose mean drifts.
 * New items keep appearing (each has a first day), item popularity is Zipf-like, and the `price` column is
 * missing for 5 % of rows. Nothing public with these properties is available offline, so it is generated;
 * the generator is deterministic in its seed.
 */
import { Rng } from '../../src/data/prng.js';

/** Sizes of the generated log. */
export interface RareDataConfig {
  rows: number;
  days: number;
  users: number;
  items: number;
  seed: number;
}

/** The CSV header, in column order. */
export const RARE_COLUMNS = ['day', 'user', 'item', 'category', 'hour', 'price', 'liked', 'bought', 'stars'] as const;

const DIM = 4;

/** A latent vector of `DIM` normals scaled by `s`. */
const latent = (rng: Rng, s: number): number[] => Array.from({ length: DIM }, () => rng.normal() * s);
const dot = (a: number[], b: number[]): number => a.reduce((t, x, i) => t + x * b[i]!, 0);
const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));

/** An index in [0, n) with P(i) ∝ 1 / (i + 1)^1.1 (inverse transform on a precomputed CDF). */
function zipfSampler(n: number): (rng: Rng) => number {
  const cdf = new Float64Array(n);
  let s = 0;
  for (let i = 0; i < n; i++) cdf[i] = s += 1 / Math.pow(i + 1, 1.1);
  return (rng) => {
    const u = rng.next() * s;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid]! < u) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

/** The log as CSV lines (header first), sorted by day; row r's day is ⌊r · days / rows⌋. */
export function rareDataCsv(cfg: RareDataConfig): string[] {
  const rng = new Rng(cfg.seed);
  const users = Array.from({ length: cfg.users }, () => ({ taste: latent(rng, 0.7), bias: rng.normal() * 0.5, buyer: rng.normal() * 0.6 }));
  const items = Array.from({ length: cfg.items }, (_, i) => ({
    look: latent(rng, 0.7),
    quality: rng.normal() * 0.4,
    appeal: rng.normal() * 1.1, // what makes an item bought: learnable only from its own rows
    price: Math.exp(2.5 + rng.normal() * 0.8),
    category: i % 24,
    // Items arrive over time: a quarter exist from day 0, the rest start on a uniform day.
    first: rng.next() < 0.25 ? 0 : Math.floor(rng.next() * cfg.days),
  }));
  const pickUser = zipfSampler(cfg.users);
  const pickItem = zipfSampler(cfg.items);
  const lines = [RARE_COLUMNS.join(',')];
  for (let r = 0; r < cfg.rows; r++) {
    const day = Math.floor((r * cfg.days) / cfg.rows);
    const drift = day / Math.max(cfg.days - 1, 1); // 0 → 1 over the log
    const uid = pickUser(rng);
    let iid = pickItem(rng);
    while (items[iid]!.first > day) iid = pickItem(rng); // only items that exist by then
    const u = users[uid]!;
    const it = items[iid]!;
    const hour = rng.int(24);
    const evening = hour >= 18 ? 0.3 : 0;
    const affinity = dot(u.taste, it.look);
    const like = rng.bernoulli(sigmoid(affinity + u.bias + it.quality + evening - 0.5 + 0.5 * drift));
    const buy = rng.bernoulli(sigmoid(-4.6 + it.appeal + u.buyer + 0.8 * like + 0.4 * affinity - 0.2 * Math.log(it.price / 12)));
    const rating = Math.min(5, Math.max(1, 3 + 0.9 * affinity + it.quality + 0.5 * u.bias + 0.3 * drift + rng.normal() * 0.7));
    const price = rng.next() < 0.05 ? '' : it.price.toFixed(2);
    lines.push([day, `u${uid}`, `i${iid}`, `c${it.category}`, hour, price, like, buy, rating.toFixed(2)].join(','));
  }
  return lines;
}
