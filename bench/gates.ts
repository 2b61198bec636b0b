/**
 * The direct step against the tfjs step on the noisy-topk MMoE (issue #15 item 3): the standard mmoe workload
 * (bench/specs/mmoe.mtl: 8 experts mlp(256, 128), batch 1024) with both gates `noisy-topk(k: 2,
 * balance_weight: 0.1)` (the paper's k and importance weight, noise on), next to the same workload with its
 * softmax gates. Per repetition, interleaved: the noisy-topk model on the direct step, on the tfjs step
 * (`directStep: false`, as MTL_DIRECT_STEP=off), and the softmax model on the direct step; samples/s of
 * `ModelRuntime.trainStep` (the call `mtl train` makes per batch) over ≥ `--seconds` after 3 warm-up steps;
 * medians printed as a markdown table. Not a test.
 *
 *   npx tsx bench/gates.ts [--backend native|wasm] [--vocab 100000] [--reps 3] [--seconds 3]
 */
import * as os from 'node:os';
import { selectBackend, type BackendName } from '../src/exec/backend.js';
import { SPEC_DIR, compileSpecText, syntheticBatches, workloadText } from './workload.js';
import * as path from 'node:path';

/** The mmoe workload's text with its gates made noisy-topk. */
export function topkText(vocab: number): string {
  const text = workloadText('mmoe', vocab).replace(/= softmax over e/g, '= noisy-topk(k: 2, balance_weight: 0.1) over e');
  if (!text.includes('noisy-topk')) throw new Error('bench/specs/mmoe.mtl has no softmax gate to replace');
  return text;
}

/** samples/s of one model over ≥ `seconds` after 3 warm-up steps; also which step ran. */
async function rate(text: string, vocab: number, seconds: number, directStep: boolean): Promise<{ rate: number; step: string }> {
  const { ir, runtime } = await compileSpecText(text, path.join(SPEC_DIR, 'mmoe.mtl'), 42, { directStep });
  try {
    const batches = syntheticBatches(ir, vocab, 1024, 2);
    for (let i = 0; i < 3; i++) runtime.trainStep(batches[i % 2]!);
    let steps = 0;
    const t0 = performance.now();
    while (performance.now() - t0 < seconds * 1000) runtime.trainStep(batches[steps++ % 2]!);
    const kind = runtime.trainStepKind?.();
    return { rate: (steps * 1024) / ((performance.now() - t0) / 1000), step: kind ? kind.kind + (kind.reason ? ` (${kind.reason})` : '') : '?' };
  } finally {
    runtime.dispose();
  }
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
  const reps = Number(flag('reps', '3'));
  const seconds = Number(flag('seconds', '3'));
  const cases = [
    { name: 'mmoe, noisy-topk gates, direct step', text: topkText(vocab), direct: true },
    { name: 'mmoe, noisy-topk gates, tfjs step', text: topkText(vocab), direct: false },
    { name: 'mmoe, softmax gates, direct step', text: workloadText('mmoe', vocab), direct: true },
  ];
  const runs = cases.map(() => [] as number[]);
  const steps = cases.map(() => '');
  const load = os.loadavg()[0]!;
  for (let r = 0; r < reps; r++) {
    for (const [i, c] of cases.entries()) {
      const got = await rate(c.text, vocab, seconds, c.direct);
      runs[i]!.push(got.rate);
      steps[i] = got.step;
    }
  }
  const base = median(runs[1]!);
  console.log(`backend ${backend.name} (${backend.note ?? ''}), V = ${vocab}, batch 1024, ${reps} repetitions of ≥ ${seconds} s, load ${load.toFixed(1)} → ${os.loadavg()[0]!.toFixed(1)}, ${os.cpus().length} cores`);
  console.log('| model | step that ran | samples/s (median) | runs | × tfjs step |');
  console.log('| --- | --- | --- | --- | --- |');
  cases.forEach((c, i) =>
    console.log(`| ${c.name} | ${steps[i]} | ${Math.round(median(runs[i]!))} | ${runs[i]!.map((v) => Math.round(v)).join(', ')} | ${(median(runs[i]!) / base).toFixed(2)} |`),
  );
}

await main();
