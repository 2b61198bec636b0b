/**
 * Regenerates the README's diagnostic-code table from the catalog.
 * Usage: npx tsx scripts/gen-docs.ts [--check]   (--check: exit 1 if README.md is stale)
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { withCodeTable } from '../src/diagnostics/code-table.js';

const readme = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../README.md');
const old = fs.readFileSync(readme, 'utf8');
const next = withCodeTable(old);
if (process.argv.includes('--check')) {
  if (old !== next) {
    console.error('README.md: the diagnostic-code table is stale (run npm run docs)');
    process.exit(1);
  }
} else if (old !== next) {
  fs.writeFileSync(readme, next);
  console.log('README.md: diagnostic-code table updated');
}
