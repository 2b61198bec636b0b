/**
 * Repeated keys in a JSON Lines record. JSON.parse keeps the last of two equal keys without a word, so
 * `{"price": 1, "price": 2}` would silently read 2; the reader reports it instead (MTL5052).
 */

/**
 * The first key that occurs twice at the top level of `line`, a JSON object that JSON.parse accepted and
 * that has `keyCount` distinct keys; undefined when none does. Fast path: a flat record with no ':' inside
 * its strings has exactly one ':' per key, and then no key can repeat; otherwise the line is scanned.
 */
export function repeatedKey(line: string, keyCount: number): string | undefined {
  let colons = 0;
  for (let i = line.indexOf(':'); i !== -1; i = line.indexOf(':', i + 1)) colons++;
  if (colons <= keyCount) return undefined;
  const seen = new Set<string>();
  let depth = 0;
  let expectKey = false;
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c === 34 /* " */) {
      const start = i;
      for (i++; line.charCodeAt(i) !== 34; i++) if (line.charCodeAt(i) === 92 /* \ */) i++;
      if (depth === 1 && expectKey) {
        const raw = line.slice(start, i + 1);
        const key = raw.includes('\\') ? (JSON.parse(raw) as string) : raw.slice(1, -1);
        if (seen.has(key)) return key;
        seen.add(key);
        expectKey = false;
      }
    } else if (c === 123 /* { */ || c === 91 /* [ */) {
      depth++;
      expectKey = depth === 1 && c === 123;
    } else if (c === 125 /* } */ || c === 93 /* ] */) depth--;
    else if (c === 44 /* , */ && depth === 1) expectKey = true;
  }
  return undefined;
}
