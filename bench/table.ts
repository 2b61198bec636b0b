/** The benchmark table: one row per workload × vocabulary, as printed and as stored in the JSON. */
import type { NaiveResult } from './naive.js';
import type { PeerRun } from './peer.js';

/** Everything measured for one workload at one vocabulary size. */
export interface Row {
  workload: string;
  vocab: number;
  /** The --backend build the mtl figures are of (bench/builds.ts). */
  build?: string;
  backend?: string;
  flopsPerSample?: number;
  parameters?: number;
  /** mtl training samples/s, one per repetition. */
  mtl: number[];
  peerDense: PeerRun[];
  peerSparse: PeerRun[];
  naive?: NaiveResult;
  predictBatch?: number;
  predictLatencyMs?: number;
  peakRssMb?: number;
  error?: string;
}

const fmt = (x: number | undefined, digits = 0): string => (x === undefined || Number.isNaN(x) ? '-' : x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }));

/** A markdown table of the rows (medians over repetitions; the peer's best of dense and sparse). */
export function formatTable(rows: Row[], median: (xs: number[]) => number): string {
  const head = [
    'workload',
    'V',
    'build',
    'mtl samples/s',
    'peer best samples/s',
    'ratio',
    'mtl GFLOP/s',
    'peer GFLOP/s',
    'naive tfjs samples/s',
    'predict b=1024 samples/s',
    'predict b=1 ms',
    'mtl peak MB',
    'peer peak MB',
  ];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`];
  for (const r of rows) {
    const m = median(r.mtl);
    const d = median(r.peerDense.map((p) => p.samplesPerSecond));
    const s = median(r.peerSparse.map((p) => p.samplesPerSecond));
    const sparseBest = Number.isNaN(d) || s >= d;
    const best = sparseBest ? s : d;
    const peerRuns = sparseBest ? r.peerSparse : r.peerDense;
    const gflops = (rate: number): number => (r.flopsPerSample === undefined ? NaN : (3 * r.flopsPerSample * rate) / 1e9);
    const naive = !r.naive
      ? '-'
      : r.naive.samplesPerSecond !== null
        ? fmt(r.naive.samplesPerSecond)
        : `fails¹ (frozen emb.: ${fmt(r.naive.frozenSamplesPerSecond)})`;
    lines.push(
      `| ${[
        r.workload,
        r.vocab.toExponential(0).replace('+', ''),
        r.build ?? '-',
        r.error ? `error: ${r.error}` : fmt(m),
        Number.isNaN(best) ? '-' : `${fmt(best)} (${sparseBest ? 'sparse' : 'dense'})`,
        Number.isNaN(best) ? '-' : fmt(m / best, 2),
        fmt(gflops(m), 1),
        fmt(gflops(best), 1),
        naive,
        fmt(r.predictBatch),
        fmt(r.predictLatencyMs, 2),
        fmt(r.peakRssMb),
        peerRuns.length ? fmt(Math.max(...peerRuns.map((p) => p.peakRssMb))) : '-',
      ].join(' | ')} |`,
    );
  }
  const failure = rows.find((r) => r.naive?.error)?.naive?.error;
  if (failure) lines.push('', `¹ naive tfjs-layers model with trainable embeddings: ${failure}`);
  return lines.join('\n');
}
