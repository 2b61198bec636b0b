/**
 * The exported page's input: text pasted or read from a chosen file → records for the scoring core.
 *
 * CSV/TSV go through the CsvSplitter that `mtl predict` reads data files with (quotes, CRLF, BOM, header
 * names trimmed), so a file scores on the page as it does on the command line; JSON is an array of records,
 * one record, or JSON Lines. Runs in the browser: it imports nothing from Node (the data readers in
 * src/data/source.ts do, which is why the small format sniffing below is this file's own).
 */
import { CsvSplitter, type CsvRecord } from '../data/csv.js';

/** A line of the input that is not a record (wrong field count, bad JSON): shown in place of its scores. */
export interface InputProblem {
  /** Index of the record in the input (0-based, in the same numbering as the scored records). */
  index: number;
  /** The 1-based line of the input it starts on. */
  line: number;
  message: string;
}

/** Parsed input: the records (undefined where a record could not be read) and the problems of the others. */
export interface ParsedInput {
  format: 'csv' | 'tsv' | 'json' | 'jsonl';
  /** One entry per data record; undefined for a record listed in `problems`. */
  records: Array<unknown>;
  /** The 1-based input line of each record. */
  lines: number[];
  problems: InputProblem[];
}

/** The input as a whole cannot be read (no header, not JSON): the page shows this instead of a table. */
export class InputError extends Error {
  constructor(
    message: string,
    /** The 1-based line at fault, when there is one. */
    readonly line?: number,
  ) {
    super(message);
    this.name = 'InputError';
  }
}

/** Which format `text` is in: by the file's extension when there is one, else by its first characters. */
export function inputFormat(text: string, fileName?: string): ParsedInput['format'] {
  const lower = (fileName ?? '').toLowerCase();
  if (lower.endsWith('.csv')) return 'csv';
  if (lower.endsWith('.tsv') || lower.endsWith('.tab')) return 'tsv';
  if (lower.endsWith('.jsonl') || lower.endsWith('.ndjson')) return 'jsonl';
  const t = text.replace(/^\uFEFF/, '').trimStart();
  if (t.startsWith('[')) return 'json';
  if (t.startsWith('{')) return lower.endsWith('.json') || isOneJsonValue(t) ? 'json' : 'jsonl';
  if (lower.endsWith('.json')) return 'json';
  const first = t.split('\n', 1)[0] ?? '';
  return first.includes('\t') && !first.includes(',') ? 'tsv' : 'csv';
}

/** True when the whole text parses as one JSON value (a pretty-printed record rather than JSON Lines). */
function isOneJsonValue(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** The 1-based line of character `offset` in `text`. */
function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

/** Parse CSV/TSV: a header line, then one record per line (fields → strings, as the data readers give them). */
function parseDelimited(text: string, delimiter: string, format: 'csv' | 'tsv'): ParsedInput {
  const splitter = new CsvSplitter(delimiter);
  const recs: CsvRecord[] = [];
  splitter.push(text, recs);
  splitter.end(recs);
  const head = recs.shift();
  if (!head) throw new InputError('the input is empty: give a header line and at least one row');
  if ('error' in head) throw new InputError(`line ${head.line}: the header cannot be read: ${head.error}`, head.line);
  const header = head.fields.map((h) => h.trim());
  if (recs.length === 0) throw new InputError(`line ${head.line} is a header (${header.join(', ')}) but no row follows it`, head.line);
  const out: ParsedInput = { format, records: [], lines: [], problems: [] };
  recs.forEach((r, index) => {
    out.lines.push(r.line);
    if ('error' in r) {
      out.records.push(undefined);
      out.problems.push({ index, line: r.line, message: `line ${r.line}: ${r.error}` });
      return;
    }
    if (r.fields.length !== header.length) {
      out.records.push(undefined);
      out.problems.push({ index, line: r.line, message: `line ${r.line} has ${r.fields.length} field${r.fields.length === 1 ? '' : 's'} but the header has ${header.length}` });
      return;
    }
    const rec: Record<string, string> = {};
    header.forEach((h, k) => void (rec[h] = r.fields[k]!));
    out.records.push(rec);
  });
  return out;
}

/** Parse JSON: an array of records or a single record. */
function parseJson(text: string): ParsedInput {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    // V8 words it "… at position 12" (Node 20) or "… (line 3 column 7)" (newer Chromium); some messages have neither.
    const msg = (e as Error).message;
    const at = /position (\d+)/.exec(msg);
    const lineCol = /line (\d+) column \d+/.exec(msg);
    const line = lineCol ? Number(lineCol[1]) : at ? lineAt(text, Number(at[1])) : undefined;
    throw new InputError(`the input is not valid JSON${line ? ` (line ${line})` : ''}: ${(e as Error).message}`, line);
  }
  const records = Array.isArray(value) ? value : [value];
  if (records.length === 0) throw new InputError('the JSON array is empty: give at least one record');
  // Lines of array elements are not tracked (a pretty-printed array spans many); the record's index is shown.
  return { format: 'json', records, lines: records.map(() => 0), problems: [] };
}

/** Parse JSON Lines: one record per non-blank line; a line that is not JSON is a problem of that record only. */
function parseJsonLines(text: string): ParsedInput {
  const out: ParsedInput = { format: 'jsonl', records: [], lines: [], problems: [] };
  text.replace(/^\uFEFF/, '').split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (!line.length) return;
    const index = out.records.length;
    out.lines.push(i + 1);
    try {
      out.records.push(JSON.parse(line) as unknown);
    } catch (e) {
      out.records.push(undefined);
      out.problems.push({ index, line: i + 1, message: `line ${i + 1} is not valid JSON: ${(e as Error).message}` });
    }
  });
  if (out.records.length === 0) throw new InputError('the input is empty: give at least one record');
  return out;
}

/**
 * Parse pasted or uploaded text into records. Throws InputError when the input as a whole cannot be read
 * (empty, no rows after the header, malformed JSON); a single bad line is a problem of that record only.
 */
export function parseInput(text: string, fileName?: string): ParsedInput {
  const format = inputFormat(text, fileName);
  const body = text.replace(/^\uFEFF/, '');
  if (!body.trim().length) throw new InputError('the input is empty: paste CSV or JSON rows, or choose a file');
  if (format === 'json') return parseJson(body);
  if (format === 'jsonl') return parseJsonLines(body);
  return parseDelimited(body, format === 'tsv' ? '\t' : ',', format);
}
