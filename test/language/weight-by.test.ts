/**
 * `weight_by COL` (sample weights) in the language: the train block's, a task's and a metric's clause parse
 * into the IR with their locations; the printer, the formatter and the YAML/JSON front end round-trip them;
 * a repeated clause, a missing column and `weight_by` used as a name are reported.
 */
import { describe, expect, it } from 'vitest';
import { parseSpec } from '../../src/language/index.js';
import { printIR } from '../../src/language/printer.js';
import { formatSpec } from '../../src/language/format.js';
import { dumpSpecData, loadSpecData } from '../../src/language/load.js';
import { stripLocations } from '../../src/ir/strip.js';

const SPEC = `model weighted

features {
  categorical user hash 100 dim 4
}

labels {
  click: binary
  buy: binary
}

input all = concat(user)
tower ctr = mlp(8) on all -> sigmoid
tower cvr = mlp(8) on all -> sigmoid

task ctr = ctr loss bce(click)
task cvr = cvr loss bce(buy) where click weight_by delay_weight weight 0.5

metric auc(ctr) weight_by value where buy

train {
  epochs 1
  weight_by instance_weight
}
`;

describe('weight_by in the language', () => {
  it('parses the train block, task and metric clauses, with locations', () => {
    const { value: ir, diagnostics } = parseSpec(SPEC, 'w.mtl');
    expect(diagnostics).toEqual([]);
    expect(ir!.train.weightBy).toBe('instance_weight');
    expect(ir!.train.locs!['weightBy']).toEqual({ start: { line: 22, character: 12 }, end: { line: 22, character: 27 } });
    const cvr = ir!.tasks.find((t) => t.name === 'cvr')!;
    expect(cvr.weightBy).toBe('delay_weight');
    expect(cvr.weight).toBe(0.5);
    expect(cvr.locs!['weightBy']).toEqual({ start: { line: 16, character: 51 }, end: { line: 16, character: 63 } });
    expect(ir!.tasks.find((t) => t.name === 'ctr')!.weightBy).toBeUndefined();
    expect(ir!.metrics[0]!.weightBy).toBe('value');
    expect(ir!.metrics[0]!.mask).toEqual({ label: 'buy', loc: expect.anything() });
  });

  it('printIR → parse gives the same IR; the formatter keeps the clauses and is idempotent', () => {
    const ir = parseSpec(SPEC).value!;
    const printed = printIR(ir);
    expect(printed).toContain('task cvr = cvr loss bce(buy) weight 0.5 where click weight_by delay_weight');
    expect(printed).toContain('metric auc(ctr) where buy weight_by value');
    expect(printed).toMatch(/train \{\n {2}epochs 1\n {2}weight_by instance_weight\n\}/);
    expect(stripLocations(parseSpec(printed).value!)).toEqual(stripLocations(ir));
    const formatted = formatSpec(SPEC).value!;
    expect(formatted).toBe(SPEC);
    expect(formatSpec(formatted).value).toBe(formatted);
  });

  it('round-trips through YAML and JSON', () => {
    const ir = stripLocations(parseSpec(SPEC).value!);
    for (const format of ['yaml', 'json'] as const) {
      const text = dumpSpecData(ir, format);
      expect(text).toContain('weightBy');
      const back = loadSpecData(text, `w.mtl.${format}`);
      expect(back.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
      expect(stripLocations(back.value!)).toEqual(ir);
    }
  });

  it('reports a repeated clause, a missing column, and weight_by as a name', () => {
    const twice = parseSpec(SPEC.replace('weight_by delay_weight', 'weight_by delay_weight weight_by other'));
    expect(twice.diagnostics.map((d) => [d.code, d.message])).toEqual([['MTL1042', expect.stringContaining('weight_by')]]);
    const noColumn = parseSpec(SPEC.replace('weight_by value', 'weight_by'));
    expect(noColumn.diagnostics.map((d) => d.code)).toContain('MTL1010');
    const asName = parseSpec(SPEC.replace('tower cvr = mlp(8) on all', 'tower weight_by = mlp(8) on all'));
    expect(asName.diagnostics.length).toBeGreaterThan(0);
  });
});
