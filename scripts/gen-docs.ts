/**
 * Regenerates the generated sections of the docs: the README's diagnostic-code table (from the catalog) and
 * CLI reference (from the commands' --help texts), and docs/language.md's op reference (from src/ops).
 * Usage: npx tsx scripts/gen-docs.ts [--check]   (--check: exit 1 if a file is stale)
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { withCodeTable } from '../src/diagnostics/code-table.js';
import { CLI_END, CLI_START, renderCliReference, replaceBetween } from '../src/cli/reference.js';
import { OPS_END, OPS_START, renderOpsReference } from '../src/ops/reference.js';

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

const language = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../docs/language.md');
const oldLanguage = fs.readFileSync(language, 'utf8');
const nextLanguage = replaceBetween(oldLanguage, OPS_START, OPS_END, renderOpsReference());
if (process.argv.includes('--check')) {
  if (oldLanguage !== nextLanguage) {
    console.error('docs/language.md: the op reference is stale (run npm run docs)');
    process.exit(1);
  }
} else if (oldLanguage !== nextLanguage) {
  fs.writeFileSync(language, nextLanguage);
  console.log('docs/language.md: op reference updated');
}
