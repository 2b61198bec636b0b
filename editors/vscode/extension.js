// The VS Code client: starts `mtl lsp --stdio` (command configurable) for .mtl files.
// Plain CommonJS so the extension needs no build step.
'use strict';
const vscode = require('vscode');
const { LanguageClient } = require('vscode-languageclient/node');

/** @type {import('vscode-languageclient/node').LanguageClient | undefined} */
let client;

function makeClient() {
  const cfg = vscode.workspace.getConfiguration('mtl');
  const command = cfg.get('server.command', 'mtl');
  const args = cfg.get('server.args', ['lsp', '--stdio']);
  // '--stdio' is in args; no `transport` is set because TransportKind.stdio would append it a second time.
  const serverOptions = { run: { command, args }, debug: { command, args } };
  const clientOptions = {
    documentSelector: [{ scheme: 'file', language: 'mtl' }, { scheme: 'untitled', language: 'mtl' }],
    synchronize: { fileEvents: vscode.workspace.createFileSystemWatcher('**/*.{mtl,js,mjs}') },
    // The server runs the code of a spec's `use` plugins only when told the workspace is trusted;
    // in Restricted Mode it checks them from their manifests (docs/plugins.md, "Trust and security").
    initializationOptions: { trusted: vscode.workspace.isTrusted },
  };
  return new LanguageClient('mtl', 'mtl language server', serverOptions, clientOptions);
}

/** Called by VS Code when a .mtl file is opened. */
async function activate(context) {
  client = makeClient();
  context.subscriptions.push(vscode.commands.registerCommand('mtl.restartServer', async () => {
    if (client) await client.stop();
    client = makeClient();
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
