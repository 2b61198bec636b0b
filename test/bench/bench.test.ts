import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { WORKLOADS, specText } from '../../bench/specs.js';
import { compileWorkload, syntheticBatches, workloadText, SPEC_DIR } from '../../bench/workload.js';
import { formatTable } from '../../bench/table.js';

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
        const [batch] = syntheticBatches(ir, 50, 64, 1);
        const r = runtime.trainStep(batch!);
        expect(Number.isFinite(r.loss)).toBe(true);
        expect(Object.keys(r.taskLosses).sort()).toEqual(w === 'esmm' ? ['ctcvr', 'ctr'] : ['t1', 't2']);
      } finally {
        runtime.dispose();
      }
    });
  }

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
