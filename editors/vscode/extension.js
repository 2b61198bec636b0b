// The VS Code client for .mtl files. It runs the language server bundled with the extension
// (dist/server.mjs, built with dist/extension.js by scripts/build-vscode.mjs in the mtl repository), so
// nothing else needs to be installed; `mtl.server.command` runs another server instead (e.g. `mtl`).
'use strict';
const vscode = require('vscode');
const { LanguageClient, TransportKind } = require('vscode-languageclient/node');

/** @type {import('vscode-languageclient/node').LanguageClient | undefined} */
let client;

/** How to start the server: the bundled one (VS Code's own Node runs it), or the configured command. */
function serverOptions(context) {
  const cfg = vscode.workspace.getConfiguration('mtl');
  const command = cfg.get('server.command', '');
  if (!command) {
    const module = context.asAbsolutePath('dist/server.mjs');
    return { run: { module, transport: TransportKind.stdio }, debug: { module, transport: TransportKind.stdio } };
  }
  const args = cfg.get('server.args', ['lsp', '--stdio']);
  // '--stdio' is in args; no `transport` is set because TransportKind.stdio would append it a second time.
  return { run: { command, args }, debug: { command, args } };
}

function makeClient(context) {
  const clientOptions = {
    documentSelector: [{ scheme: 'file', language: 'mtl' }, { scheme: 'untitled', language: 'mtl' }],
    synchronize: { fileEvents: vscode.workspace.createFileSystemWatcher('**/*.{mtl,js,mjs}') },
    // The server runs the code of a spec's `use` plugins only when told the workspace is trusted;
    // in Restricted Mode it checks them from their manifests (docs/plugins.md, "Trust and security").
    initializationOptions: { trusted: vscode.workspace.isTrusted },
  };
  return new LanguageClient('mtl', 'mtl language server', serverOptions(context), clientOptions);
}

/** Called by VS Code when a .mtl file is opened. */
async function activate(context) {
  client = makeClient(context);
  context.subscriptions.push(vscode.commands.registerCommand('mtl.restartServer', async () => {
    if (client) await client.stop();
    client = makeClient(context);
    await client.start();
  }));
  // Trust can be granted while the window is open (revoking it reloads the window, restarting the server).
  context.subscriptions.push(vscode.workspace.onDidGrantWorkspaceTrust(() => {
    if (client) void client.sendNotification('mtl/trust', { trusted: true });
  }));
  await client.start();
}

/** Called by VS Code on shutdown. */
async function deactivate() {
  if (client) await client.stop();
}

module.exports = { activate, deactivate };
