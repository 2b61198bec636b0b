/**
 * `mtl predict`: stream data through a trained model directory's export model and write one row per
 * input row, in input order: CSV (default) or JSON Lines (when the file name ends in .jsonl/.ndjson),
 * one column per tower/task output, optionally preceded by a passthrough column (`--keep COL`).
 * The file is written atomically: a failed run leaves no partial file (and keeps any previous one).
 */
import type { Diagnostic } from '../diagnostics/types.js';
import { loadArtifact, writeFailure } from './artifact.js';
import { predictOverData } from './artifact-stream.js';
import { writeStreamAtomic } from '../util/fs-atomic.js';
import type { ArtifactDataOptions } from './artifact-options.js';
import { resolveDeps, type DataRef, type RuntimeDeps } from './runtime-deps.js';

/** Options of {@link predictArtifact}. */
export interface PredictOptions extends ArtifactDataOptions {
  /** A data column copied into the output as the first column (e.g. an id). */
  keep?: string;
  /** Output format; by default from the file name (.jsonl/.ndjson → jsonl, else csv). */
  format?: 'csv' | 'jsonl';
}

/** What {@link predictArtifact} returns. */
export interface PredictResult {
  path: string;
  rows: number;
  /** The output columns written (after the kept column, if any). */
  outputs: string[];
  format: 'csv' | 'jsonl';
  diagnostics: Diagnostic[];
}

/** Quote a CSV field when needed (RFC 4180). */
function csvField(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** A float32 prediction as short text that still round-trips to the same float32. */
function num(v: number): string {
  return Number.isFinite(v) ? String(Number(v.toPrecision(9))) : '';
}

/** Write predictions of the model directory `dir` for `data` to `outPath`. Throws MtlError for bad models, data or an unwritable file. */
export async function predictArtifact(dir: string, data: DataRef, outPath: string, opts: PredictOptions): Promise<PredictResult> {
  const needed: Array<keyof RuntimeDeps> = opts.keep !== undefined ? ['readBatches', 'readColumn'] : ['readBatches'];
  const deps = await resolveDeps(opts.deps, needed);
  const format = opts.format ?? (/\.(jsonl|ndjson)$/i.test(outPath) ? 'jsonl' : 'csv');
  const diagnostics: Diagnostic[] = [];
  const warn = (d: Diagnostic): void => {
    diagnostics.push(d);
    opts.onWarning?.(d);
  };
  const art = await loadArtifact(dir, { ...(opts.plugins ? { plugins: opts.plugins } : {}), onWarning: warn });
  const outputs = art.model.outputNames.filter((n) => !n.startsWith('gate__'));
  const keep = opts.keep;
  // Open the kept column first: a missing column fails before any work.
  const kept = keep !== undefined ? deps.readColumn(data, keep)[Symbol.asyncIterator]() : undefined;
  let pending: { row: number; value: string } | undefined;
  let lastRow = 0;
  const keptValue = async (row: number): Promise<string> => {
    if (!kept) return '';
    // Several files (a wildcard --data): row numbers start again in each file, so a smaller row number
    // means the next file, and the kept column moves on to where its row numbers start again too.
    if (row < lastRow) {
      for (let prev = pending?.row ?? 0; ; prev = pending.row) {
        const next = await kept.next();
        if (next.done) return '';
        pending = next.value;
        if (pending.row < prev) break;
      }
    }
    lastRow = row;
    while (!pending || pending.row < row) {
      const next = await kept.next();
      if (next.done) return '';
      pending = next.value;
    }
    return pending.row === row ? pending.value : '';
  };

  let rows = 0;
  try {
    await writeStreamAtomic(outPath, async (write) => {
      if (format === 'csv') await write([...(keep !== undefined ? [keep] : []), ...outputs].map(csvField).join(',') + '\n');
      const stream = predictOverData(deps, art, data, {
        baseDir: opts.baseDir,
        ...(opts.skipBadRows !== undefined ? { skipBadRows: opts.skipBadRows } : {}),
        ...(opts.batchSize !== undefined ? { batchSize: opts.batchSize } : {}),
        ...(opts.plugins ? { plugins: opts.plugins } : {}),
        part: 'all',
        needLabels: false,
        onWarning: warn,
      });
      for await (const { batch, pred } of stream) {
        let text = '';
        for (let i = 0; i < batch.size; i++) {
          const k = keep !== undefined ? await keptValue(batch.rowNumbers[i]!) : undefined;
          if (format === 'csv') {
            const cells = outputs.map((o) => num(pred.outputs[o]![i]!));
            text += (k !== undefined ? [csvField(k), ...cells] : cells).join(',') + '\n';
          } else {
            const obj: Record<string, string | number | null> = {};
            if (keep !== undefined) obj[keep] = k ?? '';
            for (const o of outputs) {
              const v = pred.outputs[o]![i]!;
              obj[o] = Number.isFinite(v) ? Number(v.toPrecision(9)) : null;
            }
            text += JSON.stringify(obj) + '\n';
          }
        }
        rows += batch.size;
        await write(text);
      }
    });
  } catch (e) {
    throw writeFailure(outPath, e);
  } finally {
    art.model.dispose();
    await kept?.return?.();
  }
  return { path: outPath, rows, outputs, format, diagnostics };
}
