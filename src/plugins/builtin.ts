/**
 * The first-party gate plugins (plugins/softmax, noisy-topk, sigmoid), as factories: the one list that the
 * default registry and the direct-step planner's default gate lookup read.
 */
import type { GatePlugin, PluginFactory } from './api.js';
import softmax from '../../plugins/softmax/index.js';
import noisyTopK from '../../plugins/noisy-topk/index.js';
import sigmoid from '../../plugins/sigmoid/index.js';

/** The first-party gate plugin factories, in registration order. */
export const BUILTIN_PLUGIN_FACTORIES: readonly PluginFactory[] = Object.freeze([softmax, noisyTopK, sigmoid]);

let builtins: Map<string, GatePlugin> | undefined;

/** The first-party gate plugin of type `type` (instantiated once), or undefined. */
export function builtinGate(type: string): GatePlugin | undefined {
  builtins ??= new Map(BUILTIN_PLUGIN_FACTORIES.map((f) => f()).map((p) => [p.name, p]));
  return builtins.get(type);
}
