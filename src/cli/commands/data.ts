/**
 * `mtl data synth GENERATOR --rows N --out FILE [--seed S] [--param KEY=VALUE]...`: write built-in synthetic data.
 * `mtl data synth --list`: list the generators and their parameters.
 */
import * as path from 'node:path';
import type { JsonValue } from '../../ir/types.js';
import { SYNTH_GENERATORS, fileStreamSeed, writeSynthCsv } from '../../data/synth.js';
import { suggest } from '../../diagnostics/suggest.js';
import { numberFlag, parseCommandArgs, stringFlag } from '../args.js';
import { checkOutputFile } from '../../artifact/output-guard.js';
import { EXIT, UsageError, type CliIo } from '../io.js';

/** Help text of `mtl data`. */
export const DATA_HELP = `Usage: mtl data synth GENERATOR --out FILE [--force] [--rows N] [--seed S] [--built-in] [--param KEY=VALUE]...
       mtl data synth --list

Write built-in synthetic data as CSV (gzip when FILE ends in .gz), atomically; an existing FILE is replaced
only with --force. Generators:
  esmm     impressions with click, buy, and the ground-truth conversion-if-clicked label cvr_true
  mmoe     the MMoE paper's synthetic regression pair with task correlation p (--param correlation=0.9)
  census   census-income-like rows with the UCI column names (the reference specs' built-in data)

  --rows N   rows to write (default 10000)
  --seed S   which draws (default 42); a file never repeats the rows of a spec's built-in data with the same
             seed, so a model trained on built-in data is scored on held-out rows
  --built-in exactly the rows a spec's built-in data (\`data { synth GENERATOR rows N }\`, \`train { seed S }\`)
             trains and validates on, e.g. to inspect them or to train the PyTorch target on them
`;

/** Run `mtl data`. */
export async function runData(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs('data', argv, {
    rows: { type: 'string' },
    out: { type: 'string', short: 'o' },
    seed: { type: 'string' },
    param: { type: 'string', multiple: true },
    list: { type: 'boolean' },
    'built-in': { type: 'boolean' },
    force: { type: 'boolean' },
  });
  if (values.help) return io.stdout(DATA_HELP), EXIT.ok;
  const [sub, generator] = positionals;
  if (sub !== 'synth') throw new UsageError(`mtl data: unknown subcommand '${sub ?? ''}'. Usage: mtl data synth GENERATOR --out FILE`, 'data');
  if (values.list) {
    for (const [name, g] of Object.entries(SYNTH_GENERATORS)) {
      io.stdout(`${name}: ${g.description}\n`);
      for (const [p, info] of Object.entries(g.params)) io.stdout(`  --param ${p}=${JSON.stringify(info.default)}  ${info.description}\n`);
    }
    return EXIT.ok;
  }
  if (!generator) throw new UsageError('mtl data synth: name a generator (esmm, mmoe, census).', 'data');
  const gen = SYNTH_GENERATORS[generator];
  if (!gen) {
    const guess = suggest(generator, Object.keys(SYNTH_GENERATORS));
    throw new UsageError(`mtl data synth: unknown generator '${generator}'.${guess ? ` Did you mean '${guess}'?` : ''} Known: ${Object.keys(SYNTH_GENERATORS).join(', ')}.`, 'data');
  }
  const out = stringFlag(values, 'out');
  if (!out) throw new UsageError('mtl data synth: --out FILE is required.', 'data');
  const rows = numberFlag('data', values, 'rows', { integer: true, min: 1 }) ?? 10000;
  const seed = numberFlag('data', values, 'seed', { integer: true }) ?? 42;
  const params: Record<string, JsonValue> = {};
  for (const kv of (values.param as string[] | undefined) ?? []) {
    const eq = kv.indexOf('=');
    const key = eq > 0 ? kv.slice(0, eq) : '';
    if (!key) throw new UsageError(`mtl data synth: --param expects KEY=VALUE, got '${kv}'.`, 'data');
    if (!(key in gen.params)) {
      const guess = suggest(key, Object.keys(gen.params));
      throw new UsageError(`mtl data synth: generator '${generator}' has no parameter '${key}'.${guess ? ` Did you mean '${guess}'?` : ''} Parameters: ${Object.keys(gen.params).join(', ') || 'none'}.`, 'data');
    }
    const raw = kv.slice(eq + 1);
    const num = Number(raw);
    params[key] = raw.trim() !== '' && Number.isFinite(num) ? num : raw;
  }
  const file = path.resolve(io.cwd, out);
  await checkOutputFile(file, { inputs: [], force: Boolean(values.force) });
  await writeSynthCsv(generator, rows, params, values['built-in'] ? seed : fileStreamSeed(seed), file);
  io.stderr(`wrote ${rows} rows of '${generator}' data to ${out}\n`);
  return EXIT.ok;
}
