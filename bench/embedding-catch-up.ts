/**
 * The cost of dense-equivalent Adam's catch-up (embedding rule `adam`, src/model/optim-sparse.ts) on its own:
 * 26 × 1,024 rows of a 100,000 × 16 table that last moved `gap` updates ago, brought up to date in one call,
 * far into a run (bias corrections ≈ 1, the series regime), with `distinct` different "last moved at" updates
 * among them (1: every row shares its sums; 5,000: as a 1 M-row vocabulary spreads them). Not a test; run
 * `npx tsx bench/embedding-catch-up.ts [--backend native|wasm] [--gap 8000] [--distinct 5000]`.
 */
import { selectBackend } from '../src/exec/backend.js';
import { SparseOptimizer } from '../src/model/optim-sparse.js';

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const flag = (n: string, d: string): string => {
    const i = argv.indexOf(`--${n}`);
    return i >= 0 ? argv[i + 1]! : d;
  };
  const backend = await selectBackend(flag('backend', 'native') as 'native' | 'wasm');
  const gap = Number(flag('gap', '8000'));
  const distinct = Number(flag('distinct', '5000'));
  const opt = new SparseOptimizer({ optimizer: 'adam', lr: 0.001 });
  const [V, dim, n] = [100_000, 16, 26 * 1024];
  const table = new Float32Array(V * dim).fill(0.01);
  const slots = opt.createSlots(V, dim);
  slots.m!.fill(1e-3);
  slots.v!.fill(1e-6);
  const rows = Int32Array.from({ length: n }, (_, i) => (i * 7919) % V);
  console.log(`backend ${backend.name}: ${n} rows × ${dim}, gap ≥ ${gap - distinct}, ${distinct} distinct last updates`);
  for (let rep = 0; rep < 5; rep++) {
    const base = 40_000 + rep * (gap + distinct);
    for (let r = 0; r < V; r++) slots.steps![r] = base + (r % distinct);
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    opt.catchUp(table, dim, slots, rows, base + gap);
    const c = process.cpuUsage(c0);
    console.log(`  catch-up: ${(performance.now() - t0).toFixed(1)} ms wall, ${((c.user + c.system) / 1000).toFixed(1)} ms CPU`);
  }
}

await main();
