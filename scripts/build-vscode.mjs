/**
 * Build the VS Code extension's bundles, so the .vsix works with nothing else installed (no `mtl` on PATH):
 *   editors/vscode/dist/extension.js  the client (extension.js + vscode-languageclient; `vscode` is external)
 *   editors/vscode/dist/server.mjs    the language server (src/lsp/main.ts and everything it imports)
 * and copy the generated grammar into editors/vscode/syntaxes. esbuild: one pass per bundle, ~1 s.
 * Usage: node scripts/build-vscode.mjs   (also run by the extension's `vscode:prepublish`)
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ext = path.join(root, 'editors', 'vscode');

await build({
  entryPoints: [path.join(ext, 'extension.js')],
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node18',
  external: ['vscode'],
  minify: true,
  outfile: path.join(ext, 'dist', 'extension.js'),
  logLevel: 'warning',
});

await build({
  entryPoints: [path.join(root, 'src', 'lsp', 'main.ts')],
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node18',
  minify: true,
  outfile: path.join(ext, 'dist', 'server.mjs'),
  // Bundled CommonJS dependencies call require(): give the ES module one.
  banner: { js: "import { createRequire as __mtlCreateRequire } from 'node:module'; const require = __mtlCreateRequire(import.meta.url);" },
  logLevel: 'warning',
});

mkdirSync(path.join(ext, 'syntaxes'), { recursive: true });
for (const f of ['mtl.tmLanguage.json', 'language-configuration.json']) copyFileSync(path.join(root, 'grammar', f), path.join(ext, 'syntaxes', f));
console.log(`built ${path.relative(root, path.join(ext, 'dist'))}/extension.js and server.mjs; copied the grammar to ${path.relative(root, path.join(ext, 'syntaxes'))}`);
