/**
 * The op registry: the one list of losses, activations and optimisers. The validator, the compiler, the
 * direct-step planner, the PyTorch emitter, the language server and the docs generator all read it; to add
 * a loss, add a file under losses/ and list it in LOSS_DEFS (see docs/architecture.md).
 *
 * Static on purpose: nothing registers itself on import, and a spec means the same thing in every process.
 */
import { ACTIVATION_DEFS } from './activations.js';
import { bce } from './losses/bce.js';
import { huber } from './losses/huber.js';
import { mse } from './losses/mse.js';
import { OPTIMIZER_DEFS } from './optimizers.js';
import { SCHEDULE_DEFS } from './schedules.js';
import { EMBEDDING_OPTIMIZER_DEFS } from './embedding-optimizers.js';
import type { ActivationDef, LossDef, OpDef, OptimizerDef, ScheduleDef } from './types.js';

export type { ActivationDef, LossDef, OpDef, OptimizerDef, ScheduleDef, ScheduleContext, EmbeddingOptimizerDef, NotSupported, DirectRowLoss, TfjsHead, Tf } from './types.js';
export { isNotSupported } from './types.js';
export { ACTIVATION_DEFS } from './activations.js';
export { OPTIMIZER_DEFS } from './optimizers.js';
export { SCHEDULE_DEFS, DEFAULT_GAMMA, scheduleLr } from './schedules.js';
export { EMBEDDING_OPTIMIZER_DEFS } from './embedding-optimizers.js';

/** Every task loss. */
export const LOSS_DEFS: readonly LossDef[] = Object.freeze([bce, mse, huber]);

/** The activation names, as a literal union (the IR's `Mlp['activation']`). */
export type ActivationName = (typeof ACTIVATION_DEFS)[number]['name'];
/** The optimiser names, as a literal union (the IR's `train.optimizer`). */
export type OptimizerName = (typeof OPTIMIZER_DEFS)[number]['name'];

/** Every op definition (the completeness test walks this). */
export const ALL_OPS: readonly OpDef[] = Object.freeze([...LOSS_DEFS, ...ACTIVATION_DEFS, ...OPTIMIZER_DEFS]);

const byName = <T extends OpDef>(defs: readonly T[]): Map<string, T> => new Map(defs.map((d) => [d.name, d]));
const losses = byName(LOSS_DEFS);
const activations = byName<ActivationDef>(ACTIVATION_DEFS);
const optimizers = byName<OptimizerDef>(OPTIMIZER_DEFS);

/** The loss named `name`, or undefined. */
export function lossDef(name: string): LossDef | undefined {
  return losses.get(name);
}

/** The activation named `name`, or undefined. */
export function activationDef(name: string): ActivationDef | undefined {
  return activations.get(name);
}

/** The optimiser named `name`, or undefined. */
export function optimizerDef(name: string): OptimizerDef | undefined {
  return optimizers.get(name);
}

/** Loss names, in registry order. */
export const LOSS_NAMES: readonly string[] = Object.freeze(LOSS_DEFS.map((d) => d.name));
/** Activation names, in registry order. */
export const ACTIVATION_NAMES = ACTIVATION_DEFS.map((d) => d.name) as readonly ActivationName[];
/** Optimiser names, in registry order. */
export const OPTIMIZER_NAMES = OPTIMIZER_DEFS.map((d) => d.name) as readonly OptimizerName[];

/** The schedule names, as a literal union (the IR's `train.schedule.type`). */
export type ScheduleName = (typeof SCHEDULE_DEFS)[number]['name'];
/** Schedule names, in registry order. */
export const SCHEDULE_NAMES = SCHEDULE_DEFS.map((d) => d.name) as readonly ScheduleName[];
/** Every option word of any schedule (`warmup`, `min_lr`, `every`, `gamma`). */
export const SCHEDULE_OPTIONS: readonly string[] = [...new Set(SCHEDULE_DEFS.flatMap((d) => d.options as readonly string[]))];
const schedules = new Map<string, ScheduleDef>(SCHEDULE_DEFS.map((d) => [d.name, d]));

/** The schedule named `name`, or undefined. */
export function scheduleDef(name: string): ScheduleDef | undefined {
  return schedules.get(name);
}

/** The embedding optimiser names, as a literal union (the IR's `train.embeddingOptimizer`). */
export type EmbeddingOptimizerName = (typeof EMBEDDING_OPTIMIZER_DEFS)[number]['name'];
/** Embedding optimiser names, in registry order. */
export const EMBEDDING_OPTIMIZER_NAMES = EMBEDDING_OPTIMIZER_DEFS.map((d) => d.name) as readonly EmbeddingOptimizerName[];
