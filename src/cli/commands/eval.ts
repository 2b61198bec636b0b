/**
 * `mtl eval DIR --data FILE [--format json]`: per-output metrics of a trained model, and gate usage.
 */
import * as path from 'node:path';
import { evaluateArtifact } from '../../artifact/evaluate.js';
import { selectBackend } from '../../exec/backend.js';
import { numberFlag, parseCommandArgs, stringFlag } from '../args.js';
import { EXIT, UsageError, type CliIo } from '../io.js';
import { fileDataRef } from '../data-ref.js';
import { formatMetricsTable, parseBackend } from '../format-metrics.js';
import { artifactPlugins } from '../artifact-plugins.js';
import { printDiagnostics } from '../report.js';

/** Help text of `mtl eval`. */
export const EVAL_HELP = `Usage: mtl eval DIR --data FILE [--format json] [--batch N] [--backend B] [--skip-bad-rows] [--plugin P]...

Evaluate a model directory (written by mtl train) on a data file: every output's metrics (the spec's
defaults per task, plus its metric lines) and each gate's mean expert weights.
  --format json   {"metrics": {OUTPUT: {METRIC: value}}, "gates": {GATE: [mean weight per expert]}, "rows": N}
  --plugin P      load a gate plugin module (path or package) the model needs; the plugins a model
                  directory's ir.json lists are never loaded from there (a model directory is data)
`;

/** Run `mtl eval`. */
export async function runEval(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs('eval', argv, {
    data: { type: 'string' },
    format: { type: 'string' },
    batch: { type: 'string' },
    backend: { type: 'string' },
    plugin: { type: 'string', multiple: true },
    'skip-bad-rows': { type: 'boolean' },
  });
  if (values.help) return io.stdout(EVAL_HELP), EXIT.ok;
  if (positionals.length !== 1) throw new UsageError('mtl eval: give exactly one model directory. Usage: mtl eval DIR --data FILE', 'eval');
  const format = stringFlag(values, 'format') ?? 'text';
  if (format !== 'text' && format !== 'json') throw new UsageError(`mtl eval: --format must be 'text' or 'json', got '${format}'.`, 'eval');
  const data = fileDataRef('eval', io.cwd, stringFlag(values, 'data'));
  const batch = numberFlag('eval', values, 'batch', { integer: true, min: 1 });
  await selectBackend(parseBackend('eval', stringFlag(values, 'backend')));
  const dir = path.resolve(io.cwd, positionals[0]!);
  const plugins = await artifactPlugins(dir, io, (values.plugin as string[] | undefined) ?? []);
  if (!plugins) return EXIT.errors;
  const result = await evaluateArtifact(dir, data, {
    baseDir: dir,
    ...(batch !== undefined ? { batchSize: batch } : {}),
    skipBadRows: Boolean(values['skip-bad-rows']),
    onWarning: (d) => printDiagnostics([d], undefined, io, { toStderr: true }),
    plugins,
  });
  if (format === 'json') {
    io.stdout(JSON.stringify({ metrics: result.metrics, gates: result.gates, rows: result.rows }, null, 2) + '\n');
    return EXIT.ok;
  }
  io.stdout(`${result.rows.toLocaleString('en-US')} rows of ${path.basename(data.kind === 'file' ? data.path : '')}\n`);
  io.stdout(formatMetricsTable(result.metrics));
  const gates = Object.entries(result.gates);
  if (gates.length) {
    io.stdout('Gate usage (mean weight of each expert):\n');
    for (const [gate, weights] of gates) io.stdout(`  ${gate}: ${weights.map((w) => w.toFixed(3)).join(' ')}\n`);
  }
  return EXIT.ok;
}
