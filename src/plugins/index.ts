/**
 * The public plugin entry, `mtl/plugin`: everything a gate-plugin author needs and nothing else.
 *
 *   import { definePlugin, tf, assertGatePluginConformance } from 'mtl/plugin';
 *
 * `tf` is the very tfjs instance the compiler uses: a plugin that defines a custom layer class must
 * extend `tf.layers.Layer` from here (a second copy of tfjs would have its own class registry, and the
 * saved model would not reload).
 */
export { definePlugin } from './api.js';
export type { GateBuildContext, GateBuildResult, GateCheckContext, GatePlugin, LoadedPlugin, PluginFactory, PluginManifest, Tf } from './api.js';
export { assertGatePluginConformance, runGatePluginConformance } from './conformance.js';
export type { ConformanceCheck, ConformanceCheckCase, ConformanceCheckName, ConformanceOptions, ConformanceReport } from './conformance.js';
export type { Diagnostic, Range } from '../diagnostics/types.js';
export type { GateNode, JsonValue } from '../ir/types.js';
/** The tfjs namespace the compiler uses (for custom layer classes; in `build`, use `ctx.tf`). */
export * as tf from '@tensorflow/tfjs';
