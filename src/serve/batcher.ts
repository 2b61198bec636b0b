/**
 * Micro-batching: rows of requests that arrive within a short window (a millisecond by default) or until
 * a row budget is reached are scored in one forward pass, and each request gets its own slice back. One
 * pass over 64 rows costs about what one over a single row does, so concurrent small requests share it.
 * The scorer is looked up when a batch is scored, not when a request is queued: after a hot reload the
 * next batch uses the new model, and a batch is never split across two models.
 */
import type { ScoreOptions, ScoreResult } from './score.js';

/** Scores a batch of rows (all outputs). */
export type BatchScorer = (rows: readonly unknown[], opts: ScoreOptions) => ScoreResult;

/** Options of {@link MicroBatcher}. */
export interface BatchOptions {
  /** Longest wait for more requests after the first one queued, in ms (0: the next turn of the event loop). */
  maxWaitMs: number;
  /** Score as soon as this many rows are queued. */
  maxRows: number;
  /** Told the size of each scored batch and its errors (metrics). */
  onBatch?: (rows: number, errors: number) => void;
}

/** What a request gets back: its rows' scores and the model that scored them (all of them). */
export interface BatchAnswer<M> {
  result: ScoreResult;
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
      else this.timer ??= setTimeout(() => this.flush(), this.opts.maxWaitMs);
    });
  }

  /** Score everything queued now. */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.queue;
    this.queue = [];
    this.queuedRows = 0;
    if (!batch.length) return;
    const all = batch.length === 1 ? batch[0]!.rows : batch.flatMap((p) => p.rows as unknown[]);
    let result: ScoreResult;
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
    let offset = 0;
    batch.forEach((p, k) => {
      const end = offset + p.rows.length;
      const errors = result.errors.filter((err) => err.segment === k).map(({ segment: _, ...err }) => err);
      p.resolve({ result: { predictions: result.predictions.slice(offset, end), errors }, model });
      offset = end;
    });
  }
}
