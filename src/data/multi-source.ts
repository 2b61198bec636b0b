/**
 * Several data files read as one (a wildcard data path, docs/data.md "Several files"): the files in order,
 * one open at a time, each checked for the wanted columns when it is reached (a file without one stops the
 * pass with MTL5002 naming that file). Formats may mix (CSV, TSV, JSON Lines, Parquet, gzip): the columns
 * are matched by name in each file, so their order may differ. Row numbers stay those of each file, and
 * problems name the file they are in (`at`).
 */
import * as path from 'node:path';
import type { DataFileName } from './problems.js';
import type { Cell, RecordChunk, RecordSource, WantedColumn } from './source.js';
import { RowProblem } from './problems.js';

/** Opens one file of the set. */
export type OpenFile = (file: string, wanted: WantedColumn[]) => Promise<RecordSource>;

/**
 * One source over `files` (at least one), named after `pattern` in messages about the set as a whole
 * ("'part-*.csv' (3 files)"). The first file is opened now, so a problem with it surfaces at once.
 */
export async function openMany(pattern: string, files: readonly string[], wanted: WantedColumn[], open: OpenFile): Promise<RecordSource> {
  const name: DataFileName = { file: pattern, display: `'${path.basename(pattern)}' (${files.length} files)` };
  const first = await open(files[0]!, wanted);
  let current: RecordSource = first;
  async function* chunks(): AsyncGenerator<RecordChunk> {
    for (let f = 0; f < files.length; f++) {
      const src = f === 0 ? first : await open(files[f]!, wanted);
      current = src;
      const idx = src.colIndex;
      const identity = idx.every((k, i) => k === i) && idx.length === wanted.length;
      for await (const chunk of src.chunks) {
        if (identity) {
          yield chunk;
          continue;
        }
        // Put each file's cells in the wanted order, so that consumers can use one colIndex for every file.
        const rows = chunk.rows.map((rec) => (rec instanceof RowProblem ? rec : idx.map((k) => (rec as Cell[])[k]!)));
        yield { rows, lines: chunk.lines };
      }
    }
  }
  return {
    name,
    get at() {
      return current.at ?? current.name;
    },
    colIndex: wanted.map((_, i) => i),
    chunks: chunks(),
    // Cells were reordered for files whose columns are in another order: offsets into the line are not kept.
    offsetOf: (record, cell) => (current.colIndex.every((k, i) => k === i) ? current.offsetOf(record, cell) : 0),
  };
}
