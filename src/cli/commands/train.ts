/**
 * `mtl train SPEC [--data FILE] [--valid FILE] --out DIR [...]`: train a spec and write its model directory.
 */
import * as path from 'node:path';
import { selectBackend } from '../../exec/backend.js';
import { partialDir, train, type TrainOverrides } from '../../train/train.js';
import { withOutputDir } from '../../artifact/output-guard.js';
import { numberFlag, parseCommandArgs, stringFlag } from '../args.js';
import { EXIT, UsageError, type CliIo } from '../io.js';
import { trainDataRefs } from '../data-ref.js';
import { gateLookup, loadValidSpec } from '../spec-loader.js';
import { TRUST_OPTION } from '../plugin-trust.js';
import { printDiagnostics } from '../report.js';
import { formatMetricsTable, parseBackend } from '../format-metrics.js';
import { OPTIMIZER_NAMES } from '../../ir/ops/index.js';
import type { ModelIR } from '../../ir/types.js';
import { applySetArgs, parseSetArgs } from '../../tune/set-args.js';

/** Help text of `mtl train`. */
export const TRAIN_HELP = `Usage: mtl train SPEC --out DIR [--data FILE] [--valid FILE] [options]

Train the model of SPEC and write DIR: model.json + weights.bin (loads in plain @tensorflow/tfjs), ir.json,
preprocess.json, metrics.json (final metrics and per-epoch history) and checkpoint/ (for --resume).
Without --data, the spec's data block is used (every reference spec has built-in synthetic data).
  --data FILE        training data: CSV with a header, TSV, or JSON Lines (plain or .gz), or Parquet; a
                     quoted wildcard ('parts/*.parquet', '{a,b}.csv', 'd/**/*.csv') reads every file it
                     matches, in sorted order, formats mixed
  --valid FILE       validation data (default: the spec's valid_split of the training data)
  --out DIR          the model directory to write: new, empty, or an mtl model directory (replaced only
                     when the run succeeds; until then checkpoints go to DIR.partial)
  --force            replace DIR even when it holds files mtl did not write (never the spec, the data,
                     the current or the home directory)
  --epochs N  --batch N  --lr X  --seed N  --optimizer ${OPTIMIZER_NAMES.join('|')}   override the spec's train settings
  --set PATH=VALUE   change one setting of the spec for this run, by IR path (repeatable): train.lr=0.003,
                     experts.e.units=32, towers.edu.dropout=0.1 (the paths of mtl tune's search space)
  --rows N           with built-in data: generate N rows instead of the spec's count
  --backend B        auto (default: tensorflow if installed, else native if its OpenBLAS addon is built, else wasm), native, wasm, cpu, tensorflow
  --resume           continue an interrupted run from DIR.partial (or a finished one from DIR/checkpoint),
                     on the data it was started with (other --data/--valid is an error: use --init)
  --init RUN         start from the finished model in RUN on new data: its weights and its preprocess.json
                     as they are (hashed ids, vocabularies and normalisation statistics are not refitted, so
                     ids map as before and new ids hash into the same tables), a fresh optimiser and a
                     learning-rate schedule that starts again over this run's updates; writes the
                     new model to DIR (not RUN). The spec must be RUN's, except for its train and data blocks
  --skip-bad-rows    skip and count malformed rows instead of stopping at the first
  --plugin P         load a gate plugin (path or package) besides the spec's 'use' lines
  --trust-plugins    also run 'use' plugins from outside the spec's project (absolute paths, ../ out of
                     it, packages in a node_modules above it); train runs plugins inside the project anyway
  --format json      print the final result as JSON on stdout
Every epoch trains on a seeded permutation of all training rows, whatever the file's order (with the
spec's shuffle_buffer N, for data too large for memory, through a temporary file holding N rows at a time).
Ctrl-C finishes the current step and writes a resumable checkpoint to DIR.partial; DIR is left as it was.
A second run on the same DIR while one is running is refused.
On the native backend training runs the direct step (the model's step planned once and run in the addon,
~2x the tfjs graph); the log says which step ran and, if not direct, why. MTL_DIRECT_STEP=off forces the
tfjs graph.
`;

/** Run `mtl train`. */
export async function runTrain(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs('train', argv, {
    data: { type: 'string' },
    valid: { type: 'string' },
    out: { type: 'string', short: 'o' },
    epochs: { type: 'string' },
    batch: { type: 'string' },
    lr: { type: 'string' },
    seed: { type: 'string' },
    rows: { type: 'string' },
    optimizer: { type: 'string' },
    backend: { type: 'string' },
    resume: { type: 'boolean' },
    init: { type: 'string' },
    force: { type: 'boolean' },
    'skip-bad-rows': { type: 'boolean' },
    plugin: { type: 'string', multiple: true },
    set: { type: 'string', multiple: true },
    format: { type: 'string' },
    ...TRUST_OPTION,
  });
  if (values.help) return io.stdout(TRAIN_HELP), EXIT.ok;
  if (positionals.length !== 1) throw new UsageError('mtl train: give exactly one spec. Usage: mtl train SPEC --out DIR', 'train');
  const out = stringFlag(values, 'out');
  if (!out) throw new UsageError('mtl train: --out DIR is required (the model directory to write).', 'train');
  const format = stringFlag(values, 'format') ?? 'text';
  if (format !== 'text' && format !== 'json') throw new UsageError(`mtl train: --format must be 'text' or 'json', got '${format}'.`, 'train');
  const optimizer = stringFlag(values, 'optimizer');
  if (optimizer !== undefined && !(OPTIMIZER_NAMES as readonly string[]).includes(optimizer)) {
    const names = `${OPTIMIZER_NAMES.slice(0, -1).join(', ')} or ${OPTIMIZER_NAMES[OPTIMIZER_NAMES.length - 1]}`;
    throw new UsageError(`mtl train: --optimizer must be ${names}, got '${optimizer}'.`, 'train');
  }
  const overrides: TrainOverrides = {};
  const epochs = numberFlag('train', values, 'epochs', { integer: true, min: 1 });
  const batch = numberFlag('train', values, 'batch', { integer: true, min: 1 });
  const lr = numberFlag('train', values, 'lr', { min: Number.MIN_VALUE });
  const seed = numberFlag('train', values, 'seed', { integer: true });
  if (epochs !== undefined) overrides.epochs = epochs;
  if (batch !== undefined) overrides.batch = batch;
  if (lr !== undefined) overrides.lr = lr;
  if (seed !== undefined) overrides.seed = seed;
  if (optimizer !== undefined) overrides.optimizer = optimizer as TrainOverrides['optimizer'] & string;
  const backendName = parseBackend('train', stringFlag(values, 'backend'));
  const init = stringFlag(values, 'init');
  if (init !== undefined && values.resume) throw new UsageError('mtl train: --init starts a new run from a finished model and --resume continues an interrupted one; give one of them.', 'train');

  const sets = parseSetArgs((values.set as string[] | undefined) ?? []);
  if (sets.diagnostics.length) return printDiagnostics(sets.diagnostics, undefined, io, { toStderr: true }), EXIT.errors;
  const edit = Object.keys(sets.values).length ? (text: string, ir: ModelIR) => applySetArgs(text, ir, sets.values) : undefined;
  const spec = await loadValidSpec(positionals[0]!, 'train', io, values, 'project', edit);
  if (!spec) return EXIT.errors;
  // train runs a project's plugins without a flag (docs/plugins.md, "Trust and security"): say which.
  const external = spec.registry.types().flatMap((t) => {
    const p = spec.registry.get(t);
    return p?.plugin && p.source !== 'builtin' ? [`${t} from ${p.source}`] : [];
  });
  if (external.length) io.stderr(`mtl train: running gate plugin code: ${external.join(', ')}\n`);
  const rows = numberFlag('train', values, 'rows', { integer: true, min: 1 });
  const refs = trainDataRefs(spec.ir, spec.dir, io.cwd, { data: stringFlag(values, 'data'), valid: stringFlag(values, 'valid'), seed: seed ?? spec.ir.train.seed, ...(rows !== undefined ? { rows } : {}) });
  const backend = await selectBackend(backendName);
  io.stderr(`mtl train: ${spec.ir.name} on ${backend.name}${backend.note ? ` (${backend.note})` : ''}\n`);

  const outDir = path.resolve(io.cwd, out);
  const initDir = init !== undefined ? path.resolve(io.cwd, init) : undefined;
  // The --init model is an input: the output guard refuses to write over it (or inside it).
  const inputs = [spec.file, ...[refs.data, refs.valid].flatMap((r) => (r?.kind === 'file' ? [r.path] : [])), ...(initDir ? [initDir] : [])];
  const guard = { kind: 'model' as const, inputs, force: Boolean(values.force), cwd: io.cwd, command: `mtl train ${argv.join(' ')}`, companions: [{ dir: partialDir(outDir), kind: 'checkpoint' as const }] };
  const result = await withOutputDir(outDir, guard, () =>
    train({
      ir: spec.ir,
      gates: gateLookup(spec.registry),
      data: refs.data,
      ...(refs.valid ? { valid: refs.valid } : {}),
      baseDir: spec.dir,
      outDir,
      overrides,
      resume: Boolean(values.resume),
      dataGiven: [values.data, values.valid, values.rows].some((v) => v !== undefined),
      ...(initDir ? { init: { dir: initDir, plugins: spec.registry.gatePlugins(), spec: positionals[0]! } } : {}),
      skipBadRows: Boolean(values['skip-bad-rows']),
      log: { write: io.stderr, isTTY: io.isTTY },
      // Run-level warnings (no validation rows, undefined metrics) carry no file of their own: they are about this spec's run.
      onWarning: (d) => printDiagnostics([{ ...d, file: d.file ?? positionals[0]! }], undefined, io, { toStderr: true }),
      ...(io.signal ? { signal: io.signal } : {}),
    }),
  );
  if (result.interrupted) {
    io.stderr(`mtl train: interrupted; ${out} is unchanged and a resumable checkpoint is in ${out.replace(/[\\/]+$/, '')}.partial. Continue with: mtl train ${positionals[0]} --out ${out} --resume\n`);
    return EXIT.interrupted;
  }
  if (result.trainStep) io.stderr(`mtl train: training step: ${describeTrainStep(result.trainStep)}\n`);
  if (format === 'json') {
    io.stdout(JSON.stringify({ out, bestEpoch: result.bestEpoch, metrics: result.metrics, parameters: result.parameterCount, backend: result.backend, trainStep: result.trainStep }, null, 2) + '\n');
  } else {
    io.stdout(`\nModel written to ${out} (${result.parameterCount.toLocaleString('en-US')} parameters, best epoch ${result.bestEpoch ?? '-'}${result.stoppedEarly ? ', stopped early' : ''}).\nValidation metrics:\n`);
    io.stdout(formatMetricsTable(result.metrics));
  }
  return EXIT.ok;
}

/** The training step that ran, for the log: the direct step, or the tfjs graph and why. */
function describeTrainStep(step: { kind: 'direct' | 'tfjs'; reason?: string }): string {
  if (step.kind === 'direct') return 'direct (mtl\'s kernels, no tfjs tape)';
  if (step.reason) return `tfjs graph (the direct step does not apply: ${step.reason})`;
  return 'tfjs graph (the direct step runs on the native and wasm backends only)';
}
