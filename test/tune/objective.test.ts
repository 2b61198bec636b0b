/** The tune's objective: parsed like early_stop, its direction, errors, and its value on metrics. */
import { describe, expect, it } from 'vitest';
import { ObjectiveError, objectiveValue, resolveObjective } from '../../src/tune/objective.js';
import { tuneIr } from './helpers.js';

describe('objective', () => {
  it("defaults to the spec's early_stop expression and mode", () => {
    const o = resolveObjective(tuneIr(), undefined, undefined);
    expect(o.text).toBe('auc(ctr) + auc(ctcvr)');
    expect(o.direction).toBe('maximize');
    expect(objectiveValue(o, { ctr: { auc: 0.7, logloss: 0.3 }, ctcvr: { auc: 0.6 } })).toBeCloseTo(1.3, 12);
    expect(objectiveValue(o, { ctr: { auc: null }, ctcvr: { auc: 0.6 } })).toBeNull();
  });

  it('parses weighted sums; the direction follows the metrics unless given', () => {
    const o = resolveObjective(tuneIr(), '2 * auc(ctr) - 0.5 * auc(ctcvr)', 'maximize');
    expect(objectiveValue(o, { ctr: { auc: 0.7 }, ctcvr: { auc: 0.6 } })).toBeCloseTo(1.1, 12);
    expect(resolveObjective(tuneIr(), 'logloss(ctr)', undefined).direction).toBe('minimize');
    expect(resolveObjective(tuneIr(), '-logloss(ctr)', undefined).direction).toBe('maximize');
    expect(resolveObjective(tuneIr(), 'logloss(ctr)', 'maximize').direction).toBe('maximize');
  });

  it('names what is wrong', () => {
    const msg = (text: string): string => {
      try {
        resolveObjective(tuneIr(), text, undefined);
      } catch (e) {
        expect(e).toBeInstanceOf(ObjectiveError);
        return (e as Error).message;
      }
      return 'no error';
    };
    expect(msg('aucc(ctr)')).toBe("'aucc' is not a metric (did you mean 'auc'?)");
    expect(msg('auc(cvr)')).toBe("the spec has no output 'cvr' (did you mean 'ctr'?); its outputs: ctr, ctcvr");
    expect(msg('auc(ctr) logloss(ctr)')).toMatch(/^cannot read 'logloss\(ctr\)'/);
    expect(msg('auc(ctr) + logloss(ctr)')).toMatch(/disagree on the direction/);
  });
});
