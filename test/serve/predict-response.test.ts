/**
 * The predict answer written from the scored columns (src/serve/http/predict-response.ts) is, byte for
 * byte, the JSON.stringify of the same answer built as objects — the way the server wrote it before —
 * whatever the outputs asked for (a subset, repeated, one the scoring model lacks), passthrough keys
 * (absent, `__proto__`, nested values, repeated), errors and non-finite scores.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ScoredRows } from '../../src/serve/score.js';
import type { RawRow, RowError } from '../../src/serve/encode.js';
import { predictResponseJson, type PredictHead } from '../../src/serve/http/predict-response.js';

/** The answer as the object the server used to stringify (score.ts's toResult, then the selection and passthrough). */
function asObjects(head: PredictHead, scores: ScoredRows, rows: readonly RawRow[], outputs: readonly string[] | undefined, passthrough: readonly string[]): unknown {
  const all = new ScoredRows(scores.outputs, scores.columns, scores.scored, scores.errors, scores.offset, scores.length).toResult();
  const selected = outputs ? all.predictions.map((p) => (p ? Object.fromEntries(outputs.map((o) => [o, p[o] ?? null])) : null)) : all.predictions;
  const predictions = selected.map((s, i) => {
    if (!s) return null;
    const out: Record<string, unknown> = { ...s };
    for (const key of passthrough) {
      const value = Object.prototype.hasOwnProperty.call(rows[i], key) ? rows[i]![key] : null;
      Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
    }
    return out;
  });
  return { ...head, predictions, errors: all.errors };
}

const head: PredictHead = { model: 'de"fault', modelHash: 'abc', irHash: 'def' };

describe('predictResponseJson', () => {
  it('writes what JSON.stringify writes for the same answer as objects', () => {
    const outputs = ['ctr', 'cvr', 'ctcvr'];
    const n = 6;
    const columns = [Float32Array.from([0.1, 0.25, NaN, 1e-9, 0.5, Infinity]), Float32Array.from([0.3, 0, 0.7, -0, 2, 3]), Float32Array.from([1, 2, 3, 4, 5, 6])];
    const scored = Uint8Array.from([1, 0, 1, 1, 1, 1]);
    const errors: RowError[] = [{ row: 1, field: 'price', code: 'MTL5003', message: "'x' is not a decimal number" }];
    const rows: RawRow[] = JSON.parse(
      JSON.stringify([{ id: 'a', __x: 1 }, { id: 'b' }, { id: { nested: [1, 'two', null] } }, {}, { id: null }, { id: 'f', other: true }]),
    );
    rows[0] = JSON.parse('{"id":"a","__proto__":"p"}') as RawRow;
    const scores = new ScoredRows(outputs, columns, scored, errors, 0, n);
    const cases: Array<[string[] | undefined, string[]]> = [
      [undefined, []],
      [['cvr'], []],
      [['cvr', 'ctr', 'cvr'], ['id']],
      [['gone', 'ctr'], ['id', '__proto__', 'id', 'missing']],
      [undefined, ['ctr', 'id']], // a passthrough named like an output takes its place (the server rejects it earlier)
    ];
    for (const [o, p] of cases) expect(predictResponseJson(head, scores, rows, o, p)).toBe(JSON.stringify(asObjects(head, scores, rows, o, p)));
  });

  it('writes a view of the columns (a request of a micro-batch) from its own first row', () => {
    const columns = [Float32Array.from([9, 9, 0.5, 0.75, 9])];
    const scores = new ScoredRows(['p'], columns, Uint8Array.from([1, 1, 1, 0, 1]), []).slice(2, 2, [{ row: 1, code: 'MTL5608', message: 'm', field: 'f' }]);
    expect(JSON.parse(predictResponseJson(head, scores, [{}, {}], undefined, []))).toEqual({ ...head, predictions: [{ p: 0.5 }, null], errors: [{ row: 1, code: 'MTL5608', message: 'm', field: 'f' }] });
  });

  it('agrees with JSON.stringify on arbitrary scores, rows and key lists', () => {
    const name = fc.constantFrom('a', 'b', 'c', '__proto__', 'é"\\', 'id');
    fc.assert(
      fc.property(
        fc.array(fc.record({ score: fc.float(), scored: fc.boolean(), row: fc.dictionary(name, fc.jsonValue({ maxDepth: 2 })) }), { maxLength: 8 }),
        // Output names are the model's (checked by the server); 'z' stands for one a reload removed.
        fc.option(fc.array(fc.constantFrom('a', 'b', 'z'), { maxLength: 4 }), { nil: undefined }),
        fc.array(name, { maxLength: 4 }),
        (items, outputs, passthrough) => {
          const scores = new ScoredRows(['a', 'b'], [Float32Array.from(items, (x) => x.score), Float32Array.from(items, (x) => -x.score)], Uint8Array.from(items, (x) => (x.scored ? 1 : 0)), []);
          const rows = items.map((x) => JSON.parse(JSON.stringify(x.row)) as RawRow);
          expect(predictResponseJson(head, scores, rows, outputs, passthrough)).toBe(JSON.stringify(asObjects(head, scores, rows, outputs, passthrough)));
        },
      ),
      { numRuns: 300 },
    );
  });
});
