/**
 * Compiling a benchmark workload exactly as `mtl train` does (checkFile → createModelRuntime with the
 * spec's plugin registry) and making synthetic Batches like the peer's: random ids in [0, V), standard
 * normal numerics, y1 ~ Bernoulli(½), y2 = y1 · Bernoulli(½). Data parsing is thus not measured.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkFile, hasErrors } from '../src/language/check.js';
import { gateLookup } from '../src/cli/spec-loader.js';
import { createModelRuntime } from '../src/model/index.js';
import { effectiveSettings, optimizerSettings } from '../src/train/train.js';
import type { ModelRuntime, OptimizerSettings } from '../src/model/types.js';
import type { ModelIR } from '../src/ir/types.js';
import type { Batch, FeatureColumn } from '../src/data/types.js';
import { mulberry32 } from '../src/model/seed.js';
import type { Workload } from './specs.js';

/** The folder of the workload specs. */
export const SPEC_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'specs');

/** The spec text of a workload at vocabulary `vocab`: bench/specs/W.mtl with every hash size replaced. */
export function workloadText(workload: Workload, vocab: number): string {
  return fs.readFileSync(path.join(SPEC_DIR, `${workload}.mtl`), 'utf8').replace(/\bhash \d+/g, `hash ${vocab}`);
}

/** Updates of the nominal run a workload is compiled for (its recipe's length: matters to a schedule only). */
const BENCH_RUN_STEPS = 1000;

/**
 * The optimiser settings of a workload, built as `mtl train` builds them: the train block's recipe comes with
 * them (`embedding_optimizer lazy_adam`, the peer's SparseAdam). The run's length only matters to a schedule,
 * which the bench specs do not have. Throws on a recipe warning (a harness bug).
 */
export function workloadOptimizer(ir: ModelIR, file: string): OptimizerSettings {
  return optimizerSettings(ir, effectiveSettings(ir), ir.train.batch * BENCH_RUN_STEPS, (d) => {
    throw new Error(`bench spec ${file}: ${d.message}`);
  });
}

/** A compiled workload. */
export interface CompiledWorkload {
  ir: ModelIR;
  runtime: ModelRuntime;
}

/** Check and compile a workload through the same functions `mtl train` uses. Throws on a spec error (a harness bug). */
export async function compileWorkload(workload: Workload, vocab: number, seed = 42): Promise<CompiledWorkload> {
  return compileSpecText(workloadText(workload, vocab), path.join(SPEC_DIR, `${workload}.mtl`), seed);
}

/**
 * Check and compile spec text (named `file` in messages) as `mtl train` does; `directStep: false` forces the tfjs
 * step (what MTL_DIRECT_STEP=off does). Throws on a spec error (a harness bug).
 */
export async function compileSpecText(text: string, file: string, seed = 42, opts: { directStep?: boolean } = {}): Promise<CompiledWorkload> {
  const checked = await checkFile(text, file);
  if (hasErrors(checked.diagnostics) || !checked.ir) throw new Error(`bench spec ${file} has errors: ${checked.diagnostics.map((d) => d.message).join('; ')}`);
  const ir = checked.ir;
  const runtime = createModelRuntime(ir, {
    gates: gateLookup(checked.registry),
    seed,
    optimizer: workloadOptimizer(ir, file),
    ...(opts.directStep === false ? { directStep: false } : {}),
  });
  return { ir, runtime };
}

/** `count` synthetic batches of `size` rows for `ir` (ids in [0, vocab)). */
export function syntheticBatches(ir: ModelIR, vocab: number, size: number, count: number, seed = 1): Batch[] {
  const rand = mulberry32(seed);
  const out: Batch[] = [];
  for (let k = 0; k < count; k++) {
    const features: Record<string, FeatureColumn> = {};
    for (const f of ir.features) {
      if (f.kind === 'categorical') {
        features[f.name] = { kind: 'ids', rows: Int32Array.from({ length: size }, () => Math.floor(rand() * vocab)) };
      } else {
        features[f.name] = {
          kind: 'dense',
          values: Float32Array.from({ length: size }, () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand())),
        };
      }
    }
    const y1 = Float32Array.from({ length: size }, () => (rand() < 0.5 ? 1 : 0));
    const y2 = Float32Array.from(y1, (v) => v * (rand() < 0.5 ? 1 : 0));
    out.push({ size, features, labels: { y1, y2 }, groups: {}, rowNumbers: Int32Array.from({ length: size }, (_, i) => i + 2) });
  }
  return out;
}
