/** The YAML/JSON front end: syntax and schema errors at the right line/column, hints, locations, round trip. */
import { describe, expect, it } from 'vitest';
import { dumpSpecData, loadSpecData } from '../../src/language/load.js';
import type { ModelIR } from '../../src/ir/types.js';
import { validate } from '../../src/validate/validate.js';
import { createDefaultRegistry } from '../../src/plugins/load.js';
import { baseIR } from '../validate/fixtures.js';

/** A copy without loc/locs (what a YAML spec says). */
function noLocations(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(noLocations);
  if (!v || typeof v !== 'object') return v;
  return Object.fromEntries(Object.entries(v).filter(([k]) => k !== 'loc' && k !== 'locs' && k !== 'width').map(([k, x]) => [k, noLocations(x)]));
}

/** The 0-based position of the first occurrence of `needle` in `text`, as a range. */
function find(text: string, needle: string, occurrence = 0) {
  let at = -1;
  for (let i = 0; i <= occurrence; i++) at = text.indexOf(needle, at + 1);
  const before = text.slice(0, at).split('\n');
  const line = before.length - 1;
  const character = before[line]!.length;
  return { start: { line, character }, end: { line, character: character + needle.length } };
}

/** The range of `needle` right after the first occurrence of `prefix + needle`. */
function after(text: string, prefix: string, needle: string) {
  const r = find(text, prefix + needle);
  return { start: { line: r.start.line, character: r.start.character + prefix.length }, end: r.end };
}

const MINIMAL = `# a hand-written spec: defaults fill train, mlp options and weights
version: 1
name: tiny
features:
  - kind: categorical
    name: user
    ids: { kind: hash, size: 100 }
    dim: 4
labels:
  - name: click
    type: binary
nodes:
  - kind: input
    name: all
    from: [user]
  - kind: tower
    name: ctr
    on: all
    mlp: { units: [8] }
    output: sigmoid
tasks:
  - name: ctr
    head: [ctr]
    loss: { type: bce, label: { label: click } }
`;

describe('loadSpecData', () => {
  it('loads a minimal hand-written spec, filling defaults', () => {
    const r = loadSpecData(MINIMAL, 'tiny.mtl.yaml');
    expect(r.diagnostics).toEqual([]);
    const ir = r.value!;
    expect(ir.train).toMatchObject({ optimizer: 'adam', lr: 0.001, batch: 512, epochs: 3, validSplit: 0.1, weighting: 'static' });
    expect(ir.nodes[1]).toMatchObject({ mlp: { units: [8], activation: 'relu', dropout: 0, batchNorm: false } });
    expect(ir.tasks[0]!.weight).toBe(1);
    expect(ir.plugins).toEqual([]);
    expect(ir.metrics).toEqual([]);
  });

  it('fills loc and locs from the YAML, so semantic diagnostics point at the right line', () => {
    const text = MINIMAL.replace('on: all', 'on: al');
    const r = loadSpecData(text, 'tiny.mtl.yaml');
    expect(r.diagnostics).toEqual([]);
    const tower = r.value!.nodes[1]!;
    const onAl = after(text, 'on: ', 'al');
    expect(tower.locs!.on).toEqual(onAl);
    expect(tower.loc!.start).toEqual(after(text, '  - ', 'kind: tower').start);
    expect(tower.locs!['mlp.units.0']).toEqual(after(text, 'units: [', '8'));
    expect(r.value!.tasks[0]!.loss.label.loc).toEqual(after(text, '{ label: ', 'click'));
    const v = validate(r.value!, { file: 'tiny.mtl.yaml', registry: createDefaultRegistry() });
    const unknown = v.diagnostics.find((d) => d.code === 'MTL3001')!;
    expect(unknown.range).toEqual(onAl);
    expect(unknown.fix?.edits[0]).toEqual({ range: onAl, newText: 'all' });
  });

  it('reports a YAML syntax error at its line and column', () => {
    const text = 'version: 1\nname: demo\nfeatures: [a, b\nlabels: []\n';
    const r = loadSpecData(text, 'bad.yaml');
    expect(r.value).toBeUndefined();
    expect(r.diagnostics.length).toBeGreaterThan(0);
    const d = r.diagnostics[0]!;
    expect(d.code).toBe('MTL2001');
    expect(d.file).toBe('bad.yaml');
    expect(d.range.start.line).toBeGreaterThanOrEqual(2);
  });

  it('reports a JSON syntax error with its position', () => {
    const text = '{\n  "version": 1,\n  "name": "x",,\n}\n';
    const r = loadSpecData(text, 'bad.mtl.json');
    expect(r.diagnostics[0]?.code).toBe('MTL2001');
    expect(r.diagnostics[0]?.range.start.line).toBe(2);
  });

  it('rejects a document that is not a mapping, and a wrong version', () => {
    expect(loadSpecData('', 'e.yaml').diagnostics.map((d) => d.code)).toEqual(['MTL2008']);
    expect(loadSpecData('- 1\n- 2\n', 'e.yaml').diagnostics[0]?.message).toBe("The spec must be a mapping of the model's properties, not a list.");
    const r = loadSpecData(MINIMAL.replace('version: 1', 'version: 2'), 'v.yaml');
    expect(r.diagnostics).toHaveLength(1);
    expect(r.diagnostics[0]).toMatchObject({ code: 'MTL2002', range: { start: { line: 1, character: 9 }, end: { line: 1, character: 10 } } });
    expect(r.diagnostics[0]!.message).toBe('The spec has IR version 2, but this mtl reads version 1.');
  });

  it('points a missing property at the declaration name, with the owner in the message', () => {
    const text = MINIMAL.replace('    on: all\n', '');
    const r = loadSpecData(text, 't.yaml');
    expect(r.diagnostics.map((d) => [d.code, d.message, d.range])).toEqual([
      ['MTL2003', "Tower 'ctr' is missing the required property 'on'.", find(text, 'ctr')],
    ]);
  });

  it('points a missing property of a nested mapping at its key', () => {
    const text = MINIMAL.replace('loss: { type: bce, label: { label: click } }', 'loss: { label: { label: click } }');
    const r = loadSpecData(text, 't.yaml');
    expect(r.diagnostics.map((d) => [d.code, d.message, d.range])).toEqual([
      ['MTL2003', "Task 'ctr' is missing the required property 'loss.type'.", find(text, 'loss')],
    ]);
  });

  it('points an unknown property at its key, with a did-you-mean and a quick fix', () => {
    const text = MINIMAL.replace('    output: sigmoid', '    ouptut: sigmoid');
    const r = loadSpecData(text, 't.yaml');
    const d = r.diagnostics.find((x) => x.code === 'MTL2004')!;
    expect(d.message).toBe("Tower 'ctr' has the unknown property 'ouptut'.");
    expect(d.range).toEqual(find(text, 'ouptut'));
    expect(d.hint).toBe("did you mean 'output'?");
    expect(d.fix).toEqual({ title: "Replace 'ouptut' with 'output'", edits: [{ range: find(text, 'ouptut'), newText: 'output' }] });
    // ... and the missing 'output' is reported too.
    expect(r.diagnostics.map((x) => x.code).sort()).toEqual(['MTL2003', 'MTL2004']);
  });

  it('points a wrong type at the value', () => {
    const text = MINIMAL.replace('dim: 4', 'dim: four');
    const r = loadSpecData(text, 't.yaml');
    expect(r.diagnostics.map((d) => [d.code, d.message, d.range])).toEqual([['MTL2005', "Property 'dim' of feature 'user' must be an integer.", find(text, 'four')]]);
  });

  it('gives enum errors the allowed values, a did-you-mean and a fix', () => {
    const text = MINIMAL.replace('output: sigmoid', 'output: sigmod');
    const r = loadSpecData(text, 't.yaml');
    const [d] = r.diagnostics;
    expect(d).toMatchObject({ code: 'MTL2006', message: "Property 'output' of tower 'ctr' has the invalid value 'sigmod'.", range: find(text, 'sigmod') });
    expect(d!.hint).toBe("did you mean 'sigmoid'? allowed: sigmoid, linear");
    expect(d!.fix?.edits[0]?.newText).toBe('sigmoid');
  });

  it('reports an unknown kind once, with the kinds', () => {
    const text = MINIMAL.replace('kind: tower', 'kind: towr');
    const r = loadSpecData(text, 't.yaml');
    expect(r.diagnostics).toHaveLength(1);
    expect(r.diagnostics[0]).toMatchObject({ code: 'MTL2009', range: find(text, 'towr') });
    expect(r.diagnostics[0]!.hint).toBe("did you mean 'tower'? kinds: input, layer, experts, gate, tower");
  });

  it('reports a malformed label expression once', () => {
    const text = MINIMAL.replace('label: { label: click }', 'label: { lable: click }');
    const r = loadSpecData(text, 't.yaml');
    expect(r.diagnostics.map((d) => d.code)).toEqual(['MTL2007']);
    expect(r.diagnostics[0]!.message).toBe("Property 'loss.label' of task 'ctr' is not a label expression.");
  });

  it('reads JSON specs with locations inside the quotes', () => {
    const json = dumpSpecData(baseIR(), 'json');
    const r = loadSpecData(json, 'demo.mtl.json');
    expect(r.diagnostics).toEqual([]);
    expect(r.value!.nodes[3]!.locs!.type).toEqual(find(json, 'softmax'));
  });

  it('round-trips: dump then load gives the same IR (modulo locations), in YAML and JSON', () => {
    const ir = baseIR();
    for (const format of ['yaml', 'json'] as const) {
      const text = dumpSpecData(ir, format);
      expect(text).not.toContain('loc');
      const r = loadSpecData(text, `demo.${format}`);
      expect(r.diagnostics).toEqual([]);
      expect(noLocations(r.value)).toEqual(noLocations(ir));
    }
  });

  it('keeps plugin parameters named like location fields when dumping', () => {
    const ir: ModelIR = baseIR();
    (ir.nodes[3] as { params: Record<string, unknown> }).params = { loc: 1, width: 2 };
    ir.nodes[3]!.width = 16;
    const back = loadSpecData(dumpSpecData(ir, 'yaml'), 'x.yaml').value!;
    expect((back.nodes[3] as { params: unknown }).params).toEqual({ loc: 1, width: 2 });
    expect(back.nodes[3]!.width).toBeUndefined();
  });
});

describe('locations of nested declarations', () => {
  it('locates plugin references and early-stop metrics', () => {
    const text = `${MINIMAL}plugins:\n  - source: ./gates/topk.js\ntrain:\n  earlyStop:\n    terms:\n      - coef: 1\n        metric: { fn: auc, output: ctrr }\n    mode: max\n    patience: 1\n`;
    const r = loadSpecData(text, 't.yaml');
    expect(r.diagnostics).toEqual([]);
    expect(r.value!.plugins[0]!.loc).toEqual(after(text, '  - ', 'source: ./gates/topk.js'));
    const v = validate(r.value!, { registry: createDefaultRegistry() });
    const d = v.diagnostics.find((x) => x.code === 'MTL3017')!;
    expect(d.range).toEqual(after(text, 'output: ', 'ctrr'));
    expect(d.fix?.edits[0]?.newText).toBe('ctr');
  });
});
