/**
 * The Prometheus metrics of `mtl serve` (GET /metrics), written by hand in the text exposition format
 * (version 0.0.4): counters, one gauge and cumulative histograms are all it needs, and a client library
 * would be a dependency for ~100 lines. Label values are escaped as the format requires.
 */

/** Latency buckets in seconds: 0.5 ms to 10 s. */
const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Rows per scored batch: powers of two to 4096. */
const BATCH_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096];

type Labels = Record<string, string>;

/** A label value escaped for the exposition format (backslash, double quote, newline). */
function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** `{a="x",b="y"}` (empty when there are no labels). */
function labelText(labels: Labels): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabel(v)}"`);
  return parts.length ? `{${parts.join(',')}}` : '';
}

/** A counter family keyed by label set. */
class Counter {
  private readonly values = new Map<string, { labels: Labels; value: number }>();
  constructor(
    readonly name: string,
    readonly help: string,
  ) {}
  inc(labels: Labels, by = 1): void {
    const key = labelText(labels);
    const cur = this.values.get(key);
    if (cur) cur.value += by;
    else this.values.set(key, { labels, value: by });
  }
  render(): string {
    let text = `# HELP ${this.name} ${this.help}\n# TYPE ${this.name} counter\n`;
    for (const { labels, value } of this.values.values()) text += `${this.name}${labelText(labels)} ${value}\n`;
    return text;
  }
}

/** A histogram family keyed by label set. */
class Histogram {
  private readonly series = new Map<string, { labels: Labels; counts: number[]; sum: number; count: number }>();
  constructor(
    readonly name: string,
    readonly help: string,
    private readonly buckets: number[],
  ) {}
  observe(labels: Labels, v: number): void {
    const key = labelText(labels);
    let s = this.series.get(key);
    if (!s) this.series.set(key, (s = { labels, counts: this.buckets.map(() => 0), sum: 0, count: 0 }));
    for (let i = 0; i < this.buckets.length; i++) if (v <= this.buckets[i]!) s.counts[i]!++;
    s.sum += v;
    s.count++;
  }
  render(): string {
    let text = `# HELP ${this.name} ${this.help}\n# TYPE ${this.name} histogram\n`;
    for (const { labels, counts, sum, count } of this.series.values()) {
      this.buckets.forEach((b, i) => (text += `${this.name}_bucket${labelText({ ...labels, le: String(b) })} ${counts[i]}\n`));
      text += `${this.name}_bucket${labelText({ ...labels, le: '+Inf' })} ${count}\n`;
      text += `${this.name}_sum${labelText(labels)} ${sum}\n${this.name}_count${labelText(labels)} ${count}\n`;
    }
    return text;
  }
}

/** What /metrics says about each served model. */
export interface ModelInfo {
  model: string;
  irHash: string;
  modelHash: string;
  predictor: string;
}

/** The server's metrics. */
export class ServeMetrics {
  private readonly requests = new Counter('mtl_serve_requests_total', 'HTTP requests answered, by route and status code.');
  private readonly latency = new Histogram('mtl_serve_request_duration_seconds', 'Time from a request\'s arrival to its answer, by route.', LATENCY_BUCKETS);
  private readonly rows = new Counter('mtl_serve_rows_total', 'Rows scored (including rows with errors), by model.');
  private readonly rowErrors = new Counter('mtl_serve_row_errors_total', 'Rows not scored because of a bad value, by model.');
  private readonly batches = new Histogram('mtl_serve_batch_rows', 'Rows per forward pass (one micro-batch of concurrent requests), by model.', BATCH_BUCKETS);
  private readonly reloads = new Counter('mtl_serve_reloads_total', 'Model reloads on SIGHUP, by model and result (ok, failed).');
  /** Requests received and not yet answered. */
  inFlight = 0;

  /** Count an answered request. */
  request(route: string, status: number, seconds: number): void {
    this.requests.inc({ route, status: String(status) });
    this.latency.observe({ route }, seconds);
  }

  /** Count a scored micro-batch. */
  batch(model: string, rows: number, errors: number): void {
    this.rows.inc({ model }, rows);
    if (errors) this.rowErrors.inc({ model }, errors);
    this.batches.observe({ model }, rows);
  }

  /** Count a reload. */
  reload(model: string, ok: boolean): void {
    this.reloads.inc({ model, result: ok ? 'ok' : 'failed' });
  }

  /** The exposition text. */
  render(models: readonly ModelInfo[]): string {
    let info = '# HELP mtl_serve_model_info The model each name serves: its IR hash, model hash and predictor (value 1).\n# TYPE mtl_serve_model_info gauge\n';
    for (const m of models) info += `mtl_serve_model_info${labelText({ model: m.model, ir_hash: m.irHash, model_hash: m.modelHash, predictor: m.predictor })} 1\n`;
    const flight = `# HELP mtl_serve_in_flight_requests Requests received and not yet answered.\n# TYPE mtl_serve_in_flight_requests gauge\nmtl_serve_in_flight_requests ${this.inFlight}\n`;
    return [this.requests, this.latency, this.rows, this.rowErrors, this.batches, this.reloads].map((m) => m.render()).join('') + info + flight;
  }
}
