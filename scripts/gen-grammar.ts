/**
 * Writes grammar/mtl.tmLanguage.json and grammar/language-configuration.json from the token table.
 * Usage: npx tsx scripts/gen-grammar.ts [--check]   (--check: exit 1 if the committed files are stale)
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TOKEN_TABLE } from '../src/language/tokens.js';
import { generatedGrammarFiles } from '../src/lsp/grammar.js';

const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../grammar');
const check = process.argv.includes('--check');
let stale = 0;
fs.mkdirSync(dir, { recursive: true });
for (const [name, content] of Object.entries(generatedGrammarFiles(TOKEN_TABLE))) {
  const file = path.join(dir, name);
  const old = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined;
  if (old === content) continue;
  if (check) { console.error(`stale: grammar/${name} (run npx tsx scripts/gen-grammar.ts)`); stale++; continue; }
  fs.writeFileSync(file, content);
  console.log(`wrote grammar/${name}`);
}
process.exit(stale ? 1 : 0);
