/**
 * `mtl export`'s command line without PyTorch: help, and usage errors that name the fix (exit 2). The
 * exports themselves are tested in onnx.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { runCli } from '../cli/run-cli.js';
import { hasStackTrace } from '../cli/helpers.js';
import { EXPORT_FORMATS } from '../../src/export/formats.js';

describe('mtl export usage', () => {
  it('--help names every format and the contract file', async () => {
    const r = await runCli(['export', '--help']);
    expect(r.code).toBe(0);
    for (const f of Object.keys(EXPORT_FORMATS)) expect(r.stdout).toContain(`--format ${f}`);
    expect(r.stdout).toContain('OUT.json is the contract');
  });

  it.each([
    [['export', 'run', '-o', 'm.onnx'], '--format F is required (web, onnx, torchscript).'],
    [['export', 'run', '--format', 'onnx'], '-o OUT is required.'],
    [['export', '--format', 'onnx', '-o', 'm.onnx'], 'give exactly one model directory.'],
  ])('%j is a usage error naming the fix', async (argv, text) => {
    const r = await runCli(argv);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(text);
    expect(hasStackTrace(r.stderr)).toBe(false);
  });

  it('a directory that is not a model is an error naming it, not a stack trace', async () => {
    const r = await runCli(['export', 'no-such-run', '--format', 'onnx', '-o', 'never.onnx'], { cwd: '/tmp' });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('no-such-run');
    expect(hasStackTrace(r.stderr)).toBe(false);
  });
});
