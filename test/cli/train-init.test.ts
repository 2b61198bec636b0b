/**
 * Incremental training through the CLI: `mtl train --init RUN --data next.csv --out RUN2` continues a
 * model on new data with its weights and preprocessing state; `--resume` refuses other data and names
 * `--init`; a spec whose model differs from RUN's is refused naming both. The data makes training matter:
 * the label is a function of the user id, so a trained model's loss is far below a fresh one's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { runCli } from './run-cli.js';
import { hasStackTrace, likesSpec, tempDir } from './helpers.js';
import type { MetricsFile } from '../../src/artifact/run-record.js';

const SPEC = likesSpec('optimizer adam lr 0.05 batch 32 epochs 4 seed 7');

/** `rows` rows: user u0..u39, y = 1 for even users; `shift` moves x (the normalisation must stay RUN's). */
function csv(rows: number, start: number, shift: number): string {
  const lines = ['user,x,y'];
  for (let i = start; i < start + rows; i++) {
    const u = (i * 7) % 40;
    lines.push(`u${u},${(shift + (i % 10)).toFixed(1)},${u % 2 === 0 ? 1 : 0}`);
  }
  return lines.join('\n') + '\n';
}

let dir: string;
let cleanup: () => void;
const p = (f: string): string => path.join(dir, f);
const history = (run: string): MetricsFile['history'] => (JSON.parse(readFileSync(p(`${run}/metrics.json`), 'utf8')) as MetricsFile).history;

beforeAll(async () => {
  ({ dir, cleanup } = tempDir('mtl-init-'));
  writeFileSync(p('spec.mtl'), SPEC);
  writeFileSync(p('a.csv'), csv(1200, 0, 0));
  writeFileSync(p('b.csv'), csv(1200, 5000, 0.5));
  const run = await runCli(['train', 'spec.mtl', '--data', 'a.csv', '--out', 'run'], { cwd: dir });
  expect(run.stderr).not.toContain('error');
  expect(run.code).toBe(0);
}, 120_000);
afterAll(() => cleanup());

describe('mtl train --init', () => {
  it('continues RUN on new data with its weights and preprocessing state, into a new directory', async () => {
    const next = await runCli(['train', 'spec.mtl', '--init', 'run', '--data', 'b.csv', '--out', 'run2', '--epochs', '1'], { cwd: dir });
    expect(next.code).toBe(0);
    expect(next.stderr).toContain('init: starting from the weights of');
    const fresh = await runCli(['train', 'spec.mtl', '--data', 'b.csv', '--out', 'fresh', '--epochs', '1'], { cwd: dir });
    expect(fresh.code).toBe(0);
    const first = history('run');
    const continued = history('run2')[0]!.loss;
    // The first epoch on the new data starts where RUN ended, far below a fresh model's first epoch.
    expect(continued).toBeLessThan(first[first.length - 1]!.loss * 2 + 0.02);
    expect(continued).toBeLessThan(history('fresh')[0]!.loss / 3);
    // preprocess.json is RUN's as it was (x's mean is not refitted on b.csv, whose x is 0.5 higher).
    expect(readFileSync(p('run2/preprocess.json'), 'utf8')).toBe(readFileSync(p('run/preprocess.json'), 'utf8'));
    const m = JSON.parse(readFileSync(p('run2/metrics.json'), 'utf8')) as MetricsFile;
    expect(m.init).toBe(p('run'));
    expect(m.data.train).toEqual({ kind: 'file', path: p('b.csv') });
    // RUN is untouched, and RUN2 predicts differently (it trained on).
    const predict = async (run: string): Promise<string> => {
      const r = await runCli(['predict', run, '--data', 'b.csv', '--out', `${run}.pred.csv`], { cwd: dir });
      expect(r.code).toBe(0);
      return readFileSync(p(`${run}.pred.csv`), 'utf8');
    };
    expect(await predict('run2')).not.toBe(await predict('run'));
  }, 120_000);

  it('allows other train settings, but refuses a spec whose model differs, naming both', async () => {
    writeFileSync(p('lr.mtl'), SPEC.replace('lr 0.05', 'lr 0.01'));
    const ok = await runCli(['train', 'lr.mtl', '--init', 'run', '--data', 'b.csv', '--out', 'run3', '--epochs', '1'], { cwd: dir });
    expect(ok.code).toBe(0);
    writeFileSync(p('other.mtl'), SPEC.replace('hash 64 dim 4', 'hash 128 dim 4'));
    const bad = await runCli(['train', 'other.mtl', '--init', 'run', '--data', 'b.csv', '--out', 'run4'], { cwd: dir });
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('MTL5652');
    expect(bad.stderr).toContain("The spec 'other.mtl' does not match the model in");
    expect(bad.stderr).toContain(p('run'));
    expect(bad.stderr).toContain("feature 'user' is defined differently");
    expect(hasStackTrace(bad.stderr)).toBe(false);
  }, 120_000);

  it('refuses RUN as the output, and --init together with --resume', async () => {
    const same = await runCli(['train', 'spec.mtl', '--init', 'run', '--data', 'b.csv', '--out', 'run'], { cwd: dir });
    expect(same.code).not.toBe(0);
    expect(same.stderr).toContain('MTL5332');
    const both = await runCli(['train', 'spec.mtl', '--init', 'run', '--resume', '--data', 'b.csv', '--out', 'run5'], { cwd: dir });
    expect(both.code).not.toBe(0);
    expect(both.stderr).toContain('--init starts a new run');
  });
});

describe('mtl train --resume', () => {
  it('refuses data other than the checkpoint\'s and names --init; resumes on its own data without --data', async () => {
    const other = await runCli(['train', 'spec.mtl', '--resume', '--data', 'b.csv', '--out', 'run', '--epochs', '5'], { cwd: dir });
    expect(other.code).not.toBe(0);
    expect(other.stderr).toContain('MTL5651');
    expect(other.stderr).toContain(`on its own training data (${p('a.csv')}), not ${p('b.csv')}`);
    expect(other.stderr).toContain('--init');
    expect(hasStackTrace(other.stderr)).toBe(false);
    const same = await runCli(['train', 'spec.mtl', '--resume', '--data', 'a.csv', '--out', 'run', '--epochs', '5'], { cwd: dir });
    expect(same.code).toBe(0);
    expect(history('run')).toHaveLength(5);
  }, 120_000);
});
