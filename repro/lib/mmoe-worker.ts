/**
 * A child process of the MMoE sweep (forked by mmoe-sweep.ts with the parent's tsx loader): it starts the
 * fastest backend once, then runs the jobs it is sent one at a time and sends their runs back. Several
 * of these with one BLAS thread each keep both cores busy through the parts of a run that are single-
 * threaded (data generation, CSV parsing, the per-batch JavaScript).
 */
import { selectBackend } from '../../src/exec/backend.js';
import { runMmoeJob, type MmoeJob, type MmoeJobEnv } from './mmoe-job.js';
import type { MmoeRun } from './mmoe-claims.js';

/** A message from the parent. */
export type ToWorker = { job: MmoeJob; env: MmoeJobEnv } | { exit: true };

/** A message to the parent. */
export type FromWorker = { ready: true; backend: string; note?: string } | { runs: MmoeRun[] } | { error: string };

const send = (m: FromWorker): void => void process.send!(m);

async function main(): Promise<void> {
  const backend = await selectBackend('auto');
  send({ ready: true, backend: backend.name, ...(backend.note ? { note: backend.note } : {}) });
  process.on('message', (m: ToWorker) => {
    if ('exit' in m) {
      process.disconnect();
      return;
    }
    runMmoeJob(m.job, m.env).then(
      (runs) => send({ runs }),
      (e: unknown) => send({ error: e instanceof Error ? e.message : String(e) }),
    );
  });
}

main().catch((e: unknown) => {
  send({ error: e instanceof Error ? e.message : String(e) });
  process.disconnect();
});
