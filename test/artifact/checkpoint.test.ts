import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, promises as fsp, readdirSync, rmSync, writeFileSync, mkdirSync, renameSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readCheckpoint, writeCheckpoint, type Checkpoint } from '../../src/artifact/checkpoint.js';
import { isMtlError } from '../../src/diagnostics/error.js';
import { writeFileAtomic } from '../../src/util/fs-atomic.js';

let root: string;
beforeEach(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'mtl-ckpt-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

function cp(v: number): Checkpoint<{ epoch: number }> {
  return {
    irHash: 'abc',
    info: { epoch: v },
    states: {
      current: { tensors: { w: { shape: [2, 2], data: Float32Array.from([v, 2, 3, 4]) }, b: { shape: [1], data: Float32Array.from([-v]) } }, meta: { rng: 7 * v } },
      best: { tensors: { w: { shape: [2, 2], data: Float32Array.from([0, 0, 0, v]) } }, meta: {} },
    },
  };
}

describe('checkpoints', () => {
  it('round-trips states, meta and info', async () => {
    const dir = path.join(root, 'out', 'checkpoint');
    await writeCheckpoint(dir, cp(1));
    const back = await readCheckpoint<{ epoch: number }>(dir);
    expect(back).toEqual(cp(1));
    expect(readdirSync(path.join(root, 'out'))).toEqual(['checkpoint']);
  });

  it('returns undefined when there is none', async () => {
    expect(await readCheckpoint(path.join(root, 'nothing', 'checkpoint'))).toBeUndefined();
  });

  it('keeps the previous checkpoint when a write crashes before publishing', async () => {
    const dir = path.join(root, 'checkpoint');
    await writeCheckpoint(dir, cp(1));
    const crash = new Error('simulated crash');
    await expect(
      writeCheckpoint(dir, cp(2), {
        beforePublish: async (tmp) => {
          // The new files are complete in the temporary directory, but nothing is published yet.
          expect(readdirSync(tmp).sort()).toEqual(['index.json', 'tensors.bin']);
          throw crash;
        },
      }),
    ).rejects.toBe(crash);
    expect((await readCheckpoint<{ epoch: number }>(dir))!.info.epoch).toBe(1);
    expect(readdirSync(root)).toEqual(['checkpoint']);
  });

  it('ignores and cleans leftovers of a process killed mid-write', async () => {
    const dir = path.join(root, 'checkpoint');
    await writeCheckpoint(dir, cp(1));
    // A killed writer leaves a half-written temporary directory beside the checkpoint.
    const stale = path.join(root, '.tmp-checkpoint-999-deadbeef');
    mkdirSync(stale);
    writeFileSync(path.join(stale, 'tensors.bin'), Buffer.alloc(3));
    expect((await readCheckpoint<{ epoch: number }>(dir))!.info.epoch).toBe(1);
    await writeCheckpoint(dir, cp(2));
    expect((await readCheckpoint<{ epoch: number }>(dir))!.info.epoch).toBe(2);
    expect(readdirSync(root)).toEqual(['checkpoint']);
  });

  it('recovers from a crash between the two renames of the swap', async () => {
    const dir = path.join(root, 'checkpoint');
    await writeCheckpoint(dir, cp(1));
    renameSync(dir, path.join(root, '.old-checkpoint'));
    expect((await readCheckpoint<{ epoch: number }>(dir))!.info.epoch).toBe(1);
  });

  it('reports a truncated or altered tensor file as MTL5302', async () => {
    const dir = path.join(root, 'checkpoint');
    await writeCheckpoint(dir, cp(1));
    const bin = path.join(dir, 'tensors.bin');
    const bytes = await fsp.readFile(bin);
    await fsp.writeFile(bin, bytes.subarray(0, 8));
    const e1 = await readCheckpoint(dir).catch((e: unknown) => e);
    expect(isMtlError(e1) && e1.diagnostics[0]!.code).toBe('MTL5302');
    expect((e1 as Error).message).toContain('tensors.bin');
    bytes[0] = bytes[0]! ^ 0xff;
    await fsp.writeFile(bin, bytes);
    const e2 = await readCheckpoint(dir).catch((e: unknown) => e);
    expect(isMtlError(e2) && e2.diagnostics[0]!.message).toContain('checksum');
    await fsp.writeFile(path.join(dir, 'index.json'), '{"format": ');
    const e3 = await readCheckpoint(dir).catch((e: unknown) => e);
    expect(isMtlError(e3) && e3.diagnostics[0]!.message).toContain('index.json');
  });

  it('writes single files atomically', async () => {
    const f = path.join(root, 'a.txt');
    await writeFileAtomic(f, 'one');
    await writeFileAtomic(f, 'two');
    expect(await fsp.readFile(f, 'utf8')).toBe('two');
    expect(readdirSync(root)).toEqual(['a.txt']);
  });
});
