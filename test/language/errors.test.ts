import { describe, expect, it } from 'vitest';
import { CATALOG } from '../../src/diagnostics/catalog.js';
import { SYNTAX_CODES } from '../../src/diagnostics/codes/syntax.js';
import { suggest } from '../../src/diagnostics/suggest.js';
import { MAX_SPEC_LENGTH, parseSpec } from '../../src/language/index.js';
import { allRanges, codes, rangeInside, slice } from './helpers.js';

/** Parse and return the diagnostics, checking that every range lies inside the text. */
function diagnose(text: string) {
  const r = parseSpec(text, 'x.mtl');
  for (const range of allRanges(r)) expect(rangeInside(text, range)).toBe(true);
  return r;
}

describe('syntax diagnostics', () => {
  it('MTL1001: one diagnostic per run of bad characters', () => {
    const text = 'model m\n@@@ $ tower t = mlp(1) on x -> sigmoid\n\u0000\u0001';
    const r = diagnose(text);
    expect(codes(r.diagnostics)).toEqual(['MTL1001', 'MTL1001', 'MTL1001']);
    expect(slice(text, r.diagnostics[0]!.range)).toBe('@@@');
    expect(r.diagnostics[0]!.message).toBe("Unexpected characters '@@@'.");
    expect(r.diagnostics[2]!.message).toBe("Unexpected characters '\\u0000\\u0001'.");
    expect(r.value.nodes.map((n) => n.name)).toEqual(['t']);
  });

  it('MTL1002: unterminated string, the rest of the declaration still parses', () => {
    const r = diagnose('model m\nuse "x\ntower t = mlp(1) on x -> sigmoid');
    expect(codes(r.diagnostics)).toEqual(['MTL1002']);
    expect(r.value.plugins).toEqual([{ source: 'x', loc: r.diagnostics[0]!.range }]);
    expect(r.value.nodes).toHaveLength(1);
  });

  it('MTL1003: numbers that overflow', () => {
    const text = 'model m\nlayer l = mlp(1e999) on x';
    const r = diagnose(text);
    expect(codes(r.diagnostics)).toEqual(['MTL1003']);
    expect(slice(text, r.diagnostics[0]!.range)).toBe('1e999');
    expect(JSON.parse(JSON.stringify(r.value))).toEqual(r.value);
  });

  it('MTL1004: deep nesting is cut, not a stack overflow', () => {
    const text = `model m\ntask t = a loss bce(${'('.repeat(5000)}a${')'.repeat(5000)})\ntower ok = mlp(1) on x -> sigmoid\n` +
      `gate g = s(p: ${'['.repeat(20000)}) over e on x\ntask u = a loss bce(${'!'.repeat(50000)}a)`;
    const r = diagnose(text);
    expect(codes(r.diagnostics)).toContain('MTL1004');
    expect(r.value.nodes.map((n) => n.name)).toContain('ok');
    expect(() => JSON.stringify(r.value)).not.toThrow();
  });

  it('MTL1005: unknown escapes', () => {
    const text = 'model m "a\\qb"';
    const r = diagnose(text);
    expect(codes(r.diagnostics)).toEqual(['MTL1005']);
    expect(slice(text, r.diagnostics[0]!.range)).toBe('\\q');
  });

  it('MTL1006: runaway input is refused quickly', () => {
    const r = diagnose('x'.repeat(MAX_SPEC_LENGTH + 1));
    expect(codes(r.diagnostics)).toEqual(['MTL1006']);
    expect(r.value.nodes).toEqual([]);
  });

  it('MTL1010: an expected token, with what came before', () => {
    const text = 'model m\ngate g1 over e on all';
    const r = diagnose(text);
    expect(r.diagnostics[0]).toMatchObject({ code: 'MTL1010', message: "Expected '=' after the gate name 'g1', found 'over'.", file: 'x.mtl' });
    expect(slice(text, r.diagnostics[0]!.range)).toBe('over');
  });

  it('MTL1010: reserved words used as names get a hint', () => {
    const r = diagnose('model m\ntower weight = mlp(1) on x -> sigmoid');
    expect(r.diagnostics[0]!.message).toBe("Expected a name after 'tower', found 'weight'.");
    expect(r.diagnostics[0]!.hint).toMatch(/reserved word/);
  });

  it('MTL1010: a misspelt keyword gets did-you-mean', () => {
    expect(diagnose('model m\ngate g = softmax ovr e on all').diagnostics[0]!.hint).toBe("Did you mean 'over'?");
  });

  it('MTL1010 at the end of the file points just after the last token', () => {
    const text = 'model m\ninput x = concat(a,';
    const r = diagnose(text);
    expect(r.diagnostics).toHaveLength(1);
    expect(r.diagnostics[0]!.message).toBe("Expected a name or '*' after ',', found the end of the file.");
    expect(r.diagnostics[0]!.range).toEqual({ start: { line: 1, character: 19 }, end: { line: 1, character: 19 } });
  });

  it('MTL1011: text where no declaration can start, with did-you-mean', () => {
    const text = 'model m\ntowr t = mlp(1) on x -> sigmoid\ntower u = mlp(1) on x -> sigmoid\n}\n';
    const r = diagnose(text);
    expect(codes(r.diagnostics)).toEqual(['MTL1011', 'MTL1011']);
    expect(r.diagnostics[0]!.hint).toBe("Did you mean 'tower'?");
    expect(slice(text, r.diagnostics[1]!.range)).toBe('}');
  });

  it('MTL1020 / MTL1021: model declarations, and blocks that may appear once', () => {
    expect(codes(diagnose('tower t = mlp(1) on x -> sigmoid').diagnostics)).toEqual(['MTL1020']);
    const r = diagnose('model m\nmodel n\ndata { synth a }\ndata { synth b }\ntrain { lr 1 }\ntrain { lr 2 }');
    expect(codes(r.diagnostics)).toEqual(['MTL1021', 'MTL1021', 'MTL1021']);
    expect(r.diagnostics[0]!.related?.[0]?.range.start).toEqual({ line: 0, character: 0 });
    expect(r.value).toMatchObject({ name: 'm', data: { generator: 'a' }, train: { lr: 1 } });
  });

  it('MTL1030: unknown option words, with did-you-mean (transpositions count as one edit)', () => {
    const r = diagnose('model m\nfeatures { categorical a hsh 10 dmi 4 }\nlabels { y: binary colum "c" }\nlayer l = mlp(1) rleu on x');
    expect(codes(r.diagnostics)).toEqual(['MTL1041', 'MTL1030', 'MTL1030', 'MTL1030', 'MTL1030']);
    expect(r.diagnostics.slice(1).map((d) => d.hint)).toEqual(["Did you mean 'hash'?", "Did you mean 'dim'?", "Did you mean 'column'?", "Did you mean 'relu'?"]);
    expect(r.diagnostics[1]!.fix?.edits[0]?.newText).toBe('hash');
  });

  it('MTL1030/MTL1010: a misspelt feature kind suggests the kind, not an option', () => {
    const afterNumeric = diagnose('model m\nfeatures {\n  numeric price normalize log1p\n  categorial hour hash 24 dim 4\n}');
    expect(codes(afterNumeric.diagnostics)).toEqual(['MTL1030']);
    expect(afterNumeric.diagnostics[0]!.hint).toBe("Did you mean 'categorical'? Each feature starts with its kind: `categorical NAME ...`.");
    expect(afterNumeric.diagnostics[0]!.fix?.edits[0]?.newText).toBe('categorical');
    const first = diagnose('model m\nfeatures {\n  categorial hour hash 24 dim 4\n}');
    expect(first.diagnostics[0]!.hint).toBe("Did you mean 'categorical'?");
  });

  it('MTL1031: unknown train settings', () => {
    const r = diagnose('model m\ntrain { optimiser adam batchsize 3 }');
    expect(codes(r.diagnostics)).toEqual(['MTL1031', 'MTL1031']);
    expect(r.diagnostics[0]!.hint).toBe("Did you mean 'optimizer'?");
  });

  it('MTL1040: invalid enumerated values', () => {
    const r = diagnose('model m\ntower t = mlp(1) on x -> sigmod\nfeatures { sequence s hash 3 dim 2 pool avg max_len 3 }\nmetric foo(t)\nlabels { y: bool }\ntrain { optimizer adamw }');
    expect(codes(r.diagnostics)).toEqual(['MTL1040', 'MTL1040', 'MTL1040', 'MTL1040', 'MTL1040']);
    expect(r.diagnostics[0]!.hint).toMatch(/Did you mean 'sigmoid'/);
  });

  it('MTL1041: missing required parts (a task without loss keeps the task)', () => {
    const r = diagnose('model m\ntask t = a weight 2\nfeatures { categorical c dim 2 sequence s hash 3 dim 2 }\nlayer l = mlp() on x\ndata { rows 3 }');
    expect(codes(r.diagnostics)).toEqual(['MTL1041', 'MTL1041', 'MTL1041', 'MTL1041', 'MTL1041', 'MTL1041']);
    expect(r.value.tasks[0]).toMatchObject({ name: 't', weight: 2, loss: { type: '', label: { label: '' } } });
  });

  it('MTL1042 / MTL1043 / MTL1044 / MTL1045', () => {
    const r = diagnose('model m\nfeatures { categorical a hash 3 vocab 4 dim 2 dim "x" }\ntrain { lr "x" patience 3 lr 2 }\ngate g = s(k: 1, k: 2) over e on x');
    expect(codes(r.diagnostics)).toEqual(['MTL1044', 'MTL1042', 'MTL1043', 'MTL1045', 'MTL1042', 'MTL1042']);
    expect(r.diagnostics[3]!.severity).toBe('warning');
  });

  it('every syntax code is in the catalog and used by this file', () => {
    for (const code of Object.keys(SYNTAX_CODES)) {
      expect(CATALOG[code]).toBeDefined();
      expect(code).toMatch(/^MTL1\d{3}$/);
    }
  });
});

describe('error recovery', () => {
  it('keeps declarations after an error (error on line 3, tower on line 10)', () => {
    const lines = ['model m', 'input all = concat(a)', 'gate g1 softmax over e on all', '', '', '', '', '', '', 'tower late = mlp(4) on all -> sigmoid'];
    const r = diagnose(lines.join('\n'));
    expect(r.diagnostics).toHaveLength(1);
    expect(r.diagnostics[0]!.range.start.line).toBe(2);
    const late = r.value.nodes.find((n) => n.name === 'late');
    expect(late).toMatchObject({ kind: 'tower', on: 'all', mlp: { units: [4] } });
    expect(late!.loc!.start.line).toBe(9);
  });

  it('keeps entries of a block after a broken entry', () => {
    const r = diagnose('model m\nfeatures {\n  categorical a hash = 3\n  categorical b hash 4 dim 2\n}\ntower t = mlp(1) on x -> sigmoid');
    expect(r.diagnostics.length).toBeGreaterThan(0);
    expect(r.value.features.map((f) => f.name)).toContain('b');
    expect(r.value.nodes.map((n) => n.name)).toEqual(['t']);
  });

  it('stops reporting after 100 parser errors', () => {
    const r = diagnose(`model m\n${'gate g1 over e on all )\n'.repeat(2000)}`);
    expect(r.diagnostics.filter((d) => d.code === 'MTL1010' || d.code === 'MTL1011').length).toBeLessThanOrEqual(100);
  });

  it('handles large files (chunked parsing keeps every declaration)', () => {
    const unit = 'tower t = mlp(360, 200, 80) on all -> sigmoid # c\n"doc" task ctcvr = ctr * cvr loss bce(click & buy) weight 1.0\nfeatures { categorical u hash 100 dim 8 }\ndata { train "x" }\n';
    const n = Math.floor((MAX_SPEC_LENGTH - 100) / unit.length);
    const r = parseSpec(`model m "d"\n${unit.repeat(n)}`);
    expect(codes(r.diagnostics).every((c) => c === 'MTL1021')).toBe(true);
    expect(r.value.nodes).toHaveLength(n);
    expect(r.value.tasks).toHaveLength(n);
    expect(r.value.tasks.every((t) => t.doc === 'doc')).toBe(true);
    expect(r.value.features).toHaveLength(n);
  });

  it('reports random bytes as lexer diagnostics, without throwing', () => {
    let seed = 7;
    const bytes = Array.from({ length: 20000 }, () => String.fromCharCode((seed = (seed * 1103515245 + 12345) % 2 ** 31) % 256)).join('');
    const r = diagnose(bytes);
    expect(codes(r.diagnostics)).toContain('MTL1001');
  });
});

describe('suggest', () => {
  it('finds close candidates within max(1, floor(len/3)) edits', () => {
    expect(suggest('expret', ['expert', 'gate'])).toBe('expert');
    expect(suggest('towr', ['tower', 'task'])).toBe('tower');
    expect(suggest('zzz', ['tower'])).toBeUndefined();
    expect(suggest('tower', ['tower'])).toBeUndefined();
    expect(suggest('ReLU', ['relu'])).toBe('relu');
  });
});
