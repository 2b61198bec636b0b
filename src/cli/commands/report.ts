/**
 * `mtl report DIR -o report.html`: a self-contained HTML page for a trained model (curves, final metrics,
 * gate usage, architecture diagram).
 */
import * as path from 'node:path';
import { buildReport } from '../../report/index.js';
import { selectBackend } from '../../exec/backend.js';
import { writeFileAtomic } from '../../util/fs-atomic.js';
import { recordedDataFiles, writeFailure } from '../../artifact/artifact.js';
import { checkOutputFile, filesIn } from '../../artifact/output-guard.js';
import { parseCommandArgs, stringFlag } from '../args.js';
import { EXIT, UsageError, type CliIo } from '../io.js';
import { fileDataRef } from '../data-ref.js';
import { parseBackend } from '../format-metrics.js';
import { artifactPlugins } from '../artifact-plugins.js';
import { printDiagnostics } from '../report.js';

/** Help text of `mtl report`. */
export const REPORT_HELP = `Usage: mtl report DIR -o FILE.html [--force] [--data FILE] [--no-gates] [--backend B] [--plugin P]...

Write a self-contained HTML page (no scripts, no network) for a model directory written by mtl train:
the run's settings, the final validation metrics, loss and metric curves per task over the epochs, a
gate-usage heatmap (mean weight of every expert in every gate) and the architecture diagram.
  --data FILE   measure gate usage on FILE (default: the run's validation data, when still readable)
  --no-gates    do not run the model to measure gate usage
  --plugin P    load a gate plugin module (path or package) the model needs; the plugins a model
                directory's ir.json lists are never loaded from there (a model directory is data)
'-o -' writes the page to stdout. An existing FILE is replaced only with --force (never an input).
`;

/** Run `mtl report`. */
export async function runReport(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs('report', argv, {
    out: { type: 'string', short: 'o' },
    data: { type: 'string' },
    'no-gates': { type: 'boolean' },
    backend: { type: 'string' },
    plugin: { type: 'string', multiple: true },
    force: { type: 'boolean' },
  });
  if (values.help) return io.stdout(REPORT_HELP), EXIT.ok;
  if (positionals.length !== 1) throw new UsageError('mtl report: give exactly one model directory. Usage: mtl report DIR -o report.html', 'report');
  const out = stringFlag(values, 'out');
  if (!out) throw new UsageError('mtl report: -o FILE.html is required.', 'report');
  const dataFlag = stringFlag(values, 'data');
  const noGates = Boolean(values['no-gates']);
  if (noGates && dataFlag !== undefined) throw new UsageError('mtl report: --data and --no-gates exclude each other.', 'report');
  const backendName = parseBackend('report', stringFlag(values, 'backend'));
  const dir = path.resolve(io.cwd, positionals[0]!);
  if (!noGates) await selectBackend(backendName);
  const outPath = path.resolve(io.cwd, out);
  const dataRef = dataFlag !== undefined ? fileDataRef('report', io.cwd, dataFlag) : undefined;
  if (out !== '-') {
    const data = dataRef?.kind === 'file' ? [dataRef.path] : noGates ? [] : await recordedDataFiles(dir);
    await checkOutputFile(outPath, { inputs: [...data, ...(await filesIn(dir))], force: Boolean(values.force) });
  }
  const plugins = await artifactPlugins(dir, io, (values.plugin as string[] | undefined) ?? []);
  if (!plugins) return EXIT.errors;
  const { value: html, diagnostics } = await buildReport(dir, {
    ...(dataRef ? { data: dataRef } : {}),
    noGates,
    plugins,
  });
  if (diagnostics.length) printDiagnostics(diagnostics.map((d) => ({ ...d, severity: 'warning' as const })), undefined, io, { toStderr: true });
  if (out === '-') io.stdout(html);
  else {
    await writeFileAtomic(outPath, html).catch((e: unknown) => {
      throw writeFailure(outPath, e);
    });
    io.stderr(`wrote ${out}\n`);
  }
  return EXIT.ok;
}
