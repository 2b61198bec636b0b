/**
 * Regenerates the README's generated sections: the diagnostic-code table (from the catalog) and the
 * CLI reference (from the commands' --help texts).
 * Usage: npx tsx scripts/gen-docs.ts [--check]   (--check: exit 1 if README.md is stale)
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { withCodeTable } from '../src/diagnostics/code-table.js';
import { CLI_END, CLI_START, renderCliReference, replaceBetween } from '../src/cli/reference.js';

const readme = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../README.md');
const old = fs.readFileSync(readme, 'utf8');
const next = replaceBetween(withCodeTable(old), CLI_START, CLI_END, await renderCliReference());
if (process.argv.includes('--check')) {
  if (old !== next) {
    console.error('README.md: a generated section is stale (run npm run docs)');
    process.exit(1);
  }
} else if (old !== next) {
  fs.writeFileSync(readme, next);
  console.log('README.md: generated sections updated');
}
