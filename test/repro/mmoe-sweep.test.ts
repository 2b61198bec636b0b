/**
 * The MMoE sweep's machinery (repro/lib): job order, the CSV split, the journal that lets an interrupted
 * sweep resume, one real job end to end, and the report built from a sweep.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { journalFile, runMmoeSweep, sweepJobs, type MmoeSweepConfig, type MmoeSweepResults } from '../../repro/lib/mmoe-sweep.js';
import { runMmoeJob } from '../../repro/lib/mmoe-job.js';
import { splitCsv } from '../../repro/lib/split-csv.js';
import { curveSvgs, fmtCell, fmtP, mmoeMarkdown } from '../../repro/lib/mmoe-report.js';
import { summarize, type MmoeRun } from '../../repro/lib/mmoe-claims.js';
import { MMOE_SYNTH_ARCHS, mmoeSynthSpec } from '../../repro/lib/specs.js';

const root = path.join(import.meta.dirname, '../..');
const dirs: string[] = [];
async function tmp(): Promise<string> {
  const d = await fsp.mkdtemp(path.join(os.tmpdir(), 'mtl-repro-test-'));
  dirs.push(d);
  return d;
}
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => fsp.rm(d, { recursive: true, force: true })));
});

const cfg = (over: Partial<MmoeSweepConfig> = {}): MmoeSweepConfig => ({ rows: 500, trainShare: 0.8, correlations: [0.5, 0.9, 1], seeds: [1, 2], epochs: 2, workers: 0, ...over });

/** Fake runs of one job. */
const fakeRuns = (correlation: number, seed: number): MmoeRun[] =>
  MMOE_SYNTH_ARCHS.map((arch, i) => ({ correlation, seed, arch, trainLoss: [1, 0.5 - i * 0.1 + seed * 0.01], testMse: [1.2, 0.6 - i * 0.1 + correlation * 0.01], seconds: 2 }));

describe('jobs and data', () => {
  it('jobs go seed by seed, so a sweep cut short has balanced cells', () => {
    expect(sweepJobs(cfg()).map((j) => `${j.seed}@${j.correlation}`)).toEqual(['1@0.5', '1@0.9', '1@1', '2@0.5', '2@0.9', '2@1']);
  });
  it('splitCsv writes consecutive parts, each with the header', async () => {
    const d = await tmp();
    const f = path.join(d, 'x.csv');
    await fsp.writeFile(f, 'a,b\n' + Array.from({ length: 10 }, (_, i) => `${i},${i * 2}`).join('\n') + '\n');
    const parts = await splitCsv(f, { train: 0.8, heldout: 0.2 });
    expect((await fsp.readFile(parts.train, 'utf8')).trim().split('\n')).toEqual(['a,b', ...Array.from({ length: 8 }, (_, i) => `${i},${i * 2}`)]);
    expect((await fsp.readFile(parts.heldout, 'utf8')).trim().split('\n')).toEqual(['a,b', '8,16', '9,18']);
  });
  it("Shared-Bottom's shared layer has the paper's 113 units (its parameters match MMoE's experts and towers)", () => {
    expect(mmoeSynthSpec('shared-bottom')).toMatch(/layer bottom = mlp\(113\) relu on all/);
    expect(mmoeSynthSpec('mmoe')).toMatch(/experts e\[8\] = mlp\(16\) relu on all/);
  });
});

describe('journal', () => {
  it('a rerun reads finished jobs from the journal and trains nothing; a line cut short by a crash is skipped', async () => {
    const scratch = await tmp();
    const c = cfg();
    const lines = sweepJobs(c).map((j) => JSON.stringify(fakeRuns(j.correlation, j.seed)));
    await fsp.writeFile(journalFile(scratch, c), lines.join('\n') + '\n' + lines[0]!.slice(0, 40));
    const logs: string[] = [];
    const res = await runMmoeSweep(c, { root, scratch, log: (l) => logs.push(l) });
    expect(res.journalJobs).toBe(6);
    expect(res.runs).toHaveLength(18);
    expect(res.runs.map((r) => `${r.correlation}/${r.seed}/${r.arch}`).slice(0, 3)).toEqual(['0.5/1/shared-bottom', '0.5/1/omoe', '0.5/1/mmoe']);
    expect(logs.join('\n')).toMatch(/6 of 6 jobs already in .*mmoe-journal-rows500-train0\.8-epochs2\.jsonl; running the other 0/);
  });
  it('the journal is named by the settings that change results', () => {
    expect(journalFile('/s', cfg())).not.toBe(journalFile('/s', cfg({ epochs: 3 })));
    expect(journalFile('/s', cfg())).toBe(journalFile('/s', cfg({ seeds: [1, 2, 3], workers: 2 })));
  });
});

describe('one real job', () => {
  it('trains the three models on one data set: per-epoch training loss and held-out MSE, scratch files removed', async () => {
    const scratch = await tmp();
    const runs = await runMmoeJob({ correlation: 0.9, seed: 3, rows: 400, trainShare: 0.75, epochs: 2 }, { root, scratch });
    expect(runs.map((r) => r.arch)).toEqual([...MMOE_SYNTH_ARCHS]);
    for (const r of runs) {
      expect(r).toMatchObject({ correlation: 0.9, seed: 3 });
      expect(r.trainLoss).toHaveLength(2);
      expect(r.testMse).toHaveLength(2);
      for (const v of [...r.trainLoss, ...r.testMse]) expect(v).toBeGreaterThan(0);
    }
    expect(await fsp.readdir(path.join(scratch, 'data'))).toEqual([]);
    expect(await fsp.readdir(path.join(scratch, 'models'))).toEqual([]);
  }, 180_000);
});

describe('report', () => {
  const res: MmoeSweepResults = { config: cfg({ seeds: [1, 2, 3] }), backend: 'native', journalJobs: 0, runs: [0.5, 0.9, 1].flatMap((c) => [1, 2, 3].flatMap((s) => fakeRuns(c, s))) };
  it('tables with mean ± sd [95 % CI], the claims with verdicts, the curves and links to the SVGs', () => {
    const md = mmoeMarkdown(res, 'full-');
    expect(md).toMatch(/3 seeds per cell, 400 training \/ 100 held-out rows, 2 epochs, backend native/);
    const sb = summarize([1, 2, 3].map((s) => 0.5 + s * 0.01));
    expect(md).toContain(`| Shared-Bottom | ${fmtCell(sb)} |`);
    expect(md).toMatch(/\| \(b\) MMoE beats Shared-Bottom.* \| final training loss \| \*\*(reproduced|not reproduced|inconclusive)\*\* \|/);
    expect(md).toMatch(/\| \(d\) .* \| held-out MSE \| /);
    expect(md).toContain('![mmoe-curves-p0.5.svg](full-mmoe-curves-p0.5.svg)');
    expect(md).toContain('| 0.5 | MMoE | 1.000 / 1.200 | 0.320 / 0.405 |');
  });
  it('one SVG per correlation: styled, six lines (training and held-out per model)', () => {
    const svgs = curveSvgs(res);
    expect(Object.keys(svgs)).toEqual(['mmoe-curves-p0.5.svg', 'mmoe-curves-p0.9.svg', 'mmoe-curves-p1.0.svg']);
    const s = svgs['mmoe-curves-p0.5.svg']!;
    expect(s).toMatch(/^<svg[^>]*><style>/);
    expect(s.match(/<polyline/g)).toHaveLength(6);
    expect(s.match(/stroke-dasharray/g)?.length).toBeGreaterThanOrEqual(3);
  });
  it('p-values print with two digits, tiny ones as < 1e-6', () => {
    expect(fmtP(0.012345)).toBe('0.012');
    expect(fmtP(1e-9)).toBe('< 1e-6');
    expect(fmtP(null)).toBe('n/a');
  });
});
