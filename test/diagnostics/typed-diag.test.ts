/** `diag` is typed by its code: an unknown code or a missing placeholder argument fails `tsc` (see typed/usage.ts). */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { CATALOG, fillTemplate } from '../../src/diagnostics/catalog.js';

const root = path.resolve(import.meta.dirname, '../..');

describe('typed diagnostics', () => {
  it('tsc accepts the right calls and rejects a wrong code and a missing placeholder', () => {
    const r = spawnSync(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', path.join(import.meta.dirname, 'typed/tsconfig.json')], { encoding: 'utf8' });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  }, 120_000);

  it('fills every placeholder of every catalog template from arguments named like them', () => {
    for (const [code, info] of Object.entries(CATALOG) as Array<[string, { message: string; hint?: string }]>) {
      for (const template of [info.message, info.hint ?? '']) {
        const names = [...template.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
        const filled = fillTemplate(template, Object.fromEntries(names.map((n) => [n, 'X'])));
        expect(filled, code).not.toMatch(/\{\w+\}/);
      }
    }
  });
});
