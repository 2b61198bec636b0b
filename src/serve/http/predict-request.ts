/**
 * The body of a predict request, checked field by field before any row is scored:
 *   {"rows": [{...}, ...], "outputs"?: ["ctr", ...], "passthrough"?: ["request_id", ...]}
 * Unknown fields, wrong types, unknown outputs and too many rows are HttpErrors naming the field; the
 * values inside rows are the scorer's business (per-row errors in a 200 answer).
 */
import { jsonKind, type RawRow } from '../score.js';
import { httpError } from './errors.js';

/** A checked predict request. */
export interface PredictRequest {
  rows: RawRow[];
  /** The outputs to answer with (undefined: all). */
  outputs?: string[];
  /** Row keys copied into each prediction unchanged (e.g. an id). */
  passthrough: string[];
}

/** The fields a predict body may have. */
export const PREDICT_FIELDS = ['rows', 'outputs', 'passthrough'] as const;

/** An array of strings, or an HttpError naming `field` (or its bad element). */
function stringList(v: unknown, field: string): string[] {
  if (!Array.isArray(v)) throw httpError(400, 'MTL5601', { field, reason: `must be an array of strings, got ${jsonKind(v)}` }, field);
  v.forEach((x, i) => {
    if (typeof x !== 'string') throw httpError(400, 'MTL5601', { field: `${field}[${i}]`, reason: `must be a string, got ${jsonKind(x)}` }, `${field}[${i}]`);
  });
  return v as string[];
}

/** Check a parsed predict body against the model's outputs and the row limit. */
export function parsePredictRequest(body: unknown, outputs: readonly string[], maxRows: number): PredictRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw httpError(400, 'MTL5601', { field: '(body)', reason: `must be a JSON object with a 'rows' array, got ${jsonKind(body)}` }, '(body)');
  }
  const obj = body as Record<string, unknown>;
  for (const key of Object.keys(obj)) {
    if (!(PREDICT_FIELDS as readonly string[]).includes(key)) throw httpError(400, 'MTL5602', { field: key, allowed: PREDICT_FIELDS.join(', ') }, key);
  }
  if (!('rows' in obj)) throw httpError(400, 'MTL5601', { field: 'rows', reason: 'is required (an array of row objects)' }, 'rows');
  const rows = obj.rows;
  if (!Array.isArray(rows)) throw httpError(400, 'MTL5601', { field: 'rows', reason: `must be an array of objects, got ${jsonKind(rows)}` }, 'rows');
  if (rows.length > maxRows) throw httpError(413, 'MTL5614', { count: rows.length, max: maxRows }, 'rows');
  rows.forEach((r, i) => {
    if (typeof r !== 'object' || r === null || Array.isArray(r)) throw httpError(400, 'MTL5601', { field: `rows[${i}]`, reason: `must be an object keyed by column name, got ${jsonKind(r)}` }, `rows[${i}]`);
  });
  const req: PredictRequest = { rows: rows as RawRow[], passthrough: [] };
  if (obj.outputs !== undefined) {
    const list = stringList(obj.outputs, 'outputs');
    list.forEach((o, i) => {
      if (!outputs.includes(o)) throw httpError(400, 'MTL5605', { field: `outputs[${i}]`, output: o, outputs: outputs.join(', ') }, `outputs[${i}]`);
    });
    req.outputs = list;
  }
  if (obj.passthrough !== undefined) {
    req.passthrough = stringList(obj.passthrough, 'passthrough');
    req.passthrough.forEach((p, i) => {
      // A passthrough key named like an output would silently replace its score.
      if (outputs.includes(p)) throw httpError(400, 'MTL5601', { field: `passthrough[${i}]`, reason: `names the output '${p}'; a passthrough key cannot be an output name` }, `passthrough[${i}]`);
    });
  }
  return req;
}
