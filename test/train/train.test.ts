import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { train, type TrainOptions } from '../../src/train/train.js';
import { readCheckpoint } from '../../src/artifact/checkpoint.js';
import { isMtlError } from '../../src/diagnostics/error.js';
import type { MetricsFile } from '../../src/artifact/run-record.js';
import { FAKE_DATA, fakeDeps, fakeIr, type FakeRuntime } from './train-fakes.js';

let root: string;
beforeEach(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'mtl-train-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

function opts(outDir: string, over: Partial<TrainOptions> = {}): TrainOptions {
  return { ir: fakeIr(), gates: () => undefined, data: FAKE_DATA, baseDir: root, outDir: path.join(root, outDir), deps: fakeDeps(), ...over };
}

async function finalWeights(outDir: string): Promise<Record<string, number[]>> {
  const ck = await readCheckpoint(path.join(root, outDir, 'checkpoint'));
  return Object.fromEntries(Object.entries(ck!.states.current!.tensors).map(([k, t]) => [k, Array.from(t.data)]));
}

/** History without timings (they differ between runs). */
function stable(h: Array<{ seconds: number; samplesPerSecond: number }>): unknown[] {
  return h.map(({ seconds: _s, samplesPerSecond: _r, ...rest }) => rest);
}

describe('train (fake runtime)', () => {
  it('trains, validates, records history and writes the model directory', async () => {
    const runtimes: FakeRuntime[] = [];
    const r = await train(opts('m', { deps: fakeDeps({ runtimes }) }));
    expect(r.interrupted).toBe(false);
    expect(r.history.map((h) => h.epoch)).toEqual([1, 2]);
    expect(r.history[0]!.samples).toBe(96); // 120 rows, every 5th held out
    expect(Object.keys(r.history[0]!.taskLosses)).toEqual(['ctr', 'ctcvr']);
    expect(r.history[1]!.loss).toBeLessThan(r.history[0]!.loss);
    expect(Object.keys(r.metrics).sort()).toEqual(['ctcvr', 'ctr', 'cvr']);
    expect(r.metrics.ctr!.auc).toBeGreaterThan(0.7);
    expect(r.metrics.cvr).toHaveProperty(['auc(buy)@click']);
    expect(r.bestEpoch).toBe(2);
    expect(runtimes[0]!.disposed).toBe(true);
    const dir = path.join(root, 'm');
    expect(readdirSync(dir).sort()).toEqual(['README.md', 'checkpoint', 'ir.json', 'metrics.json', 'model.json', 'mtl-artifact.json', 'preprocess.json', 'weights.bin']);
    const m = JSON.parse(readFileSync(path.join(dir, 'metrics.json'), 'utf8')) as MetricsFile;
    expect(m.final).toEqual(r.metrics);
    expect(m.history).toHaveLength(2);
    expect(m.seed).toBe(42);
    expect(m.settings.batch).toBe(16);
    expect(m.data.train).toEqual(FAKE_DATA);
    expect(readdirSync(root)).toEqual(['m']);
  });

  it('is repeatable with the same seed and differs with another', async () => {
    const a = await train(opts('a'));
    const b = await train(opts('b'));
    const c = await train(opts('c', { overrides: { seed: 7 } }));
    expect(stable(a.history)).toEqual(stable(b.history));
    expect(await finalWeights('a')).toEqual(await finalWeights('b'));
    expect(await finalWeights('c')).not.toEqual(await finalWeights('a'));
  });

  it('resumes after a finished epoch with the same result as an uninterrupted run', async () => {
    const straight = await train(opts('straight'));
    const first = await train(opts('resumed', { overrides: { epochs: 1 } }));
    expect(first.history).toHaveLength(1);
    const second = await train(opts('resumed', { resume: true, overrides: { epochs: 2 } }));
    expect(stable(second.history)).toEqual(stable(straight.history));
    expect(second.metrics).toEqual(straight.metrics);
    expect(await finalWeights('resumed')).toEqual(await finalWeights('straight'));
    const exported = JSON.parse(readFileSync(path.join(root, 'resumed', 'metrics.json'), 'utf8')) as MetricsFile;
    expect(exported.final).toEqual(straight.metrics);
  });

  it('on abort finishes the step, writes a resumable checkpoint and resumes identically', async () => {
    const straight = await train(opts('straight'));
    const ac = new AbortController();
    const lines: string[] = [];
    // 96 training rows / 16 = 6 steps per epoch: stop in the middle of epoch 2.
    const deps = fakeDeps({ hooks: { onStep: (s) => s === 9 && ac.abort() } });
    const r1 = await train(opts('cut', { deps, signal: ac.signal, log: { write: (s) => lines.push(s), isTTY: false } }));
    expect(r1.interrupted).toBe(true);
    expect(r1.history).toHaveLength(1);
    expect(lines.join('')).toContain('interrupted at epoch 2, batch 3');
    expect(existsSync(path.join(root, 'cut'))).toBe(false);
    // An interrupted run leaves its state in the staging directory OUT.partial, where --resume looks.
    const ck = await readCheckpoint<{ position: unknown }>(path.join(root, 'cut.partial'));
    expect(ck!.info.position).toEqual({ epoch: 2, batch: 3 });
    const r2 = await train(opts('cut', { resume: true }));
    expect(r2.interrupted).toBe(false);
    expect(stable(r2.history)).toEqual(stable(straight.history));
    expect(await finalWeights('cut')).toEqual(await finalWeights('straight'));
    expect(existsSync(path.join(root, 'cut', 'model.json'))).toBe(true);
    expect(existsSync(path.join(root, 'cut.partial'))).toBe(false);
  });

  it('a run without --resume says it discards an interrupted run\'s checkpoint, and removes it when done', async () => {
    const ac = new AbortController();
    const r1 = await train(opts('over', { deps: fakeDeps({ hooks: { onStep: (s) => s === 3 && ac.abort() } }), signal: ac.signal }));
    expect(r1.interrupted).toBe(true);
    expect(existsSync(path.join(root, 'over.partial', 'index.json'))).toBe(true);
    const lines: string[] = [];
    const r2 = await train(opts('over', { log: { write: (t) => lines.push(t), isTTY: false } }));
    expect(r2.interrupted).toBe(false);
    expect(lines[0]).toBe(`starting over: the interrupted run's checkpoint in ${path.join(root, 'over.partial')} is discarded (--resume continues it instead)\n`);
    expect(r2.history[0]!.epoch).toBe(1);
    expect(readdirSync(root).filter((n) => n.startsWith('over'))).toEqual(['over']);
  });

  it('refuses to resume with another spec, another seed, or without a checkpoint', async () => {
    await train(opts('m', { overrides: { epochs: 1 } }));
    const other = fakeIr();
    other.tasks[1]!.weight = 2;
    const e1 = await train(opts('m', { ir: other, resume: true })).catch((e: unknown) => e);
    expect(isMtlError(e1) && e1.diagnostics[0]!.code).toBe('MTL5300');
    expect((e1 as { diagnostics: Array<{ hint?: string }> }).diagnostics[0]!.hint).toContain('without --resume');
    const e2 = await train(opts('m', { resume: true, overrides: { seed: 9 } })).catch((e: unknown) => e);
    expect(isMtlError(e2) && e2.diagnostics[0]!.message).toContain('seed 42, not 9');
    const e3 = await train(opts('none', { resume: true })).catch((e: unknown) => e);
    expect(isMtlError(e3) && e3.diagnostics[0]!.code).toBe('MTL5301');
    // Comments/locations and epochs do not count as a different spec.
    const moved = fakeIr({ epochs: 2 });
    moved.loc = { start: { line: 3, character: 0 }, end: { line: 9, character: 1 } };
    moved.doc = 'changed docs';
    const ok = await train(opts('m', { ir: moved, resume: true }));
    expect(ok.history).toHaveLength(2);
  });

  it('stops early and exports the best epoch', async () => {
    const ir = fakeIr({ epochs: 6, lr: 40 }); // a huge learning rate makes validation logloss worsen
    ir.train.earlyStop = { terms: [{ coef: 1, metric: { fn: 'logloss', output: 'ctr' } }], mode: 'min', patience: 1 };
    const r = await train(opts('es', { ir }));
    const scores = r.history.map((h) => h.score as number);
    expect(r.stoppedEarly).toBe(true);
    const best = Math.min(...scores);
    expect(r.bestEpoch).toBe(scores.indexOf(best) + 1);
    expect(r.history.length).toBe(r.bestEpoch! + 1); // patience 1: stops after one epoch without improvement
    expect(r.metrics).toEqual(r.history[r.bestEpoch! - 1]!.metrics);
    const m = JSON.parse(readFileSync(path.join(root, 'es', 'metrics.json'), 'utf8')) as MetricsFile;
    expect(m.bestEpoch).toBe(r.bestEpoch);
    expect(m.stoppedEarly).toBe(true);
    // A resume of a stopped run trains nothing more.
    const again = await train(opts('es', { ir, resume: true }));
    expect(again.history).toHaveLength(r.history.length);
    expect(again.bestEpoch).toBe(r.bestEpoch);
  });

  it('does not call a run that reached its last epoch "stopped early"', async () => {
    const ir = fakeIr({ epochs: 2, lr: 40 });
    ir.train.earlyStop = { terms: [{ coef: 1, metric: { fn: 'logloss', output: 'ctr' } }], mode: 'min', patience: 1 };
    const r = await train(opts('last', { ir }));
    expect(r.history).toHaveLength(2);
    expect(r.stoppedEarly).toBe(false);
  });

  it('reports undefined metrics as null with a warning, never NaN', async () => {
    const ir = fakeIr({ epochs: 1 });
    ir.train.earlyStop = { terms: [{ coef: 1, metric: { fn: 'auc', output: 'cvr', label: { label: 'buy' }, mask: { label: 'click' } } }], mode: 'max', patience: 0 };
    const warnings: string[] = [];
    const messages: string[] = [];
    const r = await train(opts('nul', { ir, deps: fakeDeps({ data: { buy: 0 } }), onWarning: (d) => (warnings.push(d.code), messages.push(d.message)) }));
    expect(r.metrics.cvr!['auc(buy)@click']).toBeNull();
    expect(r.history[0]!.score).toBeNull();
    expect(warnings).toContain('MTL5305');
    expect(warnings).toContain('MTL5306');
    expect(messages.find((m) => m.startsWith("Metric 'auc(buy)@click'"))).toMatch(/undefined on the validation split \(valid_split 0\.\d+\) of built-in/);
    expect(r.diagnostics.every((d) => d.severity === 'warning')).toBe(true);
    const text = readFileSync(path.join(root, 'nul', 'metrics.json'), 'utf8');
    expect(text).not.toContain('NaN');
    expect(JSON.parse(text).final.cvr['auc(buy)@click']).toBeNull();
  });

  it('warns once when there are no validation rows', async () => {
    const ir = fakeIr();
    const deps = fakeDeps();
    const read = deps.readBatches;
    deps.readBatches = (i, s, d, o) => (o.part === 'valid' ? (async function* () {})() : read(i, s, d, o));
    const r = await train(opts('nv', { ir, deps }));
    expect(r.diagnostics.map((d) => d.code)).toEqual(['MTL5307']);
    // The warning says which validation part it means: the split of the training data here.
    expect(r.diagnostics[0]!.message).toMatch(/no validation rows in the validation split \(valid_split 0\.\d+\) of built-in/);
    expect(r.metrics).toEqual({});
    expect(r.bestEpoch).toBe(2);
  });

  it('stops on a non-finite loss and keeps the last good checkpoint', async () => {
    const e = await train(opts('nan', { deps: fakeDeps({ hooks: { nanAtStep: 8 } }) })).catch((x: unknown) => x);
    expect(isMtlError(e) && e.diagnostics[0]!.code).toBe('MTL5309');
    expect((e as Error).message).toContain('epoch 2, batch 2');
    expect(existsSync(path.join(root, 'nan'))).toBe(false);
    const ck = await readCheckpoint<{ history: unknown[] }>(path.join(root, 'nan.partial'));
    expect(ck!.info.history).toHaveLength(1);
  });

  it('replaces a previous model only at the end', async () => {
    await train(opts('m', { overrides: { epochs: 1 } }));
    const before = readFileSync(path.join(root, 'm', 'model.json'), 'utf8');
    const ckBefore = readFileSync(path.join(root, 'm', 'checkpoint', 'index.json'));
    const e = await train(opts('m', { deps: fakeDeps({ hooks: { nanAtStep: 8 } }) })).catch((x: unknown) => x);
    expect(isMtlError(e)).toBe(true);
    expect(readFileSync(path.join(root, 'm', 'model.json'), 'utf8')).toBe(before);
    // The failed run's epoch-1 checkpoint went to the staging directory, not over the model's own.
    expect(readFileSync(path.join(root, 'm', 'checkpoint', 'index.json'))).toEqual(ckBefore);
    expect(existsSync(path.join(root, 'm.partial', 'index.json'))).toBe(true);
  });

  it('prints progress: plain lines off a terminal, one rewritten line on a terminal', async () => {
    const plain: string[] = [];
    await train(opts('p', { log: { write: (s) => plain.push(s), isTTY: false, every: 2 } }));
    expect(plain.every((s) => s.endsWith('\n') && !s.includes('\r'))).toBe(true);
    expect(plain.filter((s) => s.startsWith('epoch 1/2  batch')).length).toBe(3);
    // The epoch summary: losses on the first line, validation metrics on indented lines, none over 100 columns.
    const summaryLine = plain.find((s) => s.startsWith('epoch 2/2  loss'))!;
    expect(summaryLine).toMatch(/^epoch 2\/2 {2}loss [\d.]+ \(ctr [\d.]+, ctcvr [\d.]+\) .*samples\/s .*\n {2}valid {2}.*ctr\.auc [\d.]+/);
    expect(summaryLine.split('\n').every((l) => l.length <= 100)).toBe(true);
    // Plain progress lines give batch b/B, the percentage and the epoch's ETA.
    expect(plain.find((s) => s.startsWith('epoch 1/2  batch'))).toMatch(/^epoch 1\/2 {2}batch \d+\/\d+ {2}\d+% {2}[\d,]+ samples\/s {2}loss [\d.]+ {2}eta \d+:\d\d\n$/);
    const tty: string[] = [];
    let t = 0;
    await train(opts('q', { log: { write: (s) => tty.push(s), isTTY: true, now: () => (t += 150) } }));
    const updates = tty.filter((s) => s.startsWith('\r\x1b[Kepoch'));
    expect(updates.length).toBeGreaterThan(0);
    expect(updates.every((s) => !s.endsWith('\n'))).toBe(true);
    // Full lines: the two preprocessing lines (before the first step, so a large file never looks hung), which
    // part the metrics are computed on, and one summary per epoch.
    expect(tty.filter((s) => s.endsWith('\n')).map((s) => s.split(/\s/)[0])).toEqual(['preprocessing:', 'preprocessing:', 'validation:', 'epoch', 'epoch']);
    expect(tty.find((s) => s.startsWith('validation:'))).toMatch(/^validation: the validation split \(valid_split 0\.\d+\) of /);
  });
});
