/**
 * A tiny ESMM-like spec for the end-to-end tests that train many times (bad data, interrupt and resume):
 * two small towers over the columns of `mtl data synth esmm`, so a run takes a second. It has no dropout,
 * which keeps a resumed run exactly equal to an uninterrupted one.
 */
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';

/** The text of the tiny spec (batch 16: ~225 steps per epoch on 4,000 rows, so a progress line appears at step 100). */
export const TINY_SPEC = `model tiny "A tiny two-tower click/buy model for the end-to-end tests."

features {
  categorical user_id hash 1000 dim 4
  categorical item_id hash 1000 dim 4
  numeric     price   normalize log1p
}

labels {
  click: binary
  buy: binary
}

input all = concat(user_id, item_id, price)
tower ctr = mlp(8) on all -> sigmoid
tower cvr = mlp(8) on all -> sigmoid

task ctr   = ctr       loss bce(click)
task ctcvr = ctr * cvr loss bce(click & buy)

train { optimizer adam lr 0.01 batch 16 epochs 2 seed 7 }
`;

/** Write the tiny spec into `dir` and return its path. */
export function writeTinySpec(dir: string): string {
  const file = path.join(dir, 'tiny.mtl');
  writeFileSync(file, TINY_SPEC);
  return file;
}
