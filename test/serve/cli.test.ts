/**
 * `mtl serve` at the command line: usage errors exit 2, a model directory that does not load or a port
 * that is taken exit 1 with a located diagnostic and no stack trace, and a request that does not finish in
 * time gets 503 while the server goes on.
 */
import { createServer, type Server } from 'node:net';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasStackTrace, tempDir } from '../cli/helpers.js';
import { runCli } from '../cli/run-cli.js';
import { ensureDist } from '../e2e/helpers.js';
import { trainTiny, type TinyModel } from './fixture.js';
import { send, startServe } from './client.js';

const tmp = tempDir('mtl-serve-cli-');
let tiny: TinyModel;

beforeAll(async () => {
  ensureDist();
  tiny = await trainTiny(tmp.dir, 'model', 51);
}, 180_000);
afterAll(() => tmp.cleanup());

describe('mtl serve usage', () => {
  it.each([
    [[], /give a model directory/],
    [['a', 'b'], /at most one RUN_DIR/],
    [['a', '--model', 'noequals'], /--model takes NAME=DIR/],
    [['a', '--model', 'bad name=x'], /--model takes NAME=DIR/],
    [['a', '--model', 'default=b'], /'default' is given twice/],
    [['a', '--port', '70000'], /at most 65535/],
    [['a', '--port', '-1'], /--port/],
    [['a', '--timeout', '0'], /--timeout/],
  ])('mtl serve %j exits 2', async (argv, message) => {
    const r = await runCli(['serve', ...argv], { cwd: tmp.dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });

  it('a missing model directory exits 1 with MTL5303', async () => {
    const r = await runCli(['serve', path.join(tmp.dir, 'nope'), '--port', '0'], { cwd: tmp.dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('MTL5303');
    expect(hasStackTrace(r.stderr)).toBe(false);
  });

  it('a port in use exits 1 with MTL5613', async () => {
    const taken: Server = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    try {
      const port = (taken.address() as { port: number }).port;
      const r = await runCli(['serve', tiny.dir, '--port', String(port), '--backend', 'cpu'], { cwd: tmp.dir });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/MTL5613.*Cannot listen on 127\.0\.0\.1 port \d+/);
      expect(hasStackTrace(r.stderr)).toBe(false);
    } finally {
      taken.close();
    }
  });
});

describe('the per-request timeout', () => {
  it('answers 503 to a request whose body does not arrive, and keeps serving', async () => {
    const serve = await startServe([tiny.dir, '--timeout', '300']);
    try {
      const held = await send(serve.port, '/v1/predict', {
        headers: { 'content-type': 'application/json', 'content-length': 1000 },
        hold: (req) => req.write('{"rows": ['),
      });
      expect(held.status).toBe(503);
      expect(held.json.error.code).toBe('MTL5610');
      const ok = await send(serve.port, '/v1/predict', { body: { rows: tiny.rows.slice(0, 2) } });
      expect(ok.status).toBe(200);
      expect(ok.json.predictions).toHaveLength(2);
    } finally {
      serve.child.kill('SIGTERM');
    }
    expect((await serve.exited).code).toBe(0);
  }, 60_000);
});
