/** No rule crashes (MTL3999) on broken input: truncated reference specs and randomly damaged IR. */
import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkText } from '../../src/language/check.js';
import { createDefaultRegistry } from '../../src/plugins/load.js';
import { validate } from '../../src/validate/validate.js';
import { baseIR } from './fixtures.js';

const SPECS = new URL('../../specs/', import.meta.url);
const registry = createDefaultRegistry();

describe('validator robustness', () => {
  it('never reports an internal error on truncated reference specs', () => {
    const files = readdirSync(SPECS).filter((f) => f.endsWith('.mtl'));
    for (const f of files) {
      const text = readFileSync(new URL(f, SPECS), 'utf8');
      for (let cut = 0; cut < text.length; cut += Math.max(1, Math.floor(text.length / 40))) {
        const r = checkText(text.slice(0, cut), { file: f, registry });
        expect(r.diagnostics.filter((d) => d.code === 'MTL3999').map((d) => `${f}@${cut}: ${d.message}`)).toEqual([]);
      }
    }
  });

  it('never reports an internal error on randomly damaged IR', () => {
    const paths: string[][] = [];
    const collect = (v: unknown, path: string[]): void => {
      if (path.length) paths.push(path);
      if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) if (k !== 'loc' && k !== 'locs') collect(x, [...path, k]);
    };
    collect(baseIR(), []);
    const junk = fc.oneof(fc.constant(undefined), fc.constant(null), fc.integer({ min: -3, max: 3 }), fc.string({ maxLength: 3 }), fc.constant(0).map(() => []), fc.constant(0).map(() => ({})));
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom(...paths), junk), { minLength: 1, maxLength: 4 }), (edits) => {
        const ir = baseIR() as unknown as Record<string, unknown>;
        for (const [path, value] of edits) {
          let cur: Record<string, unknown> | undefined = ir;
          for (const k of path.slice(0, -1)) cur = cur && typeof cur[k] === 'object' && cur[k] !== null ? (cur[k] as Record<string, unknown>) : undefined;
          if (!cur) continue;
          if (value === undefined) delete cur[path[path.length - 1]!];
          else cur[path[path.length - 1]!] = value;
        }
        const out = validate(ir as never, { registry });
        expect(out.diagnostics.filter((d) => d.code === 'MTL3999').map((d) => d.message)).toEqual([]);
      }),
      { numRuns: 400, seed: 7 },
    );
  });
});
