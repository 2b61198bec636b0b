/**
 * A fingerprint of a model spec, used to refuse resuming a checkpoint written for another model.
 *
 * Only what changes the trained model counts: source locations and docstrings are ignored, and so is
 * `train.epochs` (resuming to train for more epochs is the point of `--resume`).
 */
import { createHash } from 'node:crypto';
import type { ModelIR } from '../ir/types.js';
import { stripLocations } from '../ir/strip.js';
import { canonicalJson } from '../util/canonical-json.js';

/** Remove `doc` properties everywhere (docstrings do not change the model). */
function stripDocs(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripDocs);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (k !== 'doc') out[k] = stripDocs(v);
    return out;
  }
  return value;
}

/**
 * The sections of an IR that make up the model itself: what `--init` requires to be equal, since the
 * weights and preprocessing state of one model are only meaningful for the same features, graph and tasks.
 * The `train` and `data` blocks (how and on what it is trained) may differ.
 */
export const MODEL_SECTIONS = ['name', 'plugins', 'features', 'labels', 'nodes', 'tasks', 'metrics'] as const;

/** The canonical text of one model section of `ir` (locations and docstrings ignored). */
export function sectionText(ir: ModelIR, section: (typeof MODEL_SECTIONS)[number]): string {
  return canonicalJson(stripDocs(stripLocations(ir[section])));
}

/** The sha256 (hex) of the IR without locations, docstrings and `train.epochs`. */
export function irHash(ir: ModelIR): string {
  const plain = stripDocs(stripLocations(ir)) as ModelIR;
  const train = { ...plain.train } as Partial<ModelIR['train']>;
  delete train.epochs;
  return createHash('sha256').update(canonicalJson({ ...plain, train })).digest('hex');
}
