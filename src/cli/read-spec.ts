/**
 * Reading a spec file from disk: UTF-8 validation and a size guard, reported as diagnostics
 * so that binary or mis-encoded input never reaches the parser as garbage silently.
 */
import { readFile, stat } from 'node:fs/promises';
import type { Diagnostic } from '../diagnostics/types.js';
import { diag } from '../diagnostics/catalog.js';
import { UsageError } from './io.js';
import { nonRegularKind } from '../data/file-kind.js';
import { isDataSpec } from '../language/check.js';

/** Largest spec we check, in bytes (a 10 MB spec is still checked). */
export const MAX_SPEC_BYTES = 64 * 1024 * 1024;

/** Decode bytes as UTF-8; on invalid sequences, replace them and report the first one with its line and column. */
export function decodeSpec(bytes: Uint8Array, file: string): { text: string; diagnostics: Diagnostic[] } {
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), diagnostics: [] };
  } catch {
    const text = new TextDecoder('utf-8').decode(bytes);
    const at = firstInvalidUtf8(bytes);
    // Position of the first replacement character in the decoded text: lines and UTF-16 columns.
    const idx = text.indexOf('\uFFFD');
    const before = text.slice(0, Math.max(0, idx));
    const line = before.split('\n').length - 1;
    const character = before.length - (before.lastIndexOf('\n') + 1);
    const range = { start: { line, character }, end: { line, character: character + 1 } };
    const byte = at >= 0 ? bytes[at]!.toString(16).padStart(2, '0') : '??';
    return { text, diagnostics: [diag('MTL1900', range, { byte }, { file })] };
  }
}

/** True for the names of spec files: `.mtl` text, or its YAML/JSON form (`.mtl.yaml`, `.yaml`, `.json`). */
export function isSpecFileName(file: string): boolean {
  return /\.mtl$/i.test(file) || isDataSpec(file);
}

/**
 * Read a spec file. A missing or unreadable file, a file that is not named like a spec (`mtl fmt
 * README.md`) and anything but a regular file (a directory, a FIFO that would block, a device) are
 * usage errors (exit 2); encoding problems are diagnostics.
 */
export async function readSpecFile(file: string, command: string): Promise<{ text: string; diagnostics: Diagnostic[] }> {
  let size: number;
  try {
    const st = await stat(file);
    if (st.isDirectory()) throw new UsageError(`mtl ${command}: '${file}' is a directory, not a spec file.`, command);
    const kind = nonRegularKind(st);
    if (kind !== undefined) throw new UsageError(`mtl ${command}: '${file}' is not a regular file (${kind}); give a spec file.`, command);
    if (!isSpecFileName(file)) {
      throw new UsageError(`mtl ${command}: '${file}' is not a spec: spec files end in .mtl (or .mtl.yaml / .mtl.json for the IR as YAML or JSON).`, command);
    }
    size = st.size;
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`mtl ${command}: cannot read '${file}': no such file.`, command);
  }
  if (size > MAX_SPEC_BYTES) {
    const mb = (n: number) => (n / 1024 / 1024).toFixed(1);
    return { text: '', diagnostics: [diag('MTL1901', { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, { size: mb(size), limit: mb(MAX_SPEC_BYTES) }, { file })] };
  }
  const bytes = await readFile(file);
  return decodeSpec(bytes, file);
}

/** Index of the first byte that is not part of a valid UTF-8 sequence, or -1. */
function firstInvalidUtf8(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i]!;
    const need = c < 0x80 ? 0 : c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : -1;
    if (need < 0) return i;
    for (let k = 1; k <= need; k++) if (i + k >= b.length || (b[i + k]! & 0xc0) !== 0x80) return i;
    i += need + 1;
  }
  return -1;
}
