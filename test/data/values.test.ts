/**
 * The value and header rules of docs/data.md, function by function: the number syntax, missing tokens,
 * binary labels, shown values, the header-looks-like-a-header rule and repeated JSON keys. The CLI-level
 * behaviour is in test/e2e/data-rules.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { BAD, isMissingCell, parseBinary, parseNumber } from '../../src/data/values.js';
import { showValue } from '../../src/data/problems.js';
import { looksLikeHeader } from '../../src/data/columns.js';
import { repeatedKey } from '../../src/data/json-keys.js';
import { loadSpecData } from '../../src/language/load.js';
import { parseSpec } from '../../src/language/index.js';
import { DEFAULT_MISSING } from '../../src/ir/types.js';

describe('numbers are decimal only', () => {
  it.each([
    ['12', 12],
    ['-3', -3],
    ['+4', 4],
    ['0.5', 0.5],
    ['.5', 0.5],
    ['5.', 5],
    ['1e-3', 0.001],
    ['2.5E+2', 250],
    [' 12 ', 12],
    ['\t-7\t', -7],
    ['007', 7],
  ])('%j reads as %d', (text, value) => {
    expect(parseNumber(text)).toBe(value);
  });
  it.each(['0x10', '0X1F', '0b1', '0o7', 'Infinity', '-Infinity', 'inf', '1_000', '1,000', '1 000', '12abc', '1e', 'e5', '.', '-', '+-1', '1e999', '١٢', '１２', '\u00a012'])('%j is not a decimal number', (text) => {
    expect(parseNumber(text)).toBe(BAD);
  });
  it.each(['', 'NA', 'NaN', 'null', '?', ' NA ', '\t', '   '])('%j is missing', (text) => {
    expect(Number.isNaN(parseNumber(text))).toBe(true);
    expect(isMissingCell(text)).toBe(true);
  });
  it('missing tokens are case-sensitive: na and NULL are text, not missing', () => {
    expect(parseNumber('na')).toBe(BAD);
    expect(parseNumber('NULL')).toBe(BAD);
    expect(isMissingCell('na')).toBe(false);
  });
  it('JSON values: finite numbers pass, null is missing, booleans are 1 and 0', () => {
    expect(parseNumber(1.5)).toBe(1.5);
    expect(Number.isNaN(parseNumber(null))).toBe(true);
    expect([parseNumber(true), parseNumber(false)]).toEqual([1, 0]);
  });
});

describe('binary labels', () => {
  it.each([
    ['1', 1],
    ['0', 0],
    ['1.0', 1],
    ['0.0', 0],
    ['1e0', 1],
    [' 1 ', 1],
    ['-0', 0],
    ['true', 1],
    ['FALSE', 0],
    [true, 1],
    [0, 0],
  ] as const)('%j is %d', (cell, value) => {
    expect(Object.is(parseBinary(cell), value)).toBe(true);
  });
  it.each(['0x1', '2', '0.5', 'yes', 'Infinity', '1_0', 2])('%j is not a binary label', (cell) => {
    expect(parseBinary(cell)).toBe(-1);
  });
  it.each(['', 'NA', '?', null])('%j is a missing label', (cell) => {
    expect(parseBinary(cell)).toBe(-2);
  });
});

describe('values quoted in messages', () => {
  it('are cut at 40 characters with an ellipsis', () => {
    expect(showValue('abc')).toBe('abc');
    expect(showValue('x'.repeat(40))).toBe('x'.repeat(40));
    expect(showValue('x'.repeat(41))).toBe(`${'x'.repeat(39)}…`);
  });
  it('have control characters escaped', () => {
    expect(showValue('a\x1b[2Jb\x00\n')).toBe('a\\x1b[2Jb\\x00\\x0a');
  });
});

describe('a first line that looks like a header', () => {
  it.each([[['user', 'price', 'click']], [['Price ($)', 'km/h', 'user_id', '']], [['a-b', 'x.y', '% share', '#id']]])('%j is listed', (cols) => {
    expect(looksLikeHeader(cols)).toBe(true);
  });
  it.each([[['root:x:0:0:root:/root:/bin/bash']], [['only_one']], [['user', 'a=b']], [['user', 'x'.repeat(65)]], [['user', '\x00\x01']], [['user', '"quoted"']]])('%j is not', (cols) => {
    expect(looksLikeHeader(cols)).toBe(false);
  });
});

describe('repeated JSON keys', () => {
  const check = (line: string) => repeatedKey(line, Object.keys(JSON.parse(line) as object).length);
  it('finds a repeated top-level key', () => {
    expect(check('{"a": 1, "b": 2, "a": 3}')).toBe('a');
    expect(check('{"a\\u0062": 1, "ab": 2}')).toBe('ab'); // escapes are decoded before comparing
  });
  it('does not confuse nested keys, colons inside strings or keys inside values with repeats', () => {
    expect(check('{"a": 1, "b": {"a": 2}}')).toBeUndefined();
    expect(check('{"a": "x:y", "b": "\\"a\\": 1"}')).toBeUndefined();
    expect(check('{"a": [{"a": 1}, {"a": 2}], "t": "12:30"}')).toBeUndefined();
    expect(check('{"a": 1, "b": 2}')).toBeUndefined();
  });
});

describe('the default missing policy', () => {
  it('is `error`, in the text front end and in a YAML spec that omits it', () => {
    expect(DEFAULT_MISSING).toBe('error');
    const text = parseSpec('model m\nfeatures { numeric p }\nlabels { y: binary }\n', 'm.mtl');
    const f = text.value?.features[0];
    expect(f && f.kind === 'numeric' ? f.missing : undefined).toBe('error');
    const yaml = `version: 1
name: m
features:
  - { kind: numeric, name: p }
labels:
  - { name: y, type: binary }
nodes: []
tasks: []
`;
    const y = loadSpecData(yaml, 'm.yaml').value?.features[0];
    expect(y && y.kind === 'numeric' ? y.missing : undefined).toBe('error');
  });
});
