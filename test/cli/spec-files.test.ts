/**
 * What the commands accept as a spec file: a `.mtl` file or the IR as `.yaml`/`.json`, and only regular
 * files (a FIFO would block the read forever).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

const dir = mkdtempSync(path.join(tmpdir(), 'mtl-spec-files-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('spec files', () => {
  it('mtl fmt README.md says it is not a spec, in one line, exit 2', async () => {
    writeFileSync(path.join(dir, 'README.md'), '# Notes\n\nSome *markdown* that is not a spec.\n'.repeat(50));
    const r = await runCli(['fmt', 'README.md'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain("is not a spec: spec files end in .mtl");
    expect(r.stdout).toBe('');
  });

  it('mtl check refuses a FIFO instead of blocking on it', async () => {
    const fifo = path.join(dir, 'pipe.mtl');
    execFileSync('mkfifo', [fifo]);
    const r = await runCli(['check', fifo]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('is not a regular file');
  });
});
