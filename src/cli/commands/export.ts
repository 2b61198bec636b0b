/**
 * `mtl export RUN --format F -o OUT`: a trained model directory in another runtime's format. The formats
 * are the table of src/export/formats.ts.
 */
import * as path from 'node:path';
import { EXPORT_FORMATS } from '../../export/formats.js';
import { hasErrors } from '../../language/check.js';
import { parseCommandArgs, stringFlag } from '../args.js';
import { EXIT, UsageError, type CliIo } from '../io.js';
import { artifactPlugins } from '../artifact-plugins.js';
import { printDiagnostics } from '../report.js';

/** Help text of `mtl export`. */
export const EXPORT_HELP = `Usage: mtl export RUN --format ${Object.keys(EXPORT_FORMATS).join('|')} -o OUT [--force] [--plugin P]...

Export a trained model directory RUN (verified against its manifest, as mtl predict loads it):
${Object.entries(EXPORT_FORMATS)
  .map(([name, f]) => `  --format ${name.padEnd(12)} ${f.summary}`)
  .join('\n')}
onnx and torchscript run PyTorch's exporter on the generated PyTorch package (a Python with torch: Debian's
python3-torch, or MTL_PYTHON). The model takes the encoded inputs (one per feature, a sequence adds NAME__w,
batch axis dynamic) and returns one float32 [batch] tensor per output, equal to mtl predict within 1e-5;
OUT.json is the contract: the inputs' names, types, shapes and how each is computed from a row's fields,
with the IR and preprocess.json it needs (loadFeedEncoder in mtl/serve encodes raw rows with it).
Files are written atomically; an existing file is replaced only with --force (never a file of RUN).
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
  const format = name !== undefined && Object.hasOwn(EXPORT_FORMATS, name) ? EXPORT_FORMATS[name] : undefined;
  if (!format) throw new UsageError(`mtl export: --format must be one of ${Object.keys(EXPORT_FORMATS).join(', ')}${name ? `, got '${name}'` : ''}.`, 'export');
  const out = stringFlag(values, 'out');
  if (!out) throw new UsageError(`mtl export: -o OUT is required. ${usage}`, 'export');
  const dir = path.resolve(io.cwd, positionals[0]!);
  const plugins = await artifactPlugins(dir, io, (values.plugin as string[] | undefined) ?? []);
  if (!plugins) return EXIT.errors;
  const warn = (d: Parameters<typeof printDiagnostics>[0][number]): void => printDiagnostics([d], undefined, io, { toStderr: true });
  const result = await format.write({ dir, out: path.resolve(io.cwd, out), force: Boolean(values.force), plugins, onWarning: warn });
  if (result.diagnostics.length) printDiagnostics(result.diagnostics, undefined, io, { toStderr: true });
  if (hasErrors(result.diagnostics) || !result.files.length) return EXIT.errors;
  const shown = (f: string): string => (path.relative(io.cwd, f).startsWith('..') ? f : path.relative(io.cwd, f));
  io.stderr(`exported ${positionals[0]} as ${name}: ${result.summary}; wrote ${result.files.map(shown).join(', ')}\n`);
  return EXIT.ok;
}
