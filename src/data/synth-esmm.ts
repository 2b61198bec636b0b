/**
 * The `esmm` built-in data: ESMM-style impressions (user, item, category, history, price, hour) with click,
 * buy = click ∧ conversion, and the ground truth `cvr_true` for every impression (conversion-if-clicked
 * drawn for all rows), so entire-space CVR AUC can be measured, which real logs never allow.
 *
 * Planted structure (all deterministic by seed):
 * - learnable from a few thousand rows: price (log-normal per category; pushes conversion down strongly,
 *   clicks weakly), per-category click and conversion biases, an evening click boost, item popularity;
 * - learnable with more data: user × item latent factors, users' favourite categories, and the overlap
 *   between the history's categories and the item's category.
 * Click and conversion share an item-quality term and the user × item affinity (good items are clicked and
 * bought), while price, category and the buyer's propensity weigh differently on each. So most of what
 * conversion depends on is learnable from clicks over ALL impressions, while a CVR model trained on clicked
 * rows alone sees ~7 % of them: the data-sparsity and sample-selection setting ESMM addresses. (With
 * conversion factors independent of click's, an earlier version of this generator, the naive clicked-only
 * model won on entire-space CVR AUC: see docs/results.md.)
 * Rates with the default parameters: CTR ≈ 7 %, CVR among clicks ≈ 15–20 %.
 */
import type { JsonValue } from '../ir/types.js';
import { Rng } from './prng.js';

/** Columns of the esmm data, in file order. */
export const ESMM_COLUMNS = ['user_id', 'item_id', 'category', 'history', 'price', 'hour', 'click', 'buy', 'cvr_true', 'p_ctr', 'p_cvr'];

/** Parameters of the esmm generator. */
export const ESMM_PARAMS: Record<string, { default: JsonValue; description: string }> = {
  users: { default: 2000, description: 'Number of users (user ids 0..users-1).' },
  items: { default: 5000, description: 'Number of items (item ids 0..items-1).' },
  categories: { default: 20, description: 'Number of item categories.' },
  ctr_scale: { default: 1, description: 'Scale of the click logit around its base rate (0: clicks are pure noise).' },
  cvr_scale: { default: 1, description: 'Scale of the conversion logit around its base rate (0: conversions are pure noise).' },
  world: { default: 1, description: 'Seed of the simulated world (users, items, latent factors); --seed only changes which impressions are drawn, so files made with different seeds are train/test splits of one world.' },
};

const K = 4;
const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));
const round = (x: number, digits: number): number => Math.round(x * 10 ** digits) / 10 ** digits;

/** Integer parameter with a floor of 1. */
function intParam(params: Record<string, JsonValue>, key: string): number {
  const v = params[key];
  return Math.max(1, Math.floor(typeof v === 'number' ? v : (ESMM_PARAMS[key]!.default as number)));
}

/** Sample from cumulative weights by binary search. */
function sampleCdf(cdf: Float64Array, u: number): number {
  const target = u * cdf[cdf.length - 1]!;
  let lo = 0;
  let hi = cdf.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cdf[mid]! <= target) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Generate `rows` impressions. */
export function* generateEsmm(rows: number, params: Record<string, JsonValue>, seed: number): Iterable<Record<string, string | number>> {
  const users = intParam(params, 'users');
  const items = intParam(params, 'items');
  const cats = intParam(params, 'categories');
  const ctrScale = typeof params.ctr_scale === 'number' ? params.ctr_scale : 1;
  const cvrScale = typeof params.cvr_scale === 'number' ? params.cvr_scale : 1;
  const worldSeed = typeof params.world === 'number' ? params.world : 1;
  const world = new Rng(worldSeed ^ 0xe55e);

  // Latent factors: click uses V, conversion uses W = 0.5 V + 0.87 V' (correlated, not equal).
  const U = new Float64Array(users * K);
  const V = new Float64Array(items * K);
  const W = new Float64Array(items * K);
  for (let i = 0; i < U.length; i++) U[i] = world.normal() * 0.7;
  for (let i = 0; i < V.length; i++) {
    V[i] = world.normal() * 0.7;
    W[i] = 0.5 * V[i]! + 0.866 * world.normal() * 0.7;
  }
  const catClick = Float64Array.from({ length: cats }, () => world.normal() * 0.6);
  const catBuy = Float64Array.from({ length: cats }, () => world.normal() * 0.6);
  const catPrice = Float64Array.from({ length: cats }, () => 3 + world.normal() * 0.8);
  const itemCat = Int32Array.from({ length: items }, () => world.int(cats));
  const itemLogPrice = Float64Array.from({ length: items }, (_, i) => catPrice[itemCat[i]!]! + world.normal() * 0.4);
  const itemPop = Float64Array.from({ length: items }, () => world.normal() * 0.8);
  const buyerBias = Float64Array.from({ length: users }, () => world.normal() * 0.5);
  const fav = Int32Array.from({ length: users * 2 }, () => world.int(cats));
  // Popularity-skewed item sampling (Zipf-like over a random permutation) and mildly skewed user activity.
  const itemCdf = new Float64Array(items);
  const perm = Int32Array.from({ length: items }, (_, i) => i);
  for (let i = items - 1; i > 0; i--) {
    const j = world.int(i + 1);
    const t = perm[i]!;
    perm[i] = perm[j]!;
    perm[j] = t;
  }
  let acc = 0;
  for (let r = 0; r < items; r++) itemCdf[r] = acc += 1 / Math.pow(r + 10, 0.9);
  const userCdf = new Float64Array(users);
  acc = 0;
  for (let r = 0; r < users; r++) userCdf[r] = acc += 1 / Math.pow(r + 50, 0.5);
  const byCat: number[][] = Array.from({ length: cats }, () => []);
  for (let i = 0; i < items; i++) byCat[itemCat[i]!]!.push(i);
  const meanLogPrice = itemLogPrice.reduce((a, b) => a + b, 0) / items;

  const rng = new Rng(seed ^ 0x1a7e);
  for (let n = 0; n < rows; n++) {
    const u = sampleCdf(userCdf, rng.next());
    const item = perm[sampleCdf(itemCdf, rng.next())]!;
    const c = itemCat[item]!;
    const isFav = fav[2 * u] === c || fav[2 * u + 1] === c ? 1 : 0;
    const len = rng.int(21);
    const hist: number[] = [];
    let same = 0;
    for (let h = 0; h < len; h++) {
      const fc = fav[2 * u + rng.int(2)]!;
      const pool = byCat[fc]!;
      const hi = rng.next() < 0.7 && pool.length ? pool[rng.int(pool.length)]! : perm[sampleCdf(itemCdf, rng.next())]!;
      hist.push(hi);
      if (itemCat[hi] === c) same++;
    }
    const overlap = len ? same / len : 0;
    const hour = rng.int(24);
    const logPrice = itemLogPrice[item]! + rng.normal() * 0.05;
    const pz = logPrice - meanLogPrice;
    let uv = 0;
    let uw = 0;
    for (let k = 0; k < K; k++) {
      uv += U[u * K + k]! * V[item * K + k]!;
      uw += U[u * K + k]! * W[item * K + k]!;
    }
    const evening = hour >= 18 && hour <= 22 ? 1 : 0;
    const ctrLogit = -3.4 + ctrScale * (catClick[c]! + itemPop[item]! + 0.9 * isFav + 1.2 * overlap + 0.6 * uv + 0.5 * evening - 0.25 * pz);
    const cvrLogit = -3.2 + cvrScale * (0.5 * catBuy[c]! + 0.3 * buyerBias[u]! + 1.2 * itemPop[item]! + 0.7 * isFav + 0.6 * overlap + 0.9 * uv + 0.3 * uw - 0.9 * pz);
    const pCtr = sigmoid(ctrLogit);
    const pCvr = sigmoid(cvrLogit);
    const click = rng.bernoulli(pCtr);
    const conv = rng.bernoulli(pCvr);
    yield {
      user_id: String(u),
      item_id: String(item),
      category: String(c),
      history: hist.join('|'),
      price: round(Math.exp(logPrice), 2),
      hour,
      click,
      buy: click & conv,
      cvr_true: conv,
      p_ctr: round(pCtr, 6),
      p_cvr: round(pCvr, 6),
    };
  }
}
