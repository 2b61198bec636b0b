/**
 * `mtl/plugin/testing`: the conformance kit for a gate plugin's own tests (schema, check, diagnostics,
 * build, one training step, save and reload).
 *
 *   import { assertGatePluginConformance } from 'mtl/plugin/testing';
 *   it('conforms', () => assertGatePluginConformance(myPlugin, { params: { k: 2 } }));
 */
export { assertGatePluginConformance, runGatePluginConformance } from './conformance.js';
export type { ConformanceCheck, ConformanceCheckCase, ConformanceCheckName, ConformanceOptions, ConformanceReport } from './conformance.js';
