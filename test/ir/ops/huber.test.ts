/**
 * The `huber` loss is one definition file (src/ir/ops/losses/huber.ts) plus its line in the registry, and it works
 * in every stage: `mtl check`, the editor's completion, tfjs training, the direct step (equal to the tfjs
 * step) and the PyTorch target (the generated Python computes the same values).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { lossDef } from '../../../src/ir/ops/index.js';
import { checkText } from '../../../src/language/check.js';
import { complete } from '../../../src/lsp/completion.js';
import { createModelRuntime } from '../../../src/model/index.js';
import type { ModelIR } from '../../../src/ir/types.js';
import { directLoss, taskLoss } from '../../../src/exec/direct/loss.js';
import { loadNativeBlas } from '../../../src/exec/native-blas.js';
import { selectBackend } from '../../../src/exec/backend.js';
import { compileToPytorch } from '../../../src/targets/pytorch/index.js';
import { metricPlan } from '../../../src/artifact/metric-plan.js';
import { mmoeIR, options, randomBatch } from '../../model/fixtures.js';
import { runPython, torchPython } from '../../targets/python-env.js';

const huber = lossDef('huber')!;
/** Huber (δ = 1) in float64, written out independently of the definition. */
const reference = (p: number, y: number): number => (Math.abs(p - y) <= 1 ? 0.5 * (p - y) ** 2 : Math.abs(p - y) - 0.5);

/** MMoE with a linear second tower trained with huber. */
function huberIR(): ModelIR {
  const ir = mmoeIR();
  ir.nodes = ir.nodes.map((n) => (n.kind === 'tower' && n.name === 't2' ? { ...n, output: 'linear' as const } : n));
  ir.tasks = ir.tasks.map((t) => (t.name === 't2' ? { ...t, loss: { ...t.loss, type: 'huber' } } : t));
  return ir;
}

const SPEC = `model m
features {
  categorical user hash 10 dim 2
}
labels {
  watch: real
}
input x = concat(user)
tower t = mlp(4) on x -> linear
task t = t loss huber(watch)
`;

describe('the huber loss', () => {
  it('passes mtl check, and a misspelling gets a did-you-mean', () => {
    expect(checkText(SPEC).diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const typo = checkText(SPEC.replace('huber(', 'hubr(')).diagnostics.find((d) => d.code === 'MTL3010');
    expect(typo?.hint).toContain("did you mean 'huber'?");
  });

  it('is offered by the editor after `loss`, with its docs', () => {
    const at = SPEC.indexOf('loss ') + 5;
    const before = SPEC.slice(0, at);
    const items = complete(before, { line: before.split('\n').length - 1, character: before.length - before.lastIndexOf('\n') - 1 }, undefined);
    const item = items.find((i) => i.label === 'huber');
    expect(item?.detail).toBe('huber(LABELEXPR)');
    expect(item?.documentation).toBe(huber.doc);
  });

  it('defaults to the regression metrics', () => {
    expect(metricPlan(huberIR()).filter((m) => m.output === 't2').map((m) => m.fn)).toEqual(['mse', 'mae']);
  });

  it('computes huber on tfjs, per example, and trains', () => {
    const p = [0.2, -3, 2.5, 1];
    const y = [0, 0, 1, 1];
    const got = tf.tidy(() => huber.tfjs(tf, { logits: [tf.tensor1d(p)], sigmoidHead: false }, tf.tensor1d(y)).dataSync());
    p.forEach((v, i) => expect(got[i]).toBeCloseTo(reference(v, y[i]!), 6));
    const rt = createModelRuntime(huberIR(), options({ directStep: false }));
    try {
      const batch = randomBatch(huberIR(), 32, 1);
      const first = rt.trainStep(batch).taskLosses['t2']!;
      for (let i = 0; i < 20; i++) rt.trainStep(batch);
      expect(rt.trainStep(batch).taskLosses['t2']!).toBeLessThan(first);
    } finally {
      rt.dispose();
    }
  });

  it('has a direct-step binding whose gradient matches finite differences, inside and outside δ, on linear and product heads', () => {
    const finite = (f: (z: number) => number, z: number): number => (f(z + 1e-3) - f(z - 1e-3)) / 2e-3;
    for (const [sigmoidHead, z] of [[false, [0.3]], [false, [2.7]], [false, [1.5, -1.9]], [true, [0.4, -0.2]]] as const) {
      for (const y of [0, 1]) {
        const at = (zs: readonly number[]) => taskLoss({ loss: 'huber', sigmoidHead, logits: zs.map((v) => Float32Array.of(v)), y: Float32Array.of(y), mask: Float32Array.of(1), weight: 1 }, 1);
        const got = at(z);
        if (!sigmoidHead && z.length === 1) expect(got.loss).toBeCloseTo(reference(z[0]!, y), 6);
        z.forEach((v, i) => {
          const numeric = finite((w) => at(z.map((u, j) => (j === i ? w : u))).loss, v);
          expect(Math.abs(got.dLogits[i]![0]! - numeric), `${z} y=${y} head ${i}`).toBeLessThan(2e-3 * Math.max(1, Math.abs(numeric)));
        });
      }
    }
    expect(typeof directLoss('huber')).toBe('function');
    expect(directLoss('focal')).toEqual({ unsupported: "the loss 'focal' is not registered" });
  });

  describe.skipIf(loadNativeBlas() === undefined)('on the native backend', () => {
    beforeAll(async () => {
      expect((await selectBackend('native')).name).toBe('native');
    });
    afterAll(async () => {
      await tf.setBackend('cpu');
    });
    it('trains on the direct step with the losses of the tfjs step', () => {
      const ir = huberIR();
      const opts = options({ optimizer: { optimizer: 'sgd', lr: 0.1 } });
      const direct = createModelRuntime(ir, { ...opts, directStep: true });
      const plain = createModelRuntime(ir, { ...opts, directStep: false });
      try {
        for (let s = 1; s <= 3; s++) {
          const batch = randomBatch(ir, 40, s);
          const a = direct.trainStep(batch);
          const b = plain.trainStep(batch);
          expect(direct.trainStepKind?.()).toEqual({ kind: 'direct' });
          expect(a.taskLosses['t2']).toBeCloseTo(b.taskLosses['t2']!, 4);
          expect(a.loss).toBeCloseTo(b.loss, 4);
        }
      } finally {
        direct.dispose();
        plain.dispose();
      }
    });
  });

  it('generates for PyTorch, and the generated Python computes the same values', async () => {
    const out = await fsp.mkdtemp(path.join(os.tmpdir(), 'mtl-huber-'));
    try {
      const r = await compileToPytorch(huberIR(), path.join(out, 'pkg'));
      expect(r.diagnostics).toEqual([]);
      const ops = await fsp.readFile(path.join(out, 'pkg', 'mtl_ops.py'), 'utf8');
      expect(ops).toContain('"huber": loss_huber');
      if (!torchPython) return; // the Python half needs torch (see test/targets/python-env.ts)
      const script = [
        'import json, sys, torch',
        `sys.path.insert(0, ${JSON.stringify(path.join(out, 'pkg'))})`,
        'import objective',
        `ir = json.load(open(${JSON.stringify(path.join(out, 'pkg', 'ir.json'))}))`,
        'o = objective.Objective(ir)',
        'task = [t for t in ir["tasks"] if t["name"] == "t2"][0]',
        'z = torch.tensor([0.2, -3.0, 2.5, 1.0], dtype=torch.float64)',
        'y = torch.tensor([0.0, 0.0, 1.0, 1.0], dtype=torch.float64)',
        'print(json.dumps(o.per_example(task, {"t2": z}, y).tolist()))',
      ].join('\n');
      const got = JSON.parse(runPython(['-c', script])) as number[];
      [0.2, -3, 2.5, 1].forEach((p, i) => expect(got[i]).toBeCloseTo(reference(p, [0, 0, 1, 1][i]!), 10));
    } finally {
      await fsp.rm(out, { recursive: true, force: true });
    }
  });
});
