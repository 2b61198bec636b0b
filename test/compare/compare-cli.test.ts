/**
 * `mtl compare` end to end: four tiny runs (two learning rates × two seeds, two epochs each so that every
 * curve is a line) compared as a terminal table, as JSON and as an HTML page; the folder form; --metric;
 * and the errors (a path that is no run, fewer than two runs, a damaged run).
 */
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Comparison } from '../../src/compare/index.js';
import type { MetricsFile } from '../../src/artifact/run-record.js';
import { hasStackTrace, tempDir } from '../cli/helpers.js';
import { runCli } from '../cli/run-cli.js';
import { writeTinySpec } from '../e2e/tiny.js';

const tmp = tempDir('mtl-compare-');
afterAll(() => tmp.cleanup());
const work = (...p: string[]): string => path.join(tmp.dir, ...p);

/** The runs, in the order a folder lists them (by name). */
const RUNS = [
  { name: 'lr0.01-s1', lr: '0.01', seed: '1' },
  { name: 'lr0.01-s2', lr: '0.01', seed: '2' },
  { name: 'lr0.05-s1', lr: '0.05', seed: '1' },
  { name: 'lr0.05-s2', lr: '0.05', seed: '2' },
];
const labels = RUNS.map((r) => `runs/${r.name}`);
let finals: MetricsFile['final'][];

beforeAll(async () => {
  const spec = writeTinySpec(tmp.dir);
  expect((await runCli(['data', 'synth', 'esmm', '--rows', '2000', '--seed', '11', '--out', 'train.csv'], { cwd: tmp.dir })).code).toBe(0);
  for (const r of RUNS) {
    const args = ['train', spec, '--data', 'train.csv', '--out', `runs/${r.name}`, '--lr', r.lr, '--seed', r.seed, '--epochs', '2', '--batch', '64', '--backend', 'wasm'];
    const res = await runCli(args, { cwd: tmp.dir });
    expect(res.code, res.stderr).toBe(0);
  }
  finals = RUNS.map((r) => (JSON.parse(readFileSync(work('runs', r.name, 'metrics.json'), 'utf8')) as MetricsFile).final);
}, 180_000);

/** The index of the best run on `output.key` by the recorded metrics (max for auc, min otherwise). */
function bestIndex(output: string, key: string): number {
  const vals = finals.map((f) => f[output]![key]!);
  const best = key === 'auc' ? Math.max(...vals) : Math.min(...vals);
  return vals.indexOf(best);
}

describe('mtl compare (text)', () => {
  let out = '';
  beforeAll(async () => {
    const r = await runCli(['compare', ...labels], { cwd: tmp.dir });
    expect(r.code, r.stderr).toBe(0);
    out = r.stdout;
  });

  it('prints one aligned row per run with 4-decimal metrics, best/epochs and the differing settings', () => {
    const lines = out.split('\n');
    const header = lines.find((l) => l.trimStart().startsWith('run '))!;
    expect(header.trim().split(/\s+/)).toEqual(['run', 'ctr.auc', 'ctr.logloss', 'ctcvr.auc', 'ctcvr.logloss', 'best/epochs', 'lr', 'seed']);
    RUNS.forEach((r, i) => {
      const row = lines.find((l) => l.trimStart().startsWith(labels[i]! + ' '))!;
      expect(row, r.name).toBeDefined();
      const cells = row.trim().split(/\s+/);
      expect(cells[1]!.replace('*', '')).toBe(finals[i]!.ctr!.auc!.toFixed(4));
      expect(cells[4]!.replace('*', '')).toBe(finals[i]!.ctcvr!.logloss!.toFixed(4));
      expect(cells.slice(5)).toEqual(['2/2', r.lr, r.seed]);
      // Aligned: every row is as long as the header up to the last column.
      expect(row.indexOf(cells[5]!) + cells[5]!.length).toBe(header.indexOf('best/epochs') + 'best/epochs'.length);
    });
  });

  it('marks the best run of each column: highest auc, lowest logloss', () => {
    const rows = labels.map((l) => out.split('\n').find((x) => x.trimStart().startsWith(l + ' '))!.trim().split(/\s+/));
    const starred = (col: number): number[] => rows.flatMap((r, i) => (r[col]!.endsWith('*') ? [i] : []));
    expect(starred(1)).toEqual([bestIndex('ctr', 'auc')]);
    expect(starred(2)).toEqual([bestIndex('ctr', 'logloss')]);
    expect(starred(3)).toEqual([bestIndex('ctcvr', 'auc')]);
    expect(starred(4)).toEqual([bestIndex('ctcvr', 'logloss')]);
    expect(out).toContain('  * best in its column (higher is better for auc; lower for logloss)\n');
  });

  it('lists lr and seed as differing, the rest as shared', () => {
    expect(out).toContain('Settings that differ: lr, seed\n');
    expect(out).toMatch(/Same in every run: spec tiny; architecture arch 1; .*optimizer adam; batch 64; epochs 2; .*backend wasm \(WebAssembly SIMD kernels \(mtl_kernels\.wasm, \d threads?\)\), direct step; parameters \d+/);
  });

  it('groups the runs by lr across seeds and runs a paired t-test per metric', () => {
    expect(out).toMatch(/G1\s+lr=0\.01\s+2\s+1, 2\s+runs\/lr0\.01-s1, runs\/lr0\.01-s2/);
    expect(out).toMatch(/G2\s+lr=0\.05\s+2\s+1, 2\s+runs\/lr0\.05-s1, runs\/lr0\.05-s2/);
    const tests = out.split('\n').filter((l) => l.includes('G1 − G2'));
    expect(tests).toHaveLength(4);
    for (const t of tests) expect(t).toMatch(/paired t-test \(seeds 1, 2\)\s+2\s+[+-]\d\.\d{4}\s+\[[+-]\d\.\d{4}, [+-]\d\.\d{4}\]\s+(\d\.\d{4}|<0\.0001)$/);
    // The mean difference of ctr.auc is that of the recorded values.
    const diff = (finals[0]!.ctr!.auc! - finals[2]!.ctr!.auc! + finals[1]!.ctr!.auc! - finals[3]!.ctr!.auc!) / 2;
    expect(tests.find((t) => t.trimStart().startsWith('ctr.auc '))).toContain((diff >= 0 ? '+' : '') + diff.toFixed(4));
  });
});

describe('mtl compare --format json', () => {
  let c: Comparison;
  beforeAll(async () => {
    // The folder form: runs/ stands for its four subdirectories.
    const r = await runCli(['compare', 'runs', '--format', 'json'], { cwd: tmp.dir });
    expect(r.code, r.stderr).toBe(0);
    c = JSON.parse(r.stdout) as Comparison;
  });

  it('holds the runs, columns, best marks and differing settings', () => {
    expect(c.version).toBe(1);
    expect(c.runs.map((r) => r.label)).toEqual(labels);
    expect(c.metrics).toEqual(['ctr.auc', 'ctr.logloss', 'ctcvr.auc', 'ctcvr.logloss']);
    expect(c.direction).toEqual({ 'ctr.auc': 'max', 'ctr.logloss': 'min', 'ctcvr.auc': 'max', 'ctcvr.logloss': 'min' });
    expect(c.best['ctr.auc']).toEqual([bestIndex('ctr', 'auc')]);
    expect(c.differing).toEqual(['lr', 'seed']);
    expect(c.runs.map((r) => [r.settings.lr, r.settings.seed, r.bestEpoch, r.epochsRun, r.epochs])).toEqual(
      RUNS.map((r) => [r.lr, r.seed, expect.any(Number), 2, [1, 2]]),
    );
    expect(c.runs[0]!.final['ctr.auc']).toBe(finals[0]!.ctr!.auc);
    expect(c.runs[0]!.history['ctr.auc']).toHaveLength(2);
  });

  it('has the seed groups and the paired tests, with a p-value a Cauchy (df = 1) tail gives', () => {
    expect(c.groups.map((g) => [g.id, g.label, g.runs, g.seeds])).toEqual([
      ['G1', 'lr=0.01', [0, 1], [1, 2]],
      ['G2', 'lr=0.05', [2, 3], [1, 2]],
    ]);
    expect(c.groups[0]!.stats['ctr.auc']!.n).toBe(2);
    expect(c.tests).toHaveLength(4);
    for (const t of c.tests) {
      expect([t.a, t.b, t.test, t.n, t.df, t.pairedSeeds]).toEqual(['G1', 'G2', 'paired t-test', 2, 1, [1, 2]]);
      // Two pairs: one degree of freedom, where Student's t is Cauchy and p = 1 − (2/π)·atan|t|.
      expect(t.p).toBeCloseTo(1 - (2 / Math.PI) * Math.atan(Math.abs(t.t!)), 9);
      expect(t.ci95![0]).toBeLessThan(t.meanDiff);
      expect(t.ci95![1]).toBeGreaterThan(t.meanDiff);
    }
  });
});

describe('mtl compare -o page.html', () => {
  let html = '';
  beforeAll(async () => {
    const r = await runCli(['compare', ...labels, '-o', 'page.html'], { cwd: tmp.dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('wrote page.html');
    html = readFileSync(work('page.html'), 'utf8');
  });

  it('is self-contained: no script, no external resource', () => {
    expect(html).toMatch(/^<!DOCTYPE html>/);
    expect(html).not.toMatch(/<script|<link |src="http|href="http/);
  });

  it('draws one chart per metric with one polyline and one legend entry per run', () => {
    const charts = [...html.matchAll(/<svg class="chart" data-chart="([^"]+)"[\s\S]*?<\/svg>/g)];
    expect(charts.map((m) => m[1])).toEqual(['metric-ctr.auc', 'metric-ctr.logloss', 'metric-ctcvr.auc', 'metric-ctcvr.logloss']);
    for (const [svg] of charts) {
      const lines = [...svg.matchAll(/<polyline class="line" data-series="([^"]+)" stroke="([^"]+)"/g)];
      expect(lines.map((l) => l[1])).toEqual(labels);
      expect(new Set(lines.map((l) => l[2])).size).toBe(4);
      const legend = [...svg.matchAll(/<g class="legend">[\s\S]*?<text[^>]*>([^<]+)<\/text><\/g>/g)].map((l) => l[1]);
      expect(legend).toEqual(labels);
    }
  });

  it('has the table with the best values marked, the differing settings and the tests', () => {
    const table = /<table class="runs">[\s\S]*?<\/table>/.exec(html)![0];
    expect([...table.matchAll(/<tr>/g)]).toHaveLength(5);
    expect([...table.matchAll(/class="num best"/g)]).toHaveLength(4);
    expect(html).toContain('Differ: lr, seed');
    expect([...html.matchAll(/paired t-test \(seeds 1, 2\)/g)]).toHaveLength(4);
    expect(html).not.toContain('Gate usage is not compared');
  });

  it('refuses to replace an existing page without --force, and a file of a run even with it', async () => {
    const again = await runCli(['compare', ...labels, '-o', 'page.html'], { cwd: tmp.dir });
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('MTL5335');
    expect(again.stdout).toBe('');
    const clobber = await runCli(['compare', ...labels, '-o', `${labels[0]}/metrics.json`, '--force'], { cwd: tmp.dir });
    expect(clobber.code).toBe(1);
    expect(clobber.stderr).toContain('MTL5332');
  });
});

describe('mtl compare --metric', () => {
  it('keeps only the named columns', async () => {
    const r = await runCli(['compare', ...labels, '--metric', 'ctr.auc', '--format', 'json'], { cwd: tmp.dir });
    expect(r.code, r.stderr).toBe(0);
    const c = JSON.parse(r.stdout) as Comparison;
    expect(c.metrics).toEqual(['ctr.auc']);
    expect(c.tests.map((t) => t.metric)).toEqual(['ctr.auc']);
  });

  it('names the columns there are when one is unknown (usage error)', async () => {
    const r = await runCli(['compare', ...labels, '--metric', 'ctr.gauc'], { cwd: tmp.dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("no run recorded metric 'ctr.gauc'");
    expect(r.stderr).toContain('ctr.auc, ctr.logloss, ctcvr.auc, ctcvr.logloss');
  });
});

describe('mtl compare errors', () => {
  it('names a path that is not a model directory (exit 1, no stack trace)', async () => {
    mkdirSync(work('empty'), { recursive: true });
    writeFileSync(work('notes.txt'), 'hello\n');
    for (const [p, reason] of [['nope', 'does not exist'], ['empty', 'no subdirectory'], ['notes.txt', 'is a file']] as const) {
      const r = await runCli(['compare', labels[0]!, p], { cwd: tmp.dir });
      expect(r.code, p).toBe(1);
      expect(r.stderr).toContain(`MTL5700`);
      expect(r.stderr).toContain(`'${p}' is not a model directory`);
      expect(r.stderr).toContain(reason);
      expect(hasStackTrace(r.stderr)).toBe(false);
    }
  });

  it('needs two runs or more (usage error, exit 2)', async () => {
    for (const args of [[], [labels[0]!], [labels[0]!, `./${labels[0]!}`]]) {
      const r = await runCli(['compare', ...args], { cwd: tmp.dir });
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/mtl compare: .*two/);
      expect(hasStackTrace(r.stderr)).toBe(false);
    }
  });

  it('names a damaged file of a run (verified against the manifest)', async () => {
    cpSync(work(labels[1]!), work('damaged'), { recursive: true });
    const file = work('damaged', 'metrics.json');
    writeFileSync(file, readFileSync(file, 'utf8').replace('"backend"', '"backend" ').replace(/"seed": \d+/, '"seed": 9'));
    const r = await runCli(['compare', labels[0]!, 'damaged'], { cwd: tmp.dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('MTL5336');
    expect(r.stderr).toContain(file);
    expect(hasStackTrace(r.stderr)).toBe(false);
  });

  it('skips a folder\'s subdirectories that are not runs, with warning MTL5701 naming each', async () => {
    for (const l of labels.slice(0, 2)) cpSync(work(l), work('sweep', path.basename(l)), { recursive: true });
    mkdirSync(work('sweep', 'lr0.1-s1.partial', 'checkpoint'), { recursive: true });
    writeFileSync(work('sweep', 'lr0.1-s1.partial', 'checkpoint', 'index.json'), '{}\n');
    const r = await runCli(['compare', 'sweep', '--format', 'json'], { cwd: tmp.dir });
    expect(r.code, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as Comparison).runs.map((x) => x.label)).toEqual(['sweep/lr0.01-s1', 'sweep/lr0.01-s2']);
    expect(r.stderr).toContain("warning MTL5701: Skipped 'lr0.1-s1.partial' in the folder 'sweep'");
  });

  it('compares a run written before manifests, with warning MTL5337 that it is unverified', async () => {
    cpSync(work(labels[1]!), work('old-run'), { recursive: true });
    rmSync(work('old-run', 'mtl-artifact.json'));
    const r = await runCli(['compare', labels[0]!, 'old-run', '--format', 'json'], { cwd: tmp.dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('warning MTL5337');
    expect((JSON.parse(r.stdout) as Comparison).runs[1]!.final['ctr.auc']).toBe(finals[1]!.ctr!.auc);
  });

  it('has --help', async () => {
    const r = await runCli(['compare', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: mtl compare RUN RUN\.\.\./);
  });
});
