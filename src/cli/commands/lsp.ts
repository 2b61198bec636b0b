/**
 * `mtl lsp --stdio`: the language server (diagnostics, hover, completion, rename, formatting, ...).
 */
import { parseCommandArgs } from '../args.js';
import { EXIT, UsageError, type CliIo } from '../io.js';

/** Help text of `mtl lsp`. */
export const LSP_HELP = `Usage: mtl lsp --stdio

Start the .mtl language server on standard input/output (see docs/editors.md for VS Code, Neovim and others).
Gate plugins' code runs only when the client says the workspace is trusted (initializationOptions
{"trusted": true}, or the mtl/trust notification), for saved specs inside the workspace folders; otherwise
plugins are checked from their manifests (docs/plugins.md, "Trust and security"). A malformed message from
the client ends the server with exit status 1, so that the editor restarts it.
`;

/** Run `mtl lsp`. The server runs until the client disconnects; the process then exits. */
export async function runLsp(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseCommandArgs('lsp', argv, { stdio: { type: 'boolean' } });
  if (values.help) return io.stdout(LSP_HELP), EXIT.ok;
  if (!values.stdio) throw new UsageError('mtl lsp: only --stdio is supported. Usage: mtl lsp --stdio', 'lsp');
  const { startServer } = await import('../../lsp/server.js');
  const connection = startServer();
  await new Promise<void>((resolve) => connection.onExit(() => resolve()));
  return EXIT.ok;
}
