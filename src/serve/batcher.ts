/**
 * Micro-batching: rows of concurrent requests are scored in one forward pass, and each request gets its
 * own slice back. One pass over 64 rows costs about what one over a single row does, so concurrent small
 * requests share it. A batch is scored
 *   - at once when the row budget is reached;
 *   - on the next turn of the event loop when no other request for this model is still arriving (its
 *     body being read: see {@link MicroBatcher.arrive}) — every request whose bytes came in the same turn
 *     is in it, and a request alone is never held back by a timer (it was: a 1 ms timer was most of a
 *     single-row request's latency);
 *   - else when the last of those arriving requests is queued, or after `maxWaitMs`, whichever is first.
 * The scorer is looked up when a batch is scored, not when a request is queued: after a hot reload the
 * next batch uses the new model, and a batch is never split across two models.
 */
import type { RowError } from './encode.js';
import type { ScoredRows } from './score.js';

/** Scores a batch of rows (all outputs, as columns), the rows of several requests back to back (`segments`). */
export type BatchScorer = (rows: readonly unknown[], opts: { segments: readonly number[] }) => ScoredRows;

/** Options of {@link MicroBatcher}. */
export interface BatchOptions {
  /** Longest wait for requests still arriving after the first one queued, in ms. */
  maxWaitMs: number;
  /** Score as soon as this many rows are queued. */
  maxRows: number;
  /** Told the size of each scored batch and its errors (metrics). */
  onBatch?: (rows: number, errors: number) => void;
}

/** What a request gets back: its rows' scores (a view of the batch's columns) and the model that scored them (all of them). */
export interface BatchAnswer<M> {
  result: ScoredRows;
  model: M;
}

interface Pending<M> {
  rows: readonly unknown[];
  resolve(r: BatchAnswer<M>): void;
  reject(e: unknown): void;
}

/** Collects concurrent requests for one model and scores them together. `M` is the model the scorer belongs to. */
export class MicroBatcher<M> {
  private queue: Array<Pending<M>> = [];
  private queuedRows = 0;
  private timer: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;
  /** Requests announced with arrive() and not yet arrived. */
  private arriving = 0;

  constructor(
    /** The model to score the next batch with, and its scorer (asked once per batch). */
    private readonly scorer: () => { model: M; score: BatchScorer },
    private readonly opts: BatchOptions,
  ) {}

  /** Score `rows` in the next batch: predictions and errors with row indexes of `rows`. */
  submit(rows: readonly unknown[]): Promise<BatchAnswer<M>> {
    return new Promise((resolve, reject) => {
      this.queue.push({ rows, resolve, reject });
      this.queuedRows += rows.length;
      if (this.queuedRows >= this.opts.maxRows) this.flush();
      else this.schedule();
    });
  }

  /**
   * A request for this model has begun arriving (its body is being read): a batch queued meanwhile waits
   * for it, up to `maxWaitMs`. Call the function returned once it has arrived — before submit(), or
   * when it failed and will never be submitted; calling it again does nothing.
   */
  arrive(): () => void {
    this.arriving++;
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.arriving--;
      if (this.queue.length) this.schedule();
    };
  }

  /** Plan the next flush of a non-empty queue: next turn when nothing else is arriving, else the timer. */
  private schedule(): void {
    if (this.arriving === 0) this.immediate ??= setImmediate(() => this.flush());
    else this.timer ??= setTimeout(() => this.flush(), this.opts.maxWaitMs);
  }

  /** Score everything queued now. */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
    this.timer = undefined;
    this.immediate = undefined;
    const batch = this.queue;
    this.queue = [];
    this.queuedRows = 0;
    if (!batch.length) return;
    const all = batch.length === 1 ? batch[0]!.rows : batch.flatMap((p) => p.rows as unknown[]);
    let result: ScoredRows;
    let model: M;
    try {
      const scorer = this.scorer();
      model = scorer.model;
      result = scorer.score(all, { segments: batch.map((p) => p.rows.length) });
    } catch (e) {
      for (const p of batch) p.reject(e);
      return;
    }
    this.opts.onBatch?.(all.length, result.errors.length);
    // Request k owns rows [offset, offset + its length) of the batch, and the errors of segment k.
    const errors: RowError[][] = batch.map(() => []);
    for (const { segment, ...err } of result.errors) errors[segment ?? 0]!.push(err);
    let offset = 0;
    batch.forEach((p, k) => {
      p.resolve({ result: result.slice(offset, p.rows.length, errors[k]!), model });
      offset += p.rows.length;
    });
  }
}
