/**
 * The tune loop: sample trials, run each as `mtl train SPEC --set PATH=VALUE … --out TUNE_DIR/trials/NNNN`
 * in a child process (at most `parallel` at once, each with MTL_THREADS so that the threads add up to the
 * cores), advance them rung by rung (successive halving: a promoted trial continues with `--resume --epochs
 * E`, so every trial is a normal, finished run directory at each rung), journal every event, and keep
 * best.mtl and summary.json up to date.
 *
 * Repeatability: trial k's parameters depend only on the seed and the trials numbered ≤ k − parallel (it
 * waits until they are settled), and a promotion at a rung only on the trials numbered below it; so the same
 * seed and --parallel give the same trials whatever the timing, and a resumed tune the same as an
 * uninterrupted one.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, promises as fsp } from 'node:fs';
import * as path from 'node:path';
import type { ModelIR } from '../ir/types.js';
import type { MetricsFile } from '../artifact/run-record.js';
import { writeFileAtomic } from '../util/fs-atomic.js';
import { applySettings } from './ir-path.js';
import { appendEvent, JOURNAL, type TuneEvent, type TuneSettings } from './journal.js';
import { objectiveValue, toScore, type Objective } from './objective.js';
import { promotable } from './pruner.js';
import { sample, type Observation, type SamplerName } from './samplers.js';
import type { ParamValue, SpaceParam } from './space.js';
import { clock } from '../train/progress.js';

/** Where a trial stands. */
type Status = 'ready' | 'running' | 'waiting' | 'finished' | 'pruned' | 'failed';

/** One trial's state, rebuilt from the journal on resume. */
export interface TrialState {
  /** 1-based. */
  trial: number;
  params: Record<string, ParamValue>;
  seed: number;
  status: Status;
  /** The objective's value at each rung reached. */
  values: number[];
  /** The rung being (or to be) trained. */
  rung: number;
  /** True when training stopped early (the spec's early_stop): no further rung. */
  stoppedEarly: boolean;
  reason?: string;
}

/** Everything a tune needs. */
export interface TuneRun {
  settings: TuneSettings;
  /** The spec's absolute path, its text and checked IR (with source ranges). */
  specFile: string;
  specText: string;
  ir: ModelIR;
  space: SpaceParam[];
  objective: Objective;
  trials: number;
  /** The rungs' epochs; one rung without pruning. */
  rungs: number[];
  dir: string;
  /** `node bin/mtl.js` (the same mtl). */
  command: { node: string; bin: string };
  threadsPerTrial: number;
  log(line: string): void;
  signal?: AbortSignal;
}

/** What a tune ended with. */
export interface TuneOutcome {
  interrupted: boolean;
  trials: TrialState[];
  best?: TrialState;
}

/** A trial's run directory. */
export function trialDir(dir: string, trial: number): string {
  return path.join(dir, 'trials', String(trial).padStart(4, '0'));
}

/** Rebuild the trials from journal events (in order). */
export function replay(events: readonly TuneEvent[], rungs: readonly number[]): TrialState[] {
  const trials: TrialState[] = [];
  for (const e of events) {
    if (e.event === 'tune') continue;
    if (e.event === 'started') {
      trials[e.trial - 1] = { trial: e.trial, params: e.params, seed: e.seed, status: 'ready', values: [], rung: 0, stoppedEarly: false };
      continue;
    }
    const t = trials[e.trial - 1];
    if (!t) continue;
    if (e.event === 'rung') {
      t.values[e.rung] = e.value;
      t.stoppedEarly = e.stoppedEarly;
      t.rung = e.rung;
      t.status = 'waiting';
    } else if (e.event === 'finished') t.status = 'finished';
    else if (e.event === 'pruned') t.status = 'pruned';
    else {
      t.status = 'failed';
      t.reason = e.reason;
    }
  }
  // A trial waiting at its last rung (or stopped early) finished even if the journal did not say so yet.
  for (const t of trials) if (t && t.status === 'waiting' && (t.rung === rungs.length - 1 || t.stoppedEarly)) t.status = 'finished';
  return trials.filter(Boolean);
}

const settled = (t: TrialState): boolean => t.status === 'finished' || t.status === 'pruned' || t.status === 'failed';

/** The latest value of a trial that has one (its last rung's). */
function lastValue(t: TrialState): number | undefined {
  return t.values.length ? t.values[t.values.length - 1] : undefined;
}

/**
 * The best trial so far: the finished trial (trained to the last rung, or stopped early by the spec's
 * early_stop) with the best value; pruned trials never count, however good their value at a low rung.
 */
export function bestTrial(trials: readonly TrialState[], o: Objective): TrialState | undefined {
  let best: TrialState | undefined;
  for (const t of trials) {
    const v = lastValue(t);
    if (t.status !== 'finished' || v === undefined) continue;
    if (!best || toScore(o, v) > toScore(o, lastValue(best)!)) best = t;
  }
  return best;
}

/** The trials the sampler learns from for trial `k`: the settled ones numbered ≤ k − parallel. */
function historyFor(trials: readonly TrialState[], k: number, parallel: number, o: Objective): Observation[] | undefined {
  const upto = k - parallel;
  const out: Observation[] = [];
  for (let j = 1; j <= upto; j++) {
    const t = trials[j - 1];
    if (!t || !settled(t)) return undefined; // not yet: wait for it
    const v = lastValue(t);
    // A finished trial counts as fully trained (also when early stopping ended it before the last rung).
    if (t.status !== 'failed' && v !== undefined) out.push({ params: t.params, score: toScore(o, v), depth: t.status === 'finished' ? Number.MAX_SAFE_INTEGER : t.values.length });
  }
  return out;
}

/** For a trial waiting after rung r (not the last): 'promote', 'prune', or undefined while trials below it have not reached r. */
function decide(trials: readonly TrialState[], t: TrialState, o: Objective): 'promote' | 'prune' | undefined {
  const r = t.rung;
  const competing: number[] = [];
  for (const j of trials) {
    if (j.trial > t.trial) break;
    const v = j.values[r];
    if (v !== undefined) competing.push(toScore(o, v));
    else if (!settled(j)) return undefined;
  }
  return promotable(toScore(o, t.values[r]!), competing) ? 'promote' : 'prune';
}

/** How a trial's segment ended. */
interface SegmentEnd {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderrTail: string;
}

/** Run a tune to the end, or until the signal (then the children are stopped and the journal is consistent). */
export async function runTune(run: TuneRun, trials: TrialState[]): Promise<TuneOutcome> {
  const journal = path.join(run.dir, JOURNAL);
  const parallel = run.settings.parallel;
  const o = run.objective;
  const now = (): string => new Date().toISOString();
  const running = new Map<number, { child: ChildProcess; done: Promise<SegmentEnd>; started: number }>();
  const t0 = Date.now();
  let settledHere = 0;
  await fsp.mkdir(path.join(run.dir, 'trials'), { recursive: true });
  await writeResults(run, trials);

  const progress = (what: string): void => {
    const done = trials.filter(settled).length;
    const best = bestTrial(trials, o);
    const elapsed = (Date.now() - t0) / 1000;
    const left = run.trials - done;
    const eta = settledHere > 0 && left > 0 ? ` · ETA ${clock((elapsed / settledHere) * left)}` : '';
    run.log(`tune: ${what} · ${done}/${run.trials} trials done, ${running.size} running · best ${best ? `${fmt(lastValue(best)!)} (trial ${best.trial})` : '-'} · ${clock(elapsed)}${eta}\n`);
  };

  const start = async (t: TrialState): Promise<void> => {
    const out = trialDir(run.dir, t.trial);
    const epochs = run.rungs[t.rung]!;
    // Continue what is there: an interrupted segment's checkpoint (OUT.partial), else a finished rung's (OUT/checkpoint).
    const partial = await fsp.stat(path.join(`${out}.partial`, 'index.json')).then(() => true, () => false);
    if (!partial) await fsp.rm(`${out}.partial`, { recursive: true, force: true });
    const finished = await fsp.stat(path.join(out, 'checkpoint', 'index.json')).then(() => true, () => false);
    const resume = partial || (t.rung > 0 && finished);
    if (!resume) await fsp.rm(out, { recursive: true, force: true });
    const sets = Object.entries(t.params).flatMap(([k, v]) => ['--set', `${k}=${JSON.stringify(v)}`]);
    const args = [run.command.bin, 'train', run.specFile, '--out', out, '--epochs', String(epochs), '--seed', String(t.seed), '--format', 'json', ...sets, ...run.settings.train, ...(resume ? ['--resume'] : [])];
    const logFile = `${out}.log`;
    const logStream = createWriteStream(logFile, { flags: 'a' });
    logStream.write(`$ mtl ${args.slice(1).map((a) => (/^[\w./=:,@+-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ')}\n`);
    // A process group of its own: a terminal's Ctrl-C reaches only the tune, which stops the trials once.
    const child = spawn(run.command.node, args, { env: { ...process.env, MTL_THREADS: String(run.threadsPerTrial) }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let tail = '';
    child.stdout!.pipe(logStream, { end: false });
    child.stderr!.on('data', (b: Buffer) => {
      logStream.write(b);
      tail = (tail + b.toString('utf8')).slice(-4000);
    });
    const done = new Promise<SegmentEnd>((resolve) => {
      child.on('error', (e) => resolve({ code: -1, signal: null, stderrTail: String(e.message) }));
      child.on('close', (code, signal) => {
        logStream.end();
        resolve({ code, signal, stderrTail: tail });
      });
    });
    t.status = 'running';
    running.set(t.trial, { child, done, started: Date.now() });
    if (t.rung === 0 && !resume) progress(`trial ${t.trial} started (${describeParams(t.params)})`);
  };

  const finish = async (t: TrialState, end: SegmentEnd, seconds: number): Promise<void> => {
    const out = trialDir(run.dir, t.trial);
    if (end.code === 130 || end.signal) {
      t.status = 'ready'; // interrupted: continued on resume
      return;
    }
    if (end.code !== 0) return fail(t, failureReason(end.stderrTail, end.code));
    let m: MetricsFile;
    try {
      m = JSON.parse(await fsp.readFile(path.join(out, 'metrics.json'), 'utf8')) as MetricsFile;
    } catch (e) {
      return fail(t, `its metrics.json cannot be read (${(e as Error).message})`);
    }
    const value = objectiveValue(o, m.final);
    if (value === null) return fail(t, `the objective ${o.text} is undefined on its validation metrics`);
    t.values[t.rung] = value;
    t.stoppedEarly = m.stoppedEarly;
    const epochs = m.history.length;
    await appendEvent(journal, { event: 'rung', trial: t.trial, rung: t.rung, epochs, value, metrics: m.final, stoppedEarly: m.stoppedEarly, seconds, at: now() });
    if (t.rung === run.rungs.length - 1 || m.stoppedEarly) {
      t.status = 'finished';
      settledHere++;
      await appendEvent(journal, { event: 'finished', trial: t.trial, value, epochs, at: now() });
      await writeResults(run, trials);
      progress(`trial ${t.trial} finished: ${fmt(value)} after ${epochs} epoch(s)`);
    } else t.status = 'waiting';
  };

  const fail = async (t: TrialState, reason: string): Promise<void> => {
    t.status = 'failed';
    t.reason = reason;
    settledHere++;
    await appendEvent(journal, { event: 'failed', trial: t.trial, reason, at: now() });
    await writeResults(run, trials);
    progress(`trial ${t.trial} failed: ${reason}`);
  };

  for (;;) {
    if (run.signal?.aborted) break;
    // 1. promotions and prunings that can be decided, lowest trial first.
    for (const t of trials) {
      if (t.status !== 'waiting') continue;
      const d = decide(trials, t, o);
      if (d === 'promote') {
        t.rung++;
        t.status = 'ready';
      } else if (d === 'prune') {
        t.status = 'pruned';
        settledHere++;
        await appendEvent(journal, { event: 'pruned', trial: t.trial, value: t.values[t.rung]!, epochs: run.rungs[t.rung]!, at: now() });
        await writeResults(run, trials);
        progress(`trial ${t.trial} pruned at ${run.rungs[t.rung]} epoch(s): ${fmt(t.values[t.rung]!)}`);
      }
    }
    // 2. fill the free slots: segments of existing trials first (lowest number), then a new trial.
    let started = false;
    while (running.size < parallel) {
      const ready = trials.find((t) => t.status === 'ready');
      if (ready) {
        await start(ready);
        started = true;
        continue;
      }
      const k = trials.length + 1;
      if (k > run.trials) break;
      const history = historyFor(trials, k, parallel, o);
      if (!history) break;
      const params = sample(run.settings.sampler as SamplerName, run.space, run.settings.seed, k, history);
      const t: TrialState = { trial: k, params, seed: run.ir.train.seed, status: 'ready', values: [], rung: 0, stoppedEarly: false };
      trials.push(t);
      await appendEvent(journal, { event: 'started', trial: k, params, seed: t.seed, at: now() });
      await start(t);
      started = true;
    }
    if (running.size === 0) {
      if (started) continue;
      if (trials.some((t) => t.status === 'waiting')) continue; // decided on the next pass
      break; // nothing left
    }
    // 3. wait for a trial's segment to end, or for Ctrl-C.
    const ended = await Promise.race([
      ...[...running].map(([n, r]) => r.done.then((end) => ({ n, end, seconds: (Date.now() - r.started) / 1000 }))),
      ...(run.signal ? [abortPromise(run.signal)] : []),
    ]);
    if (!ended) break;
    running.delete(ended.n);
    await finish(trials[ended.n - 1]!, ended.end, ended.seconds);
  }

  const interrupted = Boolean(run.signal?.aborted) && (running.size > 0 || trials.length < run.trials || trials.some((t) => !settled(t)));
  if (running.size) {
    // Ctrl-C: every running trial writes its resumable checkpoint (train's own SIGINT handling) and exits.
    for (const [, r] of running) signalGroup(r.child, 'SIGINT');
    const ends = await Promise.all([...running].map(async ([n, r]) => ({ n, end: await r.done })));
    for (const { n } of ends) trials[n - 1]!.status = 'ready';
    running.clear();
  }
  await writeResults(run, trials);
  const best = bestTrial(trials, o);
  return { interrupted, trials, ...(best ? { best } : {}) };
}

/** Resolves (to undefined) when the signal aborts. */
function abortPromise(signal: AbortSignal): Promise<undefined> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve(undefined);
    signal.addEventListener('abort', () => resolve(undefined), { once: true });
  });
}

/** Send a signal to a child's process group (it was spawned detached), else to the child. */
function signalGroup(child: ChildProcess, sig: NodeJS.Signals): void {
  try {
    if (child.pid !== undefined) process.kill(-child.pid, sig);
  } catch {
    child.kill(sig);
  }
}

/** The reason a trial failed, from the end of its stderr: its diagnostics' first lines. */
function failureReason(tail: string, code: number | null): string {
  const lines = tail.split('\n').map((l) => l.trimEnd()).filter((l) => /\b(error|MTL\d{4})\b/.test(l));
  return lines.length ? lines.slice(0, 3).join(' | ') : `mtl train exited with status ${code}`;
}

/** A value for progress lines. */
function fmt(v: number): string {
  return v.toFixed(Math.abs(v) < 10 ? 4 : 2);
}

/** Parameters for a progress line. */
export function describeParams(p: Record<string, ParamValue>): string {
  return Object.entries(p).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(' ');
}

/** Write summary.json and best.mtl (atomically: a reader never sees half a file). */
async function writeResults(run: TuneRun, trials: readonly TrialState[]): Promise<void> {
  const best = bestTrial(trials, run.objective);
  const summary = {
    version: 1,
    spec: run.settings.spec,
    objective: run.objective.text,
    direction: run.objective.direction,
    sampler: run.settings.sampler,
    pruner: run.settings.pruner,
    seed: run.settings.seed,
    rungs: run.rungs,
    trials: trials.map((t) => ({
      trial: t.trial,
      status: t.status === 'waiting' || t.status === 'ready' ? 'running' : t.status,
      params: t.params,
      value: lastValue(t) ?? null,
      epochs: t.values.length ? run.rungs[t.values.length - 1] : 0,
      dir: path.relative(run.dir, trialDir(run.dir, t.trial)),
      ...(t.reason ? { reason: t.reason } : {}),
    })),
    best: best ? { trial: best.trial, value: lastValue(best), params: best.params, dir: path.relative(run.dir, trialDir(run.dir, best.trial)) } : null,
  };
  await writeFileAtomic(path.join(run.dir, 'summary.json'), JSON.stringify(summary, null, 2) + '\n');
  if (best) {
    const { text } = applySettings(run.specText, run.ir, best.params);
    const head = `# Tuned by mtl tune: trial ${best.trial} of ${path.basename(run.dir)}, ${run.objective.text} = ${fmt(lastValue(best)!)} on the validation part.\n`;
    await writeFileAtomic(path.join(run.dir, 'best.mtl'), head + text);
  }
}
