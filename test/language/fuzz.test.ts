import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { formatSpec } from '../../src/language/printer.js';
import { parseSpec } from '../../src/language/index.js';
import { allRanges, rangeInside, stripLocs } from './helpers.js';

const SEED = readFileSync(fileURLToPath(new URL('../fixtures/syntax/esmm.mtl', import.meta.url)), 'utf8') +
  readFileSync(fileURLToPath(new URL('../fixtures/syntax/mmoe.mtl', import.meta.url)), 'utf8').replace(/^model .*$/m, '');

/** Split into tokens and the whitespace between them (so that joining gives the text back). */
const pieces = SEED.match(/\s+|"[^"\n]*"|[A-Za-z_][\w-]*|\d+(?:\.\d+)?|->|\S/g)!;
const lines = SEED.split('\n');

/** One mutation of the seed spec. */
const mutation = fc.oneof(
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), n: fc.integer({ min: 1, max: 3 }) }),
  fc.record({ kind: fc.constant('duplicate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('swap' as const), at: fc.nat(), with: fc.nat() }),
  fc.record({ kind: fc.constant('deleteLine' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('swapLines' as const), at: fc.nat(), with: fc.nat() }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('bytes' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
);

function apply(ms: Array<typeof mutation extends fc.Arbitrary<infer M> ? M : never>): string {
  let toks = [...pieces];
  let ls = [...lines];
  let text: string | undefined;
  for (const m of ms) {
    text = undefined;
    const i = toks.length ? m.at % toks.length : 0;
    switch (m.kind) {
      case 'delete': toks.splice(i, m.n); break;
      case 'duplicate': toks.splice(i, 0, toks[i] ?? ''); break;
      case 'swap': { const j = m.with % Math.max(1, toks.length); [toks[i], toks[j]] = [toks[j] ?? '', toks[i] ?? '']; break; }
      case 'deleteLine': ls = toks.join('').split('\n'); ls.splice(m.at % ls.length, 1); toks = [ls.join('\n')]; break;
      case 'swapLines': { ls = toks.join('').split('\n'); const a = m.at % ls.length; const b = m.with % ls.length; [ls[a], ls[b]] = [ls[b]!, ls[a]!]; toks = [ls.join('\n')]; break; }
      case 'truncate': { const t = toks.join(''); toks = [t.slice(0, m.at % (t.length + 1))]; break; }
      case 'bytes': { const t = toks.join(''); const at = m.at % (t.length + 1); toks = [t.slice(0, at) + String.fromCharCode(...m.bytes) + t.slice(at)]; break; }
    }
  }
  return text ?? toks.join('');
}

describe('parseSpec on mutated specs', () => {
  it('never throws, and every range lies inside the text', () => {
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 4 }), (ms) => {
        const text = apply(ms);
        const r = parseSpec(text);
        for (const range of allRanges(r)) expect(rangeInside(text, range)).toBe(true);
        expect(JSON.parse(JSON.stringify(r.value))).toEqual(r.value);
        // When the mutant is well-formed, formatting keeps its IR and is idempotent.
        const f = formatSpec(text);
        if (f.value !== undefined) {
          expect(stripLocs(parseSpec(f.value).value)).toEqual(stripLocs(r.value));
          expect(formatSpec(f.value).value).toBe(f.value);
        }
      }),
      { numRuns: 200, seed: 20240611 },
    );
  });
});
