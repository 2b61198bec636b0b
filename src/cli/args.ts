/**
 * Command-line parsing on top of node:util's parseArgs, turning its exceptions into UsageErrors
 * that name the command and the flag.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './io.js';
import { suggest } from '../diagnostics/suggest.js';

/** Options table for one command: long name → type and optional short alias. */
export type OptionTable = NonNullable<ParseArgsConfig['options']>;

/** Parsed arguments. */
export interface Parsed {
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
}

/**
 * Parse argv for `command`, always accepting --help. Unknown flags (with the closest known flag as a
 * "did you mean") and missing values are UsageErrors.
 */
export function parseCommandArgs(command: string, argv: string[], options: OptionTable): Parsed {
  const table: OptionTable = { ...options, help: { type: 'boolean', short: 'h' } };
  try {
    const r = parseArgs({ args: argv, options: table, allowPositionals: true, strict: true });
    return { values: r.values as Parsed['values'], positionals: r.positionals };
  } catch (e) {
    const first = (e as Error).message.split('\n')[0]!;
    const unknown = /^Unknown option '(.*?)'/.exec(first)?.[1];
    const missing = /^Option '(?:-\w, )?(--[\w-]+)[^']*' argument missing/.exec(first)?.[1];
    if (missing !== undefined) throw new UsageError(`mtl ${command}: ${missing} needs a value. Run 'mtl ${command} --help' for its options.`, command);
    if (unknown === undefined) throw new UsageError(`mtl ${command}: ${first}`, command);
    throw new UsageError(`mtl ${command}: unknown option '${unknown}'.${didYouMean(unknown, table)} Run 'mtl ${command} --help' for its options.`, command);
  }
}

/** " Did you mean '--epochs'?" for a mistyped flag (`--epoch`, `-epochs`, `--Epochs`), or ''. */
function didYouMean(flag: string, table: OptionTable): string {
  const name = flag.replace(/^-+/, '').replace(/=.*$/, '');
  if (name.length < 2) return '';
  const guess = suggest(name, Object.keys(table));
  return guess !== undefined ? ` Did you mean '--${guess}'?` : '';
}

/** A numeric flag value, or undefined when absent; a UsageError when it is not a number. */
export function numberFlag(command: string, values: Parsed['values'], name: string, opts: { integer?: boolean; min?: number } = {}): number | undefined {
  const raw = values[name];
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (typeof raw !== 'string' || raw.trim() === '' || !Number.isFinite(n) || (opts.integer && !Number.isInteger(n)) || (opts.min !== undefined && n < opts.min)) {
    const kind = opts.integer ? 'an integer' : 'a number';
    const bound = opts.min !== undefined ? ` >= ${opts.min}` : '';
    throw new UsageError(`mtl ${command}: --${name} expects ${kind}${bound}, got '${String(raw)}'.`, command);
  }
  return n;
}

/** A string flag value, or undefined. */
export function stringFlag(values: Parsed['values'], name: string): string | undefined {
  const v = values[name];
  return typeof v === 'string' ? v : undefined;
}
