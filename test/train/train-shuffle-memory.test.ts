/**
 * `shuffle_buffer all` on a machine where the training part does not fit the quarter of memory set aside
 * for it: training warns (MTL5650), shuffles through a temporary file holding the rows that fit (the streaming
 * shuffle of `shuffle_buffer N`) and records that buffer. The machine's memory is faked small, so the test
 * needs no large file.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { tmpdir } from 'node:os';
import { train } from '../../src/train/train.js';
import { fitPreprocessor, readBatches, tableSizes } from '../../src/data/index.js';
import type { MetricsFile } from '../../src/artifact/run-record.js';
import { fakeDeps, fakeIr } from './train-fakes.js';

// 800 kB of "memory": a 200 kB budget, i.e. 10,000 rows of the fake model's 20 bytes (user, price, click, buy, row number).
vi.mock('node:os', async (original) => ({ ...(await original<typeof import('node:os')>()), totalmem: () => 800_000 }));

let root: string;
beforeAll(() => {
  root = mkdtempSync(path.join(tmpdir(), 'mtl-shuffle-memory-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('shuffle_buffer all, too large for memory', () => {
  it('warns, shuffles through a temporary file holding what fits, and records the buffer used', async () => {
    const lines = ['user,price,click,buy'];
    for (let i = 0; i < 30_000; i++) lines.push(`${i % 10},0.5,${i < 20_000 ? 0 : 1},0`);
    const file = path.join(root, 'sorted.csv');
    writeFileSync(file, lines.join('\n') + '\n');
    const deps = fakeDeps();
    const r = await train({
      ir: fakeIr({ epochs: 1, batch: 500 }),
      gates: () => undefined,
      data: { kind: 'file', path: file },
      baseDir: root,
      outDir: path.join(root, 'out'),
      deps: { ...deps, fitPreprocessor, readBatches, tableSizes },
    });
    const codes = r.diagnostics.map((d) => d.code);
    expect(codes).toContain('MTL5650');
    const w = r.diagnostics.find((d) => d.code === 'MTL5650')!;
    expect(w.message).toMatch(/^The training part of .*sorted\.csv \(\d{2},\d{3} rows, about 1 MiB encoded\) does not fit the memory set aside for shuffling: each epoch shuffles it through a temporary file, 10,000 rows in memory at a time\.$/);
    const m = JSON.parse(readFileSync(path.join(root, 'out', 'metrics.json'), 'utf8')) as MetricsFile;
    expect(m.settings.shuffleBuffer).toBe(10_000);
  });
});
