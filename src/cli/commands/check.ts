/**
 * `mtl check FILE... [--format text|json] [--plugin P]...`: parse and validate specs, print diagnostics.
 * Exit 0 without errors (warnings allowed), 1 with an error, 2 on a usage error.
 */
import * as path from 'node:path';
import type { Diagnostic } from '../../diagnostics/types.js';
import { checkFile, hasErrors } from '../../language/check.js';
import { parseCommandArgs, stringFlag } from '../args.js';
import { EXIT, UsageError, type CliIo } from '../io.js';
import { readSpecFile } from '../read-spec.js';
import { printDiagnostics, toJsonDiagnostic } from '../report.js';
import { pluginTrust, TRUST_OPTION } from '../plugin-trust.js';

/** Help text of `mtl check`. */
export const CHECK_HELP = `Usage: mtl check FILE... [--format text|json] [--plugin PATH_OR_PACKAGE]... [--trust-plugins]

Parse and validate .mtl (or .mtl.yaml / .mtl.json) specs and print every diagnostic as
FILE:LINE:COL: SEVERITY CODE: message, with a code frame and a hint.
  --format json   one JSON array of {file, code, severity, message, hint?, range} (0-based ranges)
  --plugin P      load a gate plugin (a path or a package name) in addition to the spec's own 'use' lines
  --trust-plugins run the code of the spec's 'use' plugins, also from outside its project, so that their own
                  checks run too; without it plugins are checked from their manifests and no code runs
Exit status: 0 no errors (warnings allowed), 1 errors found, 2 usage error.
`;

/** Run `mtl check`. */
export async function runCheck(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs('check', argv, {
    format: { type: 'string' },
    plugin: { type: 'string', multiple: true },
    color: { type: 'boolean' },
    ...TRUST_OPTION,
  });
  if (values.help) return io.stdout(CHECK_HELP), EXIT.ok;
  const format = stringFlag(values, 'format') ?? 'text';
  if (format !== 'text' && format !== 'json') throw new UsageError(`mtl check: --format must be 'text' or 'json', got '${format}'.`, 'check');
  if (positionals.length === 0) throw new UsageError('mtl check: no spec file given. Usage: mtl check FILE...', 'check');
  const plugins = (values.plugin as string[] | undefined) ?? [];
  const all: Array<{ file: string; text: string; diagnostics: Diagnostic[] }> = [];
  for (const arg of positionals) {
    const file = path.resolve(io.cwd, arg);
    const read = await readSpecFile(file, 'check');
    // A file over the size limit is not parsed; otherwise encoding problems come first, then the checker's findings.
    const tooLarge = read.diagnostics.some((d) => d.code === 'MTL1901');
    const checked = tooLarge ? [] : (await checkFile(read.text, file, { extraPlugins: plugins, cwd: io.cwd, ...pluginTrust(values, file, 'manifest') })).diagnostics;
    const diagnostics = [...read.diagnostics, ...checked];
    for (const d of diagnostics) d.file = arg;
    all.push({ file: arg, text: read.text, diagnostics });
  }
  if (format === 'json') {
    io.stdout(JSON.stringify(all.flatMap((f) => f.diagnostics.map(toJsonDiagnostic)), null, 2) + '\n');
  } else {
    for (const f of all) printDiagnostics(f.diagnostics, f.text, io, { color: Boolean(values.color) });
    const errors = all.reduce((n, f) => n + f.diagnostics.filter((d) => d.severity === 'error').length, 0);
    const warnings = all.reduce((n, f) => n + f.diagnostics.filter((d) => d.severity === 'warning').length, 0);
    const files = all.length === 1 ? '1 file' : `${all.length} files`;
    io.stderr(errors || warnings ? `${files} checked: ${errors} error(s), ${warnings} warning(s).\n` : `${files} checked: no problems.\n`);
  }
  return all.some((f) => hasErrors(f.diagnostics)) ? EXIT.errors : EXIT.ok;
}
