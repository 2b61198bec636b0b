/**
 * The generated TextMate grammar, run by the tokenizer VS Code itself uses (vscode-textmate with the
 * Oniguruma regex engine): every word of the language gets a scope that common themes colour, and user
 * names stay plain variables. "Coloured" means a scope with a rule in VS Code's Dark+/Light+ themes:
 * keywords, storage types, functions, constants, names of declarations, numbers, strings, comments.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import * as oniguruma from 'vscode-oniguruma';
import * as vsctm from 'vscode-textmate';
import { TOKEN_TABLE } from '../../src/language/tokens.js';
import { ROOT } from './harness.js';

const require = createRequire(import.meta.url);

/** Scope prefixes that Dark+ and Light+ colour (keyword.operator and punctuation are left plain by them). */
const COLOURED = ['storage.type', 'keyword.other', 'keyword.control', 'support.function', 'constant.language', 'constant.numeric', 'entity.name', 'string', 'comment'];
const coloured = (scopes: string[]): boolean => scopes.some((s) => COLOURED.some((c) => s === c || s.startsWith(`${c}.`)));

let grammar: vsctm.IGrammar;

beforeAll(async () => {
  const wasm = readFileSync(path.join(path.dirname(require.resolve('vscode-oniguruma')), 'onig.wasm'));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const registry = new vsctm.Registry({
    onigLib: Promise.resolve({ createOnigScanner: (p: string[]) => new oniguruma.OnigScanner(p), createOnigString: (s: string) => new oniguruma.OnigString(s) }),
    loadGrammar: async () => vsctm.parseRawGrammar(readFileSync(path.join(ROOT, 'grammar', 'mtl.tmLanguage.json'), 'utf8'), 'mtl.tmLanguage.json'),
  });
  grammar = (await registry.loadGrammar('source.mtl'))!;
});

/** Every token of `text` with its text and scopes. */
function tokenize(text: string): Array<{ text: string; scopes: string[] }> {
  const out: Array<{ text: string; scopes: string[] }> = [];
  let state = vsctm.INITIAL;
  for (const line of text.split('\n')) {
    const r = grammar.tokenizeLine(line, state);
    for (const t of r.tokens) out.push({ text: line.slice(t.startIndex, t.endIndex), scopes: t.scopes });
    state = r.ruleStack;
  }
  return out;
}

describe('the TextMate grammar under vscode-textmate', () => {
  it('colours every reserved and contextual word of the reference specs, and leaves names plain', () => {
    const words = new Set([...TOKEN_TABLE.keywords, ...TOKEN_TABLE.contextualWords]);
    const plain: string[] = [];
    for (const spec of ['esmm', 'mmoe', 'ple', 'cgc', 'shared-bottom']) {
      const tokens = tokenize(readFileSync(path.join(ROOT, 'specs', `${spec}.mtl`), 'utf8'));
      for (const t of tokens) if (words.has(t.text.trim()) && !coloured(t.scopes)) plain.push(`${spec}: ${t.text.trim()} (${t.scopes.at(-1)})`);
    }
    expect(plain).toEqual([]);
  });

  it('colours every contextual word on its own, by its role', () => {
    for (const [role, scope] of [['option', 'keyword.other.setting.mtl'], ['function', 'support.function.mtl'], ['value', 'constant.language.mtl']] as const) {
      for (const w of TOKEN_TABLE.contextualRoles[role]) {
        const t = tokenize(`x ${w} y`).find((k) => k.text === w);
        expect(t?.scopes.at(-1), w).toBe(scope);
      }
    }
  });

  it('shows losses, metrics and blocks as functions, and user names as variables', () => {
    const tokens = tokenize('task ctcvr = ctr * cvr loss bce(click & buy)\nmetric auc(cvr, buy) where click\ntower t = mlp(8) on all -> sigmoid');
    const scopeOf = (text: string, nth = 0) => tokens.filter((t) => t.text === text)[nth]?.scopes.at(-1);
    expect(scopeOf('bce')).toBe('support.function.mtl');
    expect(scopeOf('auc')).toBe('support.function.mtl');
    expect(scopeOf('mlp')).toBe('support.function.mtl');
    expect(scopeOf('loss')).toBe('keyword.other.mtl');
    expect(scopeOf('ctcvr')).toBe('entity.name.function.mtl');
    expect(scopeOf('click')).toBe('variable.other.mtl');
    expect(scopeOf('sigmoid')).toBe('support.function.mtl');
  });
});
