/**
 * Property: the whole check pipeline (`checkText`: parser or YAML loader, IR builder, validator) never throws
 * on a damaged reference spec, and every diagnostic has a valid range inside the file and is no internal crash.
 * Damage: deleting, duplicating and swapping tokens and lines, truncating, inserting random bytes.
 */
import fc from 'fast-check';
import { stringify as toYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { checkText } from '../../src/language/check.js';
import type { Diagnostic } from '../../src/diagnostics/types.js';
import { createDefaultRegistry } from '../../src/plugins/load.js';
import { stripLocations } from '../../src/ir/strip.js';
import { SPECS } from './helpers.js';

const registry = createDefaultRegistry();

/** One damage to a list of pieces (tokens or lines). */
type Edit = { op: 'delete' | 'duplicate' | 'swap'; at: number; to: number };

const editArb: fc.Arbitrary<Edit> = fc.record({ op: fc.constantFrom('delete', 'duplicate', 'swap'), at: fc.nat(), to: fc.nat() }) as fc.Arbitrary<Edit>;

function applyEdits(pieces: string[], edits: Edit[]): string[] {
  const p = [...pieces];
  for (const e of edits) {
    if (!p.length) break;
    const i = e.at % p.length;
    const j = e.to % p.length;
    if (e.op === 'delete') p.splice(i, 1);
    else if (e.op === 'duplicate') p.splice(j, 0, p[i]!);
    else [p[i], p[j]] = [p[j]!, p[i]!];
  }
  return p;
}

/** Tokens with their trailing whitespace, so that joining them gives the text back. */
function tokens(text: string): string[] {
  return text.match(/\s+|[A-Za-z_][\w-]*|\d[\w.+-]*|"(?:[^"\\\n]|\\.)*"?|[^\sA-Za-z_\d]/g) ?? [];
}

/** The problems with `d` as a diagnostic of `text`; empty when it is fine. */
function rangeProblems(d: Diagnostic, text: string): string[] {
  // Lines as LSP counts them: \n, \r\n and a lone \r end a line.
  const lines = text.split(/\r\n|\r|\n/);
  const ok = (p: { line: number; character: number }) =>
    Number.isInteger(p.line) && Number.isInteger(p.character) && p.line >= 0 && p.character >= 0 && p.line < Math.max(1, lines.length) && p.character <= (lines[p.line] ?? '').length;
  const out: string[] = [];
  const { start, end } = d.range;
  if (!ok(start) || !ok(end)) out.push(`${d.code} range outside the file: ${JSON.stringify(d.range)}`);
  if (end.line < start.line || (end.line === start.line && end.character < start.character)) out.push(`${d.code} range ends before it starts`);
  if (d.code === 'MTL3999') out.push(`internal rule crash: ${d.message}`);
  if (!d.message) out.push(`${d.code} has no message`);
  return out;
}

function checkAll(text: string, file: string): string[] {
  const r = checkText(text, { file, registry });
  return r.diagnostics.flatMap((d) => rangeProblems(d, text));
}

const specArb = fc.constantFrom(...SPECS);

describe('checkText on damaged reference specs', () => {
  it('token edits (delete, duplicate, swap) never throw and give valid ranges', () => {
    fc.assert(
      fc.property(specArb, fc.array(editArb, { minLength: 1, maxLength: 6 }), (spec, edits) => {
        const text = applyEdits(tokens(spec.text), edits).join('');
        expect(checkAll(text, `${spec.name}.mtl`)).toEqual([]);
      }),
      { numRuns: 300, seed: 20240611 },
    );
  });

  it('line edits, truncation and inserted bytes never throw and give valid ranges', () => {
    const bytes = fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 1, maxLength: 8 }).map((cs) => String.fromCharCode(...cs));
    fc.assert(
      fc.property(specArb, fc.array(editArb, { maxLength: 4 }), fc.nat(), fc.nat(), bytes, fc.boolean(), (spec, edits, cut, at, junk, truncate) => {
        let text = applyEdits(spec.text.split('\n'), edits).join('\n');
        if (truncate) text = text.slice(0, cut % (text.length + 1));
        const i = at % (text.length + 1);
        text = text.slice(0, i) + junk + text.slice(i);
        expect(checkAll(text, `${spec.name}.mtl`)).toEqual([]);
      }),
      { numRuns: 300, seed: 42 },
    );
  });

  it('damaged YAML and JSON forms never throw and give valid ranges', () => {
    const forms = SPECS.flatMap((s) => {
      const ir = stripLocations(checkText(s.text, { file: `${s.name}.mtl`, registry }).ir!);
      return [
        { file: `${s.name}.mtl.yaml`, text: toYaml(ir) },
        { file: `${s.name}.mtl.json`, text: JSON.stringify(ir, null, 2) },
      ];
    });
    fc.assert(
      fc.property(fc.constantFrom(...forms), fc.array(editArb, { minLength: 1, maxLength: 4 }), fc.boolean(), (form, edits, lines) => {
        const pieces = lines ? form.text.split('\n') : tokens(form.text);
        const text = applyEdits(pieces, edits).join(lines ? '\n' : '');
        expect(checkAll(text, form.file)).toEqual([]);
      }),
      { numRuns: 200, seed: 7 },
    );
  });

  it('deeply nested and cyclic graphs end in diagnostics', () => {
    const chain = Array.from({ length: 3000 }, (_, i) => `layer l${i} = mlp(4) on l${(i + 1) % 3000}`).join('\n');
    const text = `model m\nfeatures { categorical a hash 10 dim 2 }\nlabels { y: binary }\n${chain}\ntower t = mlp(4) on l0 -> sigmoid\ntask t = t loss bce(y)\n`;
    const r = checkText(text, { file: 'cyclic.mtl', registry });
    expect(r.diagnostics.some((d) => d.code === 'MTL3003')).toBe(true);
    expect(r.diagnostics.flatMap((d) => rangeProblems(d, text))).toEqual([]);
    const deep = `model m\ntask t = t loss bce(${'!('.repeat(20000)}y${')'.repeat(20000)})\n`;
    const rd = checkText(deep, { file: 'deep.mtl', registry });
    expect(rd.diagnostics.some((d) => d.code === 'MTL1004')).toBe(true);
    expect(rd.diagnostics.flatMap((d) => rangeProblems(d, deep))).toEqual([]);
  });
});
