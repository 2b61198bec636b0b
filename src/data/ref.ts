/** Data references and reader options shared by the data modules (re-exported by index.ts). */
import type { JsonValue } from '../ir/types.js';
import type { Diagnostic } from '../diagnostics/types.js';

/**
 * Where rows come from: a file (CSV with a header, TSV, or JSON Lines; plain or gzip, detected by magic
 * bytes; format by extension .csv/.tsv/.jsonl/.ndjson/.json (+.gz), else sniffed; or Parquet, by its magic
 * bytes), the files a wildcard path matches (glob.ts), or a built-in generator.
 */
export type DataRef =
  | { kind: 'file'; path: string }
  | { kind: 'synth'; generator: string; rows: number; params: Record<string, JsonValue>; seed: number };

/** A data reference for messages and the log: the file, or the built-in generator with its row count and seed. */
export function describeDataRef(ref: DataRef): string {
  return ref.kind === 'synth' ? `built-in '${ref.generator}' data, ${ref.rows.toLocaleString('en-US')} rows, seed ${ref.seed}` : ref.path;
}

/** Options of every pass over data. */
export interface DataOptions {
  /** Directory of the spec: vocabulary files are relative to it. */
  baseDir: string;
  /** Skip (and count) bad rows instead of stopping at the first. */
  skipBadRows?: boolean;
  /** Receives warnings: one summary of skipped rows and one count of out-of-vocabulary ids per feature, per pass. */
  onWarning?: (d: Diagnostic) => void;
}
