/**
 * `mtl report` end to end: train a small CGC with the CLI, write the report, check the file, then load
 * it in headless Chromium (Debian's `chromium`) and check the rendered DOM has the charts, the heatmap
 * and the diagram. The browser part is skipped when chromium is not installed. Set
 * MTL_REPORT_SCREENSHOT=FILE.png to keep a screenshot of the page.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { runCli } from '../cli/run-cli.js';
import { SMALL_CGC } from './fixtures.js';
import { CHROMIUM } from '../optional-tools.js';

const run = promisify(execFile);

let root: string;
let html: string;
beforeAll(async () => {
  root = mkdtempSync(path.join(os.tmpdir(), 'mtl-report-'));
  writeFileSync(path.join(root, 'small.mtl'), SMALL_CGC);
  const t = await runCli(['train', 'small.mtl', '--out', 'model', '--seed', '3'], { cwd: root });
  expect(t.code, t.stderr).toBe(0);
  const r = await runCli(['report', 'model', '-o', 'report.html'], { cwd: root });
  expect(r.code, r.stderr).toBe(0);
  html = readFileSync(path.join(root, 'report.html'), 'utf8');
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Chromium flags for a closed network and a fresh profile (see the machine notes). */
function chromiumArgs(profile: string): string[] {
  return ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', `--user-data-dir=${profile}`];
}

describe('mtl report', () => {
  it('writes one self-contained page with curves for 3 epochs, the heatmap and the diagram', () => {
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).not.toMatch(/<script|<link |src="http/);
    // The loss chart: total + training and validation of 2 tasks, 3 epochs each.
    const loss = /<svg class="chart" data-chart="loss"[\s\S]*?<\/svg>/.exec(html)?.[0] ?? '';
    expect(loss.match(/<circle /g)).toHaveLength(15);
    expect(html).toContain('data-chart="metric-auc"');
    expect(html.match(/class="cell"/g)).toHaveLength(6); // 2 gates × 3 experts each
    expect(html.match(/class="cell-off"/g)).toHaveLength(2);
    expect(html).toMatch(/validation split/);
    expect(html).toContain('id="architecture"><h2>Architecture</h2><div class="diagram"><svg');
  });

  it('reports usage errors and unreadable directories', async () => {
    expect((await runCli(['report', 'model'], { cwd: root })).code).toBe(2);
    const missing = await runCli(['report', 'nope', '-o', 'x.html'], { cwd: root });
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toMatch(/nope/);
    const noGates = await runCli(['report', 'model', '--no-gates', '-o', '-'], { cwd: root });
    expect(noGates.code).toBe(0);
    expect(noGates.stdout).toContain('Gate usage was not measured (--no-gates).');
  });

  it.skipIf(!CHROMIUM)('renders in headless Chromium with every chart in the DOM', async () => {
    const profile = mkdtempSync(path.join(os.tmpdir(), 'mtl-chromium-'));
    try {
      const url = pathToFileURL(path.join(root, 'report.html')).href;
      const { stdout: dom } = await run(CHROMIUM!, [...chromiumArgs(profile), '--dump-dom', url], { timeout: 50_000, maxBuffer: 32 << 20 });
      expect(dom).toContain('<section id="curves">');
      expect(dom.match(/<svg class="chart"/g)?.length).toBeGreaterThanOrEqual(3);
      expect(dom.match(/<svg class="heatmap"/g)).toHaveLength(1);
      expect(dom.match(/class="cell"/g)).toHaveLength(6);
      expect(dom).toMatch(/<div class="diagram"><svg/);
      const shot = process.env.MTL_REPORT_SCREENSHOT ?? path.join(profile, 'report.png');
      await run(CHROMIUM!, [...chromiumArgs(profile), '--hide-scrollbars', '--window-size=1280,2200', `--screenshot=${shot}`, url], { timeout: 50_000 });
      const png = readFileSync(shot);
      expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
      expect(png.length).toBeGreaterThan(10_000);
    } finally {
      rmSync(profile, { recursive: true, force: true });
    }
  });
});
