/**
 * Test helper: run the CLI in-process with captured output.
 */
import { main } from '../../src/cli/main.js';
import type { CliIo } from '../../src/cli/io.js';

/** What a CLI run produced. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run `mtl ARGV...` in `cwd` with captured stdout/stderr (not a TTY). */
export async function runCli(argv: string[], opts: { cwd?: string; signal?: AbortSignal; stdin?: string } = {}): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    isTTY: false,
    cwd: opts.cwd ?? process.cwd(),
    signal: opts.signal,
    readStdin: async () => opts.stdin ?? '',
  };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}
