import { describe, expect, it } from 'vitest';
import { checkText } from '../../src/language/check.js';
import { towerPriors } from '../../src/train/tower-priors.js';
import { evalLabelExpr } from '../../src/model/labels.js';
import type { Batch } from '../../src/data/types.js';

const SPEC = `model m
features { numeric x normalize none }
labels { click: binary  buy: binary  watch: real }
input all = concat(x)
tower ctr = mlp(4) on all -> sigmoid
tower cvr = mlp(4) on all -> sigmoid
tower time = mlp(4) on all -> linear
task ctr = ctr loss bce(click)
task ctcvr = ctr * cvr loss bce(click & buy)
task time = time loss mse(watch) where click
`;

function batch(click: number[], buy: number[], watch: number[]): Batch {
  return {
    size: click.length,
    features: { x: { kind: 'dense', values: new Float32Array(click.length) } },
    labels: { click: Float32Array.from(click), buy: Float32Array.from(buy), watch: Float32Array.from(watch) },
    groups: {},
    rowNumbers: Int32Array.from(click, (_, i) => i + 2),
  };
}

const logit = (p: number) => Math.log(p / (1 - p));

describe('tower priors', () => {
  const { ir, diagnostics } = checkText(SPEC, { file: 'm.mtl' });
  it('parses the fixture', () => expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]));

  it('starts a single-head sigmoid tower at the log-odds of its label rate, across batches', () => {
    const b1 = batch([1, 0, 0, 0], [1, 0, 0, 0], [0, 0, 0, 0]);
    const b2 = batch([1, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]);
    const priors = towerPriors(ir!, [b1, b2], evalLabelExpr);
    expect(priors.ctr).toBeCloseTo(logit(2 / 8), 6);
  });

  it('solves a product head for its unknown tower: cvr = rate(click & buy) / rate(click)', () => {
    const b = batch([1, 1, 1, 1, 0, 0, 0, 0], [1, 0, 0, 0, 0, 0, 0, 1], [0, 0, 0, 0, 0, 0, 0, 0]);
    const priors = towerPriors(ir!, [b], evalLabelExpr);
    // rate(click) = 0.5; rate(click & buy) = 1/8 (buy without click does not count) → cvr = 0.25.
    expect(priors.cvr).toBeCloseTo(logit(0.25), 6);
  });

  it('starts a linear tower at the masked mean of its label', () => {
    const b = batch([1, 1, 0, 0], [0, 0, 0, 0], [2, 4, 100, 100]);
    expect(towerPriors(ir!, [b], evalLabelExpr).time).toBeCloseTo(3, 6);
  });

  it('clips rates of 0 and 1 instead of returning infinities', () => {
    const b = batch([0, 0, 0, 0], [0, 0, 0, 0], [1, 1, 1, 1]);
    const priors = towerPriors(ir!, [b], evalLabelExpr);
    expect(Number.isFinite(priors.ctr)).toBe(true);
    expect(priors.ctr).toBeLessThan(-9);
  });

  it('gives nothing without rows', () => {
    expect(towerPriors(ir!, [], evalLabelExpr)).toEqual({});
  });
});
