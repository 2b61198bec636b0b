/**
 * `mtl train` of a noisy-topk spec on the native backend, as a user runs it: the direct step trains it (and
 * the log says so), and a finished run resumed for more epochs ends with exactly the weights of a run that
 * trained that long at once — the gate noise is drawn from (seed, step number), which the checkpoint records.
 * Skipped without the OpenBLAS addon (the direct step's gate math itself: test/model/direct-step-topk.test.ts).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../cli/run-cli.js';
import { ROOT, tempDir } from '../cli/helpers.js';
import { loadNativeBlas, nativeBlasError } from '../../src/exec/native-blas.js';

const addon = loadNativeBlas() !== undefined;
const tmp = tempDir('mtl-noisy-topk-train-');
afterAll(() => tmp.cleanup());

/** specs/mmoe.mtl (census-income group 1, built-in data) with both gates noisy-topk, noise and importance loss on. */
function writeSpec(): string {
  const text = readFileSync(path.join(ROOT, 'specs', 'mmoe.mtl'), 'utf8').replace(/= softmax over e/g, '= noisy-topk(k: 2, balance_weight: 0.1) over e');
  expect(text.match(/noisy-topk/g)).toHaveLength(2);
  const file = path.join(tmp.dir, 'mmoe-topk.mtl');
  writeFileSync(file, text);
  return file;
}

describe.skipIf(!addon)(`mtl train with noisy-topk gates on the native backend${addon ? '' : ` (SKIPPED: ${nativeBlasError()})`}`, () => {
  it('trains on the direct step, and a resumed run ends with the weights of an uninterrupted one', async () => {
    const spec = writeSpec();
    const train = (out: string, epochs: number, more: string[] = []) =>
      runCli(['train', spec, '--rows', '3000', '--epochs', String(epochs), '--backend', 'native', '--out', path.join(tmp.dir, out), ...more], { cwd: tmp.dir });
    const straight = await train('straight', 2);
    expect(straight.code, straight.stderr).toBe(0);
    expect(straight.stderr).toContain("training step: direct (mtl's kernels, no tfjs tape)");
    const first = await train('resumed', 1);
    expect(first.code, first.stderr).toBe(0);
    const resumed = await train('resumed', 2, ['--resume']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toContain('training step: direct');
    // The exported model and the checkpoint's every tensor (optimiser moments and embedding tables too), byte for byte.
    for (const file of ['weights.bin', path.join('checkpoint', 'tensors.bin')]) {
      const bytes = (dir: string): Buffer => readFileSync(path.join(tmp.dir, dir, file));
      expect(bytes('resumed').equals(bytes('straight')), file).toBe(true);
    }
  }, 120_000);
});
