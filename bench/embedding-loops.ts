/**
 * The embedding loops of a training step on their own, on the native backend: the 26 tables' optimiser update
 * (lazy Adam unless --rule says otherwise) and their lookups (gatherRows), batch 1024 per table, dim 16, with 1
 * and with 2 of the addon's threads alternated step by step (native/mtl_blas_parallel.c). Not a test; run
 * `npx tsx bench/embedding-loops.ts [--vocab 1000000] [--rule lazy_adam|adam|adagrad|rowwise_adagrad|sgd] [--steps 24]`.
 */
import { selectBackend } from '../src/exec/backend.js';
import { loadNativeBlas } from '../src/exec/native-blas.js';
import { largeFloat32 } from '../src/exec/large-arrays.js';
import { SparseOptimizer, type SparseRule } from '../src/model/optim-sparse.js';
import { mulberry32 } from '../src/model/seed.js';
import { DIM, NCAT } from './specs.js';

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const flag = (n: string, d: string): string => {
    const i = argv.indexOf(`--${n}`);
    return i >= 0 ? argv[i + 1]! : d;
  };
  const vocab = Number(flag('vocab', '1000000'));
  const rule = flag('rule', 'lazy_adam') as SparseRule;
  const steps = Number(flag('steps', '24'));
  const batch = 1024;
  if ((await selectBackend('native')).name !== 'native') throw new Error('the native addon is not built (npm run build:native)');
  const blas = loadNativeBlas()!;
  const settings = rule === 'lazy_adam' ? { optimizer: 'adam' as const, lr: 0.001 } : rule === 'sgd' ? { optimizer: 'sgd' as const, lr: 0.001 } : { optimizer: 'adam' as const, lr: 0.001, recipe: { embeddingOptimizer: rule } };
  const opt = new SparseOptimizer(settings);
  const tables = Array.from({ length: NCAT }, () => {
    const data = largeFloat32(vocab * DIM);
    const slots = opt.createSlots(vocab, DIM);
    for (const a of [data, ...Object.values(slots)]) blas.adviseHugePages(a as Float32Array);
    return { data, slots };
  });
  const rand = mulberry32(1);
  const batches = Array.from({ length: 8 }, () =>
    tables.map(() => {
      const rows = Int32Array.from(new Set(Array.from({ length: batch }, () => Math.floor(rand() * vocab))));
      return { rows, grads: Float32Array.from({ length: rows.length * DIM }, () => rand() - 0.5) };
    }),
  );
  const out = new Float32Array(batch * DIM);
  console.log(`${NCAT} tables of ${vocab} × ${DIM}, ${batch} ids each a step, rule ${rule}, ${blas.config()}`);
  // 1 and 2 threads alternate step by step, so both see the same load from other processes; medians per step
  // wall time per phase and the process's CPU time (all threads) of the update: on a loaded machine the CPU time
  // says what the loops cost, the wall time what a step waits
  const times = { 1: { update: [] as number[], gather: [] as number[], cpu: [] as number[] }, 2: { update: [] as number[], gather: [] as number[], cpu: [] as number[] } };
  for (let s = 0; s < 2 * steps + 4; s++) {
    const threads = (s % 2) + 1;
    blas.setNumThreads(threads);
    const b = batches[s % batches.length]!;
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    opt.updateTables(tables.map((t, i) => ({ table: t.data, dim: DIM, slots: t.slots, rows: b[i]!.rows, grads: b[i]!.grads })), 0.001, s + 1);
    const t1 = performance.now();
    const c1 = process.cpuUsage(c0);
    tables.forEach((t, i) => blas.gatherRows(t.data, DIM, b[i]!.rows, out));
    const t2 = performance.now();
    if (s >= 4) {
      times[threads as 1 | 2].update.push(t1 - t0);
      times[threads as 1 | 2].gather.push(t2 - t1);
      times[threads as 1 | 2].cpu.push((c1.user + c1.system) / 1000);
    }
  }
  const median = (x: number[]): number => x.slice().sort((p, q) => p - q)[x.length >> 1]!;
  for (const threads of [1, 2] as const) {
    console.log(`  ${threads} thread${threads > 1 ? 's' : ' '}: update ${median(times[threads].update).toFixed(2)} ms/step (CPU ${median(times[threads].cpu).toFixed(2)} ms), lookups ${median(times[threads].gather).toFixed(2)} ms/step (medians of ${times[threads].update.length})`);
  }
  blas.setNumThreads(1);
}

await main();
