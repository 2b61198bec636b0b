/**
 * Regenerates the generated sections of the docs: the README's diagnostic-code table (from the catalog) and
 * CLI reference (from the commands' --help texts), and docs/language.md's op reference (from src/ir/ops).
 * Usage: npx tsx scripts/gen-docs.ts [--check]   (--check: exit 1 if a file is stale)
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { withCodeTable } from '../src/cli/code-table.js';
import { CLI_END, CLI_START, renderCliReference, replaceBetween } from '../src/cli/reference.js';
import { OPS_END, OPS_START, renderOpsReference } from '../src/ir/ops/reference.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const check = process.argv.includes('--check');

/** Rewrite `rel` with `render(old)`, or with --check report it stale; returns false when stale. */
async function update(rel: string, what: string, render: (old: string) => string | Promise<string>): Promise<boolean> {
  const file = path.join(root, rel);
  const old = fs.readFileSync(file, 'utf8');
  const next = await render(old);
  if (old === next) return true;
  if (check) {
    console.error(`${rel}: ${what} is stale (run npm run docs)`);
    return false;
  }
  fs.writeFileSync(file, next);
  console.log(`${rel}: ${what} updated`);
  return true;
}

const fresh = [
  await update('README.md', 'a generated section', async (old) => replaceBetween(withCodeTable(old), CLI_START, CLI_END, await renderCliReference())),
  await update('docs/language.md', 'the op reference', (old) => replaceBetween(old, OPS_START, OPS_END, renderOpsReference())),
];
if (fresh.includes(false)) process.exit(1);
