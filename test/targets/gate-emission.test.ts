/**
 * The PyTorch target emits a gate through its plugin's `pytorch` member: the generated model.py calls
 * `logits_gate` with the plugin's expression, and that expression computes the weights the tfjs gate does.
 */
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import softmax from '../../plugins/softmax/index.js';
import sigmoid from '../../plugins/sigmoid/index.js';
import { generatePytorchPackage } from '../../src/targets/pytorch/index.js';
import { mmoeIR } from '../model/fixtures.js';
import { runPython, torchPython } from './python-env.js';

const LOGITS = [[0.3, -1.2, 2.0], [-0.4, 0.0, 1.1]];

describe('gate emission for PyTorch', () => {
  it('generates a sigmoid gate (scale, temperature) through the plugin', async () => {
    const ir = mmoeIR();
    ir.nodes = ir.nodes.map((n) => (n.kind === 'gate' && n.name === 'g2' ? { ...n, type: 'sigmoid', params: { scale: 2, temperature: 0.5 } } : n));
    const r = await generatePytorchPackage(ir);
    expect(r.diagnostics).toEqual([]);
    const model = r.value!.get('model.py')!;
    expect(model).toContain('lambda logits: 2.0 * torch.sigmoid(logits / 0.5)');
    expect(model).toContain('lambda logits: torch.softmax(logits / 1.0, dim=1)');
  });

  it.skipIf(!torchPython)('evaluates to the weights of the tfjs formula', () => {
    const cases = [
      { expr: sigmoid().pytorch!({ scale: 2, temperature: 0.5 }, 'logits') as string, want: LOGITS.map((r) => r.map((z) => 2 / (1 + Math.exp(-z / 0.5)))) },
      { expr: softmax().pytorch!({ temperature: 0.7 }, 'logits') as string, want: tf.tidy(() => tf.softmax(tf.div(tf.tensor2d(LOGITS), 0.7)).arraySync() as number[][]) },
    ];
    for (const c of cases) {
      const out = JSON.parse(runPython(['-c', `import json, torch\nlogits = torch.tensor(${JSON.stringify(LOGITS)}, dtype=torch.float64)\nprint(json.dumps((${c.expr}).tolist()))`])) as number[][];
      out.forEach((row, i) => row.forEach((v, j) => expect(v, c.expr).toBeCloseTo(c.want[i]![j]!, 5)));
    }
  });
});
