/**
 * `mtl serve`'s process signals, with real processes of bin/mtl.js: SIGHUP reloads the model directory
 * while requests keep coming (none fails, each is scored wholly by one model, and the scores switch to the
 * new model; a directory that does not verify is refused and the old model keeps serving); SIGTERM lets a
 * request in flight finish and the process exit 0.
 */
import { cpSync, renameSync, writeFileSync } from 'node:fs';
import type { ClientRequest } from 'node:http';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../cli/helpers.js';
import { ensureDist } from '../e2e/helpers.js';
import { maxDifference, predictRows, trainTiny, type TinyModel } from './fixture.js';
import { send, startServe, type Answer } from './client.js';

const tmp = tempDir('mtl-serve-signals-');
let a: TinyModel;
let b: TinyModel;
/** Scores of the first rows of a's data by model a and by model b. */
let scoresA: Array<Record<string, number | null>>;
let scoresB: Array<Record<string, number | null>>;
const ROWS = 20;

beforeAll(async () => {
  ensureDist();
  a = await trainTiny(tmp.dir, 'a', 41, 7);
  b = await trainTiny(tmp.dir, 'b', 42, 8);
  scoresA = (await predictRows(tmp.dir, a.dir, a.data, path.join(tmp.dir, 'pa.jsonl'))).slice(0, ROWS);
  scoresB = (await predictRows(tmp.dir, b.dir, a.data, path.join(tmp.dir, 'pb.jsonl'))).slice(0, ROWS);
}, 180_000);
afterAll(() => tmp.cleanup());

const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 20));

/** Put a copy of `from` at `live`, replacing it by renames (as `mtl train` replaces a model directory). */
function replaceDir(from: string, live: string, tag: string, tamper?: (dir: string) => void): void {
  const staging = `${live}.${tag}.new`;
  cpSync(from, staging, { recursive: true });
  tamper?.(staging);
  renameSync(live, `${live}.${tag}.old`);
  renameSync(staging, live);
}

describe('SIGHUP', () => {
  it('reloads the model under load with no failed request, and refuses a directory that does not verify', async () => {
    expect(maxDifference(scoresA, scoresB)).toBeGreaterThan(1e-4); // the two models differ, so a switch shows
    const live = path.join(tmp.dir, 'live');
    cpSync(a.dir, live, { recursive: true });
    const serve = await startServe([live]);
    const rows = a.rows.slice(0, ROWS);
    const answers: Answer[] = [];
    const failures: string[] = [];
    let stop = false;
    const loop = async (): Promise<void> => {
      while (!stop) {
        try {
          answers.push(await send(serve.port, '/v1/predict', { body: { rows } }));
        } catch (e) {
          failures.push((e as Error).message);
        }
      }
    };
    const loops = [loop(), loop(), loop()];
    const until = async (n: number): Promise<void> => {
      while (answers.length + failures.length < n) await tick();
    };
    try {
      await until(10);
      replaceDir(b.dir, live, 'b');
      serve.child.kill('SIGHUP');
      await serve.waitFor(/reloaded default/);
      const atReload = answers.length;
      await until(atReload + 10);
      // A directory whose files differ from its manifest: refused, the model loaded before keeps serving.
      replaceDir(b.dir, live, 'bad', (dir) => writeFileSync(path.join(dir, 'preprocess.json'), '{"version":1,"features":{}}'));
      serve.child.kill('SIGHUP');
      await serve.waitFor(/MTL5612/);
      const atRefusal = answers.length;
      await until(atRefusal + 10);
      stop = true;
      await Promise.all(loops);

      expect(failures).toEqual([]);
      expect(answers.filter((x) => x.status !== 200).map((x) => x.text)).toEqual([]);
      // Each answer is wholly one model's scores, and its modelHash says which.
      const byHash = new Map<string, Array<Record<string, number | null>>>();
      for (const x of answers) {
        const diffA = maxDifference(x.json.predictions, scoresA);
        const diffB = maxDifference(x.json.predictions, scoresB);
        expect(Math.min(diffA, diffB)).toBeLessThanOrEqual(1e-6);
        const model = diffA <= 1e-6 ? scoresA : scoresB;
        expect(byHash.get(x.json.modelHash) ?? model).toBe(model);
        byHash.set(x.json.modelHash, model);
      }
      expect(byHash.size).toBe(2);
      expect(maxDifference(answers[0]!.json.predictions, scoresA)).toBeLessThanOrEqual(1e-6);
      expect(maxDifference(answers.at(-1)!.json.predictions, scoresB)).toBeLessThanOrEqual(1e-6);
      expect(serve.stderr()).toMatch(/MTL5612.*Reloading model 'default'.*still serving the previous one/);
      const metrics = await send(serve.port, '/metrics');
      expect(metrics.text).toMatch(/^mtl_serve_reloads_total\{model="default",result="ok"\} 1$/m);
      expect(metrics.text).toMatch(/^mtl_serve_reloads_total\{model="default",result="failed"\} 1$/m);
    } finally {
      stop = true;
      await Promise.all(loops);
      serve.child.kill('SIGTERM');
    }
    expect((await serve.exited).code).toBe(0);
  }, 120_000);
});

describe('SIGTERM', () => {
  it('finishes the request in flight, refuses new connections, and exits 0', async () => {
    const serve = await startServe([a.dir]);
    const body = JSON.stringify({ rows: a.rows.slice(0, ROWS) });
    let held: ClientRequest | undefined;
    const answer = send(serve.port, '/v1/predict', {
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      hold: (req) => {
        req.write(body.slice(0, 10));
        held = req;
      },
    });
    // In flight: the server has the request's headers (the /metrics request counts itself too).
    const inFlight = async (): Promise<number> => Number(/^mtl_serve_in_flight_requests (\d+)$/m.exec((await send(serve.port, '/metrics')).text)?.[1]);
    while ((await inFlight()) < 2) await tick();
    serve.child.kill('SIGTERM');
    await serve.waitFor(/shutting down/);
    // A new connection is not served (refused, or reset when it raced the closing of the listening socket).
    await expect(send(serve.port, '/healthz')).rejects.toThrow(/ECONNREFUSED|ECONNRESET/);
    held!.end(body.slice(10));
    const done = await answer;
    expect(done.status).toBe(200);
    expect(maxDifference(done.json.predictions, scoresA)).toBeLessThanOrEqual(1e-6);
    expect(await serve.exited).toEqual({ code: 0, signal: null });
    expect(serve.stderr()).toMatch(/stopped/);
  }, 60_000);
});

describe('SIGINT', () => {
  it('stops the server like SIGTERM: exit 0', async () => {
    const serve = await startServe([a.dir]);
    expect((await send(serve.port, '/readyz')).status).toBe(200);
    serve.child.kill('SIGINT');
    expect(await serve.exited).toEqual({ code: 0, signal: null });
    expect(serve.stderr()).toMatch(/shutting down[\s\S]*stopped/);
  }, 60_000);
});
