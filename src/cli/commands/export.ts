/**
 * `mtl export RUN_DIR --format F -o DIR`: a trained model directory in another form (the formats are the
 * table of src/export/formats.ts), written under the same output guard as `mtl compile -o`.
 */
import * as path from 'node:path';
import { EXPORT_FORMATS, exportFormat } from '../../export/formats.js';
import { withOutputDir } from '../../artifact/output-guard.js';
import { parseCommandArgs, stringFlag } from '../args.js';
import { EXIT, UsageError, type CliIo } from '../io.js';

/** The formats' lines of the help text, from the table. */
const FORMAT_LINES = Object.entries(EXPORT_FORMATS)
  .map(([name, f]) => `  ${name.padEnd(12)}${f.summary}`)
  .join('\n');

/** Help text of `mtl export`. */
export const EXPORT_HELP = `Usage: mtl export RUN_DIR --format F -o DIR [--force]

Export a model directory written by mtl train (verified against its manifest first, as mtl predict does)
into DIR, replaced atomically. Formats:
${FORMAT_LINES}
The web folder is static: serve it with any HTTP server (e.g. python3 -m http.server) and open index.html;
its scores equal mtl predict's on the same rows. See README.txt in DIR.
DIR must be new, empty or an earlier export of the same format; --force replaces it anyway (never the
model directory, a directory holding it, the current or the home directory).
`;

/** Run `mtl export`. */
export async function runExport(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs('export', argv, {
    format: { type: 'string', short: 'f' },
    out: { type: 'string', short: 'o' },
    force: { type: 'boolean' },
  });
  if (values.help) return io.stdout(EXPORT_HELP), EXIT.ok;
  if (positionals.length !== 1) throw new UsageError('mtl export: give exactly one model directory. Usage: mtl export RUN_DIR --format F -o DIR', 'export');
  const name = stringFlag(values, 'format');
  if (!name) throw new UsageError(`mtl export: --format F is required (${Object.keys(EXPORT_FORMATS).join(', ')}).`, 'export');
  const out = stringFlag(values, 'out');
  if (!out) throw new UsageError('mtl export: -o DIR is required.', 'export');
  const format = exportFormat(name);
  const runDir = path.resolve(io.cwd, positionals[0]!);
  const outDir = path.resolve(io.cwd, out);
  const guard = { kind: format.kind, inputs: [runDir], force: Boolean(values.force), cwd: io.cwd, command: `mtl export ${argv.join(' ')}` };
  const result = await withOutputDir(outDir, guard, () => format.run(runDir, outDir));
  io.stderr(`wrote ${result.files.length} files to ${out} (${name}): ${result.files.join(', ')}\n`);
  return EXIT.ok;
}
