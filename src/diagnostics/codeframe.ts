/**
 * Terminal rendering of a diagnostic: `FILE:LINE:COL: SEVERITY CODE: message` (1-based), a code frame
 * (the line before and the line of the range, with `^^^` under the range, clipped to the line; long
 * lines elided around the range), the hint, and related locations as notes.
 */
import type { Diagnostic, Range } from './types.js';

/** Options of {@link renderDiagnostic}. */
export interface RenderOptions {
  /** ANSI colours (for a terminal). Default false. */
  color?: boolean;
  /** The widest code line shown before eliding around the range. Default 100. */
  maxWidth?: number;
}

const ANSI = { reset: '\x1b[0m', bold: '\x1b[1m', dim: '\x1b[2m', red: '\x1b[31m', yellow: '\x1b[33m', cyan: '\x1b[36m', blue: '\x1b[34m' };
const SEVERITY_COLOR = { error: ANSI.red, warning: ANSI.yellow, info: ANSI.cyan } as const;

/** "FILE:LINE:COL" with 1-based line and column. */
function where(file: string, range: Range): string {
  return `${file}:${range.start.line + 1}:${range.start.character + 1}`;
}

/**
 * Cut a long line to `width` characters around [from, to), marking cuts with "…".
 * Returns the shown text and the shifted underline columns.
 */
function elide(line: string, from: number, to: number, width: number): { text: string; from: number; to: number } {
  if (line.length <= width) return { text: line, from, to };
  const span = Math.max(1, to - from);
  let start = Math.max(0, Math.min(from - Math.floor((width - Math.min(span, width)) / 2), line.length - width));
  if (start > from) start = from;
  const end = Math.min(line.length, start + width);
  const head = start > 0 ? '…' : '';
  const tail = end < line.length ? '…' : '';
  const shift = head.length - start;
  return { text: head + line.slice(start, end) + tail, from: from + shift, to: Math.min(to, end) + shift };
}

/** Render one diagnostic against the text it was found in. */
export function renderDiagnostic(d: Diagnostic, text: string, opts: RenderOptions = {}): string {
  const color = opts.color ?? false;
  const maxWidth = opts.maxWidth ?? 100;
  const paint = (s: string, ...codes: string[]): string => (color && s ? codes.join('') + s + ANSI.reset : s);
  const file = d.file ?? '<input>';
  const out: string[] = [];
  out.push(`${paint(where(file, d.range), ANSI.bold)}: ${paint(d.severity, ANSI.bold, SEVERITY_COLOR[d.severity])} ${paint(d.code, ANSI.bold)}: ${d.message}`);

  // The same line breaks as the positions (LSP: \n, \r\n and a lone \r), so the frame shows the reported line.
  const lines = text.split(/\r\n|\r|\n/);
  const lineNo = d.range.start.line;
  if (text.length > 0 && lineNo >= 0 && lineNo < lines.length) {
    const gutter = String(lineNo + 1).length;
    const num = (n: number | undefined): string => paint((n === undefined ? '' : String(n)).padStart(gutter), ANSI.blue);
    const bar = paint('|', ANSI.blue);
    const show = (s: string): string => s.replace(/\t/g, ' ');
    const line = lines[lineNo]!;
    const from = Math.min(d.range.start.character, line.length);
    const to = d.range.end.line > lineNo ? line.length : Math.min(Math.max(d.range.end.character, from), line.length);
    if (lineNo > 0) {
      const before = lines[lineNo - 1]!;
      const cut = before.length > maxWidth ? before.slice(0, maxWidth) + '…' : before;
      out.push(`  ${num(lineNo)} ${bar}${cut ? ' ' + show(cut) : ''}`);
    }
    const shown = elide(line, from, to, maxWidth);
    out.push(`  ${num(lineNo + 1)} ${bar}${shown.text ? ' ' + show(shown.text) : ''}`);
    const carets = '^'.repeat(Math.max(1, shown.to - shown.from));
    out.push(`  ${num(undefined)} ${bar} ${' '.repeat(shown.from)}${paint(carets, ANSI.bold, SEVERITY_COLOR[d.severity])}`);
  }
  if (d.hint) out.push(`  ${paint('hint', ANSI.bold, ANSI.cyan)}: ${d.hint}`);
  for (const r of d.related ?? []) out.push(`  ${where(r.file ?? file, r.range)}: ${paint('note', ANSI.bold)}: ${r.message}`);
  return out.join('\n');
}
