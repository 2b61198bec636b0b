/**
 * The optimisation settings of the train block (`schedule`, `weight_decay`, `embedding_l2`, `clip_norm`,
 * `embedding_optimizer`): parsed into the IR, formatted and printed back to the same IR, and the grammar's
 * edges (a train key after a schedule on the same line, `every` without a unit, a repeated option).
 */
import { describe, expect, it } from 'vitest';
import { parseSpec } from '../../src/language/index.js';
import { formatSpec } from '../../src/language/format.js';
import { printIR } from '../../src/language/printer.js';
import { stripLocations } from '../../src/ir/strip.js';
import { trainSpec } from './helpers.js';

const spec = trainSpec;

describe('optimisation settings in the train block', () => {
  it('parse into the IR', () => {
    const r = parseSpec(spec('lr 0.01 schedule cosine warmup 500 min_lr 1e-5 epochs 4 weight_decay 1e-4 embedding_l2 1e-6 clip_norm 1.0 embedding_optimizer rowwise_adagrad'));
    expect(r.diagnostics).toEqual([]);
    const t = r.value!.train;
    expect(t.schedule).toEqual({ type: 'cosine', warmup: 500, minLr: 1e-5 });
    expect([t.epochs, t.weightDecay, t.embeddingL2, t.clipNorm, t.embeddingOptimizer]).toEqual([4, 1e-4, 1e-6, 1, 'rowwise_adagrad']);
    expect(parseSpec(spec('schedule step every 2 epochs gamma 0.5')).value!.train.schedule).toEqual({ type: 'step', every: 2, everyUnit: 'epochs', gamma: 0.5 });
    expect(parseSpec(spec('schedule step every 1000 steps')).value!.train.schedule).toEqual({ type: 'step', every: 1000, everyUnit: 'steps' });
    expect(parseSpec(spec('schedule linear')).value!.train.schedule).toEqual({ type: 'linear' });
    const plain = parseSpec(spec('epochs 2')).value!.train;
    expect([plain.schedule, plain.weightDecay, plain.embeddingL2, plain.clipNorm, plain.embeddingOptimizer]).toEqual([undefined, undefined, undefined, undefined, undefined]);
  });

  it('format and print back to the same IR', () => {
    for (const train of [
      'schedule step every 2 epochs gamma 0.5 weight_decay 0.01',
      'schedule cosine warmup 10 min_lr 0.0001\n  clip_norm 0.5 embedding_optimizer adam',
      'schedule constant warmup 3 embedding_l2 1e-6 embedding_optimizer lazy_adam',
    ]) {
      const text = spec(train);
      const ir = stripLocations(parseSpec(text).value!);
      const formatted = formatSpec(text).value!;
      expect(stripLocations(parseSpec(formatted).value!), train).toEqual(ir);
      expect(formatSpec(formatted).value, 'idempotent').toBe(formatted);
      const printed = printIR(ir);
      expect(stripLocations(parseSpec(printed).value!), train).toEqual(ir);
    }
    expect(formatSpec(spec('lr 0.01 schedule step every 2 epochs gamma 0.5 epochs 4')).value).toContain('\n  schedule step every 2 epochs gamma 0.5\n  epochs 4\n');
  });

  it('reports a bad schedule name, a unit that is missing or wrong, a repeated option', () => {
    const codes = (train: string): string[] => parseSpec(spec(train)).diagnostics.map((d) => d.code);
    const bad = parseSpec(spec('schedule cosin')).diagnostics;
    expect(bad.map((d) => d.code)).toEqual(['MTL1040']);
    expect(bad[0]!.hint).toContain("Did you mean 'cosine'?");
    expect(codes('schedule step every 2')).toEqual(['MTL1043']);
    // A unit on the next line is not taken: `epochs 3` there is the train setting.
    expect(parseSpec(spec('schedule step every 2\n epochs 3')).value!.train.epochs).toBe(3);
    expect(codes('schedule step every 2 hours')).toEqual(['MTL1040']);
    expect(codes('schedule cosine warmup 5 warmup 6')).toEqual(['MTL1042']);
    expect(codes('embedding_optimizer sgd')).toEqual(['MTL1040']);
    expect(codes('clip_norm big')).toEqual(['MTL1043']);
  });
});
