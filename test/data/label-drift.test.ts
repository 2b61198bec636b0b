/**
 * The ordered-file check (data/label-drift.ts): it finds a label sorted or drifting along the file, and stays
 * quiet on rows in random order: many seeded random files, and the built-in data of every reference spec.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { LabelDrift } from '../../src/data/label-drift.js';
import { fitPreprocessor } from '../../src/data/index.js';
import { Rng } from '../../src/data/prng.js';
import { parseSpec } from '../../src/language/index.js';
import { validate } from '../../src/validate/validate.js';
import { createDefaultRegistry } from '../../src/plugins/load.js';
import { SPECS } from '../cli/helpers.js';
import { tempDir } from './helpers.js';

/** The findings for one label's values in order. */
function findings(values: number[]): ReturnType<LabelDrift['findings']> {
  const d = new LabelDrift();
  d.begin(['y']);
  for (const v of values) d.offer([v]);
  return d.findings();
}

describe('label drift', () => {
  it('finds a label sorted along the file, and a rate that creeps up (a time trend)', () => {
    const sorted = Array.from({ length: 5000 }, (_, i) => (i < 2500 ? 0 : 1));
    expect(findings(sorted)).toEqual([{ label: 'y', first: 0, last: 1, min: 0, max: 1 }]);
    const rng = new Rng(1);
    const trend = Array.from({ length: 50_000 }, (_, i) => rng.bernoulli(0.02 + (0.06 * i) / 50_000));
    const [f] = findings(trend);
    expect(f!.first).toBeLessThan(0.03);
    expect(f!.last).toBeGreaterThan(0.07);
  });

  it('stays quiet on rows in random order (binary and real labels, rare and common), and on small files', () => {
    for (let seed = 0; seed < 40; seed++) {
      const rng = new Rng(seed);
      const p = [0.01, 0.3, 0.5][seed % 3]!;
      expect(findings(Array.from({ length: 20_000 }, () => rng.bernoulli(p))), `seed ${seed}`).toEqual([]);
      expect(findings(Array.from({ length: 20_000 }, () => rng.normal() * 3 + 1)), `seed ${seed}`).toEqual([]);
    }
    expect(findings(Array.from({ length: 1000 }, (_, i) => (i < 500 ? 0 : 1)))).toEqual([]);
  });

  it('stays quiet on the built-in data of every reference spec', async () => {
    const registry = createDefaultRegistry();
    const dir = tempDir();
    for (const spec of SPECS) {
      const ir = validate(parseSpec(readFileSync(spec.file, 'utf8'), spec.file).value!, { registry }).value;
      const source = ir.data!;
      expect(source.kind, spec.name).toBe('synth');
      if (source.kind !== 'synth') continue;
      const drift = new LabelDrift();
      const data = { kind: 'synth' as const, generator: source.generator, rows: Math.min(source.rows, 30_000), params: source.params, seed: ir.train.seed };
      await fitPreprocessor(ir, data, { baseDir: dir, validSplit: ir.train.validSplit, seed: ir.train.seed, hasValidFile: false, labelDrift: drift });
      expect(drift.findings(), spec.name).toEqual([]);
    }
  });
});
