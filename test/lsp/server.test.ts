/**
 * The language server driven as a process over stdio by a real JSON-RPC client.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as path from 'node:path';
import { checkFile } from '../../src/language/check.js';
import { formatSpec } from '../../src/language/printer.js';
import { fixtureUri, markers, ROOT, startClient, type LspClient, type Pos } from './harness.js';

const SPEC = `model demo "A demo model"

use "./plugins/echo-gate.js"

features {
  categorical user_id hash 100 dim 4
  numeric     price   normalize log1p
}
labels {
  click: binary
  buy: binary
}

"All the inputs."
input <|>all = concat(user_id, price)
<|>experts e[2] = mlp(8) on all
gate g = <|>softmax over e on all
gate h = echo-gate(strength: 2) over e on all
tower ctr = mlp(4) on g -> sigmoid
tower cvr = mlp(4) on h -> sigmoid
task ctr = ctr loss bce(click)
task ctcvr = ctr * cvr loss bce(click & buy)
metric auc(<|>cvr, buy) where click
train { epochs 1 early_stop auc(ctcvr) patience 1 }
`;

type LspDiag = { code: string; message: string; severity: number; range: { start: Pos; end: Pos }; data?: { fix?: unknown } };
type Loc = { uri: string; range: { start: Pos; end: Pos } };
type Hov = { contents: { kind: string; value: string } } | null;
type Item = { label: string };

const { text, cursors } = markers(SPEC);
const [ALL_DEF, EXPERTS_KW, SOFTMAX, CVR_USE] = cursors as [Pos, Pos, Pos, Pos];
const URI = fixtureUri('demo.mtl');
/** The path that URI names: `mtl check --trust-plugins` on it loads ./plugins/echo-gate.js as the trusted server does. */
const FILE = path.join(ROOT, 'test/lsp/fixtures/demo.mtl');
let client: LspClient;
let firstDiagnostics: LspDiag[];

beforeAll(async () => {
  // The spec's echo-gate plugin is code without a manifest: trust the workspace (the repository) so that it runs.
  client = await startClient({ debounceMs: 0, testHooks: true, trusted: true });
  firstDiagnostics = (await client.open(URI, text)) as LspDiag[];
});
afterAll(async () => { await client?.stop(); });

/** Open `marked` as a fresh document and return its URI, cursors and first diagnostics. */
async function openMarked(name: string, marked: string): Promise<{ uri: string; cursors: Pos[]; diags: LspDiag[]; text: string }> {
  const m = markers(marked);
  const uri = fixtureUri(name);
  const diags = (await client.open(uri, m.text)) as LspDiag[];
  return { uri, cursors: m.cursors, diags, text: m.text };
}

describe('mtl lsp over stdio', () => {
  it('publishes no errors for a valid spec that uses a plugin relative to the file', () => {
    expect(firstDiagnostics.filter((d) => d.severity === 1)).toEqual([]);
  });

  it('publishes the same codes, ranges and messages as mtl check, and updates them on change', async () => {
    const broken = text.replace('tower ctr = mlp(4) on g', 'tower ctr = mlp(4) on gg');
    const expected = (await checkFile(broken, FILE, { trust: 'any' })).diagnostics.filter((d) => d.severity === 'error');
    expect(expected.length).toBeGreaterThan(0);
    const got = (await client.change(URI, 2, broken)) as LspDiag[];
    const errors = got.filter((d) => d.severity === 1);
    expect(errors.map((d) => [d.code, d.range])).toEqual(expected.map((d) => [d.code, d.range]));
    expect(errors[0]!.message.startsWith(expected[0]!.message)).toBe(true);
    if (expected[0]!.hint) expect(errors[0]!.message).toContain(`hint: ${expected[0]!.hint}`);
    // Fixing the typo clears the errors.
    const fixed = (await client.change(URI, 3, text)) as LspDiag[];
    expect(fixed.filter((d) => d.severity === 1)).toEqual([]);
  });

  it('offers a quick fix that applies the diagnostic\'s fix (did you mean)', async () => {
    const doc = await openMarked('typo.mtl', text.replace('experts e[2] = mlp(8) on all', 'experts e[2] = mlp(8) on alll'));
    const withFix = doc.diags.find((d) => d.data?.fix);
    expect(withFix?.message).toContain('alll');
    const actions = await client.request<Array<{ title: string; kind: string; edit: { changes: Record<string, Array<{ newText: string; range: unknown }>> } }>>('textDocument/codeAction', {
      textDocument: { uri: doc.uri }, range: withFix!.range, context: { diagnostics: [withFix] },
    });
    expect(actions.map((a) => [a.title, a.kind])).toEqual([["Replace 'alll' with 'all'", 'quickfix']]);
    expect(actions[0]!.edit.changes[doc.uri]).toEqual([{ range: withFix!.range, newText: 'all' }]);
    // A client that does not echo `data` back still gets the fix (looked up by code and range).
    const { data: _data, ...bare } = withFix!;
    const again = await client.request<unknown[]>('textDocument/codeAction', { textDocument: { uri: doc.uri }, range: bare.range, context: { diagnostics: [bare] } });
    expect(again).toHaveLength(1);
  });

  it('hovers keywords, nodes (docstring and width) and gate types (plugin description)', async () => {
    const kw = await client.request<Hov>('textDocument/hover', { textDocument: { uri: URI }, position: EXPERTS_KW });
    expect(kw?.contents.value).toContain('experts NAME[COUNT]');
    const node = await client.request<Hov>('textDocument/hover', { textDocument: { uri: URI }, position: ALL_DEF });
    expect(node?.contents.value).toContain('**input** `all`');
    expect(node?.contents.value).toContain('All the inputs.');
    expect(node?.contents.value).toMatch(/output width \d+/);
    const gate = await client.request<Hov>('textDocument/hover', { textDocument: { uri: URI }, position: SOFTMAX });
    expect(gate?.contents.value).toContain('**gate type** `softmax`');
    const pos = { line: SOFTMAX.line + 1, character: text.split('\n')[SOFTMAX.line + 1]!.indexOf('echo-gate') + 2 };
    const plugin = await client.request<Hov>('textDocument/hover', { textDocument: { uri: URI }, position: pos });
    expect(plugin?.contents.value).toContain('A test gate that echoes its first expert.');
    expect(plugin?.contents.value).toContain('How loudly to echo.');
    const paramPos = { line: pos.line, character: text.split('\n')[pos.line]!.indexOf('strength') + 1 };
    const param = await client.request<Hov>('textDocument/hover', { textDocument: { uri: URI }, position: paramPos });
    expect(param?.contents.value).toBe('**parameter** `strength` (number) — How loudly to echo.');
  });

  it('completes names in scope, gate types and gate parameters at <|> cursors', async () => {
    const doc = await openMarked('complete.mtl', `${text}gate g2 = <|>\ngate g3 = echo-gate(<|>\ngate g4 = softmax over <|>\ntower t2 = mlp(4) on <|>\ntask t3 = cvr loss bce(<|>\n`);
    const labels = async (i: number): Promise<string[]> =>
      (await client.request<Item[]>('textDocument/completion', { textDocument: { uri: doc.uri }, position: doc.cursors[i] })).map((x) => x.label);
    expect(await labels(0)).toEqual(expect.arrayContaining(['softmax', 'echo-gate']));
    expect(await labels(1)).toEqual(['strength']);
    expect(await labels(2)).toEqual(['e']);
    const on = await labels(3);
    expect(on).toEqual(expect.arrayContaining(['all', 'g', 'h', 'user_id']));
    expect(on).not.toContain('e');
    expect(await labels(4)).toEqual(['click', 'buy']);
  });

  it('goes to the definition of a name from a use', async () => {
    const defs = await client.request<Loc[]>('textDocument/definition', { textDocument: { uri: URI }, position: CVR_USE });
    const line = text.split('\n').findIndex((l) => l.startsWith('tower cvr'));
    expect(defs).toEqual([{ uri: URI, range: { start: { line, character: 6 }, end: { line, character: 9 } } }]);
  });

  it('finds every reference of a name, with and without its declaration', async () => {
    const withDecl = await client.request<Loc[]>('textDocument/references', { textDocument: { uri: URI }, position: ALL_DEF, context: { includeDeclaration: true } });
    const expected = [...text.matchAll(/\ball\b/g)].length;
    expect(withDecl.length).toBe(expected);
    const uses = await client.request<Loc[]>('textDocument/references', { textDocument: { uri: URI }, position: ALL_DEF, context: { includeDeclaration: false } });
    expect(uses.length).toBe(expected - 1);
  });

  it('renames a name everywhere, including label expressions, and the result still checks', async () => {
    const clickPos = { line: text.split('\n').findIndex((l) => l.includes('click: binary')), character: 3 };
    const edit = await client.request<{ changes: Record<string, Array<{ range: { start: Pos; end: Pos }; newText: string }>> }>('textDocument/rename', {
      textDocument: { uri: URI }, position: clickPos, newName: 'clicked',
    });
    const edits = edit.changes[URI]!;
    expect(edits.length).toBe([...text.matchAll(/\bclick\b/g)].length);
    const renamed = applyEdits(text, edits);
    expect(renamed).not.toMatch(/\bclick\b/);
    expect((await checkFile(renamed, FILE, { trust: 'any' })).diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  });

  it('refuses a rename to a name that is already declared', async () => {
    await expect(client.request('textDocument/rename', { textDocument: { uri: URI }, position: ALL_DEF, newName: 'price' })).rejects.toThrow(/already declared/);
  });

  it('formats with the mtl fmt printer', async () => {
    const messy = text.replace('input all = concat(user_id, price)', 'input   all=concat( user_id ,price )');
    const doc = await openMarked('messy.mtl', messy);
    const edits = await client.request<Array<{ newText: string }>>('textDocument/formatting', { textDocument: { uri: doc.uri }, options: { tabSize: 2, insertSpaces: true } });
    expect(edits).toHaveLength(1);
    expect(edits[0]!.newText).toBe(formatSpec(messy, 'messy.mtl').value);
  });

  it('gives an outline and folding ranges', async () => {
    const symbols = await client.request<Array<{ name: string; children?: Array<{ name: string }> }>>('textDocument/documentSymbol', { textDocument: { uri: URI } });
    const names = symbols.map((s) => s.name);
    expect(names).toEqual(expect.arrayContaining(['features', 'labels', 'all', 'e', 'g', 'ctr', 'ctcvr', 'auc(cvr)']));
    expect(symbols.find((s) => s.name === 'features')?.children?.map((c) => c.name)).toEqual(['user_id', 'price']);
    const folds = await client.request<Array<{ startLine: number }>>('textDocument/foldingRange', { textDocument: { uri: URI } });
    expect(folds.map((f) => f.startLine)).toEqual([4, 8]);
  });

  it('survives a request handler that throws', async () => {
    await expect(client.request('mtl/crashForTest', {})).resolves.toBeNull();
    const kw = await client.request<Hov>('textDocument/hover', { textDocument: { uri: URI }, position: EXPERTS_KW });
    expect(kw?.contents.value).toContain('experts');
    expect(client.stderr()).toContain('deliberate crash');
  });
});

/** Apply non-overlapping single-line edits to a text. */
function applyEdits(src: string, edits: Array<{ range: { start: Pos; end: Pos }; newText: string }>): string {
  const lines = src.split('\n');
  const sorted = [...edits].sort((a, b) => b.range.start.line - a.range.start.line || b.range.start.character - a.range.start.character);
  for (const e of sorted) {
    const l = lines[e.range.start.line]!;
    lines[e.range.start.line] = l.slice(0, e.range.start.character) + e.newText + l.slice(e.range.end.character);
  }
  return lines.join('\n');
}
