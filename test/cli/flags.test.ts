/**
 * Mistyped flags: a usage error (exit 2) that names the flag and suggests the closest known one.
 */
import { describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

describe('unknown flags', () => {
  it('suggests the closest flag of the command', async () => {
    const r = await runCli(['check', 'specs/esmm.mtl', '--formt', 'json']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("mtl check: unknown option '--formt'. Did you mean '--format'? Run 'mtl check --help' for its options.\n");
  });

  it('gives no suggestion when nothing is close', async () => {
    const r = await runCli(['check', 'specs/esmm.mtl', '--zzzzzz']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("mtl check: unknown option '--zzzzzz'. Run 'mtl check --help' for its options.\n");
  });

  it('names a flag that is missing its value', async () => {
    const r = await runCli(['train', 'specs/esmm.mtl', '--out']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("mtl train: --out needs a value. Run 'mtl train --help' for its options.\n");
  });
});
