/**
 * The MMoE synthetic sweep (Ma et al., KDD 2018, section 4): every (correlation, seed) job trains the three
 * models; jobs run in-process or spread over forked workers (mmoe-worker.ts). Returns every run's curves;
 * mmoe-claims.ts tests the paper's claims on them and mmoe-report.ts writes the tables.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { selectBackend } from '../../src/exec/backend.js';
import { fmtCorr, type MmoeRun } from './mmoe-claims.js';
import { runMmoeJob, type MmoeJob, type MmoeJobEnv } from './mmoe-job.js';
import type { FromWorker, ToWorker } from './mmoe-worker.js';
import { MMOE_SYNTH_ARCHS } from './specs.js';

/** Settings of the sweep. */
export interface MmoeSweepConfig {
  rows: number;
  trainShare: number;
  correlations: number[];
  seeds: number[];
  epochs: number;
  /** 0: in this process (BLAS threads as MTL_THREADS says); n ≥ 1: n forked workers, one BLAS thread each when n > 1. */
  workers: number;
}

/** The sweep's output: its settings, the backend that ran it, and every run. */
export interface MmoeSweepResults {
  config: MmoeSweepConfig;
  backend: string;
  backendNote?: string;
  /** Jobs read from the journal of an earlier invocation rather than trained by this one. */
  journalJobs: number;
  runs: MmoeRun[];
}

/** Where things are and how to log. */
export interface SweepEnv extends MmoeJobEnv {
  log: (line: string) => void;
}

/**
 * The jobs of a sweep, one per (correlation, seed), seed by seed: a sweep cut short still has every cell
 * at the same number of seeds (give or take one).
 */
export function sweepJobs(cfg: MmoeSweepConfig): MmoeJob[] {
  return cfg.seeds.flatMap((seed) => cfg.correlations.map((correlation) => ({ correlation, seed, rows: cfg.rows, trainShare: cfg.trainShare, epochs: cfg.epochs })));
}

/**
 * The journal of finished jobs: one JSON line of runs per job, in the scratch directory and named by the
 * settings that change results, so that rerunning the same command after an interruption (Ctrl-C, a
 * crash, a reboot) skips what is done instead of losing up to an hour of training.
 */
export function journalFile(scratch: string, cfg: MmoeSweepConfig): string {
  return path.join(scratch, `mmoe-journal-rows${cfg.rows}-train${cfg.trainShare}-epochs${cfg.epochs}.jsonl`);
}

/** The runs already in the journal, by job key (unreadable or partial lines, as a crash may leave, are ignored). */
async function readJournal(file: string): Promise<Map<string, MmoeRun[]>> {
  const done = new Map<string, MmoeRun[]>();
  let text = '';
  try {
    text = await fsp.readFile(file, 'utf8');
  } catch {
    return done;
  }
  for (const line of text.split('\n')) {
    try {
      const runs = JSON.parse(line) as MmoeRun[];
      if (Array.isArray(runs) && runs.length === MMOE_SYNTH_ARCHS.length) done.set(jobKey(runs[0]!), runs);
    } catch {
      // A line cut short by a crash: that job runs again.
    }
  }
  return done;
}

const jobKey = (j: { correlation: number; seed: number }): string => `${j.correlation}|${j.seed}`;

/** A one-line log of a finished job. */
function jobLine(runs: readonly MmoeRun[], done: number, total: number): string {
  const r0 = runs[0]!;
  const parts = runs.map((r) => `${r.arch} train ${r.trainLoss.at(-1)?.toFixed(4)} test ${r.testMse.at(-1)?.toFixed(4)} (${r.seconds.toFixed(1)} s)`);
  return `mmoe-synth ${done}/${total} p=${fmtCorr(r0.correlation)} seed ${r0.seed}: ${parts.join(', ')}`;
}

/** Run the sweep; throws when a job fails (a worker's error names its job). */
export async function runMmoeSweep(cfg: MmoeSweepConfig, env: SweepEnv): Promise<MmoeSweepResults> {
  const journal = journalFile(env.scratch, cfg);
  await fsp.mkdir(env.scratch, { recursive: true });
  const finished = await readJournal(journal);
  const all = sweepJobs(cfg);
  const runs: MmoeRun[] = all.flatMap((j) => finished.get(jobKey(j)) ?? []);
  const jobs = all.filter((j) => !finished.has(jobKey(j)));
  if (runs.length) env.log(`mmoe-synth: ${all.length - jobs.length} of ${all.length} jobs already in ${journal}; running the other ${jobs.length}`);
  const jobEnv: MmoeJobEnv = { root: env.root, scratch: env.scratch };
  const record = async (r: MmoeRun[]): Promise<void> => {
    runs.push(...r);
    await fsp.appendFile(journal, JSON.stringify(r) + '\n');
  };
  if (cfg.workers === 0 || jobs.length === 0) {
    const b = await selectBackend('auto');
    for (const [i, job] of jobs.entries()) {
      const r = await runMmoeJob(job, jobEnv);
      await record(r);
      env.log(jobLine(r, i + 1, jobs.length));
    }
    return { config: cfg, backend: b.name, ...(b.note ? { backendNote: b.note } : {}), journalJobs: all.length - jobs.length, runs: sortRuns(runs) };
  }
  const workerFile = path.join(path.dirname(fileURLToPath(import.meta.url)), 'mmoe-worker.ts');
  const threads = cfg.workers > 1 ? { MTL_THREADS: '1' } : {};
  const children: ChildProcess[] = [];
  let backend: { name: string; note?: string } | undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      let next = 0;
      let done = 0;
      const give = (child: ChildProcess): void => {
        const job = jobs[next++];
        if (job) child.send({ job, env: jobEnv } satisfies ToWorker);
        else child.send({ exit: true } satisfies ToWorker);
      };
      for (let w = 0; w < Math.min(cfg.workers, jobs.length); w++) {
        const child = fork(workerFile, [], { env: { ...process.env, ...threads }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
        children.push(child);
        let current: MmoeJob | undefined;
        child.on('message', (m: FromWorker) => {
          if ('ready' in m) backend ??= { name: m.backend, ...(m.note ? { note: m.note } : {}) };
          else if ('error' in m) return reject(new Error(`worker ${w + 1}${current ? ` (correlation ${current.correlation}, seed ${current.seed})` : ''}: ${m.error}`));
          else {
            record(m.runs).then(() => {
              env.log(jobLine(m.runs, ++done, jobs.length));
              if (done === jobs.length) resolve();
            }, reject);
          }
          current = jobs[next];
          give(child);
        });
        child.on('exit', (code) => {
          if (code !== 0 && done < jobs.length) reject(new Error(`worker ${w + 1} exited with code ${code} before the sweep finished`));
        });
      }
    });
  } finally {
    // Every worker has been told to exit once out of jobs; this only ends those left running by a failure.
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill();
  }
  return { config: cfg, backend: backend?.name ?? 'unknown', ...(backend?.note ? { backendNote: backend.note } : {}), journalJobs: all.length - jobs.length, runs: sortRuns(runs) };
}

/** Runs in a stable order (correlation, seed, architecture), whatever order the workers finished in. */
function sortRuns(runs: MmoeRun[]): MmoeRun[] {
  const order: readonly string[] = MMOE_SYNTH_ARCHS;
  return runs.sort((a, b) => a.correlation - b.correlation || a.seed - b.seed || order.indexOf(a.arch) - order.indexOf(b.arch));
}
