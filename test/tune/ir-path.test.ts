/**
 * Settings by IR path: resolution (aliases, snake_case, MLP settings on the node), writing values into the
 * spec's text in place (comments and layout kept), the printer fallback for settings the text does not spell
 * out, and `mtl train --set`'s parsing.
 */
import { describe, expect, it } from 'vitest';
import { applySettings, PathError, resolvePath } from '../../src/tune/ir-path.js';
import { applySetArgs, parseSetArgs } from '../../src/tune/set-args.js';
import { checkText } from '../../src/language/check.js';
import { TUNE_SPEC, tuneIr } from './helpers.js';

describe('IR paths', () => {
  it('resolve train settings, node settings through their kind, and snake_case', () => {
    const ir = tuneIr();
    expect(resolvePath(ir, 'train.lr')).toMatchObject({ current: 0.01, kind: 'number' });
    expect(resolvePath(ir, 'train.valid_split')).toMatchObject({ key: 'validSplit', kind: 'number' });
    expect(resolvePath(ir, 'towers.ctr.units')).toMatchObject({ current: [8], kind: 'list of numbers' });
    expect(resolvePath(ir, 'tower.cvr.dropout')).toMatchObject({ current: 0, kind: 'integer', ranges: [] });
    expect(resolvePath(ir, 'features.user_id.dim')).toMatchObject({ current: 4, kind: 'integer' });
    expect(resolvePath(ir, 'features.user_id.ids.size')).toMatchObject({ current: 500 });
    expect(resolvePath(ir, 'nodes.ctr.output')).toMatchObject({ current: 'sigmoid', kind: 'name' });
  });

  it('name the segment that is wrong, with a did-you-mean', () => {
    const ir = tuneIr();
    const err = (p: string): PathError => {
      try {
        resolvePath(ir, p);
      } catch (e) {
        return e as PathError;
      }
      throw new Error(`no error for ${p}`);
    };
    expect(err('trian.lr')).toMatchObject({ reason: "the spec has no setting 'trian'", fix: "Did you mean 'train'?" });
    expect(err('features.user_idd.dim')).toMatchObject({ reason: "'features' has no entry 'user_idd'", fix: "Did you mean 'user_id'?" });
    expect(err('experts.e.units')).toMatchObject({ reason: "the spec has no experts node 'e'" });
    expect(err('train')).toMatchObject({ reason: "'train' is a block, not a setting" });
  });

  it('write values into the text in place: comments, layout and other values unchanged', () => {
    const ir = tuneIr();
    const r = applySettings(TUNE_SPEC, ir, { 'train.lr': 0.003, 'towers.ctr.units': 16, 'train.optimizer': 'sgd' });
    expect(r.printed).toBe(false);
    expect(r.text).toBe(TUNE_SPEC.replace('lr 0.01', 'lr 0.003').replace('tower ctr = mlp(8)', 'tower ctr = mlp(16)').replace('optimizer adam', 'optimizer sgd'));
    const again = checkText(r.text, { file: 'x.mtl' });
    expect(again.diagnostics).toEqual([]);
    expect(again.ir!.train.lr).toBe(0.003);
  });

  it('print the spec from the changed IR when a setting is not in the text (a default), re-checked to the same model', () => {
    const r = applySettings(TUNE_SPEC, tuneIr(), { 'towers.cvr.dropout': 0.25, 'towers.ctr.units': [16, 8] });
    expect(r.printed).toBe(true);
    const again = checkText(r.text, { file: 'x.mtl' });
    expect(again.diagnostics).toEqual([]);
    const cvr = again.ir!.nodes.find((n) => n.name === 'cvr') as { mlp: { dropout: number } };
    const ctr = again.ir!.nodes.find((n) => n.name === 'ctr') as { mlp: { units: number[] } };
    expect(cvr.mlp.dropout).toBe(0.25);
    expect(ctr.mlp.units).toEqual([16, 8]);
  });

  it('--set: PATH=VALUE parsed as JSON or a name; bad ones are MTL5715; paths and types checked', () => {
    expect(parseSetArgs(['train.lr=0.003', 'train.optimizer=sgd', 'towers.ctr.units=[16,8]'])).toEqual({ values: { 'train.lr': 0.003, 'train.optimizer': 'sgd', 'towers.ctr.units': [16, 8] }, diagnostics: [] });
    expect(parseSetArgs(['train.lr']).diagnostics.map((d) => d.code)).toEqual(['MTL5715']);
    expect(parseSetArgs(['train.lr={"a":1}']).diagnostics.map((d) => d.code)).toEqual(['MTL5715']);
    const bad = applySetArgs(TUNE_SPEC, tuneIr(), { 'train.lrr': 1, 'train.optimizer': 3 });
    expect(bad.diagnostics.map((d) => `${d.code} ${d.message}`)).toEqual([
      "MTL5712 'train.lrr' names no setting of the spec: 'train' has no setting 'lrr'.",
      "MTL5713 'train.optimizer' is a name in the spec, but --set gives 3.",
    ]);
  });
});
