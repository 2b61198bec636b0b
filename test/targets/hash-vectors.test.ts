/** The Python reader hashes ids and splits rows exactly as the TypeScript one: shared test vectors. */
import { describe, expect, it } from 'vitest';
import * as path from 'node:path';
import { HASH_TEST_VECTORS, fnv1a32 } from '../../src/data/hash.js';
import { isValidationRow } from '../../src/data/split.js';
import { templateDir } from '../../src/targets/pytorch/index.js';
import { runPython, torchPython } from './python-env.js';

const EXTRA = ['user_\u{1F600}_x', 'Never married', '50000+.', ' spaced ', 'a|b', '\u00e9\u00e8', 'x'.repeat(300)];

describe.skipIf(!torchPython)('python hashing and split', () => {
  it('fnv1a32 matches HASH_TEST_VECTORS and the TypeScript hash', () => {
    const strings = [...HASH_TEST_VECTORS.map(([s]) => s), ...EXTRA];
    const script = `import sys, json; sys.path.insert(0, ${JSON.stringify(templateDir())}); import data
print(json.dumps([data.fnv1a32(s) for s in json.loads(sys.stdin.read() if False else ${JSON.stringify(JSON.stringify(strings))})]))`;
    const got = JSON.parse(runPython(['-c', script])) as number[];
    expect(got.slice(0, HASH_TEST_VECTORS.length)).toEqual(HASH_TEST_VECTORS.map(([, h]) => h));
    expect(got).toEqual(strings.map(fnv1a32));
  });

  it('the train/validation split matches isValidationRow', () => {
    const cases: Array<[number, number, number]> = [];
    for (const seed of [0, 42, 7, 123456789]) for (const split of [0.1, 0.5]) for (let i = 0; i < 50; i++) cases.push([i * 37, seed, split]);
    const script = `import sys, json; sys.path.insert(0, ${JSON.stringify(templateDir())}); import data
print(json.dumps([data.is_validation_row(o, s, v) for o, s, v in json.loads(${JSON.stringify(JSON.stringify(cases))})]))`;
    const got = JSON.parse(runPython(['-c', script])) as boolean[];
    expect(got).toEqual(cases.map(([o, s, v]) => isValidationRow(o, s, v)));
    expect(got.some(Boolean)).toBe(true);
  });
});

it('templateDir points at the Python templates', () => {
  expect(path.basename(templateDir())).toBe('templates');
});
