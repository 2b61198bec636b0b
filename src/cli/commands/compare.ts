/**
 * `mtl compare RUN... [-o page.html] [--format text|json] [--metric output.key]...`: compare trained runs —
 * final metrics, the settings that differ, and significance across seeds.
 */
import * as path from 'node:path';
import type { Diagnostic } from '../../diagnostics/types.js';
import { buildComparison, findRuns, metricColumns, renderComparisonHtml, renderComparisonText } from '../../compare/index.js';
import { writeFileAtomic } from '../../util/fs-atomic.js';
import { writeFailure } from '../../artifact/artifact.js';
import { checkOutputFile, filesIn } from '../../artifact/output-guard.js';
import { parseCommandArgs, stringFlag } from '../args.js';
import { EXIT, UsageError, type CliIo } from '../io.js';
import { printDiagnostics } from '../report.js';

/** Help text of `mtl compare`. */
export const COMPARE_HELP = `Usage: mtl compare RUN RUN... [-o FILE.html] [--format text|json] [--metric OUTPUT.KEY]...

Compare model directories written by mtl train (a folder whose subdirectories are model directories, such
as a sweep's output folder, stands for all of them; a tune's directory, for its trials). Prints one row per run: the final validation metrics
(best of each column marked *: highest auc/gauc, lowest logloss/mse/mae), best epoch / epochs run, and
the settings that differ between the runs (spec, architecture, data, optimizer, lr, batch, epochs, seed,
backend, parameters).
Runs identical except for the seed form groups: each metric gets mean ± sd per group, and two groups are
compared with a paired t-test on per-seed differences when they share two seeds or more, else with
Welch's t-test (mean difference, 95% CI, two-sided p).
  -o FILE.html      also write a self-contained HTML page: the tables and the validation curves of every
                    run overlaid, one chart per metric ('-o -' writes it to stdout instead of the table)
  --format F        text (default) or json (the same data, on stdout)
  --metric O.K      compare only this metric column, e.g. ctr.auc (repeatable)
  --force           replace an existing FILE.html
Gate usage is not compared: model directories do not record it (mtl report measures it).
`;

/** Run `mtl compare`. */
export async function runCompare(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs('compare', argv, {
    out: { type: 'string', short: 'o' },
    format: { type: 'string' },
    metric: { type: 'string', multiple: true },
    force: { type: 'boolean' },
  });
  if (values.help) return io.stdout(COMPARE_HELP), EXIT.ok;
  const format = stringFlag(values, 'format') ?? 'text';
  if (format !== 'text' && format !== 'json') throw new UsageError(`mtl compare: --format must be 'text' or 'json', got '${format}'.`, 'compare');
  if (!positionals.length) throw new UsageError('mtl compare: give two model directories or more (or a folder of them). Usage: mtl compare RUN RUN...', 'compare');
  const warnings: Diagnostic[] = [];
  const runs = await findRuns(positionals, io.cwd, (d) => void warnings.push(d));
  if (warnings.length) printDiagnostics(warnings, undefined, io, { toStderr: true });
  if (runs.length < 2) {
    throw new UsageError(`mtl compare: ${runs.length} run found (${runs.map((r) => r.label).join(', ')}); comparing needs two or more.`, 'compare');
  }
  const only = (values.metric as string[] | undefined) ?? [];
  if (only.length) {
    const known = metricColumns(runs);
    const unknown = only.filter((m) => !known.includes(m));
    if (unknown.length) throw new UsageError(`mtl compare: no run recorded metric '${unknown[0]}'. The runs have: ${known.join(', ') || 'no metrics'}.`, 'compare');
  }
  const out = stringFlag(values, 'out');
  if (out !== undefined && out !== '-') {
    // Before anything is printed: the page must never replace a file of a compared run.
    const inputs = (await Promise.all(runs.map((r) => filesIn(r.dir)))).flat();
    await checkOutputFile(path.resolve(io.cwd, out), { inputs, force: Boolean(values.force) });
  }
  const comparison = buildComparison(runs, [...new Set(only)]);
  if (out !== '-') io.stdout(format === 'json' ? JSON.stringify(comparison, null, 2) + '\n' : renderComparisonText(comparison));
  if (out !== undefined) {
    const html = renderComparisonHtml(comparison, new Date().toISOString().replace(/\.\d+Z$/, 'Z'));
    if (out === '-') io.stdout(html);
    else {
      const outPath = path.resolve(io.cwd, out);
      await writeFileAtomic(outPath, html).catch((e: unknown) => {
        throw writeFailure(outPath, e);
      });
      io.stderr(`wrote ${out}\n`);
    }
  }
  return EXIT.ok;
}
