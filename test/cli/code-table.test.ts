import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CATALOG } from '../../src/diagnostics/catalog.js';
import { renderCodeTable, withCodeTable } from '../../src/cli/code-table.js';

describe('the README code table', () => {
  it('lists every catalog code once', () => {
    const table = renderCodeTable();
    for (const code of Object.keys(CATALOG)) expect(table.split(`| ${code} |`).length - 1).toBe(1);
  });

  it('is up to date in README.md (run `npm run docs` after changing the catalog)', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    expect(withCodeTable(readme)).toBe(readme);
  });

  it('documents every code with a title and a doc sentence', () => {
    for (const [code, info] of Object.entries(CATALOG)) {
      expect(info.title.length, code).toBeGreaterThan(3);
      expect(info.doc.length, code).toBeGreaterThan(10);
    }
  });
});

describe('the README CLI reference', () => {
  it('is up to date with every command\'s --help (run `npm run docs`)', async () => {
    const { CLI_END, CLI_START, renderCliReference, replaceBetween } = await import('../../src/cli/reference.js');
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    expect(replaceBetween(readme, CLI_START, CLI_END, await renderCliReference())).toBe(readme);
  });
});
