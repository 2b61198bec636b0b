/**
 * `mtl export --format web` end to end in a real browser: the tiny model is trained, exported with the real
 * binary (bin/mtl.js, so the bundle is made from dist/ as in an installed mtl), the folder is served on
 * 127.0.0.1 by a small static server, and Debian's headless Chromium (driven by playwright-core) pastes rows
 * or uploads a CSV, clicks Score and the table is read back: its scores equal `mtl predict` on the same rows.
 * Skipped (with the reason) when Chromium is not installed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { tempDir } from '../cli/helpers.js';
import { ensureDist, runBin } from '../e2e/helpers.js';
import { CHROMIUM } from '../optional-tools.js';
import { maxDifference, predictRows, trainTiny, type TinyModel } from '../serve/fixture.js';

const tmp = tempDir('mtl-web-browser-');
const ROWS = 200;
let tiny: TinyModel;
let site: string;
/** A second model: gates over shared experts (softmax and the noisy-topk plugin) and a `vocab "FILE"` feature. */
let gated: { dir: string; data: string; predictedWasm: Array<Record<string, number | null>> };
/** `mtl predict` with its default backend (the native direct forward pass where the addon is built). */
let predicted: Array<Record<string, number | null>>;
/** `mtl predict --backend wasm`: the backend the page scores on. */
let predictedWasm: Array<Record<string, number | null>>;
let server: Server | undefined;
/** The server's root URL (it serves the temporary folder); the tiny model's page is under site/. */
let origin = '';
let base = '';
let browser: Browser | undefined;

/** Content types the page needs right (wasm streaming compilation wants application/wasm). */
const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.json': 'application/json', '.wasm': 'application/wasm', '.txt': 'text/plain' };

/** A static file server for `root` on 127.0.0.1 (what README.txt tells a user to run). */
async function serve(root: string): Promise<Server> {
  const s = createServer((req, res) => {
    const rel = decodeURIComponent(new URL(req.url ?? '/', 'http://127.0.0.1').pathname);
    const file = path.join(root, rel.endsWith('/') ? `${rel}index.html` : rel);
    if (!file.startsWith(root + path.sep)) return void res.writeHead(403).end();
    try {
      const body = readFileSync(file);
      res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  return s;
}

/** The first `n` rows of a CSV file's text (header included). */
function headCsv(file: string, n: number): string {
  return readFileSync(file, 'utf8').split('\n').slice(0, n + 1).join('\n') + '\n';
}

/** Open the page and wait until the model is loaded (or its load failed, which the test then shows). */
async function openPage(url = base): Promise<Page> {
  const page = await browser!.newPage();
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(e.message));
  await page.goto(url);
  await page.waitForSelector('body[data-ready="true"], #status.error', { timeout: 60_000 });
  expect(problems).toEqual([]);
  expect(await page.getAttribute('body', 'data-ready'), (await page.textContent('#status')) ?? '').toBe('true');
  return page;
}

/** The table as the page shows it: per row, output → exact score (data-value), and the error cell. */
async function readTable(page: Page): Promise<Array<{ scores: Record<string, number | null>; error: string; field: string | null }>> {
  return page.$$eval('#results tr[data-row]', (trs) =>
    trs.map((tr) => {
      const scores: Record<string, number | null> = {};
      tr.querySelectorAll('td[data-output]').forEach((td) => {
        const v = td.getAttribute('data-value');
        scores[td.getAttribute('data-output')!] = v === null ? null : Number(v);
      });
      const err = tr.querySelector('td.error');
      return { scores, error: err?.textContent ?? '', field: err?.getAttribute('data-field') ?? null };
    }),
  );
}

/** `mtl predict DIR --data DATA --backend B` (the real binary) as JSON Lines records. */
async function predictOn(dir: string, data: string, out: string, backend: 'wasm' | 'cpu'): Promise<Array<Record<string, number | null>>> {
  const r = await runBin(['predict', dir, '--data', data, '--out', path.join(tmp.dir, out), '--backend', backend], { cwd: tmp.dir });
  expect(r.code, r.stderr).toBe(0);
  return readFileSync(path.join(tmp.dir, out), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, number | null>);
}

/** The gated spec: every `category` value of the synthetic data outside its vocabulary file maps to row 0. */
const GATED_SPEC = `model gated "Gates over shared experts and a vocabulary file, for the web export test."
features {
  categorical user_id  hash 1000 dim 4
  categorical category vocab "categories.txt" dim 3
  numeric     price    normalize log1p
}
labels { click: binary  buy: binary }
input all = concat(user_id, category, price)
experts e[3] = mlp(8) relu on all
gate g_click = softmax over e on all
gate g_buy = noisy-topk(k: 2) over e on all
tower ctr = mlp(4) on g_click -> sigmoid
tower cvr = mlp(4) on g_buy -> sigmoid
task ctr   = ctr       loss bce(click)
task ctcvr = ctr * cvr loss bce(click & buy)
train { optimizer adam lr 0.01 batch 32 epochs 1 seed 3 }
`;

/** Train the gated spec on 1,000 synthetic rows, export it to gated-site/, and predict its first ROWS rows on wasm. */
async function trainGated(): Promise<typeof gated> {
  writeFileSync(path.join(tmp.dir, 'gated.mtl'), GATED_SPEC);
  writeFileSync(path.join(tmp.dir, 'categories.txt'), ['0', '2', '4', '6', '8', '10', '12', '14', '16', '18', '20'].join('\n') + '\n');
  const data = path.join(tmp.dir, 'gated.csv');
  const dir = path.join(tmp.dir, 'gated');
  for (const args of [
    ['data', 'synth', 'esmm', '--rows', '1000', '--seed', '4', '--out', data],
    ['train', 'gated.mtl', '--data', data, '--out', dir],
    ['export', dir, '--format', 'web', '-o', path.join(tmp.dir, 'gated-site')],
  ]) {
    const r = await runBin(args, { cwd: tmp.dir });
    expect(r.code, r.stderr).toBe(0);
  }
  const rows = path.join(tmp.dir, 'gated-rows.csv');
  writeFileSync(rows, headCsv(data, ROWS));
  return { dir, data: rows, predictedWasm: await predictOn(dir, rows, 'gated-pred.jsonl', 'wasm') };
}

beforeAll(async () => {
  if (!CHROMIUM) return; // every test below needs it; the CLI is tested without a browser in web-cli.test.ts
  ensureDist();
  tiny = await trainTiny(tmp.dir, 'model', 21);
  const rows = path.join(tmp.dir, 'rows.csv');
  writeFileSync(rows, headCsv(tiny.data, ROWS));
  predicted = await predictRows(tmp.dir, tiny.dir, rows, path.join(tmp.dir, 'pred.jsonl'));
  predictedWasm = await predictOn(tiny.dir, rows, 'pred-wasm.jsonl', 'wasm');
  site = path.join(tmp.dir, 'site');
  const r = await runBin(['export', tiny.dir, '--format', 'web', '-o', site], { cwd: tmp.dir });
  expect(r.code, r.stderr).toBe(0);
  gated = await trainGated();
  server = await serve(tmp.dir);
  origin = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
  base = `${origin}site/`;
  // playwright-core starts Chromium with a fresh temporary profile of its own (it refuses --user-data-dir).
  const { chromium } = await import('playwright-core');
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}, 240_000);

afterAll(async () => {
  await browser?.close();
  server?.close();
  tmp.cleanup();
});

// Without Chromium these skip; the summary before the suite (test/global-setup.ts) names them and how to install it.
describe.skipIf(!CHROMIUM)('the exported page in headless Chromium', () => {
  it('scores pasted CSV rows as mtl predict does', async () => {
    const page = await openPage();
    expect(await page.textContent('#status')).toContain('wasm backend');
    await page.fill('#input', headCsv(tiny.data, ROWS));
    await page.click('#score');
    await page.waitForSelector('#results tr[data-row]');
    const table = await readTable(page);
    expect(table).toHaveLength(ROWS);
    expect(table.filter((r) => r.error)).toEqual([]);
    expect(await page.textContent('#summary')).toBe(`${ROWS} of ${ROWS} rows scored (csv).`);
    const scores = table.map((r) => r.scores);
    expect(Object.keys(scores[0]!).sort()).toEqual(Object.keys(predicted[0]!).sort());
    // The same backend (wasm) as `mtl predict --backend wasm`: measured 5e-10 (predict's text rounding).
    expect(maxDifference(scores, predictedWasm)).toBeLessThanOrEqual(1e-6);
    // `mtl predict`'s default (the direct forward pass on OpenBLAS where the addon is built) sums in
    // another order: measured 6e-8 on this model; float32 rounding, not a different computation.
    expect(maxDifference(scores, predicted)).toBeLessThanOrEqual(1e-6);
    await page.close();
  }, 120_000);

  it('scores on the cpu backend with ?backend=cpu as mtl predict --backend cpu does', async () => {
    const page = await openPage(`${base}?backend=cpu`);
    expect(await page.textContent('#status')).toContain('cpu backend');
    await page.fill('#input', headCsv(tiny.data, ROWS));
    await page.click('#score');
    await page.waitForSelector('#results tr[data-row]');
    const scores = (await readTable(page)).map((r) => r.scores);
    // Measured 5e-10 (predict's text rounding).
    expect(maxDifference(scores, await predictOn(tiny.dir, path.join(tmp.dir, 'rows.csv'), 'pred-cpu.jsonl', 'cpu'))).toBeLessThanOrEqual(1e-6);
    await page.close();
  }, 120_000);

  it('scores an uploaded CSV file and shows each bad row\'s error (the field, the line) beside the scored rows', async () => {
    const lines = headCsv(tiny.data, 5).trimEnd().split('\n');
    const header = lines[0]!.split(',');
    const price = header.indexOf('price');
    const bad = lines[3]!.split(',');
    bad[price] = 'abc';
    lines[3] = bad.join(',');
    lines.push('1,2'); // too few fields: a problem of this row only
    const file = path.join(tmp.dir, 'upload.csv');
    writeFileSync(file, lines.join('\n') + '\n');
    const page = await openPage();
    await page.setInputFiles('#file', file);
    await page.waitForFunction(() => (document.getElementById('input') as HTMLTextAreaElement).value.length > 0);
    await page.click('#score');
    await page.waitForSelector('#results tr[data-row]');
    const table = await readTable(page);
    expect(table).toHaveLength(6);
    expect(table[5]!.error).toBe(`line 7 has 2 fields but the header has ${header.length}`);
    expect(table[2]!.field).toBe('price');
    expect(table[2]!.error).toBe("row 3 (line 4), column 'price': 'abc' is not a decimal number.");
    expect(Object.values(table[2]!.scores).every((v) => v === null)).toBe(true);
    expect(await page.textContent('#summary')).toBe('4 of 6 rows scored (csv), 2 with errors.');
    const good = [0, 1, 3, 4];
    expect(maxDifference(good.map((i) => table[i]!.scores), good.map((i) => predictedWasm[i]!))).toBeLessThanOrEqual(1e-6);
    await page.close();
  }, 120_000);

  it('scores a pasted JSON array, with JSON numbers, and names an absent column', async () => {
    const records: Array<Record<string, unknown>> = tiny.rows.slice(0, 3).map((r) => ({ ...r, price: Number(r.price) }));
    delete records[1]!.user_id;
    const page = await openPage();
    await page.fill('#input', JSON.stringify(records, null, 2));
    await page.click('#score');
    await page.waitForSelector('#results tr[data-row]');
    const table = await readTable(page);
    expect(table.map((r) => r.field)).toEqual([null, 'user_id', null]);
    expect(table[1]!.error).toMatch(/^row 2: the column 'user_id' \(needed by .*\) is absent\.$/);
    expect(maxDifference([table[0]!.scores, table[2]!.scores], [predictedWasm[0]!, predictedWasm[2]!])).toBeLessThanOrEqual(1e-6);
    await page.close();
  }, 120_000);

  it('scores a model with gates (softmax, the noisy-topk plugin) and a vocabulary file as mtl predict does', async () => {
    const page = await openPage(`${origin}gated-site/`);
    await page.fill('#input', readFileSync(gated.data, 'utf8'));
    await page.click('#score');
    await page.waitForSelector('#results tr[data-row]');
    const table = await readTable(page);
    expect(table.filter((r) => r.error)).toEqual([]);
    expect(Object.keys(table[0]!.scores)).toEqual(['ctr', 'cvr', 'ctcvr']);
    expect(maxDifference(table.map((r) => r.scores), gated.predictedWasm)).toBeLessThanOrEqual(1e-6);
    await page.close();
  }, 120_000);

  it('says it must be served over HTTP when opened from disk', async () => {
    const page = await browser!.newPage();
    await page.goto(pathToFileURL(path.join(site, 'index.html')).href);
    await page.waitForSelector('#status.error');
    expect(await page.textContent('#status')).toMatch(/must be served over HTTP/);
    await page.close();
  }, 60_000);

  it('says what is wrong with input it cannot read, and keeps it in the text box', async () => {
    const page = await openPage();
    const text = '[{"user_id": 1,';
    await page.fill('#input', text);
    await page.click('#score');
    await page.waitForSelector('#status.error');
    expect(await page.textContent('#status')).toMatch(/not valid JSON/);
    expect(await page.inputValue('#input')).toBe(text);
    await page.close();
  }, 60_000);

  it('loads nothing from another origin', async () => {
    const page = await browser!.newPage();
    const foreign: string[] = [];
    page.on('request', (r) => void (r.url().startsWith(origin) || r.url().startsWith('data:') || foreign.push(r.url())));
    await page.goto(base);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
    expect(foreign).toEqual([]);
    await page.close();
  }, 60_000);
});
