/**
 * The built-in data generators (`data { synth NAME rows N }`, `mtl data synth`): deterministic by seed,
 * streamed (never materialised), and writable as CSV so that what a spec trains on can be inspected.
 */
import { createGzip } from 'node:zlib';
import type { JsonValue } from '../ir/types.js';
import { FILE_START } from '../diagnostics/types.js';
import { diag } from '../diagnostics/catalog.js';
import { MtlError } from '../diagnostics/error.js';
import { suggest } from '../diagnostics/suggest.js';
import { writeStreamAtomic } from '../util/fs-atomic.js';
import { ESMM_COLUMNS, ESMM_PARAMS, generateEsmm } from './synth-esmm.js';
import { checkMmoeParams, generateMmoe, mmoeColumns, MMOE_PARAMS } from './synth-mmoe.js';
import { CENSUS_COLUMNS, CENSUS_PARAMS, generateCensus } from './synth-census.js';

/** A generator's parameter: its default and what it does. */
export interface SynthParam {
  default: JsonValue;
  description: string;
}

/** A built-in data generator. */
export interface SynthGenerator {
  description: string;
  params: Record<string, SynthParam>;
  /** Column names, in file order, for the given (filled) parameters. */
  columns(params: Record<string, JsonValue>): string[];
  /** `rows` records, deterministic for (params, seed). */
  generate(rows: number, params: Record<string, JsonValue>, seed: number): Iterable<Record<string, string | number>>;
  /** Range checks beyond types: a message when the parameters are unusable. */
  check?(params: Record<string, JsonValue>): string | undefined;
}

/** The built-in generators, by name. */
export const SYNTH_GENERATORS: Record<string, SynthGenerator> = {
  esmm: {
    description: 'ESMM-style impressions: user_id, item_id, category, history, price, hour, click, buy, and the ground truth cvr_true, p_ctr, p_cvr.',
    params: ESMM_PARAMS,
    columns: () => [...ESMM_COLUMNS],
    generate: generateEsmm,
  },
  mmoe: {
    description: "The MMoE paper's synthetic regression pair (Ma et al. 2018, section 4.2): x0..x{d-1}, y1, y2 with task correlation p.",
    params: MMOE_PARAMS,
    columns: mmoeColumns,
    generate: generateMmoe,
    check: checkMmoeParams,
  },
  census: {
    description: 'Census-income-like rows with the UCI column names and planted income / never-married labels.',
    params: CENSUS_PARAMS,
    columns: () => [...CENSUS_COLUMNS],
    generate: generateCensus,
  },
};

/** Look up a generator and fill/check its parameters. Throws MtlError MTL5030 / MTL5031. */
export function synthGenerator(name: string, params: Record<string, JsonValue> = {}): { generator: SynthGenerator; params: Record<string, JsonValue> } {
  const generator = Object.prototype.hasOwnProperty.call(SYNTH_GENERATORS, name) ? SYNTH_GENERATORS[name] : undefined;
  const names = Object.keys(SYNTH_GENERATORS);
  if (!generator) {
    const close = suggest(name, names);
    throw new MtlError(diag('MTL5030', FILE_START, { generator: name, known: names.join(', ') }, close ? { hint: `Did you mean '${close}'? Known generators: ${names.join(', ')}.` } : {}));
  }
  const known = Object.keys(generator.params);
  const knownText = known.map((k) => `${k} (default ${JSON.stringify(generator.params[k]!.default)})`).join(', ') || 'none';
  const fail = (reason: string): never => {
    throw new MtlError(diag('MTL5031', FILE_START, { generator: name, reason, known: knownText }));
  };
  const filled: Record<string, JsonValue> = {};
  for (const [k, p] of Object.entries(generator.params)) filled[k] = p.default;
  for (const [k, v] of Object.entries(params)) {
    const p = generator.params[k];
    if (!p) {
      const close = suggest(k, known);
      fail(`unknown parameter '${k}'${close ? ` (did you mean '${close}'?)` : ''}`);
    }
    if (typeof p!.default === 'number' && (typeof v !== 'number' || !Number.isFinite(v))) fail(`parameter '${k}' must be a number, got ${JSON.stringify(v)}`);
    filled[k] = v;
  }
  const problem = generator.check?.(filled);
  if (problem) fail(problem);
  return { generator, params: filled };
}

/** A CSV field: quoted only when it contains a delimiter, quote or newline. */
function csvField(v: string | number | undefined): string {
  const s = v === undefined ? '' : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * The generator seed of `mtl data synth --seed S`: S mixed with a constant, so a file never repeats the rows
 * of a spec's built-in training data with `seed S` (the same world, other draws). Scoring such a file with a
 * model trained on built-in data therefore measures rows the model has not seen.
 */
export function fileStreamSeed(seed: number): number {
  return (Math.imul(seed ^ 0x5f11e5, 0x9e3779b1) ^ 0x6d2b79f5) >>> 0;
}

/**
 * Write `rows` generated records as CSV (gzip when `outPath` ends in .gz). Atomic: written to a temporary
 * sibling and renamed, so a crash never leaves a partial file (fs-atomic.ts writeStreamAtomic). Throws
 * MtlError for an unknown generator or bad parameters, MTL5308 naming the file when it cannot be written.
 */
export async function writeSynthCsv(generator: string, rows: number, params: Record<string, JsonValue>, seed: number, outPath: string): Promise<void> {
  const g = synthGenerator(generator, params);
  const columns = g.generator.columns(g.params);
  try {
    await writeStreamAtomic(outPath, async (write) => {
      await write(columns.map(csvField).join(',') + '\n');
      let lines: string[] = [];
      for (const rec of g.generator.generate(rows, g.params, seed)) {
        lines.push(columns.map((c) => csvField(rec[c])).join(','));
        if (lines.length === 1000) {
          await write(lines.join('\n') + '\n');
          lines = [];
        }
      }
      if (lines.length) await write(lines.join('\n') + '\n');
    }, outPath.endsWith('.gz') ? createGzip() : undefined);
  } catch (e) {
    if (e instanceof MtlError) throw e;
    const err = e as NodeJS.ErrnoException;
    throw new MtlError(diag('MTL5308', FILE_START, { file: outPath, reason: err.code ? `${err.code}: ${err.message}` : err.message }, { file: outPath }));
  }
}
