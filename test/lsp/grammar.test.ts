import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { TOKEN_TABLE } from '../../src/language/tokens.js';
import { buildGrammar, generatedGrammarFiles, wordsPattern } from '../../src/lsp/grammar.js';
import { KEYWORD_DOCS } from '../../src/lsp/keyword-docs.js';
import { ROOT } from './harness.js';

describe('generated TextMate grammar', () => {
  it('the committed grammar/ files equal what scripts/gen-grammar.ts generates (run it if this fails)', () => {
    for (const [name, content] of Object.entries(generatedGrammarFiles(TOKEN_TABLE))) {
      const file = path.join(ROOT, 'grammar', name);
      expect(fs.existsSync(file), `grammar/${name} is missing: run npx tsx scripts/gen-grammar.ts`).toBe(true);
      expect(fs.readFileSync(file, 'utf8'), `grammar/${name} is stale: run npx tsx scripts/gen-grammar.ts`).toBe(content);
    }
  });

  it('keyword patterns match whole .mtl words only (names may contain "-")', () => {
    const re = new RegExp(wordsPattern(['model', 'logloss']), 'g');
    expect('model x'.match(re)).toEqual(['model']);
    expect('my-model model-x xmodel'.match(re)).toBeNull();
    expect('auc(ctr)-logloss(ctr)'.match(re)).toEqual(['logloss']);
  });

  it('every pattern compiles, and declarations capture their names', () => {
    const g = buildGrammar(TOKEN_TABLE) as { repository: Record<string, { match?: string; patterns?: Array<{ match?: string }> }> };
    for (const rule of Object.values(g.repository)) {
      for (const m of [rule.match, ...(rule.patterns ?? []).map((p) => p.match)]) if (m) expect(() => new RegExp(m)).not.toThrow();
    }
    const gate = new RegExp(g.repository['gate-declaration']!.match!).exec('gate g_ctr = noisy-topk(k: 2) over e on all');
    expect(gate?.slice(1)).toEqual(['gate', 'g_ctr', '=', 'noisy-topk']);
    const tower = new RegExp(g.repository['named-declaration']!.match!).exec('tower ctr = mlp(8) on all');
    expect(tower?.slice(1)).toEqual(['tower', 'ctr']);
  });

  it('the language configuration declares # comments and the brackets of the token table', () => {
    const conf = JSON.parse(generatedGrammarFiles(TOKEN_TABLE)['language-configuration.json']!) as { comments: { lineComment: string }; brackets: string[][] };
    expect(conf.comments.lineComment).toBe('#');
    expect(conf.brackets).toEqual([['(', ')'], ['[', ']'], ['{', '}']]);
  });

  it('every reserved and contextual word has hover documentation', () => {
    const missing = [...TOKEN_TABLE.keywords, ...TOKEN_TABLE.contextualWords].filter((w) => !(w in KEYWORD_DOCS));
    expect(missing).toEqual([]);
  });
});
