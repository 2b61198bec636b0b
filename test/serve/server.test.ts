/**
 * `mtl serve` as a client meets it, over real HTTP on 127.0.0.1 (bin/mtl.js as a child process): answers
 * equal to `mtl predict`, concurrent requests batched together yet answered separately, the contract,
 * health and metrics endpoints, and 1,000 malformed requests of many kinds (eight clients at a time) that
 * all get a 4xx naming the problem while the server keeps answering.
 */
import { connect } from 'node:net';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../cli/helpers.js';
import { ensureDist } from '../e2e/helpers.js';
import { maxDifference, predictRows, trainTiny, type TinyModel } from './fixture.js';
import { send, startServe, stopServe, type ServeProcess } from './client.js';

const tmp = tempDir('mtl-serve-http-');
let tiny: TinyModel;
let predicted: Array<Record<string, number | null>>;
let serve: ServeProcess;

beforeAll(async () => {
  ensureDist();
  tiny = await trainTiny(tmp.dir, 'model', 31);
  predicted = await predictRows(tmp.dir, tiny.dir, tiny.data, path.join(tmp.dir, 'pred.jsonl'));
  serve = await startServe([tiny.dir, '--model', `second=${tiny.dir}`, '--max-body', '1000000', '--max-rows', '3000']);
}, 180_000);
afterAll(async () => {
  await stopServe(serve);
  tmp.cleanup();
});

/** Scores without the passthrough keys. */
function scoresOf(p: Record<string, unknown> | null): Record<string, number | null> | null {
  if (!p) return null;
  return Object.fromEntries(Object.entries(p).filter(([k]) => k in predicted[0]!)) as Record<string, number | null>;
}

describe('POST /v1/predict', () => {
  it('answers what mtl predict writes for the same rows', async () => {
    const a = await send(serve.port, '/v1/predict', { body: { rows: tiny.rows, passthrough: ['user_id'] } });
    expect(a.status, a.text.slice(0, 300)).toBe(200);
    expect(a.json.errors).toEqual([]);
    expect(a.json.model).toBe('default');
    expect(a.json.predictions.map((p: Record<string, unknown>) => p.user_id)).toEqual(tiny.rows.map((r) => r.user_id));
    expect(maxDifference(a.json.predictions.map(scoresOf), predicted)).toBeLessThanOrEqual(1e-6);
  });

  it('copies passthrough keys as data, null when a row lacks one', async () => {
    // A row key "__proto__" (JSON text: an object literal would set the prototype instead).
    const body = JSON.stringify({ rows: [tiny.rows[0]], passthrough: ['__proto__', 'absent', 'user_id'] }).replace('{"user_id"', '{"__proto__":{"x":1},"user_id"');
    const a = await send(serve.port, '/v1/predict', { body, headers: { 'content-type': 'application/json' } });
    expect(a.status).toBe(200);
    expect(a.json.predictions[0].user_id).toBe(tiny.rows[0]!.user_id);
    expect(a.json.predictions[0].absent).toBeNull();
    expect(Object.getOwnPropertyDescriptor(a.json.predictions[0], '__proto__')?.value).toEqual({ x: 1 });
  });

  it('answers concurrent requests separately, each with its own rows and row errors', async () => {
    const asks = Array.from({ length: 24 }, (_, k) => {
      const start = k * 7;
      const rows: Array<Record<string, unknown>> = tiny.rows.slice(start, start + 1 + (k % 5)).map((r) => ({ ...r }));
      if (k % 3 === 0) rows[0] = { ...rows[0], price: 'bad' };
      return { start, rows };
    });
    const answers = await Promise.all(asks.map((q) => send(serve.port, '/v1/models/second/predict', { body: { rows: q.rows, outputs: ['ctcvr'] } })));
    answers.forEach((a, k) => {
      const { start, rows } = asks[k]!;
      expect(a.status).toBe(200);
      expect(a.json.predictions).toHaveLength(rows.length);
      expect(a.json.errors.map((e: { row: number; field: string }) => [e.row, e.field])).toEqual(k % 3 === 0 ? [[0, 'price']] : []);
      a.json.predictions.forEach((p: Record<string, number> | null, i: number) => {
        if (k % 3 === 0 && i === 0) return expect(p).toBeNull();
        expect(Object.keys(p!)).toEqual(['ctcvr']);
        expect(Math.abs(p!.ctcvr! - predicted[start + i]!.ctcvr!)).toBeLessThanOrEqual(1e-6);
      });
    });
  });
});

describe('the contract, health and metrics endpoints', () => {
  it('GET /v1/model gives the serving contract of ir.json', async () => {
    const a = await send(serve.port, '/v1/model');
    expect(a.status).toBe(200);
    expect(a.json.name).toBe('tiny');
    expect(a.json.irHash).toMatch(/^[0-9a-f]{64}$/);
    expect(a.json.modelHash).toMatch(/^[0-9a-f]{64}$/);
    expect(a.json.outputs).toEqual(Object.keys(predicted[0]!));
    expect(a.json.features.map((f: { column: string; kind: string }) => `${f.column}:${f.kind}`)).toEqual(['user_id:categorical', 'item_id:categorical', 'price:numeric']);
    const list = await send(serve.port, '/v1/models');
    expect(list.json.models.map((m: { name: string }) => m.name)).toEqual(['default', 'second']);
    expect((await send(serve.port, '/v1/models/second')).json.irHash).toBe(a.json.irHash);
  });

  it('GET /healthz and /readyz say ok and ready', async () => {
    expect(await send(serve.port, '/healthz').then((a) => [a.status, a.json.status])).toEqual([200, 'ok']);
    expect(await send(serve.port, '/readyz').then((a) => [a.status, a.json.status])).toEqual([200, 'ready']);
  });

  it('GET /metrics counts requests by status, rows, row errors and batch sizes', async () => {
    await send(serve.port, '/v1/predict', { body: { rows: [{ ...tiny.rows[0], price: 'x' }] } });
    await send(serve.port, '/v1/predict', { body: '{', headers: { 'content-type': 'application/json' } });
    const a = await send(serve.port, '/metrics');
    expect(a.status).toBe(200);
    expect(a.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    const value = (re: RegExp): number => Number(re.exec(a.text)?.[1] ?? NaN);
    expect(value(/^mtl_serve_requests_total\{route="\/v1\/predict",status="200"\} (\d+)$/m)).toBeGreaterThanOrEqual(2);
    expect(value(/^mtl_serve_requests_total\{route="\/v1\/predict",status="400"\} (\d+)$/m)).toBeGreaterThanOrEqual(1);
    expect(value(/^mtl_serve_rows_total\{model="default"\} (\d+)$/m)).toBeGreaterThanOrEqual(tiny.rows.length + 1);
    expect(value(/^mtl_serve_row_errors_total\{model="default"\} (\d+)$/m)).toBeGreaterThanOrEqual(1);
    expect(value(/^mtl_serve_batch_rows_count\{model="second"\} (\d+)$/m)).toBeGreaterThanOrEqual(1);
    expect(value(/^mtl_serve_request_duration_seconds_count\{route="\/v1\/predict"\} (\d+)$/m)).toBeGreaterThanOrEqual(3);
    expect(a.text).toMatch(/^mtl_serve_model_info\{model="default",ir_hash="[0-9a-f]{64}",model_hash="[0-9a-f]{64}",predictor="[a-z ]+"\} 1$/m);
  });
});

/** Malformed requests of many kinds: [what, path, options]. */
function malformed(): Array<[string, string, Parameters<typeof send>[2]]> {
  const row = tiny.rows[0]!;
  const json = { 'content-type': 'application/json' };
  const cases: Array<[string, string, Parameters<typeof send>[2]]> = [];
  const badJson = ['', '{', '}', '{"rows": [}', 'nul', '{"rows": [1,]}', "{'rows': []}", '{"rows": [] } x', '\u0000', '[[[['];
  for (const b of badJson) cases.push([`bad JSON ${JSON.stringify(b)}`, '/v1/predict', { body: b, headers: json }]);
  const wrongBodies: unknown[] = [null, 1, 'rows', [], [row], true, { rows: null }, { rows: 1 }, { rows: 'x' }, { rows: {} }, {}, { outputs: ['ctr'] }];
  for (const b of wrongBodies) cases.push([`wrong body ${JSON.stringify(b).slice(0, 30)}`, '/v1/predict', { body: JSON.stringify(b), headers: json }]);
  const nonObjectRows: unknown[] = [1, 'a', null, true, [], [row]];
  for (const r of nonObjectRows) cases.push([`non-object row ${JSON.stringify(r).slice(0, 20)}`, '/v1/predict', { body: { rows: [row, r] } }]);
  for (const k of ['row', 'Rows', 'output', 'model', 'extra', '__proto__x', 'passThrough']) cases.push([`unknown field ${k}`, '/v1/predict', { body: { rows: [row], [k]: 1 } }]);
  const wrongLists: unknown[] = ['ctr', 1, null, {}, [1], [null], ['ctr', 2], ['nope'], ['ctr', 'cvr ']];
  for (const o of wrongLists) cases.push([`outputs ${JSON.stringify(o)}`, '/v1/predict', { body: { rows: [row], outputs: o } }]);
  for (const p of wrongLists.slice(0, 7)) cases.push([`passthrough ${JSON.stringify(p)}`, '/v1/predict', { body: { rows: [row], passthrough: p } }]);
  cases.push(['passthrough naming an output', '/v1/predict', { body: { rows: [row], passthrough: ['ctr'] } }]);
  for (const ct of ['text/plain', 'application/x-www-form-urlencoded', 'application/jsonx', 'multipart/form-data', '']) {
    cases.push([`content-type '${ct}'`, '/v1/predict', { body: JSON.stringify({ rows: [row] }), headers: ct ? { 'content-type': ct } : {} }]);
  }
  cases.push(['no content-type', '/v1/predict', { method: 'POST', body: JSON.stringify({ rows: [row] }) }]);
  cases.push(['huge body', '/v1/predict', { body: JSON.stringify({ rows: Array.from({ length: 8000 }, () => row) }), headers: json }]);
  cases.push(['huge chunked body', '/v1/predict', { body: JSON.stringify({ rows: Array.from({ length: 8000 }, () => row) }), headers: { ...json, 'transfer-encoding': 'chunked' } }]);
  cases.push(['huge declared length', '/v1/predict', { body: '{}', headers: { ...json, 'content-length': 2 } }]);
  cases.push(['too many rows', '/v1/predict', { body: { rows: Array.from({ length: 3001 }, () => ({})) } }]);
  cases.push(['unknown model', '/v1/models/nope/predict', { body: { rows: [row] } }]);
  cases.push(['unknown model contract', '/v1/models/nope', {}]);
  cases.push(['malformed model name', '/v1/models/%E0%A4%A/predict', { body: { rows: [row] } }]);
  cases.push(['malformed model name contract', '/v1/models/%/', {}]);
  cases.push(['unknown path with a query', '/v1/predictions?x=1', {}]);
  cases.push(['unknown path', '/v2/predict', { body: { rows: [row] } }]);
  cases.push(['GET predict', '/v1/predict', { method: 'GET' }]);
  cases.push(['POST model', '/v1/model', { body: { rows: [] } }]);
  cases.push(['DELETE healthz', '/healthz', { method: 'DELETE' }]);
  cases.push(['PUT metrics', '/metrics', { method: 'PUT' }]);
  // Fill up to 1,000 with random malformed requests of ten kinds (a seeded generator: the same cases every run).
  let seed = 12345;
  const rand = (n: number): number => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n);
  const valid = JSON.stringify({ rows: [row, row] });
  const word = (): string => Array.from({ length: 1 + rand(8) }, () => 'abcdefghijklmnopqrstuvwxyz_0123456789'.charAt(rand(37))).join('');
  const odd: unknown[] = [null, 0, -1.5, '', 'x', true, false, [], {}, [1, 2], { a: 1 }];
  while (cases.length < 1000) {
    const n = cases.length;
    switch (rand(10)) {
      case 0:
        cases.push([`cut body ${n}`, '/v1/predict', { body: valid.slice(0, 1 + rand(valid.length - 2)), headers: json }]);
        break;
      case 1: {
        // A stray character before or after the object: never valid JSON.
        const junk = '{[,:"x]}1'.charAt(rand(9));
        cases.push([`stray '${junk}' ${n}`, '/v1/predict', { body: rand(2) ? `${junk}${valid}` : `${valid} ${junk}`, headers: json }]);
        break;
      }
      case 2:
        cases.push([`wrong rows type ${n}`, '/v1/predict', { body: { rows: [row, [row, rand(10)], row] } }]);
        break;
      case 3: {
        // A non-object row somewhere among good ones.
        const rows: unknown[] = Array.from({ length: 1 + rand(5) }, () => row);
        rows.splice(rand(rows.length + 1), 0, odd[rand(odd.length)] ?? null);
        if (rows.every((r) => typeof r === 'object' && r !== null && !Array.isArray(r))) rows.push(7);
        cases.push([`non-object row ${n}`, '/v1/predict', { body: { rows } }]);
        break;
      }
      case 4:
        cases.push([`unknown field ${n}`, '/v1/predict', { body: { rows: [row], [`${word()}x`]: odd[rand(odd.length)] } }]);
        break;
      case 5:
        cases.push([`unknown output ${n}`, '/v1/predict', { body: { rows: [row], outputs: ['ctr', `${word()}?`] } }]);
        break;
      case 6: {
        const field = rand(3) === 0 ? 'rows' : rand(2) ? 'outputs' : 'passthrough';
        const value = [null, 1, 'x', { a: 1 }, true, [1], [null]][rand(7)];
        cases.push([`${field} of a wrong type ${n}`, '/v1/predict', { body: { rows: field === 'rows' ? value : [row], ...(field === 'rows' ? {} : { [field]: value }) } }]);
        break;
      }
      case 7: {
        const ct = ['text/plain', 'application/xml', 'json', 'application/jso', `application/${word()}`, 'text/json'][rand(6)]!;
        cases.push([`content-type ${ct} ${n}`, '/v1/predict', { body: valid, headers: { 'content-type': ct } }]);
        break;
      }
      case 8: {
        // Bytes that are not UTF-8 text or not JSON at all.
        const bytes = Buffer.from(Array.from({ length: 1 + rand(64) }, () => rand(256)));
        bytes[0] = 0xff; // never a JSON value's first byte
        cases.push([`random bytes ${n}`, '/v1/predict', { body: bytes, headers: json }]);
        break;
      }
      default: {
        const paths: Array<[string, string]> = [['GET', '/v1/predict'], ['PUT', '/v1/predict'], ['POST', `/v1/models/${word()}z/predict`], ['GET', `/${word()}`], ['POST', '/v1/model'], ['DELETE', '/v1/models']];
        const [method, p] = paths[rand(paths.length)]!;
        cases.push([`${method} ${p} ${n}`, p, method === 'GET' || method === 'DELETE' ? { method } : { method, body: valid, headers: json }]);
      }
    }
  }
  return cases;
}

describe('malformed requests', () => {
  it('each get a 4xx with a JSON error naming the problem, and the server still answers', async () => {
    const cases = malformed();
    expect(cases.length).toBe(1000);
    const wrong: string[] = [];
    const statuses = new Set<number>();
    // Eight clients at a time, each request on its own connection.
    let next = 0;
    const client = async (): Promise<void> => {
      while (next < cases.length) {
        const [what, p, opts] = cases[next++]!;
        let a;
        try {
          a = await send(serve.port, p, opts);
        } catch (e) {
          // The server may cut a body it will not read; it must still have answered before.
          wrong.push(`${what}: ${(e as Error).message}`);
          continue;
        }
        statuses.add(a.status);
        const ok = a.status >= 400 && a.status < 500 && /^MTL56\d\d$/.test(a.json?.error?.code ?? '') && typeof a.json.error.message === 'string' && !/\n\s+at /.test(a.text);
        if (!ok) wrong.push(`${what}: ${a.status} ${a.text.slice(0, 200)}`);
      }
    };
    await Promise.all(Array.from({ length: 8 }, client));
    expect(wrong).toEqual([]);
    expect([...statuses].sort()).toEqual([400, 404, 405, 413, 415]);
    const a = await send(serve.port, '/v1/predict', { body: { rows: tiny.rows.slice(0, 3) } });
    expect(a.status).toBe(200);
    expect(maxDifference(a.json.predictions, predicted.slice(0, 3))).toBeLessThanOrEqual(1e-6);
  }, 120_000);

  it('names the field at fault', async () => {
    const row = tiny.rows[0]!;
    const field = async (body: unknown): Promise<string> => (await send(serve.port, '/v1/predict', { body })).json.error.field;
    expect(await field({ rows: [row, 5] })).toBe('rows[1]');
    expect(await field({ rows: [row], outputs: ['ctr', 'nope'] })).toBe('outputs[1]');
    expect(await field({ rows: [row], extra: 1 })).toBe('extra');
    expect(await field({ rows: 'x' })).toBe('rows');
  });

  it('answers a request that is not HTTP with 400 and keeps serving', async () => {
    const raw = await new Promise<string>((resolve, reject) => {
      const s = connect(serve.port, '127.0.0.1', () => s.write('NOT HTTP AT ALL\r\n\r\n'));
      let text = '';
      s.on('data', (b) => (text += b.toString()));
      s.on('end', () => resolve(text));
      s.on('error', reject);
    });
    expect(raw).toMatch(/^HTTP\/1\.1 400/);
    expect((await send(serve.port, '/healthz')).status).toBe(200);
    expect(serve.child.exitCode).toBeNull();
  });
});
