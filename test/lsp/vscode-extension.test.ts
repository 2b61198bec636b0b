/**
 * The VS Code extension's side of workspace trust, with `vscode` and the language client stubbed: it
 * declares limited support for untrusted workspaces (the server command settings restricted), passes
 * `vscode.workspace.isTrusted` to the server, and sends `mtl/trust` when the user grants trust.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './harness.js';

const EXTENSION = path.join(ROOT, 'editors/vscode/extension.js');

/** Load the extension with stubs; returns what it did. */
async function activate(isTrusted: boolean): Promise<{ initializationOptions: unknown; sent: Array<[string, unknown]>; grant: () => void }> {
  const require = createRequire(EXTENSION);
  const Module = require('node:module') as { _load: (request: string, ...rest: unknown[]) => unknown };
  const sent: Array<[string, unknown]> = [];
  let initializationOptions: unknown;
  let grant: () => void = () => undefined;
  const vscode = {
    workspace: {
      isTrusted,
      getConfiguration: () => ({ get: (_key: string, fallback: unknown) => fallback }),
      createFileSystemWatcher: () => ({}),
      onDidGrantWorkspaceTrust: (listener: () => void) => { grant = listener; return { dispose() {} }; },
    },
    commands: { registerCommand: () => ({ dispose() {} }) },
  };
  class LanguageClient {
    constructor(_id: string, _name: string, _server: unknown, client: { initializationOptions: unknown }) { initializationOptions = client.initializationOptions; }
    start(): Promise<void> { return Promise.resolve(); }
    stop(): Promise<void> { return Promise.resolve(); }
    sendNotification(method: string, params: unknown): Promise<void> { sent.push([method, params]); return Promise.resolve(); }
  }
  const original = Module._load;
  Module._load = (request: string, ...rest: unknown[]) => {
    if (request === 'vscode') return vscode;
    if (request === 'vscode-languageclient/node') return { LanguageClient, TransportKind: { stdio: 0 } };
    return original(request, ...rest);
  };
  try {
    delete require.cache[EXTENSION];
    const ext = require(EXTENSION) as { activate(ctx: { subscriptions: unknown[]; asAbsolutePath(p: string): string }): Promise<void> };
    await ext.activate({ subscriptions: [], asAbsolutePath: (p) => path.join(path.dirname(EXTENSION), p) });
  } finally {
    Module._load = original;
  }
  return { initializationOptions, sent, grant };
}

describe('the VS Code extension and workspace trust', () => {
  it('declares limited support for untrusted workspaces and restricts the server command settings', () => {
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'editors/vscode/package.json'), 'utf8')) as { capabilities: { untrustedWorkspaces: { supported: unknown; description: string; restrictedConfigurations: string[] } } };
    const u = pkg.capabilities.untrustedWorkspaces;
    expect(u.supported).toBe('limited');
    expect(u.description).toContain('manifest');
    expect(u.restrictedConfigurations.sort()).toEqual(['mtl.server.args', 'mtl.server.command']);
  });

  it('tells the server whether the workspace is trusted, and when trust is granted', async () => {
    expect((await activate(true)).initializationOptions).toEqual({ trusted: true });
    const untrusted = await activate(false);
    expect(untrusted.initializationOptions).toEqual({ trusted: false });
    expect(untrusted.sent).toEqual([]);
    untrusted.grant();
    expect(untrusted.sent).toEqual([['mtl/trust', { trusted: true }]]);
  });
});
