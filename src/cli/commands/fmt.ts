/**
 * `mtl fmt FILE... [--write | --check]`: print the canonical form of .mtl specs; comments survive.
 */
import * as path from 'node:path';
import { formatSpec } from '../../language/printer.js';
import { isDataSpec } from '../../language/check.js';
import { writeFileAtomic } from '../../util/fs-atomic.js';
import { parseCommandArgs } from '../args.js';
import { EXIT, UsageError, type CliIo } from '../io.js';
import { readSpecFile } from '../read-spec.js';
import { printDiagnostics } from '../report.js';

/** Help text of `mtl fmt`. */
export const FMT_HELP = `Usage: mtl fmt FILE... [--write | --check]

Print the canonical form of .mtl specs (comments and docstrings are kept; formatting is idempotent).
  --write   rewrite the files in place (atomically)
  --check   print nothing; exit 1 if a file is not formatted (for CI)
A file with syntax errors is not formatted: its diagnostics are printed and the exit status is 1.
`;

/** Run `mtl fmt`. */
export async function runFmt(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs('fmt', argv, { write: { type: 'boolean' }, check: { type: 'boolean' } });
  if (values.help) return io.stdout(FMT_HELP), EXIT.ok;
  if (values.write && values.check) throw new UsageError('mtl fmt: --write and --check cannot be combined.', 'fmt');
  if (positionals.length === 0) throw new UsageError('mtl fmt: no spec file given. Usage: mtl fmt FILE...', 'fmt');
  let status: number = EXIT.ok;
  for (const arg of positionals) {
    if (isDataSpec(arg)) throw new UsageError(`mtl fmt: '${arg}' is a YAML/JSON spec; mtl fmt formats .mtl text (use 'mtl ir --yaml' to normalise YAML).`, 'fmt');
    const file = path.resolve(io.cwd, arg);
    const read = await readSpecFile(file, 'fmt');
    const formatted = read.diagnostics.length ? { value: undefined, diagnostics: read.diagnostics } : formatSpec(read.text, arg);
    if (formatted.value === undefined) {
      for (const d of formatted.diagnostics) d.file = arg;
      printDiagnostics(formatted.diagnostics, read.text, io, { toStderr: true });
      io.stderr(`mtl fmt: '${arg}' was not formatted because it has errors.\n`);
      status = EXIT.errors;
      continue;
    }
    if (values.check) {
      if (formatted.value !== read.text) {
        io.stderr(`${arg}: not formatted (run 'mtl fmt --write ${arg}').\n`);
        status = EXIT.errors;
      }
    } else if (values.write) {
      if (formatted.value !== read.text) await writeFileAtomic(file, formatted.value);
    } else {
      io.stdout(formatted.value);
    }
  }
  return status;
}
