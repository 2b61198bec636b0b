/**
 * `mtl convert SRC -o DIR --to tfjs|pytorch`: move trained weights between the two targets.
 */
import * as path from 'node:path';
import { convertTfjsToTorch, convertTorchToTfjs } from '../../targets/convert.js';
import { withOutputDir } from '../../artifact/output-guard.js';
import { hasErrors } from '../../language/check.js';
import { parseCommandArgs, stringFlag } from '../args.js';
import { EXIT, UsageError, type CliIo } from '../io.js';
import { printDiagnostics } from '../report.js';

/** Help text of `mtl convert`. */
export const CONVERT_HELP = `Usage: mtl convert SRC --to tfjs|pytorch -o DIR [--force]

  --to tfjs      SRC is a PyTorch run directory (model.safetensors, ir.json, preprocess.json from the generated
                 train.py); DIR becomes a full mtl model directory (mtl eval / predict / report, plain tfjs).
  --to pytorch   SRC is an mtl model directory; DIR gets model.safetensors (a state dict for the generated
                 model.py), ir.json and preprocess.json.
DIR is written atomically. It must be new, empty or mtl's output of the same kind; --force replaces it
anyway (never SRC, a directory inside or around SRC, the current or the home directory).
`;

/** Run `mtl convert`. */
export async function runConvert(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs('convert', argv, { to: { type: 'string' }, out: { type: 'string', short: 'o' }, force: { type: 'boolean' } });
  if (values.help) return io.stdout(CONVERT_HELP), EXIT.ok;
  if (positionals.length !== 1) throw new UsageError('mtl convert: give exactly one source directory. Usage: mtl convert SRC --to tfjs|pytorch -o DIR', 'convert');
  const to = stringFlag(values, 'to');
  if (to !== 'tfjs' && to !== 'pytorch') throw new UsageError(`mtl convert: --to must be tfjs or pytorch${to ? `, got '${to}'` : ''}.`, 'convert');
  const out = stringFlag(values, 'out');
  if (!out) throw new UsageError('mtl convert: -o DIR is required.', 'convert');
  const src = path.resolve(io.cwd, positionals[0]!);
  const dst = path.resolve(io.cwd, out);
  const guard = { kind: to === 'tfjs' ? ('model' as const) : ('pytorch-run' as const), inputs: [src], force: Boolean(values.force), cwd: io.cwd, command: `mtl convert ${argv.join(' ')}` };
  const result = await withOutputDir(dst, guard, () => (to === 'tfjs' ? convertTorchToTfjs(src, dst) : convertTfjsToTorch(src, dst)));
  if (result.diagnostics.length) printDiagnostics(result.diagnostics, undefined, io, { toStderr: true });
  if (hasErrors(result.diagnostics)) return EXIT.errors;
  io.stderr(`converted ${positionals[0]} to ${to} in ${out}\n`);
  return EXIT.ok;
}
