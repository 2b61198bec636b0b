import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import * as path from 'node:path';
import { SYNTH_GENERATORS, synthGenerator, writeSynthCsv } from '../../src/data/synth.js';
import { mmoeWeights } from '../../src/data/synth-mmoe.js';
import { computeMetric } from '../../src/artifact/metrics.js';
import { isMtlError, type MtlError } from '../../src/diagnostics/error.js';
import { tempDir } from './helpers.js';

const take = (name: string, rows: number, params: Record<string, number> = {}, seed = 1) => [...SYNTH_GENERATORS[name]!.generate(rows, synthGenerator(name, params).params, seed)];

function pearson(a: number[], b: number[]): number {
  const n = a.length;
  const ma = a.reduce((x, y) => x + y, 0) / n;
  const mb = b.reduce((x, y) => x + y, 0) / n;
  let sab = 0, saa = 0, sbb = 0;
  for (let i = 0; i < n; i++) {
    sab += (a[i]! - ma) * (b[i]! - mb);
    saa += (a[i]! - ma) ** 2;
    sbb += (b[i]! - mb) ** 2;
  }
  return sab / Math.sqrt(saa * sbb);
}

describe('built-in data', () => {
  it('is deterministic by seed, with the declared columns', () => {
    for (const name of Object.keys(SYNTH_GENERATORS)) {
      const a = take(name, 50);
      expect(take(name, 50)).toEqual(a);
      expect(take(name, 50, {}, 2)).not.toEqual(a);
      expect(Object.keys(a[0]!).sort()).toEqual(SYNTH_GENERATORS[name]!.columns(synthGenerator(name).params).sort());
    }
  });
  it('mtl data synth never repeats the built-in training rows of the same seed (the tour scores held-out rows)', async () => {
    const { runCli } = await import('../cli/run-cli.js');
    const dir = tempDir();
    const r = await runCli(['data', 'synth', 'esmm', '--rows', '200', '--out', 'esmm.csv'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    const [header, ...lines] = readFileSync(path.join(dir, 'esmm.csv'), 'utf8').trim().split('\n');
    const columns = header!.split(',');
    const key = (rec: Record<string, string | number>) => columns.map((c) => String(rec[c])).join(',');
    const builtIn = new Set(take('esmm', 20000, {}, 42).map(key)); // specs/esmm.mtl: rows 20000, seed 42
    expect(lines.filter((l) => builtIn.has(l))).toEqual([]);
    expect(lines).toHaveLength(200);
    // --built-in writes exactly those training rows.
    const b = await runCli(['data', 'synth', 'esmm', '--rows', '200', '--built-in', '--out', 'built-in.csv'], { cwd: dir });
    expect(b.code, b.stderr).toBe(0);
    expect(readFileSync(path.join(dir, 'built-in.csv'), 'utf8').trim().split('\n').slice(1)).toEqual(take('esmm', 200, {}, 42).map(key));
  });

  it('census: no column other than marital_stat identifies never-married', () => {
    const rows = take('census', 20000);
    const never = rows.map((r) => r.marital_stat === 'Never married');
    for (const column of Object.keys(rows[0]!).filter((c) => c !== 'marital_stat')) {
      const byValue = new Map<string, { yes: number; no: number }>();
      rows.forEach((r, i) => {
        const v = byValue.get(String(r[column])) ?? { yes: 0, no: 0 };
        if (never[i]) v.yes++;
        else v.no++;
        byValue.set(String(r[column]), v);
      });
      // Children are never married in any column's eyes; among adults, no value may be pure for either class.
      const mixedRows = [...byValue.values()].filter((v) => v.yes > 0 && v.no > 0).reduce((n, v) => n + v.yes + v.no, 0);
      const adults = rows.filter((r) => Number(r.age) >= 18).length;
      expect(mixedRows, column).toBeGreaterThanOrEqual(Math.min(adults, rows.length) * 0.5);
    }
  });

  it('esmm: label rates, buy only after click, ground truth for every row, learnable structure', () => {
    const rows = take('esmm', 20000);
    const n = rows.length;
    const clicks = rows.filter((r) => r.click === 1).length;
    const buys = rows.filter((r) => r.buy === 1).length;
    expect(clicks / n).toBeGreaterThan(0.05);
    expect(clicks / n).toBeLessThan(0.1);
    expect(buys / clicks).toBeGreaterThan(0.1);
    expect(buys / clicks).toBeLessThan(0.25);
    expect(rows.every((r) => r.buy === (r.click as number) * (r.cvr_true as number))).toBe(true);
    expect(rows.every((r) => (r.price as number) > 0 && (r.hour as number) >= 0 && (r.hour as number) < 24)).toBe(true);
    expect(rows.every((r) => r.history === '' || (r.history as string).split('|').length <= 20)).toBe(true);
    const col = (k: string) => Float32Array.from(rows.map((r) => Number(r[k])));
    // The true probabilities rank the labels well; cheap features alone already beat a constant (AUC 0.5).
    expect(computeMetric('auc', col('p_ctr'), col('click'))!).toBeGreaterThan(0.7);
    expect(computeMetric('auc', col('p_cvr'), col('cvr_true'))!).toBeGreaterThan(0.7);
    expect(computeMetric('auc', Float32Array.from(rows.map((r) => -(r.price as number))), col('cvr_true'))!).toBeGreaterThan(0.6);
    // Click and conversion propensities are correlated but different.
    const rho = pearson(rows.map((r) => r.p_ctr as number), rows.map((r) => r.p_cvr as number));
    expect(rho).toBeGreaterThan(0.1);
    expect(rho).toBeLessThan(0.8);
  });
  it('mmoe: the linear parts of the two tasks correlate at p', () => {
    for (const p of [0.9, 0.5, 0]) {
      const params = synthGenerator('mmoe', { correlation: p, dim: 20 }).params;
      const { w1, w2 } = mmoeWeights(params, 3);
      const cos = w1.reduce((a, x, i) => a + x * w2[i]!, 0) / Math.sqrt(w1.reduce((a, x) => a + x * x, 0) * w2.reduce((a, x) => a + x * x, 0));
      expect(cos).toBeCloseTo(p, 10);
      const rows = take('mmoe', 4000, { correlation: p, dim: 20 }, 3);
      const lin = (w: Float64Array) => rows.map((r) => w.reduce((a, x, i) => a + x * (r[`x${i}`] as number), 0));
      expect(pearson(lin(w1), lin(w2))).toBeCloseTo(p, 1);
      expect(Object.keys(rows[0]!)).toHaveLength(22);
    }
  });
  it('rejects unknown generators and parameters with suggestions', () => {
    const e1 = (() => { try { synthGenerator('esm'); } catch (e) { return e; } })();
    expect(isMtlError(e1)).toBe(true);
    expect((e1 as MtlError).diagnostics[0]!.hint).toBe("Did you mean 'esmm'? Known generators: esmm, mmoe, census.");
    const e2 = (() => { try { synthGenerator('mmoe', { corelation: 0.3 }); } catch (e) { return e; } })();
    expect((e2 as MtlError).diagnostics[0]!.message).toBe("Built-in data 'mmoe': unknown parameter 'corelation' (did you mean 'correlation'?).");
    const e3 = (() => { try { synthGenerator('mmoe', { correlation: 2 }); } catch (e) { return e; } })();
    expect((e3 as MtlError).diagnostics[0]!.code).toBe('MTL5031');
  });
  it('writes CSV (and gzip) atomically, readable back as the same values', async () => {
    const dir = tempDir();
    const out = path.join(dir, 'e.csv.gz');
    await writeSynthCsv('esmm', 100, {}, 9, out);
    const lines = gunzipSync(readFileSync(out)).toString('utf8').trim().split('\n');
    expect(lines[0]).toBe(SYNTH_GENERATORS.esmm!.columns({}).join(','));
    expect(lines).toHaveLength(101);
    const first = take('esmm', 1, {}, 9)[0]!;
    expect(lines[1]).toBe(SYNTH_GENERATORS.esmm!.columns({}).map((c) => String(first[c])).join(','));
    expect(readdirSync(dir)).toEqual(['e.csv.gz']);
  });
});
