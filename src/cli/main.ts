/**
 * The `mtl` command-line entry: dispatches to one file per command and turns every failure into
 * a message and an exit status. A user's mistake is a diagnostic or a usage error; any other
 * exception is a bug in mtl and is reported as one (with the stack only under MTL_DEBUG=1).
 */
import { MtlError, isMtlError } from '../diagnostics/error.js';
import { diag } from '../diagnostics/catalog.js';
import { FILE_START } from '../diagnostics/types.js';
import { EXIT, UsageError, processIo, type CliIo } from './io.js';
import { printDiagnostics } from './report.js';
import { COMMANDS } from './commands/index.js';

import { packageVersion } from '../util/package-root.js';

const VERSION = packageVersion();

/** The top-level help. */
export function mainHelp(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return `mtl ${VERSION}: a compiler and toolchain for multi-task recommender models.

Usage: mtl COMMAND [ARGS...]   (mtl COMMAND --help for details)

Commands:
${lines.join('\n')}
`;
}

/** Run the CLI with `argv` (without node and the script); returns the exit status. */
export async function main(argv: string[], io?: CliIo): Promise<number> {
  const controller = new AbortController();
  const realIo = io ?? processIo(controller.signal);
  let interrupts = 0;
  const onSigint = () => {
    interrupts++;
    if (interrupts > 1) {
      // Not process.exit(): it waits for libuv's worker threads, and one blocked in a read (a FIFO, a hung
      // network mount) never returns. Dying of the signal itself, as a program without a handler does,
      // cannot wait; the shell sees status 130 (EXIT.interrupted) either way.
      process.off('SIGINT', onSigint);
      process.kill(process.pid, 'SIGINT');
      return;
    }
    realIo.stderr('\nmtl: interrupted; finishing the current step (Ctrl-C again to quit at once).\n');
    controller.abort();
  };
  if (!io) process.on('SIGINT', onSigint);
  try {
    return await dispatch(argv, realIo);
  } catch (e) {
    return reportFailure(e, realIo);
  } finally {
    if (!io) process.off('SIGINT', onSigint);
  }
}

async function dispatch(argv: string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    io.stdout(mainHelp());
    return command === undefined ? EXIT.usage : EXIT.ok;
  }
  if (command === '--version' || command === '-v' || command === 'version') {
    io.stdout(`${VERSION}\n`);
    return EXIT.ok;
  }
  const entry = COMMANDS[command];
  if (!entry) {
    const { suggest } = await import('../diagnostics/suggest.js');
    const guess = suggest(command, Object.keys(COMMANDS));
    throw new UsageError(`mtl: unknown command '${command}'.${guess ? ` Did you mean '${guess}'?` : ''} Run 'mtl --help' for the list.`);
  }
  return (await entry.load()).run(rest, io);
}

/**
 * A safety net for file-system failures that no command turned into a diagnostic: a full disk, a read-only
 * or missing directory is the user's environment, not a bug, so it is MTL5308 naming the file (exit 1)
 * rather than "internal error" with exit 3.
 */
function fileSystemError(e: unknown): MtlError | undefined {
  const err = e as NodeJS.ErrnoException;
  if (!err || typeof err.code !== 'string' || !/^E[A-Z]+$/.test(err.code) || typeof err.syscall !== 'string') return undefined;
  const file = err.path ?? (err as { dest?: string }).dest ?? '(unknown file)';
  return new MtlError(diag('MTL5308', FILE_START, { file, reason: err.message.replace(/\.$/, '') }, { file }));
}

/** Print a failure and choose the exit status. */
export function reportFailure(e: unknown, io: CliIo): number {
  if (e instanceof UsageError) {
    io.stderr(`${e.message}\n`);
    return EXIT.usage;
  }
  if (isMtlError(e)) {
    printDiagnostics(e.diagnostics, undefined, io, { toStderr: true });
    return EXIT.errors;
  }
  const fsError = fileSystemError(e);
  if (fsError) {
    printDiagnostics(fsError.diagnostics, undefined, io, { toStderr: true });
    return EXIT.errors;
  }
  const err = e as Error;
  io.stderr(`mtl: internal error: ${err?.message ?? String(e)}\nThis is a bug in mtl, not in your spec or data. Please report it${process.env.MTL_DEBUG ? '' : ' (set MTL_DEBUG=1 to see the stack)'}.\n`);
  if (process.env.MTL_DEBUG && err?.stack) io.stderr(err.stack + '\n');
  return EXIT.internal;
}
