/** The PyTorch package generator and the weight converter, without Python: files, names, counts, diagnostics. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createModelRuntime } from '../../src/model/index.js';
import { createDefaultRegistry } from '../../src/plugins/load.js';
import { CATALOG } from '../../src/diagnostics/catalog.js';
import { compileToPytorch, countParameters, generatePytorchPackage, parameterNames, TEMPLATE_FILES } from '../../src/targets/pytorch/index.js';
import { topoOrder } from '../../src/targets/pytorch/emit-model.js';
import { convertTfjsToTorch, convertTorchToTfjs, stateDictToTfjs, tfjsToStateDict, transpose2d } from '../../src/targets/convert.js';
import { decodeSafetensors, encodeSafetensors } from '../../src/targets/convert-safetensors.js';
import { REFERENCE_IRS, esmm, kitchenSink, mmoe } from './fixtures.js';

let tmp: string;
beforeAll(async () => {
  tmp = await fsp.mkdtemp(path.join(os.tmpdir(), 'mtl-gen-'));
});
afterAll(async () => {
  await fsp.rm(tmp, { recursive: true, force: true });
});

describe('generatePytorchPackage', () => {
  it('emits the package files, with the spec names in model.py', async () => {
    const r = await generatePytorchPackage(esmm());
    expect(r.diagnostics).toEqual([]);
    const files = r.value!;
    expect([...files.keys()].sort()).toEqual(['README.md', 'diagnostics.json', 'ir.json', 'model.py', 'plan.json', ...TEMPLATE_FILES].sort());
    const model = files.get('model.py')!;
    expect(model).toContain('# tower ctr = mlp(360, 200, 80) relu on all -> sigmoid');
    expect(model).toContain('self.add_mlp("tower_cvr", 61, [360, 200, 80], batch_norm=False)');
    expect(model).toContain('self.pool("embedding_item_id", x["history"], x["history__w"], "mean")');
    expect(model).not.toContain('embedding_history');
    const plan = JSON.parse(files.get('plan.json')!);
    expect(plan.metrics.map((m: { output: string; key: string }) => `${m.output}:${m.key}`)).toEqual(['ctr:auc', 'ctr:logloss', 'ctcvr:auc', 'ctcvr:logloss', 'cvr:auc(buy)@click']);
    expect(plan.earlyStop).toMatchObject({ mode: 'max', patience: 1, terms: [{ coef: 1, output: 'ctcvr', key: 'auc' }] });
    expect(JSON.parse(files.get('ir.json')!).name).toBe('esmm');
  });

  it('reports MTL5400 for a gate type without a PyTorch implementation, and MTL5204 for a plugin loss', async () => {
    const ir = mmoe();
    const gate = ir.nodes.find((n) => n.kind === 'gate')!;
    if (gate.kind === 'gate') gate.type = 'noisy-topk';
    ir.tasks[0]!.loss.type = 'focal';
    const r = await generatePytorchPackage(ir, { file: 'mmoe.mtl' });
    expect(r.value).toBeUndefined();
    expect(r.diagnostics.map((d) => d.code)).toEqual(['MTL5400', 'MTL5204']);
    expect(r.diagnostics[0]!.message).toContain("'g_income'");
    expect(r.diagnostics[0]!.file).toBe('mmoe.mtl');
    expect(CATALOG['MTL5401']).toBeDefined();
  });

  it('orders nodes so that every node follows what it reads', () => {
    const ir = kitchenSink();
    ir.nodes.reverse();
    const order = topoOrder(ir).map((n) => n.name);
    expect(order.indexOf('x')).toBeLessThan(order.indexOf('bottom'));
    expect(order.indexOf('e')).toBeLessThan(order.indexOf('g'));
    expect(order.indexOf('g')).toBeLessThan(order.indexOf('ctr'));
  });

  it('compileToPytorch writes the directory atomically and replaces an old one', async () => {
    const out = path.join(tmp, 'pkg');
    await fsp.mkdir(out);
    await fsp.writeFile(path.join(out, 'stale.py'), '');
    const r = await compileToPytorch(esmm(), out);
    expect(r.diagnostics).toEqual([]);
    expect((await fsp.readdir(out)).sort()).toEqual(r.files.map((f) => path.basename(f)).sort());
    expect((await fsp.readdir(tmp)).filter((n) => n.startsWith('.'))).toEqual([]);
  });
});

describe('parameter names and counts', () => {
  const registry = createDefaultRegistry();
  for (const [name, make] of Object.entries({ ...REFERENCE_IRS, sink: kitchenSink })) {
    it(`${name}: the names and count match the tfjs runtime`, () => {
      const ir = make();
      const runtime = createModelRuntime(ir, { gates: (t) => registry.get(t)?.plugin, seed: 1, optimizer: { optimizer: 'adam', lr: 0.01 } });
      const model = runtime.exportModel();
      const tfjsNames = new Set(model.weights.map((w) => w.originalName));
      expect(new Set(parameterNames(ir).map((p) => p.tfjs))).toEqual(tfjsNames);
      expect(countParameters(ir)).toBe(runtime.parameterCount());
      model.dispose();
      runtime.dispose();
    });
  }
});

describe('weight conversion helpers', () => {
  it('safetensors round-trips float32 tensors', () => {
    const t = { a: { shape: [2, 3], data: new Float32Array([1, 2, 3, 4, 5, -6.5]) }, b: { shape: [1], data: new Float32Array([0.25]) } };
    const back = decodeSafetensors(encodeSafetensors(t, { model: 'x' }));
    expect(back['a']!.shape).toEqual([2, 3]);
    expect(Array.from(back['a']!.data)).toEqual([1, 2, 3, 4, 5, -6.5]);
    expect(Array.from(back['b']!.data)).toEqual([0.25]);
    expect(() => decodeSafetensors(new Uint8Array(4))).toThrow(/shorter/);
  });

  it('transposes Dense kernels and round-trips a state dict', () => {
    expect(Array.from(transpose2d(new Float32Array([1, 2, 3, 4, 5, 6]), 2, 3))).toEqual([1, 4, 2, 5, 3, 6]);
    const ir = esmm();
    const tfjs = new Map(parameterNames(ir).map((p, i) => [p.tfjs, { shape: p.shape, data: Float32Array.from({ length: p.shape.reduce((a, b) => a * b, 1) }, (_, j) => i + j * 1e-3) }]));
    const state = tfjsToStateDict(ir, tfjs);
    expect(state['dense.tower_ctr_out.weight']!.shape).toEqual([1, 80]);
    const back = stateDictToTfjs(ir, state);
    for (const [k, v] of tfjs) expect(Array.from(back.get(k)!.data)).toEqual(Array.from(v.data));
    tfjs.delete('tower_cvr_out/bias');
    expect(() => tfjsToStateDict(ir, tfjs)).toThrow(/tower_cvr_out\/bias/);
  });

  it('reports unreadable or mismatched inputs as diagnostics', async () => {
    const missing = await convertTfjsToTorch(path.join(tmp, 'nope'), path.join(tmp, 'out1'));
    expect(missing.diagnostics.map((d) => d.code)).toEqual(['MTL5303']);
    const dir = path.join(tmp, 'bad-torch');
    await fsp.mkdir(dir);
    await fsp.writeFile(path.join(dir, 'ir.json'), JSON.stringify(esmm()));
    await fsp.writeFile(path.join(dir, 'preprocess.json'), '{"version":1,"features":{}}');
    await fsp.writeFile(path.join(dir, 'model.safetensors'), encodeSafetensors({ x: { shape: [1], data: new Float32Array(1) } }));
    const r = await convertTorchToTfjs(dir, path.join(tmp, 'out2'));
    expect(r.diagnostics.map((d) => d.code)).toEqual(['MTL5401']);
    expect(r.diagnostics[0]!.message).toContain('embedding_user_id');
  });
});
