/**
 * `mtl graph SPEC -o FILE.svg|.png|.dot`: draw the architecture like the papers' figures.
 */
import * as path from 'node:path';
import { renderGraph } from '../../diagram/index.js';
import { writeFileAtomic } from '../../util/fs-atomic.js';
import { writeFailure } from '../../artifact/artifact.js';
import { checkOutputFile } from '../../artifact/output-guard.js';
import { parseCommandArgs, stringFlag } from '../args.js';
import { EXIT, UsageError, type CliIo } from '../io.js';
import { loadValidSpec } from '../spec-loader.js';
import { TRUST_OPTION } from '../plugin-trust.js';

/** Help text of `mtl graph`. */
export const GRAPH_HELP = `Usage: mtl graph SPEC -o FILE [--force] [--format svg|png|dot] [--direction up|down] [--plugin P]... [--trust-plugins]

Draw the model: features, expert groups (NAME[count]), gates with their inputs, towers, and task heads with
their products, losses and masks. The format follows FILE's extension (.svg, .png, .dot) unless --format
is given; '-o -' writes SVG or DOT to stdout. An existing FILE is replaced only with --force (never the spec).
  --plugin P         load a gate plugin (a path or a package name) besides the spec's 'use' lines
  --trust-plugins    run the code of the spec's 'use' plugins (default: check them from their manifests)
`;

/** Run `mtl graph`. */
export async function runGraph(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs('graph', argv, {
    out: { type: 'string', short: 'o' },
    format: { type: 'string' },
    direction: { type: 'string' },
    plugin: { type: 'string', multiple: true },
    ...TRUST_OPTION,
    force: { type: 'boolean' },
  });
  if (values.help) return io.stdout(GRAPH_HELP), EXIT.ok;
  if (positionals.length !== 1) throw new UsageError('mtl graph: give exactly one spec. Usage: mtl graph SPEC -o FILE.svg', 'graph');
  const out = stringFlag(values, 'out');
  if (!out) throw new UsageError('mtl graph: -o FILE is required (.svg, .png or .dot).', 'graph');
  const ext = path.extname(out).slice(1).toLowerCase();
  const format = stringFlag(values, 'format') ?? (out === '-' ? 'svg' : ext);
  if (format !== 'svg' && format !== 'png' && format !== 'dot') {
    throw new UsageError(`mtl graph: cannot tell the format of '${out}'; use a .svg, .png or .dot name or --format svg|png|dot.`, 'graph');
  }
  if (out === '-' && format === 'png') throw new UsageError('mtl graph: PNG cannot go to stdout; give -o FILE.png.', 'graph');
  const direction = stringFlag(values, 'direction') ?? 'up';
  if (direction !== 'up' && direction !== 'down') throw new UsageError(`mtl graph: --direction must be up or down, got '${direction}'.`, 'graph');
  const spec = await loadValidSpec(positionals[0]!, 'graph', io, values, 'manifest');
  if (!spec) return EXIT.errors;
  const outPath = path.resolve(io.cwd, out);
  if (out !== '-') await checkOutputFile(outPath, { inputs: [spec.file], force: Boolean(values.force) });
  const rendered = await renderGraph(spec.ir, format, { direction });
  if (out === '-') io.stdout(rendered as string);
  else {
    await writeFileAtomic(outPath, rendered).catch((e: unknown) => {
      throw writeFailure(outPath, e);
    });
    io.stderr(`wrote ${out}\n`);
  }
  return EXIT.ok;
}
