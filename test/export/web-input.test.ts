/**
 * The exported page's input parser (src/export/web-input.ts): CSV/TSV with the data readers' splitter,
 * JSON arrays, single records and JSON Lines; bad lines are problems of their record only, unreadable
 * input is an InputError naming the line.
 */
import { describe, expect, it } from 'vitest';
import { InputError, inputFormat, parseInput } from '../../src/export/web-input.js';

describe('parseInput', () => {
  it('reads CSV with quotes, CRLF, a BOM and spaces around header names, as strings', () => {
    const p = parseInput('\uFEFFuser_id , price\r\n1,"12.5"\r\n"a,b",3\r\n');
    expect(p.format).toBe('csv');
    expect(p.records).toEqual([
      { user_id: '1', price: '12.5' },
      { user_id: 'a,b', price: '3' },
    ]);
    expect(p.lines).toEqual([2, 3]);
    expect(p.problems).toEqual([]);
  });

  it('reads TSV by its extension or a tab-only header', () => {
    expect(parseInput('a\tb\n1\t2\n').records).toEqual([{ a: '1', b: '2' }]);
    expect(inputFormat('a,b\n', 'rows.tsv')).toBe('tsv');
  });

  it('makes a row with the wrong field count a problem of that row, keeping the others', () => {
    const p = parseInput('a,b\n1,2\n3\n4,5\n');
    expect(p.records).toEqual([{ a: '1', b: '2' }, undefined, { a: '4', b: '5' }]);
    expect(p.problems).toEqual([{ index: 1, line: 3, message: 'line 3 has 1 field but the header has 2' }]);
  });

  it('reads a JSON array, one pretty-printed record, and JSON Lines with a bad line', () => {
    expect(parseInput('[{"a": 1}, {"a": 2}]').records).toEqual([{ a: 1 }, { a: 2 }]);
    expect(parseInput('{\n  "a": 1\n}').records).toEqual([{ a: 1 }]);
    const p = parseInput('{"a": 1}\n\n{"a": \n{"a": 3}\n');
    expect(p.format).toBe('jsonl');
    expect(p.records).toEqual([{ a: 1 }, undefined, { a: 3 }]);
    expect(p.lines).toEqual([1, 3, 4]);
    expect(p.problems.map((x) => [x.index, x.line])).toEqual([[1, 3]]);
    expect(p.problems[0]!.message).toMatch(/^line 3 is not valid JSON/);
  });

  it('throws InputError for input it cannot read at all', () => {
    const fails = (text: string, name?: string): InputError => {
      try {
        parseInput(text, name);
      } catch (e) {
        if (e instanceof InputError) return e;
        throw e;
      }
      throw new Error('no error');
    };
    expect(fails('  \n').message).toMatch(/empty/);
    expect(fails('a,b\n').message).toBe('line 1 is a header (a, b) but no row follows it');
    expect(fails('[]').message).toMatch(/array is empty/);
    const bad = fails('[\n{"a": 1},\n{"a" 2}\n]');
    expect(bad.message).toMatch(/not valid JSON/);
    expect(bad.line).toBe(3);
    expect(fails('a,"b\n1,2\n').message).toMatch(/^line 1: the header cannot be read: a quoted field is not closed/);
  });
});
