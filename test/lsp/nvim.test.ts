/**
 * A real editor as the client: headless Neovim (Debian package `neovim`) attaches the server to a
 * buffer and asks for diagnostics, hover and definition. Skipped, with a message, when nvim is absent.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './harness.js';
import { hasNvim } from '../optional-tools.js';

const nvim = hasNvim();
if (!nvim) console.warn('test/lsp/nvim.test.ts: skipped — `nvim` is not on PATH (apt-get install -y neovim to run it).');

const SPEC = `model tiny
features {
  numeric price normalize log1p
}
labels {
  click: binary
}
input all = concat(price)
tower ctr = mlp(4) on alll -> sigmoid
task ctr = ctr loss bce(click)
`;

describe.skipIf(!nvim)('headless Neovim as the LSP client', () => {
  it('gets diagnostics, hover and go-to-definition from mtl lsp', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mtl-nvim-'));
    const spec = path.join(dir, 'tiny.mtl');
    const out = path.join(dir, 'out.json');
    fs.writeFileSync(spec, SPEC);
    const r = spawnSync('nvim', ['--headless', '--clean', '-u', 'NONE', '-c', `luafile ${path.join(ROOT, 'test/lsp/fixtures/nvim-client.lua')}`], {
      cwd: dir,
      encoding: 'utf8',
      timeout: 50_000,
      env: {
        ...process.env,
        MTL_LSP_CMD: JSON.stringify([path.join(ROOT, 'node_modules/.bin/tsx'), path.join(ROOT, 'src/lsp/main.ts'), '--stdio']),
        MTL_SPEC: spec, MTL_OUT: out, MTL_HOVER_LINE: '9', MTL_HOVER_COL: '25',
      },
    });
    expect(fs.existsSync(out), `nvim wrote no results: ${r.stderr}${r.stdout}`).toBe(true);
    const res = JSON.parse(fs.readFileSync(out, 'utf8')) as {
      diagnostics: Array<{ code: string; range: { start: { line: number; character: number } } }>;
      hover: { contents: { value: string } };
      definition: Array<{ range: { start: { line: number } } }>;
    };
    const unknown = res.diagnostics.find((d) => d.range.start.line === 8);
    expect(unknown?.range.start.character).toBe(22);
    expect(unknown?.code).toMatch(/^MTL\d{4}$/);
    expect(res.hover.contents.value).toContain('label');
    expect(res.definition[0]!.range.start.line).toBe(5);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
