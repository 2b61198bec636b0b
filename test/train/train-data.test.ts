/**
 * How `train` feeds its data to the model (real data pipeline, fake model runtime): output biases start at
 * the base rates of the whole training part even when the file is sorted by label; the shuffle buffer used
 * is recorded for resuming and reporting; an ordered file is warned about when the shuffle is bounded.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { train } from '../../src/train/train.js';
import { fitPreprocessor, readBatches, tableSizes } from '../../src/data/index.js';
import type { MetricsFile } from '../../src/artifact/run-record.js';
import { readCheckpoint } from '../../src/artifact/checkpoint.js';
import { fakeDeps, fakeIr } from './train-fakes.js';

let root: string;
beforeAll(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'mtl-train-data-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** 60,000 rows sorted by click: 40,000 zeros, then 20,000 ones (rate 1/3; more rows than the base-rate sample); buy = click on every other row. */
function sortedByLabel(): string {
  const lines = ['user,price,click,buy'];
  for (let i = 0; i < 60_000; i++) {
    const click = i < 40_000 ? 0 : 1;
    lines.push(`${i % 10},${(i % 13) / 13},${click},${click && i % 2}`);
  }
  const file = path.join(root, 'sorted.csv');
  writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

describe('train on a file sorted by label', () => {
  it('starts the output biases at logit(overall rate), not at the rate of the first rows, and records the shuffle buffer', async () => {
    const file = sortedByLabel();
    const biases: Array<Record<string, number> | undefined> = [];
    const deps = fakeDeps();
    const create = deps.createModelRuntime;
    const ir = fakeIr({ epochs: 1, batch: 1024 });
    const r = await train({
      ir,
      gates: () => undefined,
      data: { kind: 'file', path: file },
      baseDir: root,
      outDir: path.join(root, 'out'),
      deps: { ...deps, fitPreprocessor, readBatches, tableSizes, createModelRuntime: (i, o) => (biases.push(o.outputBias), create(i, o)) },
    });
    expect(r.interrupted).toBe(false);
    const logit = (p: number): number => Math.log(p / (1 - p));
    // ctr's base rate is 1/3 (logit -0.69); the first 20,000 rows are all 0 (logit -9.2). A sample of 20,000 of
    // 54,000 training rows has a rate within ±0.01 of 1/3 (±0.05 in logit) with overwhelming probability.
    expect(Math.abs(biases[0]!.ctr! - logit(1 / 3))).toBeLessThan(0.05);
    const m = JSON.parse(readFileSync(path.join(root, 'out', 'metrics.json'), 'utf8')) as MetricsFile;
    expect(m.settings.shuffleBuffer).toBe('all');
  });

  it('with a bounded shuffle buffer, trains through the streaming shuffle without a warning and records the buffer', async () => {
    const file = sortedByLabel();
    const deps = fakeDeps();
    const r = await train({
      ir: fakeIr({ epochs: 1, batch: 1024, shuffleBuffer: 4096 }),
      gates: () => undefined,
      data: { kind: 'file', path: file },
      baseDir: root,
      outDir: path.join(root, 'bounded'),
      deps: { ...deps, fitPreprocessor, readBatches, tableSizes },
    });
    // The streaming shuffle is uniform over the whole part: a file sorted by label needs no warning.
    expect(r.interrupted).toBe(false);
    expect(r.diagnostics).toEqual([]);
    const m = JSON.parse(readFileSync(path.join(root, 'bounded', 'metrics.json'), 'utf8')) as MetricsFile;
    expect(m.settings.shuffleBuffer).toBe(4096);
  });

  it('Ctrl-C while an epoch reads the file stops the read, and --resume then ends like a straight run', async () => {
    const file = sortedByLabel();
    const run = async (out: string, over: { signal?: AbortSignal; resume?: boolean; log?: { write: (s: string) => void; isTTY: boolean } } = {}) => {
      const deps = fakeDeps();
      return train({
        ir: fakeIr({ epochs: 2, batch: 1024 }),
        gates: () => undefined,
        data: { kind: 'file', path: file },
        baseDir: root,
        outDir: path.join(root, out),
        deps: { ...deps, fitPreprocessor, readBatches, tableSizes },
        ...over,
      });
    };
    const weights = async (out: string) => (await readCheckpoint(path.join(root, out, 'checkpoint')))!.states.current!.tensors;
    await run('straight');
    // The signal comes just before the first epoch reads its rows (whole part held: no batch before the read ends).
    const ac = new AbortController();
    const lines: string[] = [];
    const log = { write: (s: string) => (lines.push(s), s.startsWith('validation:') && ac.abort()), isTTY: false };
    const cut = await run('cut', { signal: ac.signal, log });
    expect(cut.interrupted).toBe(true);
    expect(lines.some((l) => l.startsWith('interrupted at epoch 1, batch 0'))).toBe(true);
    const done = await run('cut', { resume: true });
    expect(done.interrupted).toBe(false);
    expect(await weights('cut')).toEqual(await weights('straight'));
  });
});
