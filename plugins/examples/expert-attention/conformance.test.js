// The plugin's own test: one line runs mtl's conformance suite (schema, check, diagnostics, build, one
// training step, save and reload). Run with `npx vitest run` where `mtl` is installed.
import { it } from 'vitest';
import { assertGatePluginConformance } from 'mtl/plugin/testing';
import expertAttention from './index.js';

it('conforms to the mtl gate plugin API', () => assertGatePluginConformance(expertAttention, { params: { dim: 4 } }), 60_000);
