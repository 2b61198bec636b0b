/**
 * The reproduction script's pure parts (repro/lib): the generated specs stay valid and keep the
 * reference architectures, the AUC and split helpers are right, and the census parser reads the UCI format.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { checkText } from '../../src/language/check.js';
import { CENSUS_ARCHS, censusGroup2Spec, cvrNaiveSpec, MMOE_SYNTH_ARCHS, mmoeSynthSpec } from '../../repro/lib/specs.js';
import { auc, fmtMeanStd, mean, meanStd } from '../../repro/lib/stats.js';
import { CENSUS_COLUMNS, parseCensus, splitIndices } from '../../repro/lib/census-data.js';
import { censusTable } from '../../repro/lib/tables.js';

const root = path.join(import.meta.dirname, '../..');
const spec = (name: string): string => readFileSync(path.join(root, 'specs', name), 'utf8');

function valid(text: string): NonNullable<ReturnType<typeof checkText>['ir']> {
  const r = checkText(text, { file: 'gen.mtl' });
  expect(r.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message)).toEqual([]);
  return r.ir!;
}

describe('generated specs', () => {
  it.each(CENSUS_ARCHS)('group 2 of %s: same nodes, education is the label and not an input', (arch) => {
    const ref = valid(spec(`${arch}.mtl`));
    const ir = valid(censusGroup2Spec(spec(`${arch}.mtl`), arch));
    expect(ir.nodes.map((x) => x.kind)).toEqual(ref.nodes.map((x) => x.kind));
    expect(ir.features.map((f) => f.name)).not.toContain('education');
    expect(ir.features).toHaveLength(ref.features.length - 1);
    expect(ir.tasks.map((t) => t.name)).toEqual(['edu', 'marital']);
    const label = ir.labels.find((l) => l.name === 'associates_plus')!;
    expect(label.column).toBe('education');
    expect(label.positive).toHaveLength(6);
  });
  it('the naive CVR model trains the cvr tower on clicked rows only', () => {
    const ir = valid(cvrNaiveSpec(spec('esmm.mtl')));
    expect(ir.tasks).toHaveLength(1);
    expect(ir.tasks[0]!.mask).toBeDefined();
    expect(ir.nodes.filter((x) => x.kind === 'tower').map((x) => x.name)).toEqual(['cvr']);
  });
  it.each(MMOE_SYNTH_ARCHS)('synthetic %s has 100 numeric inputs and two regression tasks', (arch) => {
    const ir = valid(mmoeSynthSpec(arch));
    expect(ir.features).toHaveLength(100);
    expect(ir.tasks.map((t) => t.loss.type)).toEqual(['mse', 'mse']);
    expect(ir.nodes.filter((x) => x.kind === 'gate')).toHaveLength({ 'shared-bottom': 0, omoe: 1, mmoe: 2 }[arch]);
  });
});

describe('stats', () => {
  it('auc: perfect, reversed, ties count half, masks, one class', () => {
    expect(auc([0.1, 0.2, 0.8, 0.9], [0, 0, 1, 1])).toBe(1);
    expect(auc([0.9, 0.8, 0.2, 0.1], [0, 0, 1, 1])).toBe(0);
    expect(auc([0.5, 0.5, 0.5, 0.5], [0, 1, 0, 1])).toBe(0.5);
    expect(auc([0.1, 0.9, 0.3, 0.2], [0, 1, 1, 0], [1, 1, 0, 1])).toBe(1);
    expect(auc([0.1, 0.2], [1, 1])).toBeNull();
  });
  it('mean, sample std and formatting', () => {
    expect(mean([1, 2, 3, 10], [1, 1, 1, 0])).toBe(2);
    const s = meanStd([1, 2, 3, null]);
    expect(s.mean).toBe(2);
    expect(s.std).toBe(1);
    expect(fmtMeanStd([0.5, 0.7])).toBe('0.6000 ± 0.1414');
    expect(fmtMeanStd([])).toBe('n/a');
  });
});

describe('census data', () => {
  it('parses the UCI rows (", " separators, 42 fields) and drops malformed lines', () => {
    const row = CENSUS_COLUMNS.map((c, i) => (c === 'income_50k' ? '50000+.' : `v${i}`)).join(', ');
    const rows = parseCensus(`${row}\n\nshort, line\n${row} \n`);
    expect(rows).toHaveLength(2);
    expect(rows[0]![41]).toBe('50000+.');
  });
  it('splits 60/20/20, deterministically by seed, without overlap', () => {
    const a = splitIndices(1000, 7);
    expect([a.train.length, a.valid.length, a.test.length]).toEqual([600, 200, 200]);
    expect(new Set([...a.train, ...a.valid, ...a.test]).size).toBe(1000);
    expect(splitIndices(1000, 7)).toEqual(a);
    expect(splitIndices(1000, 8).train).not.toEqual(a.train);
  });
  it('tables put our mean ± std next to the paper', () => {
    const t = censusTable({ group1: { mmoe: { income: [0.94, 0.95], marital: [0.99, 0.99] } }, group2: {} }, 'group1');
    expect(t).toContain('| MMoE | 0.9450 ± 0.0071 | 0.9359 | 0.9900 ± 0.0000 | 0.9927 |');
  });
});
