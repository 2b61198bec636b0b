/**
 * The layering rule: src/'s top-level folders import each other one way only. Every relative import in
 * src/ (static `import … from`, `export … from`, side-effect `import '…'` and dynamic `import('…')`) is
 * mapped to an edge between the importing file's top-level folder and the imported file's; the folder
 * graph must have no cycle, and every edge must point down LAYERS — so a new folder has to be placed in
 * the list deliberately. docs/architecture.md draws the same order.
 */
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'src');

/** src/'s top-level folders, lowest first: a folder may import only folders listed before it. */
export const LAYERS = [
  'diagnostics', // Diagnostic types, the code catalog, MtlError, code frames
  'util', // package root, atomic writes, directory locks
  'ir', // the IR types and JSON schema; ir/ops is the op registry (losses, activations, optimisers)
  'plugins', // the plugin API, registry, loading, trust
  'validate', // semantic rules over the IR
  'language', // lexer, parser, CST→IR builder, formatter, printer, YAML/JSON loading, checkText/checkFile
  'data', // data files, encoding, batches, shuffling, synthetic data
  'exec', // backends, wasm and native BLAS kernels, the direct step's kernels
  'model', // the compiled, trainable model: tfjs graph, embeddings, optimisers, losses, the direct step
  'artifact', // model directories: save, load, checkpoints, predict, evaluate, metrics
  'train', // the training loop
  'tune', // mtl tune: search spaces, samplers (TPE, random), successive halving, the trial loop and journal
  'diagram', // model diagrams (DOT, SVG, PNG)
  'report', // HTML run reports
  'compare', // run comparison
  'targets', // PyTorch code generation, conversion
  'serve', // the scoring library and HTTP server
  'export', // mtl export: a trained model as a static web page, ONNX or TorchScript
  'conformance', // the plugin conformance kit (mtl/plugin/testing)
  'lsp', // the language server
  'cli', // the mtl command
  '.', // src/index.ts, the library's entry point
] as const;

interface Edge {
  from: string;
  to: string;
  files: string[];
}

function walk(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else if (/\.(ts|mts)$/.test(e.name)) out.push(p);
  }
  return out;
}

const IMPORT = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(['"])(\.{1,2}\/[^'"]*)\1/g;

function folderOf(file: string): string {
  const parts = path.relative(SRC, file).split(path.sep);
  return parts.length > 1 ? parts[0]! : '.';
}

/** Folder → folder edges with the file pairs that make them. */
function folderEdges(): Map<string, Edge> {
  const edges = new Map<string, Edge>();
  for (const file of walk(SRC)) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(IMPORT)) {
      const target = path.resolve(path.dirname(file), m[2]!);
      if (!target.startsWith(SRC + path.sep)) continue; // plugins/, package.json, …
      const from = folderOf(file);
      const to = folderOf(target);
      if (from === to) continue;
      const key = `${from} -> ${to}`;
      const edge = edges.get(key) ?? { from, to, files: [] };
      edge.files.push(`${path.relative(SRC, file)} imports ${m[2]}`);
      edges.set(key, edge);
    }
  }
  return edges;
}

function describeEdges(list: Edge[]): string {
  return list.map((e) => `${e.from} -> ${e.to}\n${e.files.map((f) => `    src/${f}`).join('\n')}`).join('\n');
}

/** The edges that lie on a cycle: those inside a strongly connected component (Tarjan). */
function cycleEdges(edges: Map<string, Edge>): Edge[] {
  const adj = new Map<string, string[]>();
  for (const e of edges.values()) {
    adj.set(e.from, [...(adj.get(e.from) ?? []), e.to]);
    if (!adj.has(e.to)) adj.set(e.to, []);
  }
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const component = new Map<string, number>();
  let count = 0;
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of adj.get(v)!) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      for (;;) {
        const w = stack.pop()!;
        onStack.delete(w);
        component.set(w, count);
        if (w === v) break;
      }
      count++;
    }
  };
  for (const v of adj.keys()) if (!index.has(v)) visit(v);
  return [...edges.values()].filter((e) => component.get(e.from) === component.get(e.to));
}

describe('src/ layering', () => {
  const edges = folderEdges();

  it('finds the imports it checks', () => {
    expect(edges.size).toBeGreaterThan(20);
    expect(edges.has('cli -> language')).toBe(true);
    expect(edges.has('artifact -> model')).toBe(true); // dynamic import('../model/index.js') in runtime-deps.ts
  });

  it('every top-level folder of src/ is placed in LAYERS', () => {
    const folders = readdirSync(SRC, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name);
    const unplaced = folders.filter((f) => !(LAYERS as readonly string[]).includes(f));
    expect(unplaced, `new folders must be placed in LAYERS (test/layout/layering.test.ts) deliberately: ${unplaced.join(', ')}`).toEqual([]);
    const gone = LAYERS.filter((l) => l !== '.' && !folders.includes(l));
    expect(gone, 'LAYERS names folders that no longer exist').toEqual([]);
  });

  it('the folder import graph has no cycle', () => {
    const cyclic = cycleEdges(edges);
    expect(cyclic.length, `folder imports form a cycle:\n${describeEdges(cyclic)}`).toBe(0);
  });

  it('every folder imports only folders below it in LAYERS', () => {
    const rank = (f: string): number => (LAYERS as readonly string[]).indexOf(f);
    const upward = [...edges.values()].filter((e) => rank(e.from) >= 0 && rank(e.to) >= 0 && rank(e.to) > rank(e.from));
    expect(upward.length, `imports that go up the layers:\n${describeEdges(upward)}`).toBe(0);
  });
});
