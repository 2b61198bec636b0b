/**
 * The op registry (src/ir/ops): every registered op has each piece it claims, the names are unique, the files
 * generated from it (native/mtl_ops.h, templates/mtl_ops.py) are fresh, and the editor offers nothing for a
 * loss, activation or optimiser position that `mtl check` rejects.
 */
import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { ACTIVATION_DEFS, ALL_OPS, LOSS_DEFS, OPTIMIZER_DEFS, isNotSupported } from '../../../src/ir/ops/index.js';
import { emitCHeader } from '../../../src/ir/ops/c-header.js';
import { emitOps } from '../../../src/targets/pytorch/emit-ops.js';
import { METRIC_FNS } from '../../../src/language/vocabulary.js';
import { complete } from '../../../src/lsp/completion.js';
import { checkText } from '../../../src/language/check.js';
import { BUILTIN_PLUGIN_FACTORIES } from '../../../src/plugins/builtin.js';
import { createDefaultRegistry } from '../../../src/plugins/load.js';
import { makeAnalysis } from '../../../src/lsp/analysis.js';

const root = path.resolve(import.meta.dirname, '../../..');

describe('the op registry', () => {
  it('names each op once per kind, with docs', () => {
    for (const kind of ['loss', 'activation', 'optimizer'] as const) {
      const names = ALL_OPS.filter((d) => d.kind === kind).map((d) => d.name);
      expect(new Set(names).size, kind).toBe(names.length);
    }
    for (const d of ALL_OPS) {
      expect(d.name, d.name).toMatch(/^[a-z][a-z0-9_]*$/);
      expect(d.summary.length, `${d.kind} ${d.name} summary`).toBeGreaterThan(5);
      expect(d.doc.length, `${d.kind} ${d.name} doc`).toBeGreaterThan(5);
    }
  });

  it('gives every loss its pieces: constraints, metrics, a tfjs implementation, a direct binding or a reason, a PyTorch emission or a reason', () => {
    for (const d of LOSS_DEFS) {
      expect(d.defaultMetrics.length, d.name).toBeGreaterThan(0);
      for (const m of d.defaultMetrics) expect(METRIC_FNS as readonly string[], `${d.name} metric ${m}`).toContain(m);
      expect(typeof d.tfjs, d.name).toBe('function');
      if (isNotSupported(d.direct)) expect(d.direct.unsupported.length, d.name).toBeGreaterThan(0);
      else expect(typeof d.direct, d.name).toBe('function');
      if (isNotSupported(d.pytorch)) expect(d.pytorch.unsupported.length).toBeGreaterThan(0);
      else expect(d.pytorch, d.name).toContain(`def loss_${d.name}(objective, head, logits, y):`);
      // The tfjs implementation runs and gives one finite value per example.
      const out = tf.tidy(() => d.tfjs(tf, { logits: [tf.tensor1d([0.3, -1.2])], sigmoidHead: !d.needsProbability ? false : true }, tf.tensor1d([1, 0])).dataSync());
      expect(Array.from(out).every(Number.isFinite), d.name).toBe(true);
      expect(out.length).toBe(2);
    }
  });

  it('gives every activation a tfjs identifier, distinct kernel codes (or a reason) and a PyTorch function', () => {
    const codes = ACTIVATION_DEFS.flatMap((d) => (isNotSupported(d.direct) ? [] : [d.direct.code]));
    expect(new Set(codes).size).toBe(codes.length);
    for (const d of ACTIVATION_DEFS) {
      expect(d.tfjs.length).toBeGreaterThan(0);
      expect(d.pytorch.length).toBeGreaterThan(0);
      if (!isNotSupported(d.direct)) expect(Number.isInteger(d.direct.code)).toBe(true);
    }
    for (const d of OPTIMIZER_DEFS) expect(d.pytorch, d.name).toMatch(/^torch\.optim\.\w+\(params, lr=lr/);
  });

  it('has fresh generated files (run npx tsx scripts/gen-ops.ts when this fails)', () => {
    expect(fs.readFileSync(path.join(root, 'native/mtl_ops.h'), 'utf8')).toBe(emitCHeader());
    expect(fs.readFileSync(path.join(root, 'src/targets/pytorch/templates/mtl_ops.py'), 'utf8')).toBe(emitOps());
  });

  it('native/mtl_step.c switches on the generated codes, not on numbers', () => {
    const c = fs.readFileSync(path.join(root, 'native/mtl_step.c'), 'utf8');
    expect(c).toContain('#include "mtl_ops.h"');
    expect(c).not.toMatch(/case [0-9]+:/);
    expect(c).not.toMatch(/act > [0-9]|kind [=>]=? [0-9]/);
  });

  it('has first-party gates that declare how the direct step and the PyTorch target compute them, or leave it out', () => {
    const plugins = BUILTIN_PLUGIN_FACTORIES.map((f) => f());
    const withDirect = plugins.filter((p) => p.direct).map((p) => p.name);
    expect(withDirect).toEqual(['softmax', 'noisy-topk', 'sigmoid']);
    expect(plugins.find((p) => p.name === 'noisy-topk')!.direct!({ k: 3, balance_weight: 0.1 }, 'gate_g')).toEqual({
      normalizer: 'topk',
      k: 3,
      temperature: 1,
      scale: 1,
      noise: true,
      weights: { kernel: 'gate_g_noisy_topk/gate_kernel', noise: 'gate_g_noisy_topk/noise_kernel' },
      auxLoss: { kind: 'importance', weight: 0.1 },
    });
    expect(plugins.find((p) => p.name === 'sigmoid')!.direct!({ scale: 2 })).toEqual({ normalizer: 'sigmoid', scale: 2, temperature: 1 });
    expect(plugins.find((p) => p.name === 'softmax')!.pytorch!({ temperature: 0.5 }, 'z')).toBe('torch.softmax(z / 0.5, dim=1)');
  });
});

/** A spec whose task line ends at `loss `, an activation after `mlp(8) `, an optimiser after `optimizer `. */
function spec(loss: string, activation: string, optimizer: string): string {
  return [
    'model m',
    'features {',
    '  categorical user hash 10 dim 2',
    '}',
    'labels {',
    '  y: real',
    '}',
    'input x = concat(user)',
    `tower t = mlp(4) ${activation} on x -> linear`,
    `task t = t loss ${loss}(y)`,
    'train {',
    `  optimizer ${optimizer}`,
    '}',
    '',
  ].join('\n');
}

describe('the editor offers only what mtl check accepts', () => {
  const offered = (text: string, marker: string, withAnalysis = false): string[] => {
    const at = text.indexOf(marker) + marker.length;
    const before = text.slice(0, at);
    const line = before.split('\n').length - 1;
    const character = before.length - before.lastIndexOf('\n') - 1;
    const analysis = withAnalysis ? makeAnalysis('file:///m.mtl', 1, text, checkText(text).ir, [], createDefaultRegistry()) : undefined;
    return complete(text.slice(0, at) + text.slice(at).replace(/^[\w-]+/, ''), { line, character }, analysis).map((i) => i.label);
  };
  const errors = (text: string) => checkText(text).diagnostics.filter((d) => d.severity === 'error');

  it('accepts the base spec', () => {
    expect(errors(spec('mse', 'relu', 'adam'))).toEqual([]);
  });

  it('every loss offered after `loss` passes check on a head that fits it', () => {
    const losses = offered(spec('mse', 'relu', 'adam'), 't loss ');
    expect(losses.sort()).toEqual(LOSS_DEFS.map((d) => d.name).sort());
    for (const loss of losses) {
      const def = LOSS_DEFS.find((d) => d.name === loss)!;
      // A loss that needs a probability gets a sigmoid tower and a binary label.
      let text = spec(loss, 'relu', 'adam');
      if (def.needsProbability) text = text.replace('-> linear', '-> sigmoid');
      if (def.binaryLabel) text = text.replace('y: real', 'y: binary');
      expect(errors(text), loss).toEqual([]);
    }
  });

  it('every activation offered after mlp(...) and every optimiser after `optimizer` passes check', () => {
    const activations = offered(spec('mse', 'relu', 'adam'), 'mlp(4) ').filter((w) => ACTIVATION_DEFS.some((d) => d.name === w));
    expect(activations.sort()).toEqual(ACTIVATION_DEFS.map((d) => d.name).sort());
    for (const a of activations) expect(errors(spec('mse', a, 'adam')), a).toEqual([]);
    const optimizers = offered(spec('mse', 'relu', 'adam'), 'optimizer ');
    expect(optimizers.sort()).toEqual(OPTIMIZER_DEFS.map((d) => d.name).sort());
    for (const o of optimizers) expect(errors(spec('mse', 'relu', o)), o).toEqual([]);
  });

  it('every gate type offered after `gate g =` passes check', () => {
    const text = spec('mse', 'relu', 'adam').replace('input x = concat(user)', 'input x = concat(user)\nexperts e[2] = mlp(4) on x\ngate g = softmax over e on x').replace('on x -> linear', 'on g -> linear');
    expect(errors(text)).toEqual([]);
    const types = offered(text, 'gate g = ', true);
    expect(types).toContain('sigmoid');
    expect(types.length).toBeGreaterThan(0);
    for (const type of types) expect(errors(text.replace('gate g = softmax', `gate g = ${type}`)), type).toEqual([]);
  });
});

describe('the docs', () => {
  it('docs/language.md has a fresh op reference (run npm run docs)', async () => {
    const { OPS_END, OPS_START, renderOpsReference } = await import('../../../src/ir/ops/reference.js');
    const { replaceBetween } = await import('../../../src/cli/reference.js');
    const text = fs.readFileSync(path.join(root, 'docs/language.md'), 'utf8');
    expect(replaceBetween(text, OPS_START, OPS_END, renderOpsReference())).toBe(text);
    for (const d of ALL_OPS) expect(text, d.name).toContain(`| \`${d.name}\` |`);
  });
});
