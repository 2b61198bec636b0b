/**
 * `mtl export RUN --format F -o OUT`: a trained model directory in another form — a static web page, an ONNX
 * model, a TorchScript module. The formats are the table of src/export/formats.ts.
 */
import * as path from 'node:path';
import { EXPORT_FORMATS, exportFormat } from '../../export/formats.js';
import { hasErrors } from '../../language/check.js';
import { parseCommandArgs, stringFlag } from '../args.js';
import { EXIT, UsageError, type CliIo } from '../io.js';
import { artifactPlugins } from '../artifact-plugins.js';
import { printDiagnostics } from '../report.js';

/** Help text of `mtl export`. */
export const EXPORT_HELP = `Usage: mtl export RUN --format ${Object.keys(EXPORT_FORMATS).join('|')} -o OUT [--force] [--plugin P]...

Export a trained model directory RUN (verified against its manifest first, as mtl predict loads it):
${Object.entries(EXPORT_FORMATS)
  .map(([name, f]) => `  --format ${name.padEnd(12)} ${f.summary}`)
  .join('\n')}
web: OUT is a directory, replaced atomically: a static folder (serve it with any HTTP server, e.g.
python3 -m http.server, and open index.html) whose scores equal mtl predict's on the same rows; see
README.txt in it. OUT must be new, empty or an earlier web export; --force replaces it anyway (never the
model directory, a directory holding it, the current or the home directory).
onnx and torchscript: OUT is a file. They run PyTorch's exporter on the generated PyTorch package (a Python
with torch: Debian's python3-torch, or MTL_PYTHON). The model takes the encoded inputs (one per feature, a
sequence adds NAME__w, batch axis dynamic) and returns one float32 [batch] tensor per output, equal to mtl
predict within 1e-5; OUT.json is the contract: the inputs' names, types, shapes and how each is computed
from a row's fields, with the IR and preprocess.json it needs (loadFeedEncoder in mtl/serve encodes raw
rows with it). Files are written atomically; an existing file is replaced only with --force (never a file
of RUN).
  --plugin P   load a gate plugin module (path or package) the model needs
`;

/** Run `mtl export`. */
export async function runExport(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs('export', argv, {
    format: { type: 'string', short: 'f' },
    out: { type: 'string', short: 'o' },
    plugin: { type: 'string', multiple: true },
    force: { type: 'boolean' },
  });
  if (values.help) return io.stdout(EXPORT_HELP), EXIT.ok;
  const usage = `Usage: mtl export RUN --format ${Object.keys(EXPORT_FORMATS).join('|')} -o OUT`;
  if (positionals.length !== 1) throw new UsageError(`mtl export: give exactly one model directory. ${usage}`, 'export');
  const name = stringFlag(values, 'format');
  if (!name) throw new UsageError(`mtl export: --format F is required (${Object.keys(EXPORT_FORMATS).join(', ')}).`, 'export');
  const out = stringFlag(values, 'out');
  if (!out) throw new UsageError(`mtl export: -o OUT is required. ${usage}`, 'export');
  const format = exportFormat(name);
  const dir = path.resolve(io.cwd, positionals[0]!);
  const plugins = await artifactPlugins(dir, io, (values.plugin as string[] | undefined) ?? []);
  if (!plugins) return EXIT.errors;
  const warn = (d: Parameters<typeof printDiagnostics>[0][number]): void => printDiagnostics([d], undefined, io, { toStderr: true });
  const result = await format.write({ dir, out: path.resolve(io.cwd, out), force: Boolean(values.force), plugins, onWarning: warn, cwd: io.cwd, command: `mtl export ${argv.join(' ')}` });
  if (result.diagnostics.length) printDiagnostics(result.diagnostics, undefined, io, { toStderr: true });
  if (hasErrors(result.diagnostics) || !result.files.length) return EXIT.errors;
  const shown = (f: string): string => (path.relative(io.cwd, f).startsWith('..') ? f : path.relative(io.cwd, f));
  const wrote = format.output === 'directory' ? `${shown(path.resolve(io.cwd, out))}${path.sep}` : result.files.map(shown).join(', ');
  io.stderr(`exported ${positionals[0]} as ${name}: ${result.summary}; wrote ${wrote}\n`);
  return EXIT.ok;
}
