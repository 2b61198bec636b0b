/** Test helpers for the syntax front end. */
import type { Diagnostic, Range } from '../../src/diagnostics/types.js';

/** A deep copy without `loc` / `locs` (to compare IRs modulo locations). */
export function stripLocs<T>(v: T): T {
  return JSON.parse(JSON.stringify(v, (k, x) => (k === 'loc' || k === 'locs' ? undefined : x))) as T;
}

/** The text a range covers. */
export function slice(text: string, r: Range): string {
  const lines = text.split(/\r\n|\r|\n/);
  const offset = (p: Range['start']): number => lines.slice(0, p.line).reduce((n, l) => n + l.length + 1, 0) + p.character;
  return text.replace(/\r\n?/g, '\n').slice(offset(r.start), offset(r.end));
}

/** True when a range lies inside the text (0-based, end-exclusive, start ≤ end). */
export function rangeInside(text: string, r: Range): boolean {
  const lines = text.split(/\r\n|\r|\n/);
  const ok = (p: Range['start']): boolean =>
    Number.isInteger(p.line) && Number.isInteger(p.character) && p.line >= 0 && p.line < lines.length && p.character >= 0 && p.character <= lines[p.line]!.length;
  const order = r.start.line < r.end.line || (r.start.line === r.end.line && r.start.character <= r.end.character);
  return ok(r.start) && ok(r.end) && order;
}

/** The codes of some diagnostics. */
export function codes(ds: Diagnostic[]): string[] {
  return ds.map((d) => d.code);
}

/** Every range in a value (diagnostics, IR loc/locs), for "inside the text" checks. */
export function allRanges(v: unknown, out: Range[] = []): Range[] {
  if (Array.isArray(v)) v.forEach((x) => allRanges(x, out));
  else if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if (o['start'] && o['end'] && typeof (o['start'] as { line?: unknown }).line === 'number') out.push(o as unknown as Range);
    else Object.values(o).forEach((x) => allRanges(x, out));
  }
  return out;
}

/** A minimal valid spec with `train` as the body of its train block (for tests of train settings). */
export const trainSpec = (train: string): string => `model m
features { categorical u hash 10 dim 2 }
labels { y: binary }
input all = concat(u)
tower t = mlp(2) on all -> sigmoid
task t = t loss bce(y)
train { ${train} }
`;
