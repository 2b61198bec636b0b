/**
 * `mtl predict DIR --data FILE --out FILE`: one column per model output, rows in input order.
 */
import * as path from 'node:path';
import { predictArtifact } from '../../artifact/predict.js';
import { selectBackend } from '../../exec/backend.js';
import { numberFlag, parseCommandArgs, stringFlag } from '../args.js';
import { EXIT, UsageError, type CliIo } from '../io.js';
import { fileDataRef } from '../data-ref.js';
import { dataPathFiles } from '../../data/glob.js';
import { parseBackend } from '../format-metrics.js';
import { artifactPlugins } from '../artifact-plugins.js';
import { printDiagnostics } from '../report.js';
import { checkOutputFile, filesIn } from '../../artifact/output-guard.js';

/** Help text of `mtl predict`. */
export const PREDICT_HELP = `Usage: mtl predict DIR --data FILE --out FILE [--force] [--keep COLUMN] [--batch N] [--backend B] [--skip-bad-rows] [--plugin P]...

Score a data file with a model directory. The output (CSV, or JSON Lines when FILE ends in .jsonl) has one
column per output (towers and tasks: probabilities for sigmoid outputs and products, values for linear
ones), one row per input row, in input order; it is written atomically. Label columns are not needed.
  --force         replace FILE if it exists (never the data file or a file of DIR)
  --keep COLUMN   copy a data column (e.g. an id) into the output as its first column
  --plugin P      load a gate plugin module (path or package) the model needs; the plugins a model
                  directory's ir.json lists are never loaded from there (a model directory is data)
`;

/** Run `mtl predict`. */
export async function runPredict(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs('predict', argv, {
    data: { type: 'string' },
    out: { type: 'string', short: 'o' },
    keep: { type: 'string' },
    batch: { type: 'string' },
    backend: { type: 'string' },
    plugin: { type: 'string', multiple: true },
    'skip-bad-rows': { type: 'boolean' },
    force: { type: 'boolean' },
  });
  if (values.help) return io.stdout(PREDICT_HELP), EXIT.ok;
  if (positionals.length !== 1) throw new UsageError('mtl predict: give exactly one model directory. Usage: mtl predict DIR --data FILE --out FILE', 'predict');
  const data = fileDataRef('predict', io.cwd, stringFlag(values, 'data'));
  const out = stringFlag(values, 'out');
  if (!out) throw new UsageError('mtl predict: --out FILE is required.', 'predict');
  const batch = numberFlag('predict', values, 'batch', { integer: true, min: 1 });
  await selectBackend(parseBackend('predict', stringFlag(values, 'backend')));
  const dir = path.resolve(io.cwd, positionals[0]!);
  const outPath = path.resolve(io.cwd, out);
  // Every file a wildcard --data matches is an input that the output must not replace.
  const dataFiles = data.kind === 'file' ? await dataPathFiles(data.path) : [];
  await checkOutputFile(outPath, { inputs: [...dataFiles, ...(await filesIn(dir))], force: Boolean(values.force) });
  const plugins = await artifactPlugins(dir, io, (values.plugin as string[] | undefined) ?? []);
  if (!plugins) return EXIT.errors;
  const keep = stringFlag(values, 'keep');
  const result = await predictArtifact(dir, data, outPath, {
    baseDir: dir,
    ...(batch !== undefined ? { batchSize: batch } : {}),
    ...(keep !== undefined ? { keep } : {}),
    skipBadRows: Boolean(values['skip-bad-rows']),
    onWarning: (d) => printDiagnostics([d], undefined, io, { toStderr: true }),
    plugins,
  });
  io.stderr(`wrote ${result.rows.toLocaleString('en-US')} rows × ${result.outputs.length} outputs (${result.outputs.join(', ')}) to ${out}\n`);
  return EXIT.ok;
}
