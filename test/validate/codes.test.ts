/** The schema, semantic and plugin code tables: well-formed and in their ranges. */
import { describe, expect, it } from 'vitest';
import { PLUGIN_CODES } from '../../src/diagnostics/codes/plugin.js';
import { SCHEMA_CODES } from '../../src/diagnostics/codes/schema.js';
import { SEMANTIC_CODES } from '../../src/diagnostics/codes/semantic.js';

describe.each([
  ['schema', SCHEMA_CODES, /^MTL2\d{3}$/],
  ['semantic', SEMANTIC_CODES, /^MTL3\d{3}$/],
  ['plugin', PLUGIN_CODES, /^MTL4\d{3}$/],
])('the %s codes', (_name, table, pattern) => {
  it('are in their range, with a title, a one-sentence message and a doc', () => {
    for (const [code, info] of Object.entries(table)) {
      expect(code).toMatch(pattern);
      expect(info.title.length).toBeGreaterThan(0);
      expect(info.message).toMatch(/^[A-Z{'].*\.$/);
      expect(info.doc.length).toBeGreaterThan(10);
    }
  });
});

describe('the code used by gate plugins', () => {
  it('includes MTL4010, the default of GateCheckContext.report', () => {
    expect(PLUGIN_CODES.MTL4010).toBeDefined();
  });
});
