/**
 * Canonical JSON: object keys sorted and `undefined` members left out (as JSON.stringify does), so that equal
 * values give equal text whatever their key order. Used for fingerprints (the IR hash, checkpoint indexes,
 * a served model's hash) and to compare a plugin's manifest with its code.
 */

/** The canonical JSON text of `value`. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
