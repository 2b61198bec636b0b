/**
 * The micro-batcher and the metrics text, without a model: requests queued together are scored in one call
 * and answered with their own rows and errors (counted from their own first row); a full batch is scored at
 * once, a lone request without waiting, a batch with a request still arriving when it has arrived (or
 * failed, or after the wait); a scorer failure rejects every request of its batch; metrics label values are escaped.
 */
import { describe, expect, it } from 'vitest';
import { MicroBatcher } from '../../src/serve/batcher.js';
import { ServeMetrics } from '../../src/serve/metrics.js';
import { ScoredRows } from '../../src/serve/score.js';
import type { BatchScorer } from '../../src/serve/batcher.js';
import type { RowError } from '../../src/serve/encode.js';

/** A scorer of rows {v: number}: output `out` = v * 2; a row without a number is an error; records its calls. */
function fakeScorer(calls: Array<{ rows: number; segments?: readonly number[] }>): BatchScorer {
  return (rows, opts) => {
    calls.push({ rows: rows.length, ...(opts.segments ? { segments: opts.segments } : {}) });
    const starts: number[] = [];
    let at = 0;
    for (const len of opts.segments ?? [rows.length]) starts.push(at), (at += len);
    const locate = (i: number): { row: number; segment: number } => {
      let s = starts.length - 1;
      while (starts[s]! > i) s--;
      return { row: i - starts[s]!, segment: s };
    };
    const errors: RowError[] = [];
    const out = new Float32Array(rows.length);
    const scored = new Uint8Array(rows.length);
    rows.forEach((r, i) => {
      const v = (r as { v?: unknown }).v;
      if (typeof v === 'number') {
        out[i] = v * 2;
        scored[i] = 1;
      } else errors.push({ ...locate(i), field: 'v', code: 'MTL5003', message: 'bad' });
    });
    return new ScoredRows(['out'], [out], scored, errors);
  };
}

describe('MicroBatcher', () => {
  it('scores requests queued together in one call and splits the answers', async () => {
    const calls: Array<{ rows: number; segments?: readonly number[] }> = [];
    const score = fakeScorer(calls);
    const batcher = new MicroBatcher(() => ({ model: 'm1', score }), { maxWaitMs: 0, maxRows: 100 });
    const [a, b, c] = await Promise.all([batcher.submit([{ v: 1 }, { v: 2 }]), batcher.submit([{ v: 'x' }, { v: 3 }]), batcher.submit([{ v: 4 }])]);
    expect(calls).toEqual([{ rows: 5, segments: [2, 2, 1] }]);
    expect(a.model).toBe('m1');
    expect(a.result.toResult()).toEqual({ predictions: [{ out: 2 }, { out: 4 }], errors: [] });
    expect(b.result.toResult()).toEqual({ predictions: [null, { out: 6 }], errors: [{ row: 0, field: 'v', code: 'MTL5003', message: 'bad' }] });
    expect(c.result.toResult().predictions).toEqual([{ out: 8 }]);
  });

  it('scores at once when the row budget is reached, and asks for the model per batch', async () => {
    const calls: Array<{ rows: number; segments?: readonly number[] }> = [];
    const score = fakeScorer(calls);
    let model = 'old';
    const batcher = new MicroBatcher(() => ({ model, score }), { maxWaitMs: 60_000, maxRows: 3 });
    const first = batcher.submit([{ v: 1 }, { v: 2 }, { v: 3 }]); // full: scored now, not after a minute
    model = 'new';
    const second = batcher.submit([{ v: 4 }, { v: 5 }, { v: 6 }]);
    expect((await first).model).toBe('old');
    expect((await second).model).toBe('new');
    expect(calls.map((c) => c.rows)).toEqual([3, 3]);
  });

  it('scores a request alone at once, without waiting out the batch window', async () => {
    const calls: Array<{ rows: number; segments?: readonly number[] }> = [];
    const score = fakeScorer(calls);
    const batcher = new MicroBatcher(() => ({ model: 'm', score }), { maxWaitMs: 60_000, maxRows: 100 });
    const t0 = Date.now();
    const a = await batcher.submit([{ v: 1 }]);
    expect(a.result.toResult().predictions).toEqual([{ out: 2 }]);
    expect(Date.now() - t0).toBeLessThan(30_000); // not held for the minute
    expect(calls).toEqual([{ rows: 1, segments: [1] }]);
  });

  it('holds a batch for a request still arriving and scores both together once it is queued', async () => {
    const calls: Array<{ rows: number; segments?: readonly number[] }> = [];
    const score = fakeScorer(calls);
    const batcher = new MicroBatcher(() => ({ model: 'm', score }), { maxWaitMs: 60_000, maxRows: 100 });
    const arrived = batcher.arrive(); // another request's body is being read
    let firstDone = false;
    const first = batcher.submit([{ v: 1 }]).then((r) => ((firstDone = true), r));
    await new Promise((r) => setTimeout(r, 20));
    expect(firstDone).toBe(false); // waiting for the arriving one, not scored alone
    arrived();
    arrived(); // a second call changes nothing
    const second = batcher.submit([{ v: 2 }, { v: 3 }]);
    expect((await first).result.toResult().predictions).toEqual([{ out: 2 }]);
    expect((await second).result.toResult().predictions).toEqual([{ out: 4 }, { out: 6 }]);
    expect(calls).toEqual([{ rows: 3, segments: [1, 2] }]);
  });

  it('stops holding a batch when the request it waits for fails to arrive, and after maxWaitMs at most', async () => {
    const calls: Array<{ rows: number; segments?: readonly number[] }> = [];
    const score = fakeScorer(calls);
    const patient = new MicroBatcher(() => ({ model: 'm', score }), { maxWaitMs: 60_000, maxRows: 100 });
    const failed = patient.arrive();
    const a = patient.submit([{ v: 1 }]);
    failed(); // e.g. its body was not JSON: it is never submitted
    expect((await a).result.toResult().predictions).toEqual([{ out: 2 }]);
    const hasty = new MicroBatcher(() => ({ model: 'm', score }), { maxWaitMs: 5, maxRows: 100 });
    hasty.arrive(); // never arrives
    expect((await hasty.submit([{ v: 2 }])).result.toResult().predictions).toEqual([{ out: 4 }]);
    expect(calls.map((c) => c.rows)).toEqual([1, 1]);
  });

  it('rejects every request of a batch whose scoring fails', async () => {
    const batcher = new MicroBatcher(
      () => ({
        model: 'm',
        score: () => {
          throw new Error('broken model');
        },
      }),
      { maxWaitMs: 0, maxRows: 100 },
    );
    const results = await Promise.allSettled([batcher.submit([{ v: 1 }]), batcher.submit([{ v: 2 }])]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
  });
});

describe('ServeMetrics', () => {
  it('renders counters and histograms with escaped label values', () => {
    const m = new ServeMetrics();
    m.request('/v1/predict', 200, 0.002);
    m.request('/v1/predict', 200, 3);
    m.batch('a"b\\c\nd', 5, 1);
    const text = m.render([{ model: 'x', irHash: 'h', modelHash: 'k', predictor: 'direct' }]);
    expect(text).toContain('mtl_serve_requests_total{route="/v1/predict",status="200"} 2\n');
    expect(text).toContain('mtl_serve_request_duration_seconds_bucket{route="/v1/predict",le="0.0025"} 1\n');
    expect(text).toContain('mtl_serve_request_duration_seconds_bucket{route="/v1/predict",le="+Inf"} 2\n');
    expect(text).toContain('mtl_serve_rows_total{model="a\\"b\\\\c\\nd"} 5\n');
    expect(text).toContain('mtl_serve_batch_rows_bucket{model="a\\"b\\\\c\\nd",le="4"} 0\n');
    expect(text).toContain('mtl_serve_batch_rows_bucket{model="a\\"b\\\\c\\nd",le="8"} 1\n');
    expect(text).toContain('mtl_serve_model_info{model="x",ir_hash="h",model_hash="k",predictor="direct"} 1\n');
  });
});
