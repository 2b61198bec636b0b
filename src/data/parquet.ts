/**
 * Parquet files as a record source (docs/data.md "Parquet"), read with hyparquet: only the columns the spec
 * uses, one row group at a time (a row group's used columns are the most ever held), decompressed with
 * hyparquet-compressors (snappy, gzip, zstd, brotli, lz4). Values arrive typed, so they pass to the
 * decoders as cells without a detour through text: numbers as numbers, booleans as booleans, strings as
 * strings, nulls as missing values, and a list column (for a `sequence` feature) as its elements joined
 * with the feature's separator, exactly as a JSON Lines array is.
 *
 * Rows are numbered from 1 within the file (there is no header line); a chunk's name carries its row group,
 * so a message reads "train.parquet (row group 3 of 8) row 70001, column 'price': ...".
 */
import { asyncBufferFromFile, parquetMetadataAsync, parquetRead, parquetSchema } from 'hyparquet';
import type { FileMetaData, SchemaTree } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { FILE_START } from '../diagnostics/types.js';
import { diag } from '../diagnostics/catalog.js';
import { MtlError } from '../diagnostics/error.js';
import { missingColumn } from './columns.js';
import { showValue, type DataFileName } from './problems.js';
import { dataFileName } from './file-name.js';
import type { Cell, RecordChunk, RecordSource, WantedColumn } from './source.js';

/** The 4 bytes a Parquet file starts (and ends) with. */
export const PARQUET_MAGIC = 'PAR1';

/** Rows per chunk handed to the decoders (a row group is cut into chunks of this size). */
const CHUNK_ROWS = 4096;

/** How a top-level column is read: a scalar, a list of scalars, or something mtl cannot read (with its type in words). */
type ColumnShape = { kind: 'scalar' } | { kind: 'list' } | { kind: 'other'; type: string };

/** The shape of a top-level schema node: a primitive leaf, a LIST of primitives (3-level or legacy 2-level), or other. */
function shapeOf(node: SchemaTree): ColumnShape {
  const el = node.element;
  if (node.children.length === 0) return el.repetition_type === 'REPEATED' ? { kind: 'list' } : { kind: 'scalar' };
  const isList = el.converted_type === 'LIST' || el.logical_type?.type === 'LIST';
  if (isList && node.children.length === 1) {
    const rep = node.children[0]!;
    const leaf = rep.children.length === 1 ? rep.children[0]! : rep;
    if (leaf.children.length === 0) return { kind: 'list' };
    return { kind: 'other', type: 'a list of groups' };
  }
  if (el.converted_type === 'MAP' || el.logical_type?.type === 'MAP') return { kind: 'other', type: 'a map' };
  return { kind: 'other', type: 'a struct (group of columns)' };
}

/** A decoded Parquet value as text (for list elements and odd types): integers without a fraction, dates in ISO form. */
function valueText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? '' : v.toISOString();
  if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('utf8');
  if (typeof v === 'object') return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x));
  return String(v);
}

/**
 * A decoded Parquet value as a cell. Numbers and booleans pass; a 64-bit integer becomes a number when it
 * is exact as one (else its decimal text, which hashes like the same id in a CSV file); a list is joined
 * with `separator`.
 */
export function parquetCell(v: unknown, separator: string): Cell {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'bigint') return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();
  if (Array.isArray(v)) return v.map(valueText).join(separator);
  return valueText(v);
}

/** The reason text of an exception thrown by hyparquet, shortened for a message. */
function reasonOf(e: unknown): string {
  return showValue(e instanceof Error ? e.message : String(e), 160);
}

/**
 * Open a Parquet file for reading `wanted` columns: reads the footer (MTL5080 when it is not Parquet or
 * is damaged), checks every wanted column exists (MTL5002 with the file's columns and a did-you-mean) and
 * has a shape mtl reads (MTL5082), then streams its row groups in order.
 */
export async function openParquet(file: string, wanted: WantedColumn[]): Promise<RecordSource> {
  const base = dataFileName(file);
  let metadata: FileMetaData;
  let buffer: Awaited<ReturnType<typeof asyncBufferFromFile>>;
  let tree: SchemaTree;
  try {
    buffer = await asyncBufferFromFile(file);
    metadata = await parquetMetadataAsync(buffer);
    tree = parquetSchema(metadata);
  } catch (e) {
    throw new MtlError(diag('MTL5080', FILE_START, { file: base.display, reason: reasonOf(e) }, { file }));
  }
  const byName = new Map(tree.children.map((c) => [c.element.name, c]));
  const names = tree.children.map((c) => c.element.name);
  for (const w of wanted) {
    const node = byName.get(w.column);
    if (!node) throw missingColumn(base, w.column, w.user, names);
    const shape = shapeOf(node);
    const type = shape.kind === 'other' ? shape.type : shape.kind === 'list' && w.separator === undefined ? 'a list' : undefined;
    if (type !== undefined) {
      const why = shape.kind === 'list' ? 'only a `sequence` feature reads a list column' : 'mtl reads columns of numbers, strings, booleans, or lists of them';
      throw new MtlError(diag('MTL5082', FILE_START, { file: base.display, column: w.column, user: w.user, type, why }, { file }));
    }
  }
  const groups = metadata.row_groups.map((g) => Number(g.num_rows));
  const total = groups.reduce((a, b) => a + b, 0);
  if (total === 0) throw new MtlError(diag('MTL5001', FILE_START, { file: base.display, reason: 'has no rows' }, { file }));
  const columns = wanted.map((w) => w.column);
  const separators = wanted.map((w) => w.separator ?? '|');

  let current: DataFileName = base;
  async function* chunks(): AsyncGenerator<RecordChunk> {
    let start = 0;
    for (let g = 0; g < groups.length; g++) {
      const n = groups[g]!;
      if (n === 0) continue;
      let raw: unknown[][] = [];
      try {
        await parquetRead({ file: buffer, metadata, columns, rowStart: start, rowEnd: start + n, compressors, onComplete: (rows: unknown[][]) => (raw = rows) });
      } catch (e) {
        throw new MtlError(diag('MTL5081', FILE_START, { file: base.display, group: g + 1, groups: groups.length, first: start + 1, last: start + n, reason: reasonOf(e) }, { file }));
      }
      current = { file, display: groups.length > 1 ? `${base.display} (row group ${g + 1} of ${groups.length})` : base.display };
      for (let from = 0; from < raw.length; from += CHUNK_ROWS) {
        const to = Math.min(raw.length, from + CHUNK_ROWS);
        const rows: Cell[][] = new Array(to - from);
        const lines: number[] = new Array(to - from);
        for (let i = from; i < to; i++) {
          const src = raw[i]!;
          const cells: Cell[] = new Array(columns.length);
          for (let k = 0; k < columns.length; k++) cells[k] = parquetCell(src[k], separators[k]!);
          rows[i - from] = cells;
          lines[i - from] = start + i + 1;
        }
        yield { rows, lines };
      }
      raw = [];
      start += n;
    }
  }
  return {
    name: base,
    get at() {
      return current;
    },
    colIndex: columns.map((_, i) => i),
    chunks: chunks(),
    offsetOf: () => 0,
  };
}
