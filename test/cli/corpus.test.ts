/**
 * The diagnostics corpus: every spec in test/fixtures/diagnostics/ is checked by `mtl check --format json`
 * (the real CLI path: file reading, plugins, parser, validator) and its diagnostics are compared with the
 * `# expect: LINE:COL SEVERITY CODE message` lines at the end of the file (1-based, as the terminal prints
 * them). JSON specs cannot hold comments, so theirs live in a sidecar `FILE.expect`.
 * `UPDATE_EXPECT=1 npx vitest run test/cli/corpus` rewrites the expectations from the actual output.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CATALOG } from '../../src/diagnostics/catalog.js';
import { runCli } from './run-cli.js';

const DIR = fileURLToPath(new URL('../fixtures/diagnostics/', import.meta.url));
const UPDATE = process.env.UPDATE_EXPECT === '1';
const EXPECT_RE = /^(?:#|\/\/) expect: (.*)$/;

/** The corpus files: .mtl, .mtl.yaml, .mtl.json (sidecars and READMEs excluded). */
const FILES = readdirSync(DIR)
  .filter((f) => /\.mtl(\.ya?ml|\.json)?$/.test(f))
  .sort();

interface JsonDiag {
  code: string;
  severity: string;
  message: string;
  hint?: string;
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
}

/** One expectation line for a diagnostic (1-based position, like the terminal output). */
function expectLine(d: JsonDiag): string {
  return `${d.range.start.line + 1}:${d.range.start.character + 1} ${d.severity} ${d.code} ${d.message}`;
}

/** The expectations of a file: trailing `# expect:` lines, or its JSON sidecar. */
function readExpected(file: string): string[] {
  const full = path.join(DIR, file);
  if (file.endsWith('.json')) {
    const side = `${full}.expect`;
    return existsSync(side) ? readFileSync(side, 'utf8').split('\n').filter((l) => l.trim() !== '') : [];
  }
  const text = readFileSync(full, 'latin1');
  return text.split('\n').flatMap((l) => {
    const m = EXPECT_RE.exec(l.trimEnd());
    return m ? [m[1]!] : [];
  });
}

/** Rewrite the expectations of a file (the body before the trailing expect block is kept byte for byte). */
function writeExpected(file: string, lines: string[]): void {
  const full = path.join(DIR, file);
  if (file.endsWith('.json')) {
    writeFileSync(`${full}.expect`, lines.map((l) => l + '\n').join(''));
    return;
  }
  // Bytes as latin1 so that deliberately invalid UTF-8 survives the round trip.
  const text = readFileSync(full, 'latin1');
  const body = text.split('\n');
  while (body.length && (body[body.length - 1]!.trim() === '' || EXPECT_RE.test(body[body.length - 1]!.trimEnd()))) body.pop();
  const out = [...body, '', ...lines.map((l) => `# expect: ${l}`)].join('\n') + '\n';
  writeFileSync(full, out, 'latin1');
}

describe('diagnostics corpus', () => {
  it('holds at least 40 broken specs', () => {
    expect(FILES.length).toBeGreaterThanOrEqual(40);
  });

  it.each(FILES)('%s', async (file) => {
    const run = await runCli(['check', '--format', 'json', file], { cwd: DIR });
    const diags = JSON.parse(run.stdout) as JsonDiag[];
    const actual = diags.map(expectLine);
    if (UPDATE) writeExpected(file, actual);
    const expected = UPDATE ? actual : readExpected(file);
    // Every corpus file is broken: it must fail the check, and every diagnostic must read well.
    expect(run.code).toBe(diags.some((d) => d.severity === 'error') ? 1 : 0);
    expect(diags.length).toBeGreaterThan(0);
    expect(run.stderr).toBe('');
    for (const d of diags) {
      expect(CATALOG[d.code], `${d.code} is in the catalog`).toBeDefined();
      expect(d.code).not.toBe('MTL3999');
      expect(d.message.length).toBeGreaterThan(0);
      // Errors tell the user how to fix them: a hint, or a message that already says what is expected.
      const selfExplaining = /expected|did you mean|must be|needs|expects/i.test(d.message);
      if (d.severity === 'error' && !selfExplaining) expect(d.hint, `${file}: hint for ${expectLine(d)}`).toBeDefined();
    }
    // One mistake, one report: no two diagnostics with the same code at the same place.
    const keys = diags.map((d) => `${d.code}@${d.range.start.line}:${d.range.start.character}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(actual).toEqual(expected);
  });
});
