/**
 * Tiny structural checkers for the tests: XML well-formedness (no XML parser is installed, and a full one is not
 * needed to catch unbalanced tags, unquoted attributes or raw `&`/`<`), a DOT grammar check, and box geometry.
 */

/** Checks that `xml` is well-formed: one root, balanced tags, quoted attributes, valid entities. Returns errors. */
export function xmlErrors(xml: string): string[] {
  const errors: string[] = [];
  const stack: string[] = [];
  let roots = 0;
  let i = 0;
  const text = (s: string): void => {
    const bad = /&(?!(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/.exec(s);
    if (bad) errors.push(`bad entity near ${JSON.stringify(s.slice(bad.index, bad.index + 12))}`);
    if (s.includes('<')) errors.push('raw < in text');
  };
  while (i < xml.length) {
    const lt = xml.indexOf('<', i);
    if (lt < 0) {
      if (xml.slice(i).trim()) text(xml.slice(i));
      break;
    }
    const between = xml.slice(i, lt);
    if (stack.length === 0 && between.trim()) errors.push('text outside the root element');
    text(between);
    if (xml.startsWith('<?', lt)) {
      const end = xml.indexOf('?>', lt);
      if (end < 0) return [...errors, 'unterminated declaration'];
      i = end + 2;
      continue;
    }
    if (xml.startsWith('<!--', lt)) {
      const end = xml.indexOf('-->', lt);
      if (end < 0) return [...errors, 'unterminated comment'];
      i = end + 3;
      continue;
    }
    const gt = xml.indexOf('>', lt);
    if (gt < 0) return [...errors, 'unterminated tag'];
    const tag = xml.slice(lt + 1, gt);
    if (tag.startsWith('/')) {
      const name = tag.slice(1).trim();
      const open = stack.pop();
      if (open !== name) errors.push(`</${name}> closes <${open}>`);
    } else {
      const selfClosing = tag.endsWith('/');
      const body = selfClosing ? tag.slice(0, -1) : tag;
      const m = /^([A-Za-z_][\w:.-]*)((?:\s+[A-Za-z_][\w:.-]*="[^"<]*")*)\s*$/.exec(body);
      if (!m) errors.push(`malformed tag <${tag.slice(0, 40)}>`);
      else {
        for (const a of m[2]!.matchAll(/="([^"]*)"/g)) text(a[1]!);
        const names = [...m[2]!.matchAll(/([A-Za-z_][\w:.-]*)=/g)].map((a) => a[1]);
        if (new Set(names).size !== names.length) errors.push(`duplicate attribute in <${m[1]}>`);
        if (stack.length === 0) roots++;
        if (!selfClosing) stack.push(m[1]!);
      }
    }
    i = gt + 1;
  }
  if (stack.length) errors.push(`unclosed <${stack.join('>, <')}>`);
  if (roots !== 1) errors.push(`${roots} root elements`);
  return errors;
}

/** What the DOT checker found: declared node ids, edges and subgraph names. */
export interface DotSummary {
  nodes: Set<string>;
  edges: { from: string; to: string; attrs: Record<string, string> }[];
  subgraphs: string[];
  /** Attributes of the top-level graph (not of subgraphs). */
  graphAttrs: Record<string, string>;
}

type Tok = { t: 'id' | 'p'; v: string };

/** Tokenises DOT: quoted strings, HTML strings `<...>` (nested), identifiers/numbers, punctuation, `->`. */
function tokenize(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) { i++; continue; }
    if (src.startsWith('->', i)) { out.push({ t: 'p', v: '->' }); i += 2; continue; }
    if ('{}[];,='.includes(c)) { out.push({ t: 'p', v: c }); i++; continue; }
    if (c === '"') {
      let j = i + 1;
      let v = '';
      while (j < src.length && src[j] !== '"') {
        if (src[j] === '\\' && j + 1 < src.length) { v += src[j + 1] === '"' ? '"' : src[j]! + src[j + 1]!; j += 2; continue; }
        v += src[j++];
      }
      if (j >= src.length) throw new Error('unterminated string');
      out.push({ t: 'id', v }); i = j + 1; continue;
    }
    if (c === '<') {
      let depth = 0;
      let j = i;
      do {
        if (src[j] === '<') depth++;
        else if (src[j] === '>') depth--;
        j++;
      } while (depth > 0 && j < src.length);
      if (depth !== 0) throw new Error('unterminated HTML string');
      out.push({ t: 'id', v: src.slice(i, j) }); i = j; continue;
    }
    const m = /^[A-Za-z_\u0080-\uffff][\w\u0080-\uffff]*|^-?(\.\d+|\d+(\.\d*)?)/.exec(src.slice(i));
    if (!m) throw new Error(`unexpected ${JSON.stringify(src.slice(i, i + 10))}`);
    out.push({ t: 'id', v: m[0] }); i += m[0].length;
  }
  return out;
}

/** Parses a DOT digraph per the Graphviz grammar (the subset without ports); throws on a syntax error. */
export function parseDot(src: string): DotSummary {
  const toks = tokenize(src);
  let p = 0;
  const peek = (): Tok | undefined => toks[p];
  const isP = (v: string): boolean => peek()?.t === 'p' && peek()?.v === v;
  const expectP = (v: string): void => {
    if (!isP(v)) throw new Error(`expected ${v} at token ${p} (${JSON.stringify(peek())})`);
    p++;
  };
  const id = (): string => {
    const t = peek();
    if (t?.t !== 'id') throw new Error(`expected an id at token ${p} (${JSON.stringify(t)})`);
    p++;
    return t.v;
  };
  const summary: DotSummary = { nodes: new Set(), edges: [], subgraphs: [], graphAttrs: {} };
  const attrList = (): Record<string, string> => {
    const attrs: Record<string, string> = {};
    while (isP('[')) {
      p++;
      while (!isP(']')) {
        const k = id();
        expectP('=');
        attrs[k] = id();
        if (isP(';') || isP(',')) p++;
      }
      expectP(']');
    }
    return attrs;
  };
  let depth = 0;
  const stmtList = (): void => {
    depth++;
    while (!isP('}')) {
      stmt();
      if (isP(';')) p++;
    }
    depth--;
  };
  const subgraph = (): void => {
    if (peek()?.v === 'subgraph') {
      p++;
      if (peek()?.t === 'id') summary.subgraphs.push(id());
    }
    expectP('{');
    stmtList();
    expectP('}');
  };
  const stmt = (): void => {
    const t = peek();
    if (t?.t === 'id' && ['graph', 'node', 'edge'].includes(t.v) && toks[p + 1]?.v === '[') {
      p++;
      const attrs = attrList();
      if (t.v === 'graph' && depth === 1) Object.assign(summary.graphAttrs, attrs);
      return;
    }
    if (isP('{') || t?.v === 'subgraph') {
      subgraph();
      return;
    }
    const first = id();
    if (isP('=')) {
      p++;
      const value = id();
      if (depth === 1) summary.graphAttrs[first] = value;
      return;
    }
    const chain = [first];
    while (isP('->')) {
      p++;
      chain.push(id());
    }
    const attrs = attrList();
    if (chain.length === 1) summary.nodes.add(first);
    for (let k = 0; k + 1 < chain.length; k++) summary.edges.push({ from: chain[k]!, to: chain[k + 1]!, attrs });
  };
  if (peek()?.v === 'strict') p++;
  if (peek()?.v !== 'digraph') throw new Error('expected digraph');
  p++;
  if (peek()?.t === 'id') id();
  expectP('{');
  stmtList();
  expectP('}');
  if (p !== toks.length) throw new Error('trailing tokens');
  return summary;
}

/** A rectangle. */
export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** True when two rectangles share interior area (touching edges do not count). */
export function overlaps(a: Rect, b: Rect): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

/** True when `inner` lies within `outer` (with a tolerance for rounding). */
export function contains(outer: Rect, inner: Rect, eps = 0.01): boolean {
  return (
    inner.x >= outer.x - eps &&
    inner.y >= outer.y - eps &&
    inner.x + inner.width <= outer.x + outer.width + eps &&
    inner.y + inner.height <= outer.y + outer.height + eps
  );
}
