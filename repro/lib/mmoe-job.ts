/**
 * One job of the MMoE synthetic sweep: generate the data of one (correlation, seed), split it into a
 * training and a held-out part, and train Shared-Bottom, OMoE and MMoE on it with that seed. The three
 * models thus see the same rows in the same order from the same seed, so their results pair.
 */
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { writeSynthCsv } from '../../src/data/synth.js';
import type { MmoeRun } from './mmoe-claims.js';
import { loadSpec, trainSpec, type ReadySpec } from './run-model.js';
import { MMOE_SYNTH_ARCHS, type MmoeSynthArch } from './specs.js';
import { splitCsv } from './split-csv.js';

/** What one job trains on. */
export interface MmoeJob {
  correlation: number;
  seed: number;
  /** Rows generated; `trainShare` of them are trained on, the rest held out. */
  rows: number;
  trainShare: number;
  epochs: number;
}

/** Where the specs are and where scratch files go. */
export interface MmoeJobEnv {
  root: string;
  scratch: string;
}

const specCache = new Map<string, Promise<ReadySpec>>();

/** The checked spec of `arch` (read once per process). */
function specOf(root: string, arch: MmoeSynthArch): Promise<ReadySpec> {
  const file = path.join(root, 'repro', 'specs', `synth-${arch}.mtl`);
  let s = specCache.get(file);
  if (!s) specCache.set(file, (s = loadSpec(file)));
  return s;
}

/** Mean of the two tasks' values in a record keyed by task. */
function meanOfTasks(byTask: Record<string, number | undefined>): number {
  const a = byTask.task1;
  const b = byTask.task2;
  return typeof a === 'number' && typeof b === 'number' ? (a + b) / 2 : NaN;
}

/**
 * Run one job: its three runs. The held-out part is passed as the validation set, so the held-out MSE
 * after every epoch comes from training itself; the specs have no early stopping, so the exported model
 * is the last epoch's and the last value is its held-out MSE (nothing is selected on the held-out rows).
 */
export async function runMmoeJob(job: MmoeJob, env: MmoeJobEnv): Promise<MmoeRun[]> {
  const tag = `mmoe-${job.rows}-p${job.correlation}-seed${job.seed}`;
  const file = path.join(env.scratch, 'data', `${tag}.csv`);
  await fsp.mkdir(path.dirname(file), { recursive: true });
  await writeSynthCsv('mmoe', job.rows, { correlation: job.correlation }, job.seed, file);
  const split = await splitCsv(file, { train: job.trainShare, heldout: 1 - job.trainShare });
  const runs: MmoeRun[] = [];
  try {
    for (const arch of MMOE_SYNTH_ARCHS) {
      const t0 = Date.now();
      const dir = path.join(env.scratch, 'models', `${tag}-${arch}`);
      const res = await trainSpec(await specOf(env.root, arch), split.train, split.heldout, dir, { seed: job.seed, epochs: job.epochs });
      await fsp.rm(dir, { recursive: true, force: true });
      runs.push({
        correlation: job.correlation,
        seed: job.seed,
        arch,
        trainLoss: res.history.map((h) => meanOfTasks(h.taskLosses)),
        testMse: res.history.map((h) => meanOfTasks({ task1: h.metrics.task1?.mse ?? undefined, task2: h.metrics.task2?.mse ?? undefined })),
        seconds: (Date.now() - t0) / 1000,
      });
    }
  } finally {
    await Promise.all([file, split.train, split.heldout].map((f) => fsp.rm(f, { force: true })));
  }
  return runs;
}
