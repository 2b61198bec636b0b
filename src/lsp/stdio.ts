/**
 * The language server's stdio connection, with the framing guard (src/lsp/framing.ts) between stdin and
 * the JSON-RPC reader: a malformed frame ends the process with status 1 and a line on stderr, so the
 * editor restarts the server instead of talking to one that will never answer again.
 */
import { PassThrough } from 'node:stream';
import { createConnection, ProposedFeatures, type Connection } from 'vscode-languageserver/node.js';
import { frameGuard } from './framing.js';

/** A connection over this process's stdin/stdout whose input is checked frame by frame. */
export function guardedStdioConnection(): Connection {
  const input = new PassThrough();
  const push = frameGuard(
    (frame) => { input.write(frame); },
    (reason) => {
      process.stderr.write(`mtl lsp: the client sent a malformed message (${reason}); exiting so that the editor restarts the server.\n`);
      process.exit(1);
    },
  );
  process.stdin.on('data', (chunk: Buffer) => push(chunk));
  // The library exits when its input ends (status 0 after a shutdown request, else 1).
  process.stdin.on('end', () => input.end());
  const connection = createConnection(ProposedFeatures.all, input, process.stdout);
  // Anything printed to stdout would corrupt the protocol: send console output to the client's log instead.
  console.log = (...args: unknown[]) => connection.console.log(args.map(String).join(' '));
  console.info = (...args: unknown[]) => connection.console.info(args.map(String).join(' '));
  console.warn = (...args: unknown[]) => connection.console.warn(args.map(String).join(' '));
  console.error = (...args: unknown[]) => connection.console.error(args.map(String).join(' '));
  console.debug = console.log;
  return connection;
}
