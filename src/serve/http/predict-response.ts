/**
 * The JSON answer of a predict request, written straight from the scored columns (ScoredRows):
 *   {"model", "modelHash", "irHash", "predictions": [{OUTPUT: score, ..., PASSTHROUGH: value, ...} | null], "errors": [...]}
 * The text is what JSON.stringify gives for the same answer built as objects (test/serve/predict-response.test.ts
 * checks it byte for byte), without an object per row: per 1,024 mmoe rows, stringifying the objects cost
 * 0.35 CPU-ms and writing the text costs 0.19, and the objects themselves are never built (building them
 * with an `outputs` selection cost 1.49 ms; bench/README.md, "Serving").
 */
import type { RawRow, RowError } from '../encode.js';
import type { ScoredRows } from '../score.js';

/** The answer's head: which model scored the rows. */
export interface PredictHead {
  model: string;
  modelHash: string;
  irHash: string;
}

/** What a prediction's key holds: output column `k` of the scores, or a passthrough value from the row. */
type KeySource = { key: string; json: string; column: number } | { key: string; json: string; passthrough: string };

/**
 * The keys of each prediction in order: the outputs asked for (every output of the model, in model order,
 * when `outputs` is undefined), then the passthrough keys. A key given twice keeps its first place, and a
 * passthrough key equal to an output name takes that output's place with the row's value, as assigning
 * the keys to one object in that order would.
 */
function keySources(scores: ScoredRows, outputs: readonly string[] | undefined, passthrough: readonly string[]): KeySource[] {
  const sources: KeySource[] = [];
  const place = new Map<string, number>();
  const put = (s: KeySource): void => {
    const at = place.get(s.key);
    if (at === undefined) {
      place.set(s.key, sources.length);
      sources.push(s);
    } else sources[at] = s;
  };
  // An output the scoring model lacks (a reload changed its outputs since the request was checked) is null.
  for (const o of outputs ?? scores.outputs) put({ key: o, json: JSON.stringify(o), column: scores.outputs.indexOf(o) });
  for (const p of passthrough) put({ key: p, json: JSON.stringify(p), passthrough: p });
  return sources;
}

/** A score as JSON: the number as JSON.stringify writes it, null when it is not finite. */
function scoreJson(v: number): string {
  return Number.isFinite(v) ? String(v) : 'null';
}

/** The answer's JSON text for `scores` (a request's view), the request's `rows`, outputs and passthrough keys. */
export function predictResponseJson(head: PredictHead, scores: ScoredRows, rows: readonly RawRow[], outputs: readonly string[] | undefined, passthrough: readonly string[]): string {
  const sources = keySources(scores, outputs, passthrough);
  // Per key: the text before its value (`{"ctr":` or `,"cvr":`) and where the value comes from, resolved once.
  const prefixes = sources.map((src, s) => `${s === 0 ? '{' : ','}${src.json}:`);
  const columns = sources.map((src) => ('column' in src && src.column >= 0 ? scores.columns[src.column]! : undefined));
  const keys = sources.map((src) => ('passthrough' in src ? src.passthrough : undefined));
  const errors: RowError[] = scores.errors;
  const { scored, offset } = scores;
  let out = `{"model":${JSON.stringify(head.model)},"modelHash":${JSON.stringify(head.modelHash)},"irHash":${JSON.stringify(head.irHash)},"predictions":[`;
  for (let i = 0; i < scores.length; i++) {
    if (i > 0) out += ',';
    if (scored[offset + i] !== 1) {
      out += 'null';
      continue;
    }
    for (let s = 0; s < sources.length; s++) {
      out += prefixes[s]!;
      const column = columns[s];
      const key = keys[s];
      if (column) out += scoreJson(column[offset + i]!);
      else if (key === undefined) out += 'null'; // an output the scoring model lacks
      // Rows come from JSON.parse, so a present value is a JSON value; an absent key is null.
      else out += Object.prototype.hasOwnProperty.call(rows[i], key) ? JSON.stringify(rows[i]![key]) : 'null';
    }
    out += sources.length ? '}' : '{}';
  }
  return `${out}],"errors":${JSON.stringify(errors)}}`;
}
