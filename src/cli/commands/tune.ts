/**
 * `mtl tune SPEC --space FILE --out DIR`: search the spec's settings; every trial a `mtl train` run.
 */
import { createHash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { diag } from '../../diagnostics/catalog.js';
import { FILE_START } from '../../diagnostics/types.js';
import { MtlError } from '../../diagnostics/error.js';
import { lockOutput } from '../../util/dir-lock.js';
import { packageRoot } from '../../util/package-root.js';
import { parseSpace } from '../../tune/space.js';
import { checkSpaceAgainstSpec, openTuneDir } from '../../tune/setup.js';
import { ObjectiveError, resolveObjective } from '../../tune/objective.js';
import { rungEpochs, REDUCTION_FACTOR } from '../../tune/pruner.js';
import { SAMPLERS, TPE_DEFAULTS, type SamplerName } from '../../tune/samplers.js';
import { describeParams, replay, runTune as tuneLoop, trialDir } from '../../tune/tune.js';
import { appendEvent, JOURNAL, type TuneSettings } from '../../tune/journal.js';
import { numberFlag, parseCommandArgs, stringFlag } from '../args.js';
import { EXIT, UsageError, type CliIo } from '../io.js';
import { loadValidSpec } from '../spec-loader.js';
import { TRUST_OPTION } from '../plugin-trust.js';
import { printDiagnostics } from '../report.js';

const PRUNERS = ['asha', 'none'] as const;

/** Help text of `mtl tune`. */
export const TUNE_HELP = `Usage: mtl tune SPEC --space FILE --out DIR [--trials N] [options]

Search settings of SPEC: each trial is \`mtl train SPEC --set PATH=VALUE ...\` writing the normal model
directory DIR/trials/NNNN (its log in DIR/trials/NNNN.log). DIR also gets tune.jsonl (the journal: every
trial started, rung reached, finished, pruned or failed, with its parameters and metrics), summary.json
(all trials, the best) and best.mtl (SPEC's text with the best trial's values written in, comments kept).
The space file (YAML or JSON, schema/tune-space.schema.json) maps IR paths to distributions:
  params:
    train.lr: { loguniform: [0.0001, 0.1] }
    train.batch: { int: [128, 1024], log: true }
    experts.e.units: { choice: [8, 16, 32] }
  objective: auc(edu) + auc(marital)       (optional; --objective wins)
  --space FILE       the search space (required)
  --out DIR          the tune directory: new or empty, or a tune's directory to continue
  --trials N         how many trials (default 20); a resumed tune may be given more
  --sampler S        tpe (default: random for the first ${TPE_DEFAULTS.startupTrials} trials, then the Tree-structured Parzen
                     Estimator) or random
  --pruner P         asha (default: successive halving on epochs, rungs at min-epochs × ${REDUCTION_FACTOR}^k up to the
                     spec's epochs, the top 1/${REDUCTION_FACTOR} of each rung goes on) or none (every trial trains all epochs)
  --min-epochs N     the first rung (default 1)
  --epochs N         every finished trial's epochs (default: the spec's train.epochs)
  --objective EXPR   what to optimise on the validation part, e.g. 'auc(edu) + auc(marital)' (default: the
                     spec's early_stop expression)
  --direction D      maximize or minimize (default: the direction of the objective's metrics)
  --parallel N       trials at once (default min(cores, 2)); each gets MTL_THREADS = cores / N
  --seed N           the sampler's seed (default 0); each trial trains with the spec's seed
  --data FILE  --valid FILE  --rows N  --backend B  --skip-bad-rows  --plugin P  --trust-plugins
                     passed to every mtl train
  --format json      print the summary as JSON on stdout
The same seed, space, spec and --parallel give the same trials. Ctrl-C stops the running trials (each
keeps a resumable checkpoint) and exits 130; the same command continues the tune where it stopped.
A second tune on the same DIR while one is running is refused.
`;

/** Run `mtl tune`. */
export async function runTune(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs('tune', argv, {
    space: { type: 'string' },
    out: { type: 'string', short: 'o' },
    trials: { type: 'string' },
    sampler: { type: 'string' },
    pruner: { type: 'string' },
    'min-epochs': { type: 'string' },
    epochs: { type: 'string' },
    objective: { type: 'string' },
    direction: { type: 'string' },
    parallel: { type: 'string' },
    seed: { type: 'string' },
    data: { type: 'string' },
    valid: { type: 'string' },
    rows: { type: 'string' },
    backend: { type: 'string' },
    'skip-bad-rows': { type: 'boolean' },
    plugin: { type: 'string', multiple: true },
    format: { type: 'string' },
    ...TRUST_OPTION,
  });
  if (values.help) return io.stdout(TUNE_HELP), EXIT.ok;
  if (positionals.length !== 1) throw new UsageError('mtl tune: give exactly one spec. Usage: mtl tune SPEC --space FILE --out DIR', 'tune');
  const spaceArg = stringFlag(values, 'space');
  if (!spaceArg) throw new UsageError('mtl tune: --space FILE is required (the search space: YAML or JSON).', 'tune');
  const out = stringFlag(values, 'out');
  if (!out) throw new UsageError('mtl tune: --out DIR is required (the tune directory).', 'tune');
  const sampler = (stringFlag(values, 'sampler') ?? 'tpe') as SamplerName;
  if (!SAMPLERS.includes(sampler)) throw new UsageError(`mtl tune: --sampler must be ${SAMPLERS.join(' or ')}, got '${sampler}'.`, 'tune');
  const pruner = stringFlag(values, 'pruner') ?? 'asha';
  if (!(PRUNERS as readonly string[]).includes(pruner)) throw new UsageError(`mtl tune: --pruner must be ${PRUNERS.join(' or ')}, got '${pruner}'.`, 'tune');
  const direction = stringFlag(values, 'direction');
  if (direction !== undefined && direction !== 'maximize' && direction !== 'minimize') throw new UsageError(`mtl tune: --direction must be maximize or minimize, got '${direction}'.`, 'tune');
  const format = stringFlag(values, 'format') ?? 'text';
  if (format !== 'text' && format !== 'json') throw new UsageError(`mtl tune: --format must be 'text' or 'json', got '${format}'.`, 'tune');
  const trials = numberFlag('tune', values, 'trials', { integer: true, min: 1 }) ?? 20;
  const cores = availableParallelism();
  const parallel = numberFlag('tune', values, 'parallel', { integer: true, min: 1 }) ?? Math.min(cores, 2);
  const seed = numberFlag('tune', values, 'seed', { integer: true, min: 0 }) ?? 0;
  const minEpochs = numberFlag('tune', values, 'min-epochs', { integer: true, min: 1 }) ?? 1;

  const spec = await loadValidSpec(positionals[0]!, 'tune', io, values, 'project');
  if (!spec) return EXIT.errors;
  const specText = await fsp.readFile(spec.file, 'utf8');
  const spaceFile = path.resolve(io.cwd, spaceArg);
  let spaceText: string;
  try {
    spaceText = await fsp.readFile(spaceFile, 'utf8');
  } catch (e) {
    throw new MtlError(diag('MTL5710', FILE_START, { file: spaceArg, reason: ((e as Error).message ?? String(e)).replace(/\.$/, '') }, { file: spaceArg }));
  }
  const loaded = parseSpace(spaceText, spaceArg);
  const maxEpochs = numberFlag('tune', values, 'epochs', { integer: true, min: 1 }) ?? spec.ir.train.epochs;
  const rungs = pruner === 'asha' ? rungEpochs(minEpochs, maxEpochs) : [maxEpochs];
  const against = loaded.space ? checkSpaceAgainstSpec(loaded.space.params, spec.ir, spaceArg, { pruning: rungs.length > 1 }) : [];
  const spaceDiags = [...loaded.diagnostics, ...against].sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
  if (spaceDiags.length || !loaded.space) {
    printDiagnostics(spaceDiags, spaceText, io, { toStderr: true });
    io.stderr(`mtl tune: the search space '${spaceArg}' has errors.\n`);
    return EXIT.errors;
  }
  const space = loaded.space;
  const objectiveText = stringFlag(values, 'objective') ?? space.objective?.text;
  let objective;
  try {
    objective = resolveObjective(spec.ir, objectiveText, (direction as 'maximize' | 'minimize' | undefined) ?? space.direction);
  } catch (e) {
    if (!(e instanceof ObjectiveError)) throw e;
    const onSpace = stringFlag(values, 'objective') === undefined && space.objective;
    const d = diag('MTL5717', onSpace ? space.objective!.range : FILE_START, { objective: objectiveText ?? '(none)', problem: e.message, metrics: 'auc, gauc, logloss, mse, mae' }, { file: onSpace ? spaceArg : positionals[0]! });
    printDiagnostics([d], onSpace ? spaceText : undefined, io, { toStderr: true });
    return EXIT.errors;
  }

  // Options every trial's mtl train gets; paths made absolute (the children run from the same cwd anyway).
  const abs = (p: string | undefined): string | undefined => (p === undefined ? undefined : path.resolve(io.cwd, p));
  const pass: string[] = [];
  const data = abs(stringFlag(values, 'data'));
  const valid = abs(stringFlag(values, 'valid'));
  if (data) pass.push('--data', data);
  if (valid) pass.push('--valid', valid);
  for (const k of ['rows', 'backend'] as const) if (stringFlag(values, k) !== undefined) pass.push(`--${k}`, stringFlag(values, k)!);
  if (values['skip-bad-rows']) pass.push('--skip-bad-rows');
  for (const p of (values.plugin as string[] | undefined) ?? []) pass.push('--plugin', p);
  if (values['trust-plugins']) pass.push('--trust-plugins');

  const settings: TuneSettings = {
    spec: spec.file,
    specHash: createHash('sha256').update(specText).digest('hex'),
    space: space.params.map((p) => ({ path: p.path, dist: p.dist })),
    objective: objective.text,
    direction: objective.direction,
    sampler,
    pruner,
    seed,
    minEpochs,
    maxEpochs,
    parallel,
    train: pass,
  };
  const dir = path.resolve(io.cwd, out);
  const lock = await lockOutput(dir, `mtl tune ${argv.join(' ')}`);
  try {
    const inputs = [spec.file, spaceFile, ...(data ? [data] : []), ...(valid ? [valid] : [])];
    const events = await openTuneDir(dir, out, settings, { inputs, cwd: io.cwd });
    if (!events.length) await appendEvent(path.join(dir, JOURNAL), { event: 'tune', version: 1, settings, at: new Date().toISOString() });
    const state = replay(events, rungs);
    const resumed = state.length > 0;
    io.stderr(`mtl tune: ${spec.ir.name}, ${space.params.length} parameter(s), ${trials} trials, ${sampler} sampler, ${pruner === 'asha' ? `asha pruner (rungs at ${rungs.join(', ')} epochs)` : `no pruner (${maxEpochs} epochs)`}, objective ${objective.text} (${objective.direction}), ${parallel} at once${resumed ? `; continuing: ${state.filter((t) => t.status === 'finished' || t.status === 'pruned' || t.status === 'failed').length} trials done` : ''}\n`);
    const outcome = await tuneLoop(
      {
        settings,
        specFile: spec.file,
        specText,
        ir: spec.ir,
        space: space.params,
        objective,
        trials,
        rungs,
        dir,
        command: { node: process.execPath, bin: path.join(packageRoot(), 'bin', 'mtl.js') },
        threadsPerTrial: Math.max(1, Math.floor(cores / parallel)),
        log: (l) => io.stderr(l),
        ...(io.signal ? { signal: io.signal } : {}),
      },
      state,
    );
    if (outcome.interrupted) {
      io.stderr(`mtl tune: interrupted; the journal and the trials so far are in ${out}. Continue with: mtl tune ${argv.join(' ')}\n`);
      return EXIT.interrupted;
    }
    const failed = outcome.trials.filter((t) => t.status === 'failed');
    for (const t of failed) printDiagnostics([diag('MTL5718', FILE_START, { trial: String(t.trial), reason: t.reason ?? '' }, { file: path.relative(io.cwd, `${trialDir(dir, t.trial)}.log`) })], undefined, io, { toStderr: true });
    if (!outcome.best) {
      printDiagnostics([diag('MTL5719', FILE_START, { reason: `${failed.length} of ${outcome.trials.length} failed` }, { file: out })], undefined, io, { toStderr: true });
      return EXIT.errors;
    }
    const best = outcome.best;
    const value = best.values[best.values.length - 1]!;
    if (format === 'json') io.stdout(await fsp.readFile(path.join(dir, 'summary.json'), 'utf8'));
    else {
      io.stdout(`\nBest: trial ${best.trial}, ${objective.text} = ${value.toFixed(4)} (validation)\n  ${describeParams(best.params)}\n`);
      io.stdout(`Written: ${path.join(out, 'best.mtl')}, ${path.join(out, 'summary.json')}, ${path.join(out, 'trials')}/ (compare them: mtl compare ${out})\n`);
    }
    return EXIT.ok;
  } finally {
    await lock.release();
  }
}
