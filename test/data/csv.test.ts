import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parse } from 'csv-parse/sync';
import { CsvSplitter, fieldOffset, type CsvRecord } from '../../src/data/csv.js';

/** Split `text` fed in the given chunk sizes. */
function split(text: string, sizes: number[], delimiter = ','): CsvRecord[] {
  const s = new CsvSplitter(delimiter);
  const out: CsvRecord[] = [];
  let pos = 0;
  let k = 0;
  while (pos < text.length) {
    const n = Math.max(1, sizes[k++ % Math.max(1, sizes.length)] ?? text.length);
    s.push(text.slice(pos, pos + n), out);
    pos += n;
  }
  s.end(out);
  return out;
}

const quote = (f: string): string => (/[",\n\r]/.test(f) || f === '' ? `"${f.replace(/"/g, '""')}"` : f);

describe('CsvSplitter', () => {
  it('agrees with csv-parse on generated CSV, whatever the chunking', () => {
    const field = fc.string({ unit: fc.constantFrom('a', 'b', ',', '"', '\n', ' ', '1', 'é') });
    fc.assert(
      fc.property(fc.array(fc.array(field, { minLength: 3, maxLength: 3 }), { minLength: 1, maxLength: 8 }), fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1 }), fc.boolean(), (rows, sizes, crlf) => {
        const text = rows.map((r) => r.map(quote).join(',')).join(crlf ? '\r\n' : '\n') + '\n';
        // csv-parse mis-reads `""` before CRLF, so the oracle always parses the LF version (same fields).
        const lf = rows.map((r) => r.map(quote).join(',')).join('\n') + '\n';
        const expected = parse(lf, { relax_column_count: true }) as string[][];
        const got = split(text, sizes);
        expect(got.map((r) => ('fields' in r ? r.fields : r.error))).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });
  it('numbers records by their first line, skipping blank lines and counting quoted newlines', () => {
    const got = split('a,b\n\n1,"x\ny"\n2,z\n', [3]);
    expect(got).toEqual([
      { fields: ['a', 'b'], line: 1 },
      { fields: ['1', 'x\ny'], line: 3 },
      { fields: ['2', 'z'], line: 5 },
    ]);
  });
  it('strips a BOM, handles a last line without newline and tabs', () => {
    expect(split('\uFEFFa\tb\n1\t2', [100], '\t')).toEqual([
      { fields: ['a', 'b'], line: 1 },
      { fields: ['1', '2'], line: 2 },
    ]);
  });
  it('reports an unclosed quote and text after a closing quote as error records', () => {
    expect(split('a,b\n1,"open\n', [4])).toEqual([{ fields: ['a', 'b'], line: 1 }, { error: 'a quoted field is not closed before the end of the file', line: 2 }]);
    const got = split('a,b\n1,"x"y\n2,3\n', [50]);
    expect(got[1]).toEqual({ error: "a closing quote is followed by 'y' instead of the delimiter", line: 2 });
    expect(got[2]).toEqual({ fields: ['2', '3'], line: 3 });
  });
  it('knows field offsets of plain and quoted records', () => {
    const [, plain, quoted] = split('a,b,c\n11,2,333\n"q,1",x,y\n', [100]) as Array<{ fields: string[] }>;
    expect(fieldOffset(plain!.fields, 2)).toBe(5);
    expect(fieldOffset(quoted!.fields, 1)).toBe(6);
  });
});
