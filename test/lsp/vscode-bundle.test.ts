/**
 * The VS Code extension's bundles (scripts/build-vscode.mjs): the client needs nothing but `vscode` at run
 * time, and the bundled language server answers a real LSP client with no `mtl` on PATH and no
 * node_modules beside it.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, startClient } from './harness.js';

const DIST = path.join(ROOT, 'editors', 'vscode', 'dist');
const away = mkdtempSync(path.join(tmpdir(), 'mtl-vsix-'));
afterAll(() => rmSync(away, { recursive: true, force: true }));

beforeAll(() => {
  execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'build-vscode.mjs')], { cwd: ROOT, stdio: 'pipe' });
}, 120_000);

describe('the VS Code extension bundles', () => {
  it('the client bundle requires only vscode and Node built-ins', () => {
    const text = readFileSync(path.join(DIST, 'extension.js'), 'utf8');
    const required = [...text.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]!);
    const outside = [...new Set(required)].filter((r) => r !== 'vscode' && !r.startsWith('node:') && !builtinModules.includes(r));
    expect(outside).toEqual([]);
    expect(required).toContain('vscode');
  });

  it('the bundled server, copied away from the repository, answers diagnostics with no mtl on PATH', async () => {
    const server = path.join(away, 'server.mjs');
    copyFileSync(path.join(DIST, 'server.mjs'), server);
    const client = await startClient({ debounceMs: 0 }, pathToFileURL(away).toString(), {}, {
      command: process.execPath,
      args: [server, '--stdio'],
      env: { PATH: '/nonexistent', HOME: away },
    });
    try {
      const uri = pathToFileURL(path.join(away, 'broken.mtl')).toString();
      const diagnostics = (await client.open(uri, 'model m\ntower t = mlp(8) on nowhere -> sigmoid\n')) as Array<{ code: string }>;
      expect(diagnostics.map((d) => d.code)).toContain('MTL3001');
    } finally {
      await client.stop();
    }
  }, 60_000);
});
