/**
 * Training progress output. On a terminal: one line rewritten in place (`\r`) with the epoch, batch of
 * batches, percentage, samples/s, running loss and the epoch's remaining time, at most ~10 times a
 * second. Elsewhere (logs, CI): a plain line every `every` batches and one per epoch.
 *
 * A small own implementation rather than `cli-progress`: we need one status line, not bars, and the
 * sink must be an injectable function (tests, the language server) rather than a stream.
 */

/** Where progress goes. `write` receives raw text, newlines included (e.g. `s => process.stderr.write(s)`). */
export interface ProgressSink {
  write: (text: string) => void;
  /** True on a terminal: rewrite one line instead of printing many. */
  isTTY: boolean;
  /** Non-TTY: print a line every this many batches (default 100). */
  every?: number;
  /** Clock in milliseconds (injectable for tests). */
  now?: () => number;
}

const CLEAR_LINE = '\r\x1b[K';

/** Format a count of samples per second for humans: `12,345`. */
function rate(samplesPerSecond: number): string {
  return Math.round(samplesPerSecond).toLocaleString('en-US');
}

/** `m:ss` (or `h:mm:ss`) for a duration in seconds. */
export function clock(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** Progress reporting for one training run. */
export class Progress {
  private readonly now: () => number;
  private readonly every: number;
  private epochStart = 0;
  private lastDraw = -Infinity;
  private samples = 0;
  private lossSum = 0;
  private batches = 0;
  private lineOpen = false;

  constructor(
    private readonly sink: ProgressSink | undefined,
    private readonly epochs: number,
    /** Batches in one epoch, when known (from the preprocessing pass): enables `batch b/B`, % and the ETA. */
    private readonly batchesPerEpoch?: number,
  ) {
    this.now = sink?.now ?? (() => performance.now());
    this.every = Math.max(1, sink?.every ?? 100);
  }

  /** Start counting a new epoch (1-based). */
  startEpoch(): void {
    this.epochStart = this.now();
    this.samples = 0;
    this.lossSum = 0;
    this.batches = 0;
    this.lastDraw = -Infinity;
  }

  /** Record one finished step: `batch` is 1-based within the epoch. */
  step(epoch: number, batch: number, size: number, loss: number): void {
    this.samples += size;
    this.lossSum += loss;
    this.batches++;
    if (!this.sink) return;
    const t = this.now();
    const seconds = Math.max((t - this.epochStart) / 1000, 1e-9);
    const total = this.batchesPerEpoch !== undefined && this.batchesPerEpoch >= batch ? this.batchesPerEpoch : undefined;
    const where = total === undefined ? `batch ${batch}` : `batch ${batch}/${total}  ${Math.floor((100 * batch) / total)}%`;
    // The epoch's remaining batches at this run's pace (a resumed epoch skipped some: they are not counted).
    const eta = total === undefined ? '' : `  eta ${clock(((total - batch) * seconds) / this.batches)}`;
    const text = `epoch ${epoch}/${this.epochs}  ${where}  ${rate(this.samples / seconds)} samples/s  loss ${(this.lossSum / this.batches).toFixed(4)}${eta}`;
    if (this.sink.isTTY) {
      if (t - this.lastDraw < 100) return;
      this.lastDraw = t;
      this.sink.write(CLEAR_LINE + text);
      this.lineOpen = true;
    } else if (batch % this.every === 0) {
      this.sink.write(text + '\n');
    }
  }

  /** Print a full line (an epoch summary, a notice), first clearing the status line on a terminal. */
  line(text: string): void {
    if (!this.sink) return;
    if (this.sink.isTTY && this.lineOpen) this.sink.write(CLEAR_LINE);
    this.lineOpen = false;
    this.sink.write(text + '\n');
  }
}
