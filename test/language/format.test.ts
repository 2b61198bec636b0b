import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { formatSpec, printIR } from '../../src/language/printer.js';
import { parseSpec } from '../../src/language/index.js';
import { stripLocs } from './helpers.js';

const FIXTURES = ['shared-bottom', 'omoe', 'mmoe', 'cgc', 'ple', 'esmm'];
const fixture = (name: string): string => fileURLToPath(new URL(`../fixtures/syntax/${name}`, import.meta.url));
const read = (name: string): string => readFileSync(fixture(name), 'utf8');
const format = (text: string): string => {
  const r = formatSpec(text);
  expect(r.value).toBeDefined();
  return r.value!;
};

describe('formatSpec: golden cases', () => {
  for (const name of FIXTURES) {
    const input = read(`${name}.mtl`);
    // UPDATE_GOLDEN=1 rewrites the golden files from the current formatter (then read the diff).
    if (process.env.UPDATE_GOLDEN) writeFileSync(fixture(`${name}.formatted.mtl`), formatSpec(input).value ?? '');
    const golden = read(`${name}.formatted.mtl`);

    it(`${name}: matches the golden output`, () => {
      expect(format(input)).toBe(golden);
    });

    it(`${name}: is idempotent`, () => {
      expect(format(golden)).toBe(golden);
    });

    it(`${name}: preserves the IR`, () => {
      const before = parseSpec(input);
      expect(before.diagnostics).toEqual([]);
      expect(stripLocs(parseSpec(golden).value)).toEqual(stripLocs(before.value));
    });

    it(`${name}: printIR round-trips the IR`, () => {
      const ir = parseSpec(input).value;
      expect(stripLocs(parseSpec(printIR(ir)).value)).toEqual(stripLocs(ir));
      expect(stripLocs(parseSpec(printIR(stripLocs(ir))).value)).toEqual(stripLocs(ir));
    });
  }
});

describe('formatSpec: layout and comments', () => {
  it('keeps leading, trailing and block comments, and docstrings', () => {
    const text = '# head\nmodel m # trailing\n// before a tower\n"doc" tower t = mlp(1) on x -> sigmoid\nfeatures { # open\n  # inside\n  categorical a hash 1 dim 1 # after\n  # last\n}\n# end\n';
    expect(format(text)).toBe(
      '# head\nmodel m # trailing\n\n// before a tower\n"doc"\ntower t = mlp(1) on x -> sigmoid\n\nfeatures { # open\n  # inside\n  categorical a hash 1 dim 1 # after\n  # last\n}\n# end\n',
    );
  });

  it('keeps a comment in the middle of a declaration, continuing on the next line', () => {
    const text = 'model m\ntask t = a # the head\n  loss bce(y)\n';
    const once = format(text);
    expect(once).toBe('model m\n\ntask t = a # the head\n  loss bce(y)\n');
    expect(format(once)).toBe(once);
  });

  it('spaces operators, calls, lists, negatives and label expressions canonically', () => {
    const text = 'model m\ngate g=s( k:-1 ,l:[ 1,2 ] )over a,b on x\ntask t=a*b loss bce( ! ( x|y )&z )where !x\ntrain{early_stop -auc(a)+2*logloss(a , x&y)mode min}';
    expect(format(text)).toBe(
      'model m\n\ngate g = s(k: -1, l: [1, 2]) over a, b on x\n\ntask t = a * b loss bce(!(x | y) & z) where !x\n\ntrain {\n  early_stop -auc(a) + 2 * logloss(a, x & y)\n  mode min\n}\n',
    );
  });

  it('keeps one blank line where the user had several, and sets blocks apart', () => {
    expect(format('model m\n\n\n\nexperts e[2] = mlp(1) on x\n\n\n\ngate g = s over e on x\ntower t = mlp(1) on g -> sigmoid\ndata { synth a }')).toBe(
      'model m\n\nexperts e[2] = mlp(1) on x\n\ngate g = s over e on x\ntower t = mlp(1) on g -> sigmoid\n\ndata {\n  synth a\n}\n',
    );
  });

  it('prints empty blocks on one line', () => {
    expect(format('model m features { }')).toBe('model m\n\nfeatures {}\n');
  });

  it('refuses text with syntax errors', () => {
    const r = formatSpec('model m\ngate g1 over e on all');
    expect(r.value).toBeUndefined();
    expect(r.diagnostics.map((d) => d.code)).toEqual(['MTL1010']);
  });

  it('formats text with only structural errors (unknown option words)', () => {
    const r = formatSpec('model m\nfeatures { categorical a hsh 3 }');
    expect(r.value).toBe('model m\n\nfeatures {\n  categorical a hsh 3\n}\n');
  });
});

describe('printIR', () => {
  it('prints an IR without locations in canonical order, omitting defaults', () => {
    const ir = stripLocs(parseSpec(read('esmm.mtl')).value);
    expect(printIR(ir)).toBe(
      [
        'model esmm "Entire Space Multi-task Model"',
        '',
        'data {',
        '  train "train.csv"',
        '  valid "valid.csv"',
        '}',
        '',
        'features {',
        '  categorical user_id hash 1000 dim 8',
        '  categorical item_id vocab "items.txt" dim 8 column "item"',
        '}',
        '',
        'labels {',
        '  click: binary',
        '  buy: binary',
        '}',
        '',
        'input all = concat(user_id, item_id)',
        '"pCTR"',
        'tower ctr = mlp(32, 16) on all -> sigmoid',
        '"pCVR: no direct loss"',
        'tower cvr = mlp(32, 16) on all -> sigmoid',
        '',
        'task ctr = ctr loss bce(click)',
        'task ctcvr = ctr * cvr loss bce(click & buy)',
        '',
        'metric auc(cvr, buy) where click',
        'metric logloss(ctcvr, click & !(buy | click))',
        '',
        'train {',
        '  early_stop auc(ctcvr)',
        '  patience 1',
        '}',
        '',
      ].join('\n'),
    );
  });

  it('escapes strings and keeps a hand-built IR readable when it is not valid text', () => {
    const ir = stripLocs(parseSpec('model m\nlabels { y: binary column "a\\"b\\\\c" }').value);
    expect(printIR(ir)).toContain('column "a\\"b\\\\c"');
    expect(printIR({ ...ir, name: 'two words' })).toContain('model two words');
  });
});
