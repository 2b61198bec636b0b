/**
 * The direct step against the tfjs step on the noisy-topk MMoE (issue #15 item 3): the standard mmoe workload
 * (bench/specs/mmoe.mtl: 8 experts mlp(256, 128), batch 1024) with both gates `noisy-topk(k: 2,
 * balance_weight: 0.1)` (the paper's k and importance weight, noise on), next to the same workload with its
 * softmax gates: the noisy-topk model on the direct step, on the tfjs step (`directStep: false`, as
 * MTL_DIRECT_STEP=off), and the softmax model on the direct step, all three compiled once, then trained in
 * round-robin slices of ≥ `--seconds` (after 3 warm-up steps each) through `ModelRuntime.trainStep`, the call
 * `mtl train` makes per batch. Medians of the slices' samples/s, by wall clock and per CPU second of this
 * process, as a markdown table. Not a test.
 *
 *   npx tsx bench/gates.ts [--backend native|wasm] [--vocab 100000] [--rounds 8] [--seconds 1]
 */
import * as os from 'node:os';
import { selectBackend, type BackendName } from '../src/exec/backend.js';
import { SPEC_DIR, compileSpecText, syntheticBatches, workloadText } from './workload.js';
import * as path from 'node:path';
import type { ModelRuntime } from '../src/model/types.js';
import type { Batch } from '../src/data/types.js';

/** The mmoe workload's text with its gates made noisy-topk. */
export function topkText(vocab: number): string {
  const text = workloadText('mmoe', vocab).replace(/= softmax over e/g, '= noisy-topk(k: 2, balance_weight: 0.1) over e');
  if (!text.includes('noisy-topk')) throw new Error('bench/specs/mmoe.mtl has no softmax gate to replace');
  return text;
}

/** A compiled case with its batches, and its per-slice rates (wall clock and CPU time of this process). */
interface Case {
  name: string;
  runtime: ModelRuntime;
  batches: Batch[];
  wall: number[];
  cpu: number[];
  step: number;
}

/** Train one case for ≥ `seconds`; record samples/s by wall clock and per CPU second (less sensitive to other load). */
function slice(c: Case, seconds: number): void {
  let steps = 0;
  const t0 = performance.now();
  const u0 = process.cpuUsage();
  while (performance.now() - t0 < seconds * 1000) c.runtime.trainStep(c.batches[c.step++ % 2]!), steps++;
  const u = process.cpuUsage(u0);
  c.wall.push((steps * 1024) / ((performance.now() - t0) / 1000));
  c.cpu.push((steps * 1024) / ((u.user + u.system) / 1e6));
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const flag = (n: string, d: string): string => {
    const i = argv.indexOf(`--${n}`);
    return i >= 0 ? argv[i + 1]! : d;
  };
  const backend = await selectBackend(flag('backend', 'native') as BackendName);
  const vocab = Number(flag('vocab', '100000'));
  const rounds = Number(flag('rounds', '8'));
  const seconds = Number(flag('seconds', '1'));
  const specs = [
    { name: 'mmoe, noisy-topk gates, direct step', text: topkText(vocab), directStep: true },
    { name: 'mmoe, noisy-topk gates, tfjs step', text: topkText(vocab), directStep: false },
    { name: 'mmoe, softmax gates, direct step', text: workloadText('mmoe', vocab), directStep: true },
  ];
  const cases: Case[] = [];
  for (const s of specs) {
    const { ir, runtime } = await compileSpecText(s.text, path.join(SPEC_DIR, 'mmoe.mtl'), 42, { directStep: s.directStep });
    const batches = syntheticBatches(ir, vocab, 1024, 2);
    for (let i = 0; i < 3; i++) runtime.trainStep(batches[i % 2]!);
    cases.push({ name: s.name, runtime, batches, wall: [], cpu: [], step: 0 });
  }
  const load = os.loadavg()[0]!;
  // Round-robin slices, so that a change of the machine's load hits every case alike.
  for (let r = 0; r < rounds; r++) for (const c of cases) slice(c, seconds);
  const kinds = cases.map((c) => {
    const k = c.runtime.trainStepKind?.();
    return k ? k.kind + (k.reason ? ` (${k.reason})` : '') : '?';
  });
  cases.forEach((c) => c.runtime.dispose());
  const base = cases[1]!;
  console.log(
    `backend ${backend.name} (${backend.note ?? ''}), V = ${vocab}, batch 1024, ${rounds} round-robin slices of ≥ ${seconds} s per model, ` +
      `load ${load.toFixed(1)} → ${os.loadavg()[0]!.toFixed(1)}, ${os.cpus().length} cores`,
  );
  console.log('| model | step that ran | samples/s (median of slices) | × tfjs step | samples per CPU-second (median) | × tfjs step |');
  console.log('| --- | --- | --- | --- | --- | --- |');
  cases.forEach((c, i) =>
    console.log(
      `| ${c.name} | ${kinds[i]} | ${Math.round(median(c.wall))} | ${(median(c.wall) / median(base.wall)).toFixed(2)} | ${Math.round(median(c.cpu))} | ${(median(c.cpu) / median(base.cpu)).toFixed(2)} |`,
    ),
  );
}

await main();
