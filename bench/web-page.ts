/**
 * How fast the page of `mtl export --format web` is in headless Chromium: serves SITE_DIR on 127.0.0.1,
 * measures page load until the model is ready, then pastes DATA.csv into the text box and times Score
 * (scoring and rendering the table) three times. Needs Debian's chromium (/usr/bin/chromium).
 *
 * Usage: npx tsx bench/web-page.ts SITE_DIR DATA.csv
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import * as path from 'node:path';
import { chromium } from 'playwright-core';

const [site, data] = process.argv.slice(2);
if (!site || !data) {
  console.error('Usage: npx tsx bench/web-page.ts SITE_DIR DATA.csv');
  process.exit(2);
}
const root = path.resolve(site);
const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.json': 'application/json', '.wasm': 'application/wasm' };
const server = createServer((req, res) => {
  const rel = decodeURIComponent(new URL(req.url ?? '/', 'http://127.0.0.1').pathname);
  const file = path.join(root, rel.endsWith('/') ? `${rel}index.html` : rel);
  try {
    res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
  } catch {
    res.writeHead(404).end();
  }
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const page = await browser.newPage();
  const t0 = Date.now();
  await page.goto(url);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 120_000 });
  console.log(`page load to ready: ${Date.now() - t0} ms (${await page.textContent('#status')})`);
  await page.fill('#input', readFileSync(data, 'utf8'));
  for (let k = 0; k < 3; k++) {
    // The click handler scores and renders synchronously, so its duration is the whole Score.
    const ms = await page.evaluate(() => {
      const start = performance.now();
      (document.getElementById('score') as HTMLButtonElement).click();
      return performance.now() - start;
    });
    console.log(`score + render: ${ms.toFixed(0)} ms — ${await page.textContent('#summary')}`);
  }
} finally {
  await browser.close();
  server.close();
}
