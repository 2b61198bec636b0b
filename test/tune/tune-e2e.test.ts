/**
 * `mtl tune` end to end through bin/mtl.js on a tiny spec: the outputs (trial run directories, journal,
 * summary.json, best.mtl with the spec's comments, `mtl compare TUNE_DIR`), Ctrl-C and resume giving the
 * same trials as an uninterrupted tune with that seed, the directory lock, a changed tune refused on resume,
 * a failed trial, and a bad space file.
 */
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import type { spawn } from 'node:child_process';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDist, runBin, runBinSignalling } from '../e2e/helpers.js';
import { hasStackTrace, tempDir } from '../cli/helpers.js';
import { checkText } from '../../src/language/check.js';
import { writeTuneFiles } from './helpers.js';

interface Summary {
  trials: Array<{ trial: number; status: string; params: Record<string, unknown>; value: number | null; epochs: number }>;
  best: { trial: number; value: number; params: Record<string, unknown> } | null;
}

const tmp = tempDir('mtl-tune-');
let files: { spec: string; space: string };
const TUNE = (out: string, extra: string[] = []): string[] => ['tune', files.spec, '--space', files.space, '--out', out, '--trials', '4', '--seed', '3', '--parallel', '2', '--backend', 'wasm', ...extra];
const summary = (dir: string): Summary => JSON.parse(readFileSync(path.join(dir, 'summary.json'), 'utf8')) as Summary;

beforeAll(() => {
  ensureDist();
  files = writeTuneFiles(tmp.dir);
}, 600_000);
afterAll(() => tmp.cleanup());

describe('mtl tune (bin/mtl.js)', { timeout: 600_000 }, () => {
  let straight: Summary;

  it('runs trials as run directories, journals them, and writes summary.json and best.mtl', async () => {
    const out = path.join(tmp.dir, 'a');
    const r = await runBin(TUNE(out), { cwd: tmp.dir });
    expect(r.stderr).not.toSatisfy(hasStackTrace);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/tune: trial 4 (finished|pruned)/);
    expect(r.stderr).toMatch(/trials done, \d running · best [\d.]+ \(trial \d\)/);
    expect(r.stdout).toMatch(/Best: trial \d, auc\(ctr\) \+ auc\(ctcvr\) = [\d.]+ \(validation\)/);
    straight = summary(out);
    expect(straight.trials.map((t) => t.trial)).toEqual([1, 2, 3, 4]);
    for (const t of straight.trials) {
      expect(['finished', 'pruned']).toContain(t.status);
      const run = path.join(out, 'trials', String(t.trial).padStart(4, '0'));
      const metrics = JSON.parse(readFileSync(path.join(run, 'metrics.json'), 'utf8')) as { history: unknown[]; settings: { lr: number; batch: number } };
      expect(metrics.history.length).toBe(t.epochs);
      expect(metrics.settings.lr).toBe(t.params['train.lr']);
      expect(metrics.settings.batch).toBe(t.params['train.batch']);
    }
    // Successive halving: with rungs 1 and 3, a pruned trial trained 1 epoch, a finished one 3.
    expect(straight.trials.every((t) => (t.status === 'pruned' ? t.epochs === 1 : t.epochs === 3))).toBe(true);
    const events = readFileSync(path.join(out, 'tune.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { event: string });
    expect(events[0]!.event).toBe('tune');
    expect(events.filter((e) => e.event === 'started')).toHaveLength(4);
    // best.mtl: the spec's text with the best values written in; comments kept; valid.
    const best = readFileSync(path.join(out, 'best.mtl'), 'utf8');
    expect(best).toContain('# the click tower');
    expect(best).toContain(`lr ${straight.best!.params['train.lr']}`);
    expect(best).toContain(`batch ${straight.best!.params['train.batch']}`);
    expect(checkText(best, { file: 'best.mtl' }).diagnostics).toEqual([]);
    // mtl compare on the tune directory compares its trials.
    const cmp = await runBin(['compare', out], { cwd: tmp.dir });
    expect(cmp.code).toBe(0);
    for (const n of ['0001', '0002', '0003', '0004']) expect(cmp.stdout).toContain(path.join('a', 'trials', n));
  });

  it('Ctrl-C stops the trials and exits 130; the same command continues to the same trials; a second tune on the directory is refused', async () => {
    const out = path.join(tmp.dir, 'b');
    let locked: Awaited<ReturnType<typeof runBin>> | undefined;
    const first = await runBinSignalling(TUNE(out), /trial 3 started/, 'SIGINT', tmp.dir);
    expect(first.signalled).toBe(true);
    expect(first.code).toBe(130);
    expect(first.stderr).toMatch(/interrupted; .* Continue with: mtl tune /);
    expect(first.stderr).not.toSatisfy(hasStackTrace);
    const done = summary(out).trials.filter((t) => t.status !== 'running').length;
    expect(done).toBeLessThan(4);
    // Resume, and meanwhile try a second tune on the same directory. The resumed tune is paused (SIGSTOP) once it
    // holds the directory lock, so the second one meets the lock however fast or slow the trials run.
    let paused: ((child: ReturnType<typeof spawn>) => void) | undefined;
    const pausedChild = new Promise<ReturnType<typeof spawn>>((resolve) => (paused = resolve));
    const resumed = runBin(TUNE(out), {
      cwd: tmp.dir,
      onStderr: (all, child) => {
        if (paused && /continuing/.test(all)) {
          child.kill('SIGSTOP');
          paused(child);
          paused = undefined;
        }
      },
    });
    const held = await pausedChild;
    try {
      locked = await runBin(TUNE(out), { cwd: tmp.dir });
    } finally {
      held.kill('SIGCONT');
    }
    const second = await resumed;
    expect(second.code).toBe(0);
    expect(second.stderr).toMatch(/continuing: \d trials done/);
    expect(locked.code).toBe(1);
    expect(locked.stderr).toMatch(/MTL5334/);
    const again = summary(out);
    expect(again.trials.map((t) => [t.trial, t.status, t.params, t.epochs])).toEqual(straight.trials.map((t) => [t.trial, t.status, t.params, t.epochs]));
    again.trials.forEach((t, i) => expect(t.value).toBeCloseTo(straight.trials[i]!.value!, 6));
    expect(again.best!.trial).toBe(straight.best!.trial);
  });

  it('refuses to resume with other settings (MTL5716), and a directory that is not a tune', async () => {
    const other = await runBin(TUNE(path.join(tmp.dir, 'a'), ['--sampler', 'random']), { cwd: tmp.dir });
    expect(other.code).toBe(1);
    expect(other.stderr).toMatch(/MTL5716.*sampler \(was tpe, now random\)/);
    const foreign = path.join(tmp.dir, 'foreign');
    await import('node:fs/promises').then((f) => f.mkdir(foreign)).then(() => writeFileSync(path.join(foreign, 'notes.txt'), 'mine'));
    const r = await runBin(TUNE(foreign), { cwd: tmp.dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/MTL5716.*no tune\.jsonl/);
    expect(readFileSync(path.join(foreign, 'notes.txt'), 'utf8')).toBe('mine');
  });

  it('an invalid combination is a failed trial with its diagnostics; the tune goes on', async () => {
    const space = path.join(tmp.dir, 'bad-units.yaml');
    writeFileSync(space, 'params:\n  towers.ctr.units: { choice: [0, 8] }\n');
    const out = path.join(tmp.dir, 'c');
    const r = await runBin(['tune', files.spec, '--space', space, '--out', out, '--trials', '4', '--seed', '1', '--pruner', 'none', '--epochs', '1', '--backend', 'wasm'], { cwd: tmp.dir });
    const s = summary(out);
    const failed = s.trials.filter((t) => t.status === 'failed');
    expect(failed.length).toBeGreaterThan(0);
    expect(failed.every((t) => t.params['towers.ctr.units'] === 0)).toBe(true);
    expect(r.stderr).toMatch(/warning MTL5718: Trial \d failed: .*MTL3011/);
    expect(r.code).toBe(s.best ? 0 : 1);
    expect(existsSync(path.join(out, 'trials'))).toBe(true);
    expect(readdirSync(path.join(out, 'trials')).some((n) => n.endsWith('.log'))).toBe(true);
  });

  it('a bad space file: located diagnostics, exit 1, nothing written', async () => {
    const space = path.join(tmp.dir, 'bad.yaml');
    writeFileSync(space, 'params:\n  train.lrr: { loguniform: [0.001, 0.1] }\n  train.batch: { int: [64, 32] }\n');
    const out = path.join(tmp.dir, 'd');
    const r = await runBin(['tune', files.spec, '--space', space, '--out', out], { cwd: tmp.dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("bad.yaml:2:3: error MTL5712: 'train.lrr' names no setting of the spec: 'train' has no setting 'lrr'.");
    expect(r.stderr).toContain("Did you mean 'lr'?");
    expect(r.stderr).toMatch(/bad\.yaml:3:\d+: error MTL5714/);
    expect(r.stderr).not.toSatisfy(hasStackTrace);
    expect(existsSync(out)).toBe(false);
  });
});
