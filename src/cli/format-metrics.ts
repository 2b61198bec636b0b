/**
 * Shared bits of the model commands: the metrics table and the --backend flag.
 */
import { UsageError } from './io.js';

/** output → metric → value (null when undefined, e.g. one class). */
export type MetricTable = Record<string, Record<string, number | null>>;

/** A plain-text table: one row per output, one column per metric key. */
export function formatMetricsTable(metrics: MetricTable): string {
  const outputs = Object.keys(metrics);
  if (outputs.length === 0) return '  (no metrics: the evaluation set was empty)\n';
  const keys = [...new Set(outputs.flatMap((o) => Object.keys(metrics[o]!)))];
  const cell = (v: number | null | undefined) => (v === undefined ? '' : v === null ? 'n/a' : v.toFixed(4));
  const rows = [['output', ...keys], ...outputs.map((o) => [o, ...keys.map((k) => cell(metrics[o]![k]))])];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => '  ' + r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ')).join('\n') + '\n';
}

/** The backends a user may ask for. */
export type BackendFlag = 'auto' | 'native' | 'wasm' | 'cpu' | 'tensorflow';

/** Validate --backend. */
export function parseBackend(command: string, value: string | undefined): BackendFlag {
  const v = value ?? 'auto';
  if (v === 'auto' || v === 'native' || v === 'wasm' || v === 'cpu' || v === 'tensorflow') return v;
  throw new UsageError(`mtl ${command}: --backend must be auto, native, wasm, cpu or tensorflow, got '${v}'.`, command);
}
