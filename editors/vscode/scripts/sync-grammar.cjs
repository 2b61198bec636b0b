// Copies the generated grammar and language configuration (../../grammar, made by scripts/gen-grammar.ts)
// into this extension, because a .vsix can only contain files under the extension folder.
const fs = require('node:fs');
const path = require('node:path');

const from = path.resolve(__dirname, '../../../grammar');
const to = path.resolve(__dirname, '../syntaxes');
fs.mkdirSync(to, { recursive: true });
for (const f of ['mtl.tmLanguage.json', 'language-configuration.json']) {
  fs.copyFileSync(path.join(from, f), path.join(to, f));
}
console.log(`copied grammar files to ${to}`);
