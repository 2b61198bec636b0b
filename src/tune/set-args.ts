/**
 * `mtl train --set PATH=VALUE`: a setting of the spec changed for one run, by IR path (the same paths as a
 * search space). Each tune trial is such a run; a user can rerun any trial with the command in its log.
 */
import type { ModelIR } from '../ir/types.js';
import { diag } from '../diagnostics/catalog.js';
import { FILE_START, type Diagnostic } from '../diagnostics/types.js';
import { applySettings, fits, PathError, resolvePath, withArticle } from './ir-path.js';
import type { ParamValue } from './space.js';

/** Parse `--set` arguments into path → value (JSON values; a bare word is a name). Diagnostics MTL5715. */
export function parseSetArgs(args: readonly string[]): { values: Record<string, ParamValue>; diagnostics: Diagnostic[] } {
  const values: Record<string, ParamValue> = {};
  const diagnostics: Diagnostic[] = [];
  for (const arg of args) {
    const eq = arg.indexOf('=');
    if (eq <= 0) {
      diagnostics.push(diag('MTL5715', FILE_START, { arg, problem: 'it is not PATH=VALUE' }));
      continue;
    }
    const raw = arg.slice(eq + 1).trim();
    let v: unknown = raw;
    try {
      v = JSON.parse(raw);
    } catch {
      /* a bare word: a name */
    }
    const ok = typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean' || (Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'number'));
    if (!ok || raw === '') diagnostics.push(diag('MTL5715', FILE_START, { arg, problem: 'the value is not a number, a name, true/false or a list of numbers' }));
    else values[arg.slice(0, eq).trim()] = v as ParamValue;
  }
  return { values, diagnostics };
}

/**
 * The spec text with `values` written in, after checking that every path names a setting of `ir` and each
 * value fits it (MTL5712, MTL5713, located at the start of the spec: the path is on the command line).
 */
export function applySetArgs(text: string, ir: ModelIR, values: Record<string, ParamValue>): { text?: string; printed: boolean; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  for (const [p, v] of Object.entries(values)) {
    try {
      const s = resolvePath(ir, p);
      if (!fits(s.kind, v)) diagnostics.push(diag('MTL5713', FILE_START, { path: p, kind: withArticle(s.kind), given: `--set gives ${JSON.stringify(v)}` }));
    } catch (e) {
      if (!(e instanceof PathError)) throw e;
      diagnostics.push(diag('MTL5712', FILE_START, { path: p, reason: e.reason, fix: e.fix }));
    }
  }
  if (diagnostics.length) return { printed: false, diagnostics };
  return { ...applySettings(text, ir, values), diagnostics };
}
