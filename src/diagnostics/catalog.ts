/**
 * The catalog of diagnostic codes: one place for every code, its severity, its message template
 * and its documentation (rendered into the README's code table by `npm run docs:codes`).
 *
 * Codes are stable: never renumber or reuse one. Ranges: MTL1xxx syntax, 2xxx schema/IR loading,
 * 3xxx semantics, 4xxx plugins, 5xxx compile/runtime/data. Each stage keeps its codes in
 * src/diagnostics/codes/<stage>.ts; this file merges them.
 */
import type { Diagnostic, Range, Severity } from './types.js';
import type { Placeholders } from './template-args.js';
import { SYNTAX_CODES } from './codes/syntax.js';
import { SCHEMA_CODES } from './codes/schema.js';
import { SEMANTIC_CODES } from './codes/semantic.js';
import { PLUGIN_CODES } from './codes/plugin.js';
import { RUNTIME_CODES } from './codes/runtime.js';
import { INPUT_CODES } from './codes/input.js';
import { TUNE_CODES } from './codes/tune.js';
// The first-party plugins own their codes (GatePlugin.codes); their tables are plain data, merged here so that
// the README's code table and the corpus of expected diagnostics cover them.
import { NOISY_TOPK_CODES } from '../../plugins/noisy-topk/codes.js';

/** One catalog entry. `message` is a template: `{name}` placeholders are filled from the report's args. */
export interface CodeInfo {
  severity: Severity;
  /** A short title for the README table, e.g. "unknown reference". */
  title: string;
  /** Message template, one sentence naming the object, e.g. "Unknown node '{name}'.". */
  message: string;
  /** Optional default hint template. */
  hint?: string;
  /** One or two sentences for the README: when it fires and how to fix it. */
  doc: string;
}

/** A stage's table of codes (declared `as const satisfies CodeTable`, so that codes and templates keep their literal types). */
export type CodeTable = Record<string, CodeInfo>;

/** Every code, merged. */
export const CATALOG = Object.freeze({
  ...INPUT_CODES,
  ...SYNTAX_CODES,
  ...SCHEMA_CODES,
  ...SEMANTIC_CODES,
  ...PLUGIN_CODES,
  ...NOISY_TOPK_CODES,
  ...RUNTIME_CODES,
  ...TUNE_CODES,
});

/** A code of the catalog. */
export type Code = keyof typeof CATALOG;

/** The message template of a code. */
type MessageOf<C extends Code> = (typeof CATALOG)[C]['message'];
/** The hint template of a code ('' without one). */
type HintOf<C extends Code> = (typeof CATALOG)[C] extends { hint: infer H extends string } ? H : '';

/** The placeholder names a code's message and hint need. */
export type CodeArgNames<C extends Code> = Placeholders<MessageOf<C> | HintOf<C>>;

/** Arguments naming every placeholder in `Names` (more keys are allowed). */
type ArgsFor<Names extends string> = { [K in Names]: string | number } & Record<string, string | number>;

/** The arguments of a code: every placeholder of its templates. */
export type CodeArgs<C extends Code> = ArgsFor<CodeArgNames<C>>;

/** The argument list after the range for a code with these placeholders: optional when there are none. */
type ArgList<Names extends string> = [Names] extends [never] ? [args?: Record<string, string | number>] : [args: ArgsFor<Names>];

/**
 * The arguments after the range: a literal catalog code needs its placeholders (the hint's only when
 * `extras.hint` does not replace it); a code only known at run time (`string`, e.g. a row problem's code)
 * takes any arguments and is checked at run time.
 */
type DiagRest<C extends string> = string extends C
  ? [args?: Record<string, string | number>, extras?: DiagnosticExtras]
  : C extends Code
    ?
        | [...ArgList<CodeArgNames<C>>, extras?: DiagnosticExtras]
        | [...ArgList<Placeholders<MessageOf<C>>>, extras: DiagnosticExtras & { hint: string }]
    : never;

/** Fill `{key}` placeholders of a template. Unknown keys are left as written. */
export function fillTemplate(template: string, args: Record<string, string | number> = {}): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => (key in args ? String(args[key]) : whole));
}

/** Extra fields of a diagnostic beyond what the catalog gives. */
export interface DiagnosticExtras {
  file?: string;
  /** Overrides the catalog hint. */
  hint?: string;
  related?: Diagnostic['related'];
  fix?: Diagnostic['fix'];
  /** Overrides the catalog severity (e.g. a plugin reporting a warning). */
  severity?: Severity;
  /** Overrides the catalog message entirely (plugins, external messages). */
  message?: string;
}

/**
 * Make a diagnostic from the catalog. Typed by the code: a literal code must be in the catalog and its
 * `args` must fill every placeholder of its message and hint (else `tsc` fails). Throws only on an unknown
 * code known at run time only (a programming error, caught by the catalog test), never on user input.
 */
export function diag<C extends string>(code: C, range: Range, ...rest: DiagRest<NoInfer<C>>): Diagnostic {
  const [args = {}, extras = {}] = rest as [Record<string, string | number>?, DiagnosticExtras?];
  const info = (CATALOG as Readonly<CodeTable>)[code];
  if (!info) throw new Error(`internal: diagnostic code ${code} is not in the catalog`);
  const d: Diagnostic = {
    code,
    severity: extras.severity ?? info.severity,
    message: extras.message ?? fillTemplate(info.message, args),
    range,
  };
  if (extras.file !== undefined) d.file = extras.file;
  const hint = extras.hint ?? (info.hint !== undefined ? fillTemplate(info.hint, args) : undefined);
  if (hint !== undefined) d.hint = hint;
  if (extras.related && extras.related.length) d.related = extras.related;
  if (extras.fix) d.fix = extras.fix;
  return d;
}
