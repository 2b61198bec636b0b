/**
 * Search-space files: the schema file shipped, located diagnostics for bad files (line and column of the
 * offending value), paths checked against the spec's IR with did-you-mean, and values that do not fit.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseSpace } from '../../src/tune/space.js';
import { TUNE_SPACE_SCHEMA } from '../../src/tune/space-schema.js';
import { checkSpaceAgainstSpec } from '../../src/tune/setup.js';
import { TUNE_SPACE, tuneIr } from './helpers.js';

/** Diagnostics as `code line:col message` (1-based), for compact expectations. */
function located(text: string): string[] {
  const r = parseSpace(text, 'space.yaml');
  const ds = [...r.diagnostics, ...(r.space ? checkSpaceAgainstSpec(r.space.params, tuneIr(), 'space.yaml', { pruning: true }) : [])];
  return ds.map((d) => `${d.code} ${d.range.start.line + 1}:${d.range.start.character + 1} ${d.message}${d.hint ? ` | ${d.hint}` : ''}`);
}

describe('search space files', () => {
  it('schema/tune-space.schema.json is the schema in src/tune/space-schema.ts', () => {
    expect(JSON.parse(readFileSync(new URL('../../schema/tune-space.schema.json', import.meta.url), 'utf8'))).toEqual(TUNE_SPACE_SCHEMA);
  });

  it('loads YAML and JSON spaces into distributions', () => {
    const y = parseSpace(TUNE_SPACE + 'objective: auc(ctr)\ndirection: maximize\n', 's.yaml');
    expect(y.diagnostics).toEqual([]);
    expect(y.space!.params.map((p) => [p.path, p.dist])).toEqual([
      ['train.lr', { kind: 'uniform', low: 0.001, high: 0.1, log: true }],
      ['towers.ctr.units', { kind: 'choice', values: [4, 8, 16] }],
      ['train.batch', { kind: 'int', low: 32, high: 256, log: true }],
    ]);
    expect(y.space!.objective?.text).toBe('auc(ctr)');
    const j = parseSpace('{"params": {"train.lr": {"uniform": [0.001, 0.01]}}}', 's.json');
    expect(j.space!.params[0]!.dist).toEqual({ kind: 'uniform', low: 0.001, high: 0.01, log: false });
    expect(located(TUNE_SPACE)).toEqual([]);
  });

  it('an unknown distribution: located at its key, with did-you-mean', () => {
    expect(located('params:\n  train.lr: { loguniforn: [0.001, 0.1] }\n')).toEqual([
      "MTL5711 2:15 Search space: 'train.lr' must be a distribution: one of uniform, loguniform, int, choice, not 'loguniforn'. | Did you mean 'loguniform'?",
    ]);
  });

  it('a range that is not two numbers, an unknown top-level key, a reversed range, a bad log range', () => {
    expect(located('params:\n  train.lr:\n    uniform: [0.1]\n')[0]).toMatch(/^MTL5711 3:14 Search space: 'train\.lr\.uniform' must have at least 2 item/);
    expect(located('params:\n  train.lr: { uniform: [0.1, 0.2] }\nobjectve: auc(ctr)\n')[0]).toMatch(/^MTL5711 3:1 Search space: unknown key 'objectve' in the file/);
    expect(located('params:\n  train.lr: { uniform: [0.2, 0.1] }\n')).toEqual(['MTL5714 2:13 \'train.lr\': the range [0.2, 0.1] is empty or reversed. | Write the range as [low, high] with low < high (and low > 0 on a log scale).']);
    expect(located('params:\n  train.lr: { loguniform: [0, 0.1] }\n')[0]).toMatch(/^MTL5714 2:13 'train\.lr': a log scale needs low > 0/);
  });

  it('broken YAML is reported at its position', () => {
    const ds = located('params:\n  train.lr: { uniform: [0.1, 0.2 }\n');
    expect(ds[0]).toMatch(/^MTL5711 2:/);
  });

  it('a path that names no setting: the segment, the key position and a did-you-mean', () => {
    expect(located('params:\n  train.lrr: { uniform: [0.001, 0.1] }\n')).toEqual([
      "MTL5712 2:3 'train.lrr' names no setting of the spec: 'train' has no setting 'lrr'. | Did you mean 'lr'?",
    ]);
    expect(located('params:\n  towers.cttr.units: { choice: [4, 8] }\n')).toEqual([
      "MTL5712 2:3 'towers.cttr.units' names no setting of the spec: the spec has no tower node 'cttr'. | Did you mean 'ctr'?",
    ]);
    expect(located('params:\n  towers.ctr.unit: { choice: [4, 8] }\n')[0]).toContain("Did you mean 'units'?");
  });

  it('a distribution that cannot produce the setting\'s values', () => {
    expect(located('params:\n  train.optimizer: { uniform: [0, 1] }\n')).toEqual([
      "MTL5713 2:20 'train.optimizer' is a name in the spec, but the search space gives a uniform range. | Use a numeric range (uniform, loguniform, int) for a number and `choice` for a name or a list.",
    ]);
    expect(located('params:\n  train.batch: { uniform: [16, 64] }\n')[0]).toMatch(/^MTL5713 .*'train\.batch' is an integer in the spec/);
    expect(located('params:\n  train.optimizer: { choice: [adam, sgd] }\n')).toEqual([]);
    expect(located('params:\n  train.epochs: { int: [1, 5] }\n')[0]).toMatch(/^MTL5711 2:3 .*cannot be searched with the asha pruner/);
  });
});
