/**
 * The public plugin entry, `mtl/plugin`: the gate-plugin API and nothing else, so that a plugin module
 * loads only this (no tfjs, no conformance harness, no native addon).
 *
 *   import { definePlugin } from 'mtl/plugin';
 *
 * The tfjs instance the compiler uses (for custom layer classes) is `mtl/plugin/tf`; the conformance kit
 * for a plugin's own tests is `mtl/plugin/testing`.
 */
export { definePlugin, IMPORTANCE_EPSILON } from './api.js';
export type {
  GateBuildContext, GateBuildResult, GateCheckContext, GateDirectBinding, GateNotSupported, GatePlugin, LoadedPlugin, PluginCode, PluginFactory, PluginManifest, Tf,
} from './api.js';
export type { Diagnostic, Range } from '../diagnostics/types.js';
export type { GateNode, JsonValue } from '../ir/types.js';
export type { GateAuxLoss, GateNormalizer } from '../ir/ops/gate-normalizers.js';
