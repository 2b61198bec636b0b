import { describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

describe('the reference specs', () => {
  it('are in canonical form (mtl fmt --check specs/*.mtl)', async () => {
    const files = ['shared-bottom', 'omoe', 'mmoe', 'cgc', 'ple', 'esmm'].map((n) => `specs/${n}.mtl`);
    const r = await runCli(['fmt', '--check', ...files]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });
});
