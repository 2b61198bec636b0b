/**
 * The header of a data file as the user sees it in messages: the checks on column names (a wanted column
 * must exist, a name may appear once) and the one rule for when names read from a file may be shown.
 *
 * Why a rule: a file that is not a table (a password file, a binary) still "has" a first line, and echoing
 * it in a hint would print the file's contents. Names are shown only when the first line looks like a
 * header of named columns (see {@link looksLikeHeader}); otherwise the message gives the field count only.
 */
import { FILE_START } from '../diagnostics/types.js';
import { diag } from '../diagnostics/catalog.js';
import { MtlError } from '../diagnostics/error.js';
import { suggest } from '../diagnostics/suggest.js';
import type { DataFileName } from './problems.js';

/** Longest column name that counts as a plausible name. */
const MAX_NAME = 64;
/** Names shown before the list is cut ("..., (N in all)"). */
const SHOWN_NAMES = 12;
/**
 * A plausible column name: letters, digits, spaces and the punctuation headers use (`_-.()[]%#$+/`), or empty
 * (an unnamed column, e.g. after a trailing delimiter). `:`, `=`, quotes, control characters and long
 * names are what non-table text has.
 */
const NAME = new RegExp(`^[\\p{L}\\p{N}_ .\\-()\\[\\]%#$+/]{0,${MAX_NAME}}$`, 'u');

/**
 * True when `columns` (the fields of a CSV/TSV header, or the keys of a first JSON record) look like a
 * header of named columns: at least two, each a plausible name. A single field means the delimiter never
 * occurred in the first line, which is what a file that is not a table looks like.
 */
export function looksLikeHeader(columns: readonly string[]): boolean {
  return columns.length >= 2 && columns.every((c) => NAME.test(c));
}

/** The missing-column error (MTL5002): names and a did-you-mean only when the header looks like one. */
export function missingColumn(name: DataFileName, column: string, user: string, columns: readonly string[]): MtlError {
  let hint: string;
  let list: string;
  if (looksLikeHeader(columns)) {
    list = columns.length > SHOWN_NAMES ? `${columns.slice(0, SHOWN_NAMES).join(', ')}, ... (${columns.length} in all)` : columns.join(', ');
    const close = suggest(column, [...columns]);
    hint = close !== undefined ? `Did you mean '${close}'? Its columns are: ${list}.` : `Its columns are: ${list}.`;
  } else {
    const n = columns.length;
    list = `${n} ${n === 1 ? 'field' : 'fields'}`;
    hint = `Its first line does not look like a header of named columns (${list}). A CSV/TSV file needs a header line naming its columns; a JSON Lines file, one object per line.`;
  }
  return new MtlError(diag('MTL5002', FILE_START, { file: name.display, column, user, columns: list }, { file: name.file, hint }));
}

/**
 * The duplicate-name error (MTL5050) for a header where a non-empty name occurs twice, naming the first
 * duplicate's two positions (1-based); undefined when every name is unique. Matching is by name, so a
 * duplicate would silently pick one of the two columns.
 */
export function duplicateColumn(name: DataFileName, header: readonly string[]): MtlError | undefined {
  const first = new Map<string, number>();
  for (let i = 0; i < header.length; i++) {
    const h = header[i]!;
    if (h.length === 0) continue; // unnamed columns cannot be asked for
    const k = first.get(h);
    if (k === undefined) {
      first.set(h, i);
      continue;
    }
    const named = looksLikeHeader(header) ? `named '${h}'` : 'with the same name';
    return new MtlError(diag('MTL5050', FILE_START, { file: name.display, named, first: k + 1, second: i + 1 }, { file: name.file }));
  }
  return undefined;
}
