/**
 * `mtl compile SPEC --target pytorch -o DIR`: emit a PyTorch package (nn.Module, data reader, DDP train.py).
 */
import * as path from 'node:path';
import { compileToPytorch } from '../../targets/pytorch/index.js';
import { withOutputDir } from '../../artifact/output-guard.js';
import { hasErrors } from '../../language/check.js';
import { parseCommandArgs, stringFlag } from '../args.js';
import { EXIT, UsageError, type CliIo } from '../io.js';
import { loadValidSpec } from '../spec-loader.js';
import { TRUST_OPTION } from '../plugin-trust.js';
import { printDiagnostics } from '../report.js';

/** Help text of `mtl compile`. */
export const COMPILE_HELP = `Usage: mtl compile SPEC --target pytorch -o DIR [--force] [--plugin P]... [--trust-plugins]

Compile a spec to a readable PyTorch package in DIR (replaced atomically): model.py (the nn.Module, same outputs,
parameters and losses as the tfjs target), a data reader with the same preprocessing and hash, and train.py,
which runs under torchrun with DistributedDataParallel:
  torchrun --nproc_per_node 2 DIR/train.py --data train.csv --out run/
DIR must be new, empty or a package written by mtl compile; --force replaces it anyway (never a directory
holding the spec, the current or the home directory).
See docs/scaling-out.md. Convert the trained weights back with 'mtl convert'.
  --plugin P         load a gate plugin (a path or a package name) besides the spec's 'use' lines
  --trust-plugins    run the code of the spec's 'use' plugins (default: check them from their manifests)
`;

/** Run `mtl compile`. */
export async function runCompile(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs('compile', argv, {
    target: { type: 'string', short: 't' },
    out: { type: 'string', short: 'o' },
    plugin: { type: 'string', multiple: true },
    ...TRUST_OPTION,
    force: { type: 'boolean' },
  });
  if (values.help) return io.stdout(COMPILE_HELP), EXIT.ok;
  if (positionals.length !== 1) throw new UsageError('mtl compile: give exactly one spec. Usage: mtl compile SPEC --target pytorch -o DIR', 'compile');
  const target = stringFlag(values, 'target') ?? 'pytorch';
  if (target !== 'pytorch') throw new UsageError(`mtl compile: unknown target '${target}'; the only target besides tfjs (mtl train) is 'pytorch'.`, 'compile');
  const out = stringFlag(values, 'out');
  if (!out) throw new UsageError('mtl compile: -o DIR is required.', 'compile');
  const spec = await loadValidSpec(positionals[0]!, 'compile', io, values, 'manifest');
  if (!spec) return EXIT.errors;
  const outDir = path.resolve(io.cwd, out);
  const guard = { kind: 'pytorch-package' as const, inputs: [spec.file], force: Boolean(values.force), cwd: io.cwd, command: `mtl compile ${argv.join(' ')}` };
  const result = await withOutputDir(outDir, guard, () => compileToPytorch(spec.ir, outDir, { file: positionals[0]!, registry: spec.registry }));
  if (result.diagnostics.length) printDiagnostics(result.diagnostics, undefined, io, { toStderr: true });
  if (hasErrors(result.diagnostics)) return EXIT.errors;
  io.stderr(`wrote ${result.files.length} files to ${out}: ${result.files.join(', ')}\n`);
  return EXIT.ok;
}
