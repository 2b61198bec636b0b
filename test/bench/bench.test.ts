import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { WORKLOADS, specText } from '../../bench/specs.js';
import { compileWorkload, syntheticBatches, workloadOptimizer, workloadText, SPEC_DIR } from '../../bench/workload.js';
import { formatTable } from '../../bench/table.js';
import { createModelRuntime } from '../../src/model/index.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Dense multiply-adds per sample of each workload, by hand from BENCHMARKS.md (d = 26·16 + 13 = 429). */
const MACS: Record<string, number> = {
  // 8 experts 429→256→128, 2 gates 429→8, 2 towers 128→64→1
  mmoe: 8 * (429 * 256 + 256 * 128) + 2 * 429 * 8 + 2 * (128 * 64 + 64),
  // 2 towers 429→360→200→80→1
  esmm: 2 * (429 * 360 + 360 * 200 + 200 * 80 + 80),
  // level 1: 6 experts 429→128→64, gates 429→4 (×2) and 429→6; level 2: 6 experts 64→128→64, gates 64→4 (×2); towers 64→64→1
  ple: 6 * (429 * 128 + 128 * 64) + 2 * 429 * 4 + 429 * 6 + 6 * (64 * 128 + 128 * 64) + 2 * 64 * 4 + 2 * (64 * 64 + 64),
};

describe('bench workloads', () => {
  it('bench/specs/*.mtl are the generated texts (V = 1e5)', () => {
    for (const w of WORKLOADS) expect(fs.readFileSync(path.join(SPEC_DIR, `${w}.mtl`), 'utf8')).toBe(specText(w, 100_000));
  });

  it('substitutes the vocabulary size in every categorical feature', () => {
    const text = workloadText('mmoe', 1_000_000);
    expect(text.match(/hash 1000000 dim 16/g)).toHaveLength(26);
    expect(text).not.toMatch(/hash 100000 /);
  });

  for (const w of WORKLOADS) {
    it(`${w}: compiles through checkFile with the BENCHMARKS.md architecture and trains on synthetic batches`, async () => {
      const { ir, runtime } = await compileWorkload(w, 50);
      try {
        expect(ir.features.filter((f) => f.kind === 'categorical')).toHaveLength(26);
        expect(ir.features.filter((f) => f.kind === 'numeric')).toHaveLength(13);
        let macs = 0;
        for (const [k, t] of Object.entries(runtime.getState().tensors)) if (k.startsWith('dense/') && k.endsWith('/kernel')) macs += t.data.length;
        expect(macs).toBe(MACS[w]);
        // the tables' rule is the spec's (the peer's SparseAdam), not the dense-equivalent default of `optimizer adam`
        expect(workloadOptimizer(ir, `${w}.mtl`).recipe?.embeddingOptimizer).toBe('lazy_adam');
        const [batch] = syntheticBatches(ir, 50, 64, 1);
        const r = runtime.trainStep(batch!);
        expect(Number.isFinite(r.loss)).toBe(true);
        expect(Object.keys(r.taskLosses).sort()).toEqual(w === 'esmm' ? ['ctcvr', 'ctr'] : ['t1', 't2']);
      } finally {
        runtime.dispose();
      }
    });
  }

  it('trains its tables with the spec\'s embedding_optimizer (lazy Adam, as the peer), as `mtl train` would', async () => {
    // A row read at updates 1 and 3 only: lazy Adam skips update 2 for it, the dense-equivalent rule catches it up.
    const { ir, runtime } = await compileWorkload('esmm', 50);
    const [base] = syntheticBatches(ir, 50, 64, 1);
    const withC1 = (id: number) => ({ ...base!, features: { ...base!.features, c1: { kind: 'ids' as const, rows: new Int32Array(64).fill(id) } } });
    const rowZeroAfterThreeSteps = (rt: typeof runtime): Float32Array => {
      for (const id of [0, 1, 0]) rt.trainStep(withC1(id));
      const table = rt.getState().tensors['embedding/c1']!;
      return table.data.slice(0, 16);
    };
    const reference = (rule: 'lazy_adam' | 'adam') =>
      createModelRuntime(ir, { gates: () => undefined, seed: 42, optimizer: { ...workloadOptimizer(ir, 'esmm.mtl'), recipe: { ...workloadOptimizer(ir, 'esmm.mtl').recipe!, embeddingOptimizer: rule } } });
    const lazy = reference('lazy_adam');
    const dense = reference('adam');
    try {
      const got = rowZeroAfterThreeSteps(runtime);
      expect(got).toEqual(rowZeroAfterThreeSteps(lazy));
      expect(got).not.toEqual(rowZeroAfterThreeSteps(dense));
    } finally {
      [runtime, lazy, dense].forEach((r) => r.dispose());
    }
  });

  it('synthetic batches follow the peer: ids in [0, V), y2 ≤ y1', () => {
    const ir = { features: [{ kind: 'categorical', name: 'c1' }, { kind: 'numeric', name: 'n1' }] } as never;
    const [b] = syntheticBatches(ir, 7, 500, 1);
    const ids = b!.features['c1'] as { kind: 'ids'; rows: Int32Array };
    expect(Math.min(...ids.rows)).toBe(0);
    expect(Math.max(...ids.rows)).toBe(6);
    b!.labels['y2']!.forEach((v, i) => expect(v).toBeLessThanOrEqual(b!.labels['y1']![i]!));
  });

  it('formats the table with medians, the best peer and the ratio', () => {
    const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
    const table = formatTable(
      [
        {
          workload: 'mmoe',
          vocab: 100_000,
          build: 'wasm',
          flopsPerSample: 1e6,
          mtl: [900, 1000, 1100],
          peerDense: [{ samplesPerSecond: 300, peakRssMb: 10 }],
          peerSparse: [{ samplesPerSecond: 500, peakRssMb: 20 }],
          naive: { samplesPerSecond: null, error: 'no kernel', frozenSamplesPerSecond: 50 },
        },
      ],
      median,
    );
    const row = table.split('\n')[2]!;
    expect(row).toContain('| mmoe | 1e5 | wasm | 1,000 | 500 (sparse) | 2.00 | 3.0 | 1.5 | fails¹ (frozen emb.: 50) |');
    expect(table).toContain('¹ naive tfjs-layers model with trainable embeddings: no kernel');
  });
});
