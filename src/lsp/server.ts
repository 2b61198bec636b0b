/**
 * The mtl language server (`mtl lsp --stdio`): wires the document store and the per-feature
 * modules to an LSP connection. Every handler is guarded (src/lsp/safe.ts) and uncaught errors are
 * logged, so a crash in one request never kills the server.
 */
import { TextDocumentSyncKind, type Connection, type InitializeResult } from 'vscode-languageserver/node.js';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { DocumentStore, uriToPath } from './documents.js';
import { toLspDiagnostics } from './diagnostics.js';
import { hover } from './hover.js';
import { complete } from './completion.js';
import { definition } from './definition.js';
import { references } from './references.js';
import { prepareRename, rename } from './rename.js';
import { documentSymbols } from './symbols.js';
import { foldingRanges } from './folding.js';
import { formatDocument } from './formatting.js';
import { codeActions } from './code-actions.js';
import { safe, safeNotify } from './safe.js';
import { guardedStdioConnection } from './stdio.js';
import { EDITOR_CONSENT, WorkspaceTrust } from './trust.js';

/** Options a client may pass as `initializationOptions`. */
export interface ServerOptions {
  /** Re-check delay after a change, in ms (default 150). */
  debounceMs?: number;
  /**
   * True when the editor trusts the workspace (VS Code: `vscode.workspace.isTrusted`): only then does the
   * server run the code of `use` plugins, for saved specs inside the workspace folders. Changed later
   * with the `mtl/trust` notification.
   */
  trusted?: boolean;
  /** Enables the `mtl/crashForTest` request (a handler that throws), used by the tests to prove a crash is contained. */
  testHooks?: boolean;
}

/** The `mtl/trust` notification: the client's workspace trust changed (VS Code: onDidGrantWorkspaceTrust). */
export const TRUST_NOTIFICATION = 'mtl/trust';

/** Start the server on `connection` (default: stdio, behind the framing guard). */
export function startServer(connection: Connection = guardedStdioConnection()): Connection {
  const log = { error: (m: string) => connection.console.error(m) };
  const texts = new Map<string, TextDocument>();
  const trust = new WorkspaceTrust();
  /** Whether the client sends workspace folder changes (then the trusted folders follow them). */
  let foldersChange = false;
  let store = makeStore(150);

  function makeStore(debounceMs: number): DocumentStore {
    return new DocumentStore({
      debounceMs,
      onAnalysis: (a) => { void connection.sendDiagnostics({ uri: a.uri, version: a.version, diagnostics: toLspDiagnostics(a.diagnostics, a.uri) }); },
      onError: (err) => log.error(`mtl lsp: check failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}`),
      trustOf: (uri) => trust.trustOf(uri),
      consent: EDITOR_CONSENT,
    });
  }

  connection.onInitialize((params): InitializeResult => {
    const opts = (params.initializationOptions ?? {}) as ServerOptions;
    if (typeof opts.debounceMs === 'number' && opts.debounceMs >= 0) store = makeStore(opts.debounceMs);
    trust.trusted = opts.trusted === true;
    trust.setFolders(params.workspaceFolders ? params.workspaceFolders.map((f) => f.uri) : params.rootUri ? [params.rootUri] : []);
    foldersChange = params.capabilities.workspace?.workspaceFolders === true;
    if (opts.testHooks === true) {
      connection.onRequest('mtl/crashForTest', safe('mtl/crashForTest', log, null, () => { throw new Error('deliberate crash (test)'); }));
    }
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental, save: { includeText: false } },
        hoverProvider: true,
        completionProvider: { triggerCharacters: ['(', ',', ' ', '>', ':'] },
        definitionProvider: true,
        referencesProvider: true,
        renameProvider: { prepareProvider: true },
        documentSymbolProvider: true,
        foldingRangeProvider: true,
        documentFormattingProvider: true,
        codeActionProvider: { codeActionKinds: ['quickfix'] },
        // Folder changes matter: plugin code runs only for specs inside the (trusted) workspace folders.
        workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
      },
      serverInfo: { name: 'mtl-lsp', version: '0.1.0' },
    };
  });

  connection.onDidOpenTextDocument(safeNotify('didOpen', log, (p) => {
    const doc = TextDocument.create(p.textDocument.uri, p.textDocument.languageId, p.textDocument.version, p.textDocument.text);
    texts.set(doc.uri, doc);
    void store.open(doc.uri, doc.version, doc.getText());
  }));
  connection.onDidChangeTextDocument(safeNotify('didChange', log, (p) => {
    const prev = texts.get(p.textDocument.uri);
    if (!prev) return;
    const doc = TextDocument.update(prev, p.contentChanges, p.textDocument.version);
    texts.set(doc.uri, doc);
    store.change(doc.uri, doc.version, doc.getText());
  }));
  connection.onDidCloseTextDocument(safeNotify('didClose', log, (p) => {
    texts.delete(p.textDocument.uri);
    store.close(p.textDocument.uri);
    void connection.sendDiagnostics({ uri: p.textDocument.uri, diagnostics: [] });
  }));
  connection.onDidSaveTextDocument(safeNotify('didSave', log, (p) => {
    store.invalidatePlugins();
    const doc = texts.get(p.textDocument.uri);
    if (doc) store.change(doc.uri, doc.version, doc.getText());
  }));

  connection.onInitialized(() => {
    if (!foldersChange) return;
    connection.workspace.onDidChangeWorkspaceFolders(safeNotify('didChangeWorkspaceFolders', log, (e) => {
      trust.changeFolders(e.added.map((f) => f.uri), e.removed.map((f) => f.uri));
      store.recheckAll();
    }));
  });
  connection.onNotification(TRUST_NOTIFICATION, safeNotify(TRUST_NOTIFICATION, log, (p: { trusted?: unknown }) => {
    const trusted = p?.trusted === true;
    if (trusted === trust.trusted) return;
    trust.trusted = trusted;
    store.recheckAll();
  }));

  connection.onHover(safe('hover', log, null, async (p) => {
    const a = await store.withIr(p.textDocument.uri);
    return a ? hover(a, p.position) : null;
  }));
  connection.onCompletion(safe('completion', log, [], async (p) => {
    const text = store.text(p.textDocument.uri);
    if (text === undefined) return [];
    return complete(text, p.position, await store.withIr(p.textDocument.uri));
  }));
  connection.onDefinition(safe('definition', log, [], async (p) => {
    const a = await store.current(p.textDocument.uri);
    return a ? definition(a, p.position) : [];
  }));
  connection.onReferences(safe('references', log, [], async (p) => {
    const a = await store.current(p.textDocument.uri);
    return a ? references(a, p.position, p.context.includeDeclaration) : [];
  }));
  connection.onPrepareRename(safe('prepareRename', log, null, async (p) => {
    const a = await store.current(p.textDocument.uri);
    return a ? prepareRename(a, p.position) ?? null : null;
  }));
  connection.onRenameRequest(safe('rename', log, null, async (p) => {
    const a = await store.current(p.textDocument.uri);
    return a ? rename(a, p.position, p.newName) : null;
  }));
  connection.onDocumentSymbol(safe('documentSymbol', log, [], async (p) => {
    const a = await store.current(p.textDocument.uri);
    return documentSymbols(a?.ir);
  }));
  connection.onFoldingRanges(safe('foldingRange', log, [], (p) => {
    const text = store.text(p.textDocument.uri);
    return text === undefined ? [] : foldingRanges(text);
  }));
  connection.onDocumentFormatting(safe('formatting', log, [], (p) => {
    const text = store.text(p.textDocument.uri);
    return text === undefined ? [] : formatDocument(text, uriToPath(p.textDocument.uri));
  }));
  connection.onCodeAction(safe('codeAction', log, [], async (p) => {
    const a = await store.current(p.textDocument.uri);
    return codeActions(p, a?.diagnostics ?? []);
  }));

  process.on('uncaughtException', (err) => log.error(`mtl lsp: uncaught: ${err.stack ?? err.message}`));
  process.on('unhandledRejection', (err) => log.error(`mtl lsp: unhandled rejection: ${String(err)}`));

  connection.listen();
  return connection;
}
