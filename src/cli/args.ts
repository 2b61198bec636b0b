/**
 * Command-line parsing on top of node:util's parseArgs, turning its exceptions into UsageErrors
 * that name the command and the flag.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './io.js';

/** Options table for one command: long name → type and optional short alias. */
export type OptionTable = NonNullable<ParseArgsConfig['options']>;

/** Parsed arguments. */
export interface Parsed {
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
}

/** Parse argv for `command`, always accepting --help. Unknown flags and missing values are UsageErrors. */
export function parseCommandArgs(command: string, argv: string[], options: OptionTable): Parsed {
  try {
    const r = parseArgs({ args: argv, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
    return { values: r.values as Parsed['values'], positionals: r.positionals };
  } catch (e) {
    const msg = (e as Error).message.replace(/^Unknown option '(.*?)'.*$/s, "unknown option '$1'");
    throw new UsageError(`mtl ${command}: ${msg.split('\n')[0]}`, command);
  }
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
