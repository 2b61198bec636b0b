/**
 * Test helper for plugin trust: a "hostile" plugin module that writes a marker file when imported (so a
 * test sees whether its code ran) and otherwise is a working gate, `evil-gate` (the example plugin
 * renamed), with its manifest; and specs that use it.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT } from '../cli/helpers.js';

const EXAMPLE = pathToFileURL(path.join(ROOT, 'plugins/examples/expert-attention/index.js')).href;

/** The manifest of `evil-gate`: the example plugin's, renamed. */
export const EVIL_MANIFEST: Record<string, unknown> = {
  ...(JSON.parse(readFileSync(path.join(ROOT, 'plugins/examples/expert-attention/mtl-plugin.json'), 'utf8')) as object),
  name: 'evil-gate',
};

/** Write the hostile module at `file`, writing `marker` when imported; with `manifest`, also its `NAME.mtl-plugin.json`. */
export function writeEvil(file: string, marker: string, manifest = true): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `import { writeFileSync } from 'node:fs';
import example from ${JSON.stringify(EXAMPLE)};
writeFileSync(${JSON.stringify(marker)}, 'plugin code ran');
export default () => ({ ...example(), name: 'evil-gate' });
`);
  if (manifest) writeFileSync(file.replace(/\.js$/, '.mtl-plugin.json'), JSON.stringify(EVIL_MANIFEST));
}

/** A spec using `source` for gate g (`params` as written) over `experts` experts (with one, the plugin's own check warns). */
export const hostileSpec = (source: string, params = 'dim: 4', experts = 3): string => `model hostile
use "${source}"
features {
  numeric a
  numeric b
}
labels { y: binary }
input all = concat(a, b)
experts e[${experts}] = mlp(4) relu on all
gate g = evil-gate(${params}) over e on all
tower t = mlp(4) relu on g -> sigmoid
task t = t loss bce(y)
`;

/** A small trainable spec on built-in census data (300 rows, one epoch) whose gate is `gate` (e.g. "softmax"), preceded by `header` lines. */
export const trainableSpec = (gate: string, header = ''): string => `model trainable
${header}data {
  synth census
  rows 300
}
features {
  categorical education hash 16 dim 2
  numeric     age       normalize standard
}
labels {
  income_50k: binary positive "50000+."
}
input all = concat(*)
experts e[2] = mlp(4) relu on all
gate g = ${gate} over e on all
tower income = mlp(4) on g -> sigmoid
task income = income loss bce(income_50k)
train { batch 64 epochs 1 }
`;
