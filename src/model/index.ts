/**
 * The tfjs compiler: `createModelRuntime(ir, opts)` turns a validated IR (widths filled, references
 * valid) into a trainable {@link ModelRuntime}. Problems that only show at compile time (a gate type no
 * plugin provides, a failing plugin, an unsupported loss) throw MtlError with an MTL52xx diagnostic.
 */
import type { ModelIR } from '../ir/types.js';
import type { ModelRuntime } from './types.js';
import { CompiledModel, type ModelRuntimeOptions } from './model-runtime.js';

export type { ModelRuntimeOptions } from './model-runtime.js';
export { outputLayout } from './layout.js';

/** Compile `ir` into a trainable model runtime. Call `dispose()` on it when done. */
export function createModelRuntime(ir: ModelIR, opts: ModelRuntimeOptions): ModelRuntime {
  return new CompiledModel(ir, opts);
}
