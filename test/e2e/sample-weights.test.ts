/**
 * Sample weights end to end, with the real binary: a spec with `weight_by` trains on a CSV that has a weight
 * column, metrics.json and `mtl eval` report the weighted metrics next to the unweighted ones, and a bad
 * weight stops training with the file, row and column, exit 1 and no stack trace. The generated PyTorch package
 * (`mtl compile --target pytorch`) trains on the same files and reports the same weighted metric keys.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasStackTrace, tempDir } from '../cli/helpers.js';
import { ensureDist, runBin } from './helpers.js';
import { TINY_SPEC } from './tiny.js';
import { runPython, torchPython } from '../targets/python-env.js';

const tmp = tempDir('mtl-e2e-weights-');
afterAll(() => tmp.cleanup());

const SPEC = TINY_SPEC.replace('task ctcvr = ctr * cvr loss bce(click & buy)', 'task ctcvr = ctr * cvr loss bce(click & buy) weight_by delay')
  .replace('train { optimizer adam lr 0.01 batch 16 epochs 2 seed 7 }', 'train { optimizer adam lr 0.01 batch 64 epochs 1 seed 7 weight_by iw }\n\nmetric auc(ctr) weight_by delay\n');

/** `file` with two weight columns appended: `iw` (0 to 3 by the row's parity and position) and `delay`. */
function addWeights(file: string, bad?: { row: number; value: string }): string {
  const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
  const out = lines.map((line, i) => {
    if (i === 0) return `${line},iw,delay`;
    const iw = bad && i + 1 === bad.row ? bad.value : String((i % 4) * 0.75);
    return `${line},${iw},${(1 + (i % 3)) / 2}`;
  });
  const target = file.replace(/\.csv$/, bad ? '-bad.csv' : '-w.csv');
  writeFileSync(target, out.join('\n') + '\n');
  return target;
}

describe('sample weights with the real binary', () => {
  let spec: string;
  let train: string;
  let valid: string;
  beforeAll(async () => {
    ensureDist();
    spec = path.join(tmp.dir, 'weighted.mtl');
    writeFileSync(spec, SPEC);
    expect((await runBin(['data', 'synth', 'esmm', '--out', path.join(tmp.dir, 'train.csv'), '--rows', '3000', '--seed', '1'])).code).toBe(0);
    expect((await runBin(['data', 'synth', 'esmm', '--out', path.join(tmp.dir, 'valid.csv'), '--rows', '1000', '--seed', '2'])).code).toBe(0);
    train = addWeights(path.join(tmp.dir, 'train.csv'));
    valid = addWeights(path.join(tmp.dir, 'valid.csv'));
  }, 300_000);

  it('trains, and metrics.json and mtl eval report the weighted metrics beside the unweighted ones', async () => {
    const out = path.join(tmp.dir, 'run');
    const r = await runBin(['train', spec, '--data', train, '--valid', valid, '--out', out], { cwd: tmp.dir });
    expect(r.code, r.stderr).toBe(0);
    const metrics = JSON.parse(readFileSync(path.join(out, 'metrics.json'), 'utf8')) as { final: Record<string, Record<string, number | null>> };
    expect(Object.keys(metrics.final['ctr']!).sort()).toEqual(['auc', 'auc*delay', 'auc*iw', 'logloss', 'logloss*iw']);
    expect(Object.keys(metrics.final['ctcvr']!).sort()).toEqual(['auc', 'auc*iw*delay', 'logloss', 'logloss*iw*delay']);
    for (const values of Object.values(metrics.final)) for (const v of Object.values(values)) expect(v).toBeTypeOf('number');
    // The weights change the value: a weighted logloss is not the unweighted one.
    expect(metrics.final['ctr']!['logloss*iw']).not.toBeCloseTo(metrics.final['ctr']!['logloss']!, 6);
    const e = await runBin(['eval', out, '--data', valid, '--format', 'json'], { cwd: tmp.dir });
    expect(e.code, e.stderr).toBe(0);
    const evaluated = JSON.parse(e.stdout) as { metrics: Record<string, Record<string, number | null>> };
    expect(evaluated.metrics['ctr']!['auc*iw']).toBeCloseTo(metrics.final['ctr']!['auc*iw']!, 5);
  }, 300_000);

  it.skipIf(!torchPython)('the generated PyTorch package reads the weights, reports the same weighted metric keys and rejects a bad weight', async () => {
    const pkg = path.join(tmp.dir, 'pkg');
    const c = await runBin(['compile', spec, '--target', 'pytorch', '-o', pkg], { cwd: tmp.dir });
    expect(c.code, c.stderr).toBe(0);
    const out = path.join(tmp.dir, 'torch-run');
    runPython([path.join(pkg, 'train.py'), '--data', train, '--valid', valid, '--out', out, '--epochs', '1'], { timeoutMs: 240_000 });
    const metrics = JSON.parse(readFileSync(path.join(out, 'metrics.json'), 'utf8')) as { final: Record<string, Record<string, number | null>> };
    expect(Object.keys(metrics.final['ctr']!).sort()).toEqual(['auc', 'auc*delay', 'auc*iw', 'logloss', 'logloss*iw']);
    expect(metrics.final['ctcvr']!['auc*iw*delay']).toBeTypeOf('number');
    const bad = addWeights(path.join(tmp.dir, 'train.csv'), { row: 12, value: 'inf' });
    expect(() => runPython([path.join(pkg, 'train.py'), '--data', bad, '--out', path.join(tmp.dir, 'torch-bad'), '--epochs', '1'])).toThrow(
      /train-bad\.csv row 12, column 'iw': 'inf' is not a sample weight/,
    );
  }, 300_000);

  it('a negative weight: exit 1, MTL5061 with the file, row and column, nothing trained, no stack trace', async () => {
    const bad = addWeights(path.join(tmp.dir, 'train.csv'), { row: 40, value: '-0.5' });
    const out = path.join(tmp.dir, 'bad-run');
    const r = await runBin(['train', spec, '--data', bad, '--out', out], { cwd: tmp.dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("error MTL5061: train-bad.csv row 40, column 'iw': '-0.5' is not a sample weight (`weight_by iw` needs a finite number ≥ 0).");
    expect(hasStackTrace(r.stderr)).toBe(false);
  }, 300_000);
});
