/**
 * Removing source locations from an IR (for printing, artifacts and YAML/JSON output).
 */

/** A deep copy of `value` without `loc` and `locs` properties (and, optionally, without inferred `width`s). */
export function stripLocations<T>(value: T, opts: { widths?: boolean } = {}): T {
  const keepWidths = opts.widths ?? true;
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) {
        if (k === 'loc' || k === 'locs' || (!keepWidths && k === 'width')) continue;
        if (x !== undefined) out[k] = walk(x);
      }
      return out;
    }
    return v;
  };
  return walk(value) as T;
}
