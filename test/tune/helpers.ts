/**
 * Helpers of the tune tests: a tiny spec with built-in data (a trial trains in seconds) and its checked IR.
 */
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { checkText } from '../../src/language/check.js';
import type { ModelIR } from '../../src/ir/types.js';

/** A tiny two-tower spec on the built-in ESMM data, with comments that best.mtl must keep. */
export const TUNE_SPEC = `# A tiny two-tower model for the tune tests.
model tiny "A tiny click/buy model"

data {
  synth esmm
  rows 1500
}

features {
  categorical user_id hash 500 dim 4
  categorical item_id hash 500 dim 4
  numeric     price   normalize log1p
}

labels {
  click: binary
  buy: binary
}

input all = concat(user_id, item_id, price)
tower ctr = mlp(8) on all -> sigmoid   # the click tower
tower cvr = mlp(8) on all -> sigmoid

task ctr   = ctr       loss bce(click)
task ctcvr = ctr * cvr loss bce(click & buy)

train {
  optimizer adam
  lr 0.01
  batch 64
  epochs 3
  seed 7
  early_stop auc(ctr) + auc(ctcvr)
  patience 5
}
`;

/** A space over the tiny spec. */
export const TUNE_SPACE = `params:
  train.lr: { loguniform: [0.001, 0.1] }
  towers.ctr.units: { choice: [4, 8, 16] }
  train.batch: { int: [32, 256], log: true }
`;

/** The tiny spec's checked IR (with source ranges). */
export function tuneIr(text = TUNE_SPEC): ModelIR {
  const r = checkText(text, { file: 'tiny.mtl' });
  if (!r.ir) throw new Error(JSON.stringify(r.diagnostics));
  return r.ir;
}

/** Write the spec and space into `dir`. */
export function writeTuneFiles(dir: string, space = TUNE_SPACE): { spec: string; space: string } {
  const spec = path.join(dir, 'tiny.mtl');
  const sp = path.join(dir, 'space.yaml');
  writeFileSync(spec, TUNE_SPEC);
  writeFileSync(sp, space);
  return { spec, space: sp };
}
