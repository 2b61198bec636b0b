/**
 * The CLI's view of the outside world, injectable so that commands run in-process in tests.
 */

/** Where a command writes, and what it knows about its terminal. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  /** True when stderr is a terminal (progress bars, colours). */
  isTTY: boolean;
  /** The directory relative paths are resolved against. */
  cwd: string;
  /** Aborted on Ctrl-C (training saves a resumable checkpoint). */
  signal?: AbortSignal;
  /** Standard input, when a command reads it (`mtl check -`). */
  readStdin?: () => Promise<string>;
}

/** The real process's io. */
export function processIo(signal?: AbortSignal): CliIo {
  return {
    stdout: (t) => void process.stdout.write(t),
    stderr: (t) => void process.stderr.write(t),
    isTTY: Boolean(process.stderr.isTTY),
    cwd: process.cwd(),
    signal,
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const c of process.stdin) chunks.push(c as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    },
  };
}

/** Exit codes: 0 success, 1 the input has errors (spec, data), 2 usage error, 3 internal error (a bug), 130 interrupted. */
export const EXIT = { ok: 0, errors: 1, usage: 2, internal: 3, interrupted: 130 } as const;

/** A usage mistake on the command line (unknown flag, missing argument): exit 2 with the message. */
export class UsageError extends Error {
  constructor(message: string, readonly command?: string) {
    super(message);
    this.name = 'UsageError';
  }
}
