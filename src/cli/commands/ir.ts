/**
 * `mtl ir FILE [--yaml] [--locations]`: print the validated IR (with inferred widths) as JSON or YAML.
 */
import * as path from 'node:path';
import { stringify as toYaml } from 'yaml';
import { checkFile, hasErrors } from '../../language/check.js';
import { stripLocations } from '../../ir/strip.js';
import { parseCommandArgs } from '../args.js';
import { EXIT, UsageError, type CliIo } from '../io.js';
import { readSpecFile } from '../read-spec.js';
import { printDiagnostics } from '../report.js';
import { pluginTrust, TRUST_OPTION } from '../plugin-trust.js';

/** Help text of `mtl ir`. */
export const IR_HELP = `Usage: mtl ir FILE [--yaml] [--locations] [--plugin P]... [--trust-plugins]

Print the validated IR of a spec as JSON (every node's inferred output 'width' included).
  --yaml        print YAML instead (the same IR a .mtl.yaml spec holds)
  --locations   keep source ranges ('loc', 'locs')
  --plugin P    load a gate plugin (a path or a package name) besides the spec's 'use' lines
  --trust-plugins  run the code of the spec's 'use' plugins (default: check them from their manifests)
Diagnostics go to stderr; with an error nothing is printed and the exit status is 1.
`;

/** Run `mtl ir`. */
export async function runIr(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs('ir', argv, {
    yaml: { type: 'boolean' },
    locations: { type: 'boolean' },
    plugin: { type: 'string', multiple: true },
    ...TRUST_OPTION,
  });
  if (values.help) return io.stdout(IR_HELP), EXIT.ok;
  if (positionals.length !== 1) throw new UsageError('mtl ir: give exactly one spec file. Usage: mtl ir FILE [--yaml]', 'ir');
  const arg = positionals[0]!;
  const file = path.resolve(io.cwd, arg);
  const read = await readSpecFile(file, 'ir');
  const result = await checkFile(read.text, file, { extraPlugins: (values.plugin as string[] | undefined) ?? [], cwd: io.cwd, ...pluginTrust(values, file, 'manifest') });
  const diagnostics = [...read.diagnostics, ...result.diagnostics];
  for (const d of diagnostics) d.file = arg;
  if (diagnostics.length) printDiagnostics(diagnostics, read.text, io, { toStderr: true });
  if (hasErrors(diagnostics) || !result.ir) return EXIT.errors;
  const ir = values.locations ? result.ir : stripLocations(result.ir);
  io.stdout(values.yaml ? toYaml(ir) : JSON.stringify(ir, null, 2) + '\n');
  return EXIT.ok;
}
