/** The `shuffle_buffer` train setting: parsed into the IR, checked, suggested when misspelt, printed back. */
import { describe, expect, it } from 'vitest';
import { parseSpec } from '../../src/language/index.js';
import { validate } from '../../src/validate/validate.js';
import { printIR } from '../../src/language/printer.js';
import { PluginRegistry } from '../../src/plugins/registry.js';
import { trainSpec } from './helpers.js';

const spec = trainSpec;

describe('shuffle_buffer', () => {
  it('is `all` or a row count, and absent by default', () => {
    expect(parseSpec(spec('shuffle_buffer all')).value!.train.shuffleBuffer).toBe('all');
    expect(parseSpec(spec('shuffle_buffer 100000')).value!.train.shuffleBuffer).toBe(100000);
    expect(parseSpec(spec('epochs 2')).value!.train.shuffleBuffer).toBeUndefined();
  });

  it('reports other words, misspellings (with a suggestion) and row counts below 1 or fractional', () => {
    const word = parseSpec(spec('shuffle_buffer alll')).diagnostics;
    expect(word.map((d) => d.code)).toEqual(['MTL1040']);
    expect(word[0]!.hint).toContain("Did you mean 'all'?");
    const typo = parseSpec(spec('shufle_buffer 10')).diagnostics;
    expect(typo.map((d) => d.code)).toEqual(['MTL1031']);
    expect(`${typo[0]!.message} ${typo[0]!.hint ?? ''}`).toContain('shuffle_buffer');
    for (const bad of ['0', '2.5', '-3']) {
      const v = validate(parseSpec(spec(`shuffle_buffer ${bad}`)).value!, { registry: new PluginRegistry() });
      expect(v.diagnostics.map((d) => d.code), bad).toContain('MTL3012');
    }
  });

  it('prints back as written', () => {
    expect(printIR(parseSpec(spec('shuffle_buffer 4096')).value!)).toContain('shuffle_buffer 4096');
    expect(printIR(parseSpec(spec('shuffle_buffer all')).value!)).toContain('shuffle_buffer all');
  });
});
