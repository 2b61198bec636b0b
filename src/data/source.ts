/**
 * Raw records from a data reference, streamed in chunks: CSV/TSV (own splitter, see csv.ts) or JSON Lines,
 * plain or gzip, Parquet (parquet.ts), several files matched by a wildcard path (glob.ts, multi-source.ts),
 * or a built-in generator. Cells stay strings for text files (no per-field conversion here);
 * JSON values and generated numbers are passed through. The whole file is never held in memory.
 *
 * The first things a source checks: that a file is a regular file (MTL5051, before opening it), that header
 * names are unique (MTL5050) and that every wanted column exists (MTL5002); see columns.ts and file-kind.ts.
 */
import { constants, promises as fsp } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import { StringDecoder } from 'node:string_decoder';
import type { Readable } from 'node:stream';
import { FILE_START } from '../diagnostics/types.js';
import { diag } from '../diagnostics/catalog.js';
import { MtlError } from '../diagnostics/error.js';
import { CsvSplitter, fieldOffset, type CsvRecord } from './csv.js';
import { rowRange, RowProblem, showValue, type DataFileName } from './problems.js';
import { dataFileName } from './file-name.js';
import { duplicateColumn, missingColumn } from './columns.js';
import { nonRegularKind, notRegularFile } from './file-kind.js';
import { repeatedKey } from './json-keys.js';
import type { DataRef } from './ref.js';
import { synthGenerator } from './synth.js';
import { jsonCell } from './values.js';
import { openParquet, PARQUET_MAGIC } from './parquet.js';
import { dataPathFiles } from './glob.js';
import { openMany } from './multi-source.js';

/** A cell: text from CSV, any JSON scalar from JSON Lines (arrays/objects arrive as text), null when absent. */
export type Cell = string | number | boolean | null;

/** A column the reader needs, and who needs it (for the missing-column message). */
export interface WantedColumn {
  column: string;
  /** E.g. "feature 'price'", "label 'click'". */
  user: string;
  /** Separator to join a JSON array with (sequence features). */
  separator?: string;
}

/** A chunk of records. `rows[i]` is the record's cells, or a problem with the record as a whole. */
export interface RecordChunk {
  rows: Array<Cell[] | RowProblem>;
  /** 1-based row number of each record (CSV: line, header = 1; JSON Lines: line; synth: record number). */
  lines: number[];
}

/** An opened source: the cell index of each wanted column, and the chunks. */
export interface RecordSource {
  name: DataFileName;
  /**
   * Where the chunk last yielded comes from, when that is more than `name`: a Parquet row group, or the
   * file of a glob (row numbers are per file). Row problems are located with it.
   */
  readonly at?: DataFileName;
  /** `colIndex[k]` is the index in a record of wanted column k. */
  colIndex: number[];
  chunks: AsyncIterable<RecordChunk>;
  /** 0-based character offset of cell `cell` of a record in its line (0 when unknown). */
  offsetOf(record: Cell[], cell: number): number;
}

type Format = { kind: 'csv'; delimiter: string } | { kind: 'jsonl' };

const CHUNK_ROWS = 4096;

/** Open a data reference for reading `wanted` columns. Throws MtlError for unreadable/empty files and missing columns. */
export async function openSource(ref: DataRef, wanted: WantedColumn[]): Promise<RecordSource> {
  if (ref.kind === 'synth') return openSynth(ref, wanted);
  return openPath(ref.path, wanted);
}

/**
 * A file, or the files a wildcard path matches (glob.ts; MTL5083 when none), read one after the other.
 * A path that names an existing file is that file, even when its name has a wildcard character.
 */
async function openPath(p: string, wanted: WantedColumn[]): Promise<RecordSource> {
  const files = await dataPathFiles(p);
  if (files.length === 0) throw new MtlError(diag('MTL5083', FILE_START, { pattern: p }, { file: p }));
  return files.length === 1 ? openFile(files[0]!, wanted) : openMany(p, files, wanted, openFile);
}

// ------------------------------------------------------------------ synth

function openSynth(ref: Extract<DataRef, { kind: 'synth' }>, wanted: WantedColumn[]): RecordSource {
  const { generator, params } = synthGenerator(ref.generator, ref.params);
  const name = dataFileName(`synth:${ref.generator}`);
  const columns = generator.columns(params);
  for (const w of wanted) if (!columns.includes(w.column)) throw missingColumn(name, w.column, w.user, columns);
  const keys = wanted.map((w) => w.column);
  async function* chunks(): AsyncGenerator<RecordChunk> {
    let rows: Cell[][] = [];
    let lines: number[] = [];
    let n = 0;
    for (const rec of generator.generate(ref.rows, params, ref.seed)) {
      n++;
      rows.push(keys.map((k) => rec[k] ?? null));
      lines.push(n);
      if (rows.length === CHUNK_ROWS) {
        yield { rows, lines };
        rows = [];
        lines = [];
      }
    }
    if (rows.length) yield { rows, lines };
  }
  return { name, colIndex: keys.map((_, i) => i), chunks: chunks(), offsetOf: () => 0 };
}

// ------------------------------------------------------------------ files

/**
 * Open flags of data files: O_NONBLOCK so that a path swapped for a FIFO after the up-front check still
 * cannot block the open (it has no effect on reading a regular file).
 */
const OPEN_FLAGS = constants.O_RDONLY | constants.O_NONBLOCK;

async function openFile(file: string, wanted: WantedColumn[]): Promise<RecordSource> {
  const name = dataFileName(file);
  const notRegular = (kind: string) => new MtlError(diag('MTL5051', FILE_START, { file, kind }, { file }));
  let gzip = false;
  let parquet = false;
  try {
    const kind = await notRegularFile(file);
    if (kind !== undefined) throw notRegular(kind);
    const fh = await fsp.open(file, OPEN_FLAGS);
    try {
      const st = await fh.stat();
      const now = nonRegularKind(st);
      if (now !== undefined) throw notRegular(now);
      if (st.size === 0) throw new MtlError(diag('MTL5001', FILE_START, { file: name.display, reason: 'is empty' }, { file }));
      const head = Buffer.alloc(4);
      const { bytesRead } = await fh.read(head, 0, 4, 0);
      gzip = bytesRead >= 2 && head[0] === 0x1f && head[1] === 0x8b;
      parquet = bytesRead === 4 && head.toString('latin1') === PARQUET_MAGIC;
    } finally {
      await fh.close();
    }
  } catch (e) {
    if (e instanceof MtlError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (e as Error).message;
    throw new MtlError(diag('MTL5000', FILE_START, { file, reason }, { file }));
  }
  // Parquet by its magic bytes; a `.parquet` name without them is a damaged (or mislabelled) file, not text.
  if (parquet || file.toLowerCase().endsWith('.parquet')) return openParquet(file, wanted);

  // Text chunks, decoded; gzip errors are reported with the last complete row read.
  const progress = { lastLine: 0 };
  async function* text(): AsyncGenerator<string> {
    let fh: FileHandle;
    try {
      fh = await fsp.open(file, OPEN_FLAGS);
    } catch (e) {
      throw new MtlError(diag('MTL5000', FILE_START, { file, reason: (e as Error).message }, { file }));
    }
    const raw = fh.createReadStream({ highWaterMark: 1 << 16 }); // closes the handle when destroyed
    let stream: Readable = raw;
    if (gzip) {
      const gz = createGunzip();
      raw.on('error', (e) => gz.destroy(e));
      stream = raw.pipe(gz);
    }
    const decoder = new StringDecoder('utf8');
    try {
      for await (const buf of stream) {
        const s = decoder.write(buf as Buffer);
        if (s.length) yield s;
      }
      const tail = decoder.end();
      if (tail.length) yield tail;
    } catch (e) {
      if (gzip) {
        const reason = (e as NodeJS.ErrnoException).code === 'Z_BUF_ERROR' ? 'unexpected end of the compressed data' : (e as Error).message;
        const last = progress.lastLine > 0 ? `row ${progress.lastLine}` : 'none';
        throw new MtlError(diag('MTL5007', rowRange(progress.lastLine + 1, 0, 0), { file: name.display, reason, last }, { file }));
      }
      throw new MtlError(diag('MTL5000', FILE_START, { file, reason: (e as Error).message }, { file }));
    } finally {
      raw.destroy();
      if (stream !== raw) stream.destroy();
    }
  }

  const it = text()[Symbol.asyncIterator]();
  // Read until the first non-blank text to sniff the format and (for CSV) the header.
  let first = '';
  for (;;) {
    const r = await it.next();
    if (r.done) break;
    first += r.value;
    if (first.trim().length && (first.includes('\n') || first.length > 1 << 20)) break;
  }
  if (!first.trim().length) throw new MtlError(diag('MTL5001', FILE_START, { file: name.display, reason: 'has no header and no rows' }, { file }));
  const format = detectFormat(file, first);
  if (format.kind === 'jsonl' && first.trimStart().startsWith('[')) throw new MtlError(diag('MTL5013', FILE_START, { file: name.display }, { file }));

  async function* rest(): AsyncGenerator<string> {
    yield first;
    for (;;) {
      const r = await it.next();
      if (r.done) return;
      yield r.value;
    }
  }
  return format.kind === 'csv' ? openCsv(name, format.delimiter, rest(), wanted, progress, it) : openJsonl(name, rest(), wanted, progress, it);
}

function detectFormat(file: string, firstText: string): Format {
  const lower = file.toLowerCase().replace(/\.gz$/, '');
  if (lower.endsWith('.csv')) return { kind: 'csv', delimiter: ',' };
  if (lower.endsWith('.tsv') || lower.endsWith('.tab')) return { kind: 'csv', delimiter: '\t' };
  if (lower.endsWith('.jsonl') || lower.endsWith('.ndjson') || lower.endsWith('.json')) return { kind: 'jsonl' };
  const t = firstText.replace(/^\uFEFF/, '').trimStart();
  if (t.startsWith('{') || t.startsWith('[')) return { kind: 'jsonl' };
  const line = t.split('\n', 1)[0] ?? '';
  return { kind: 'csv', delimiter: line.includes('\t') && !line.includes(',') ? '\t' : ',' };
}

async function openCsv(
  name: DataFileName,
  delimiter: string,
  text: AsyncGenerator<string>,
  wanted: WantedColumn[],
  progress: { lastLine: number },
  underlying: AsyncIterator<string>,
): Promise<RecordSource> {
  const splitter = new CsvSplitter(delimiter);
  const pending: CsvRecord[] = [];
  let done = false;
  // Pull text until the header record is complete.
  while (pending.length === 0 && !done) {
    const r = await text.next();
    if (r.done) {
      splitter.end(pending);
      done = true;
    } else splitter.push(r.value, pending);
  }
  const headerRec = pending.shift();
  if (!headerRec || 'error' in headerRec) {
    await underlying.return?.();
    throw new MtlError(diag('MTL5001', FILE_START, { file: name.display, reason: 'has no header line' }, { file: name.file }));
  }
  const header = headerRec.fields.map((h) => h.trim());
  const duplicate = duplicateColumn(name, header);
  if (duplicate) {
    await underlying.return?.();
    throw duplicate;
  }
  const colIndex: number[] = [];
  for (const w of wanted) {
    const k = header.indexOf(w.column);
    if (k === -1) {
      await underlying.return?.();
      throw missingColumn(name, w.column, w.user, header);
    }
    colIndex.push(k);
  }
  const width = header.length;

  async function* chunks(): AsyncGenerator<RecordChunk> {
    let sawRow = false;
    const convert = (recs: CsvRecord[]): RecordChunk => {
      const rows: Array<Cell[] | RowProblem> = new Array(recs.length);
      const lines: number[] = new Array(recs.length);
      for (let i = 0; i < recs.length; i++) {
        const r = recs[i]!;
        lines[i] = r.line;
        if ('error' in r) rows[i] = new RowProblem('MTL5012', { reason: showValue(r.error, 120) }, -1);
        else if (r.fields.length !== width) rows[i] = new RowProblem('MTL5005', { count: r.fields.length, expected: width }, -1);
        else rows[i] = r.fields;
      }
      if (recs.length) {
        sawRow = true;
        progress.lastLine = lines[lines.length - 1]!;
      }
      return { rows, lines };
    };
    try {
      if (pending.length) yield convert(pending.splice(0));
      while (!done) {
        const r = await text.next();
        const out: CsvRecord[] = [];
        if (r.done) {
          splitter.end(out);
          done = true;
        } else splitter.push(r.value, out);
        if (out.length) yield convert(out);
      }
      if (!sawRow) throw new MtlError(diag('MTL5001', FILE_START, { file: name.display, reason: 'has a header but no rows' }, { file: name.file }));
    } finally {
      await underlying.return?.();
    }
  }
  return { name, colIndex, chunks: chunks(), offsetOf: (record, cell) => fieldOffset(record as string[], cell, delimiter.length) };
}

async function openJsonl(
  name: DataFileName,
  text: AsyncGenerator<string>,
  wanted: WantedColumn[],
  progress: { lastLine: number },
  underlying: AsyncIterator<string>,
): Promise<RecordSource> {
  const keys = wanted.map((w) => w.column);
  async function* chunks(): AsyncGenerator<RecordChunk> {
    let rest = '';
    let lineNo = 0;
    let checked = false;
    let rows: Array<Cell[] | RowProblem> = [];
    let lines: number[] = [];
    const take = (line: string): void => {
      lineNo++;
      if (line.endsWith('\r')) line = line.slice(0, -1);
      if (lineNo === 1 && line.charCodeAt(0) === 0xfeff) line = line.slice(1);
      if (!line.trim().length) return;
      let obj: unknown;
      try {
        obj = JSON.parse(line);
      } catch (e) {
        // V8's message quotes a piece of the line: shortened like any value from the file.
        rows.push(new RowProblem('MTL5006', { reason: showValue((e as Error).message.replace(/\.$/, ''), 120) }, -1));
        lines.push(lineNo);
        return;
      }
      if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) {
        rows.push(new RowProblem('MTL5006', { reason: `it is ${Array.isArray(obj) ? 'an array' : obj === null ? 'null' : `a ${typeof obj}`}` }, -1));
        lines.push(lineNo);
        return;
      }
      const rec = obj as Record<string, unknown>;
      const repeated = repeatedKey(line, Object.keys(rec).length);
      if (repeated !== undefined) {
        rows.push(new RowProblem('MTL5052', { key: showValue(repeated) }, -1));
        lines.push(lineNo);
        return;
      }
      if (!checked) {
        checked = true;
        const present = Object.keys(rec);
        for (const w of wanted) if (!(w.column in rec)) throw missingColumn(name, w.column, w.user, present);
      }
      const cells: Cell[] = new Array(keys.length);
      for (let k = 0; k < keys.length; k++) cells[k] = jsonCell(rec[keys[k]!], wanted[k]!.separator);
      rows.push(cells);
      lines.push(lineNo);
    };
    try {
      for await (const s of text) {
        const buf = rest + s;
        let pos = 0;
        for (let nl = buf.indexOf('\n'); nl !== -1; nl = buf.indexOf('\n', pos)) {
          take(buf.slice(pos, nl));
          pos = nl + 1;
        }
        rest = buf.slice(pos);
        if (rows.length >= CHUNK_ROWS) {
          progress.lastLine = lines[lines.length - 1]!;
          yield { rows, lines };
          rows = [];
          lines = [];
        }
      }
      if (rest.length) take(rest);
      if (rows.length) {
        progress.lastLine = lines[lines.length - 1]!;
        yield { rows, lines };
      }
      if (!checked && progress.lastLine === 0) throw new MtlError(diag('MTL5001', FILE_START, { file: name.display, reason: 'has no records' }, { file: name.file }));
    } finally {
      await underlying.return?.();
    }
  }
  return { name, colIndex: keys.map((_, i) => i), chunks: chunks(), offsetOf: () => 0 };
}

