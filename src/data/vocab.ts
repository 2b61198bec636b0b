/**
 * Vocabulary files of `vocab "FILE"` features: one token per line, row = 1 + line index, row 0 for
 * anything else. Read once per pass, or taken from the preprocessing state.
 */
import { promises as fsp } from 'node:fs';
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { FILE_START } from '../diagnostics/types.js';
import { diag } from '../diagnostics/catalog.js';
import { MtlError } from '../diagnostics/error.js';
import { MAX_INLINE_TOKENS, type VocabState } from './state.js';
import { notRegularFile } from './file-kind.js';

/** A loaded vocabulary: token → row (1-based; 0 is out-of-vocabulary). */
export interface Vocabulary {
  state: VocabState;
  rows: Map<string, number>;
}

/** Split file text into tokens: lines without their `\r`; a final newline does not add a token. */
export function vocabTokens(text: string): string[] {
  const lines = text.replace(/^\uFEFF/, '').split('\n');
  if (lines.length && lines[lines.length - 1] === '') lines.pop();
  return lines.map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
}

/** Map tokens to rows; the first occurrence of a duplicate wins; blank lines occupy a row but map nothing. */
export function vocabRows(tokens: string[]): Map<string, number> {
  const rows = new Map<string, number>();
  tokens.forEach((t, i) => {
    if (t.length && !rows.has(t)) rows.set(t, i + 1);
  });
  return rows;
}

/** Read a vocabulary file (path relative to `baseDir`). Throws MtlError MTL5020/MTL5021. */
export async function readVocabFile(baseDir: string, file: string, feature: string): Promise<Vocabulary> {
  const full = path.resolve(baseDir, file);
  let bytes: Buffer | undefined;
  let reason = '';
  try {
    // Refused before reading: a FIFO would block forever, /dev/zero never end (see file-kind.ts).
    const kind = await notRegularFile(full);
    if (kind !== undefined) reason = `it is ${kind}, not a regular file`;
    else bytes = await fsp.readFile(full);
  } catch (e) {
    reason = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message;
  }
  if (bytes === undefined) throw new MtlError(diag('MTL5020', FILE_START, { file, feature, reason }, { file: full }));
  const tokens = vocabTokens(bytes.toString('utf8'));
  if (!tokens.some((t) => t.length)) throw new MtlError(diag('MTL5021', FILE_START, { file, feature }, { file: full }));
  const digest = createHash('sha256').update(bytes).digest('hex');
  const state: VocabState = { path: file, size: tokens.length, digest };
  if (tokens.length <= MAX_INLINE_TOKENS) state.tokens = tokens;
  return { state, rows: vocabRows(tokens) };
}

/** The vocabulary of a fitted state: its inline tokens, or the file again, checked against the digest (MTL5022). */
export async function loadVocab(baseDir: string, state: VocabState, feature: string): Promise<Vocabulary> {
  if (state.tokens) return { state, rows: vocabRows(state.tokens) };
  const v = await readVocabFile(baseDir, state.path, feature);
  if (v.state.digest !== state.digest) throw new MtlError(diag('MTL5022', FILE_START, { file: state.path, feature }, { file: path.resolve(baseDir, state.path) }));
  return { state, rows: v.rows };
}
