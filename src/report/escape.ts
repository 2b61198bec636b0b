/**
 * Escaping text for HTML and SVG (both XML-ish): everything the report prints comes from user specs and
 * files, so every string goes through here.
 */

/** Escape `&`, `<`, `>`, `"` and `'` for element text and attribute values. */
export function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** A number for SVG coordinates: short, and never `NaN` (which would break the drawing). */
export function n(x: number): string {
  return Number.isFinite(x) ? String(Math.round(x * 100) / 100) : '0';
}
