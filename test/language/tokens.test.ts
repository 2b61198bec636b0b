import { describe, expect, it } from 'vitest';
import { TOKEN_TABLE } from '../../src/language/tokens.js';
import { lex } from '../../src/language/lexer.js';
import { LineIndex } from '../../src/language/positions.js';

const lexImages = (text: string) => lex(text, new LineIndex(text)).tokens.map((t) => `${t.tokenType.name}:${t.image}`);

describe('tokens', () => {
  it('lexes hyphenated identifiers, keywords with longer alternatives, arrows and signs', () => {
    expect(lexImages('noisy-topk trainer train all->x a - b -2 1e-3')).toEqual([
      'Identifier:noisy-topk', 'Identifier:trainer', 'Kw_train:train', 'Identifier:all', 'Arrow:->', 'Identifier:x',
      'Identifier:a', 'Minus:-', 'Identifier:b', 'Minus:-', 'NumberLiteral:2', 'NumberLiteral:1e-3',
    ]);
  });

  it('keeps comments out of the parser tokens but in the comments group', () => {
    const text = 'model m # one\n// two\n';
    const r = lex(text, new LineIndex(text));
    expect(r.tokens.map((t) => t.image)).toEqual(['model', 'm']);
    expect(r.comments.map((t) => t.image)).toEqual(['# one', '// two']);
  });

  it('publishes a plain-data token table', () => {
    expect(JSON.parse(JSON.stringify(TOKEN_TABLE))).toEqual(TOKEN_TABLE);
    expect(TOKEN_TABLE.declarationKeywords).toEqual(['model', 'use', 'data', 'features', 'labels', 'input', 'layer', 'experts', 'gate', 'tower', 'task', 'metric', 'train']);
    expect(TOKEN_TABLE.keywords).toContain('early_stop');
    expect(TOKEN_TABLE.operators).toContain('->');
    expect(TOKEN_TABLE.contextualWords).toContain('relu');
    for (const source of Object.values(TOKEN_TABLE.patterns)) expect(() => new RegExp(source)).not.toThrow();
    expect(new RegExp(`^${TOKEN_TABLE.patterns.identifier}$`).test('noisy-topk')).toBe(true);
    expect(new RegExp(`^${TOKEN_TABLE.patterns.number}$`).test('1.5e-3')).toBe(true);
  });
});
