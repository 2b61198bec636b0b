/**
 * Continuing a model on new data (`mtl train --init RUN --data NEXT --out RUN2`).
 *
 * `--init` reuses the finished model's weights and its preprocessing state as they are: hashed ids, vocab
 * rows and normalisation statistics are what the weights were trained against, so refitting them on the new
 * data would silently remap every input. The optimiser starts fresh (its moments belong to the old data),
 * and so does the learning-rate schedule: update 0 of the new run is update 0 of its schedule.
 */
import * as path from 'node:path';
import { FILE_START, type Diagnostic } from '../diagnostics/types.js';
import { diag } from '../diagnostics/catalog.js';
import { MtlError } from '../diagnostics/error.js';
import type { ModelIR } from '../ir/types.js';
import type { GatePlugin } from '../plugins/api.js';
import type { ModelRuntime } from '../model/types.js';
import { loadArtifact } from '../artifact/artifact.js';
import { MODEL_SECTIONS, sectionText } from '../artifact/ir-hash.js';
import type { ProgressSink } from './progress.js';
import type { PreprocessState } from '../artifact/runtime-deps.js';

/** Where `init` starts from: a finished model directory, and the gate plugins its layers may need. */
export interface InitSource {
  dir: string;
  plugins?: Iterable<GatePlugin>;
  /** The spec file, for the mismatch message. */
  spec?: string;
}

/** A loaded starting model: its preprocessing state, and a one-shot transfer of its weights into a runtime. */
export interface InitModel {
  preprocess: PreprocessState;
  /** Copy the weights into `runtime` (compiled from the same model) and free the loaded model. */
  loadInto(runtime: ModelRuntime): void;
  /** Free the loaded model without using it (the run failed before its runtime existed). */
  dispose(): void;
}

/** Name the items of a model section, for a readable difference (`feature 'price'`, `task 'ctr'`). */
const ITEM_NAMES: Record<string, string> = { features: 'feature', labels: 'label', nodes: 'node', tasks: 'task', metrics: 'metric', plugins: 'plugin' };

/** The first difference between the model sections of `spec` and `model`, in words; undefined when equal. */
export function modelDifference(spec: ModelIR, model: ModelIR): string | undefined {
  for (const section of MODEL_SECTIONS) {
    if (sectionText(spec, section) === sectionText(model, section)) continue;
    if (section === 'name') return `the spec's model is '${spec.name}', the directory's '${model.name}'`;
    const item = ITEM_NAMES[section]!;
    const a = (spec[section] ?? []) as Array<{ name?: string }>;
    const b = (model[section] ?? []) as Array<{ name?: string }>;
    const label = (x: { name?: string }, i: number): string => (x.name !== undefined ? `${item} '${x.name}'` : `${item} ${i + 1}`);
    const names = new Set(b.map((x) => x.name));
    const added = a.findIndex((x) => x.name !== undefined && !names.has(x.name));
    if (added >= 0) return `${label(a[added]!, added)} is not in the model`;
    const specNames = new Set(a.map((x) => x.name));
    const removed = b.findIndex((x) => x.name !== undefined && !specNames.has(x.name));
    if (removed >= 0) return `the model's ${label(b[removed]!, removed)} is not in the spec`;
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      const other = a[i]?.name !== undefined ? b.find((x) => x.name === a[i]!.name) : b[i];
      if (!a[i] || !other) return `the ${section} differ in number (${a.length} in the spec, ${b.length} in the model)`;
      if (sectionText({ [section]: [a[i]] } as unknown as ModelIR, section) !== sectionText({ [section]: [other] } as unknown as ModelIR, section)) {
        return `${label(a[i]!, i)} is defined differently`;
      }
    }
    return `the ${section} are in another order`;
  }
  return undefined;
}

/**
 * Load the model directory `src.dir` to start a run of `ir` from. Throws MtlError: the loader's MTL53xx for
 * a missing or corrupt directory, MTL5652 when the spec's model differs from the directory's. `onWarning`
 * receives the loader's warnings (MTL5337: no manifest, loaded unverified).
 */
export async function loadInitModel(src: InitSource, ir: ModelIR, log?: ProgressSink, onWarning?: (d: Diagnostic) => void): Promise<InitModel> {
  const art = await loadArtifact(src.dir, { ...(src.plugins ? { plugins: src.plugins } : {}), ...(onWarning ? { onWarning } : {}) });
  const difference = modelDifference(ir, art.ir);
  if (difference !== undefined) {
    art.model.dispose();
    const spec = src.spec ?? 'the spec';
    throw new MtlError(diag('MTL5652', FILE_START, { spec, dir: src.dir, reason: difference }, { file: path.join(src.dir, 'ir.json') }));
  }
  // The schedule restarts with the optimiser (docs/optimisation.md, "Incremental runs"): warm-up and decay
  // span this run's own updates, which is what the PyTorch target's train.py --init does too.
  log?.write(`init: starting from the weights of ${src.dir} (best epoch ${art.metrics.bestEpoch ?? '-'}), a fresh optimiser; the learning-rate schedule starts again over this run's updates\n`);
  return {
    preprocess: art.preprocess,
    loadInto(runtime) {
      try {
        if (!runtime.loadExportWeights) throw new Error('this model runtime cannot load saved weights');
        runtime.loadExportWeights(art.model);
      } catch (e) {
        throw new MtlError(diag('MTL5653', FILE_START, { dir: src.dir, reason: (e as Error).message.replace(/\.$/, '') }, { file: src.dir }));
      } finally {
        art.model.dispose();
      }
    },
    dispose: () => art.model.dispose(),
  };
}
