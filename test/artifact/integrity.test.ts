/**
 * Integrity of model directories and checkpoints (src/artifact/manifest.ts, artifact.ts, checkpoint.ts):
 * every file is checked against mtl-artifact.json on load, NaN/Inf weights are refused at save and load,
 * and a checkpoint's index checksums itself.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { loadArtifact, writeArtifact } from '../../src/artifact/artifact.js';
import { readCheckpoint, writeCheckpoint } from '../../src/artifact/checkpoint.js';
import { isMtlError } from '../../src/diagnostics/error.js';
import { lockOutput } from '../../src/util/dir-lock.js';
import type { Diagnostic } from '../../src/diagnostics/types.js';
import { FAKE_METRICS as METRICS, FakeRuntime, fakeIr, fakeState } from '../train/train-fakes.js';

let root: string;
beforeEach(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'mtl-integrity-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

/** Write a model directory `name` from a fresh fake runtime (weights from `seed`), with `rows` in its preprocess state. */
async function model(name: string, rows = 5, seed = 3): Promise<string> {
  const rt = new FakeRuntime(fakeIr(), 0.5, seed);
  const m = rt.exportModel();
  const dir = path.join(root, name);
  await writeArtifact(dir, { model: m, ir: fakeIr(), preprocess: fakeState(rows), metrics: METRICS });
  m.dispose();
  return dir;
}

/** The code and message of what `p` rejects with. */
async function failure(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  if (!isMtlError(e)) throw new Error(`expected an MtlError, got ${String(e)}`);
  return { code: e.diagnostics[0]!.code, message: e.message };
}

describe('model directory manifest', () => {
  it('lists every file with its SHA-256 and the IR hash', async () => {
    const dir = await model('m');
    const manifest = JSON.parse(readFileSync(path.join(dir, 'mtl-artifact.json'), 'utf8')) as { kind: string; irHash: string; files: Record<string, string> };
    expect(manifest.kind).toBe('model');
    expect(manifest.irHash).toMatch(/^[0-9a-f]{64}$/);
    expect(Object.keys(manifest.files).sort()).toEqual(readdirSync(dir).filter((f) => f !== 'mtl-artifact.json').sort());
  });

  it('a flipped byte in weights.bin fails verification naming the file', async () => {
    const dir = await model('m');
    const w = readFileSync(path.join(dir, 'weights.bin'));
    w[5] = w[5]! ^ 0x01;
    writeFileSync(path.join(dir, 'weights.bin'), w);
    const f = await failure(loadArtifact(dir));
    expect(f.code).toBe('MTL5336');
    expect(f.message).toContain(`The file '${path.join(dir, 'weights.bin')}' fails verification: its SHA-256 differs`);
  });

  it('a preprocess.json copied from another run fails verification naming it', async () => {
    const a = await model('a', 5);
    const b = await model('b', 9);
    writeFileSync(path.join(a, 'preprocess.json'), readFileSync(path.join(b, 'preprocess.json')));
    const f = await failure(loadArtifact(a));
    expect(f.code).toBe('MTL5336');
    expect(f.message).toContain(path.join(a, 'preprocess.json'));
  });

  it('a renamed output in model.json is a located MTL error, not a crash', async () => {
    const dir = await model('m');
    const file = path.join(dir, 'model.json');
    writeFileSync(file, readFileSync(file, 'utf8').replaceAll('"ctcvr"', '"renamed"'));
    const f = await failure(loadArtifact(dir));
    expect(f.code).toBe('MTL5336');
    expect(f.message).toContain(file);
  });

  it('a directory without a manifest loads with warning MTL5337', async () => {
    const dir = await model('m');
    rmSync(path.join(dir, 'mtl-artifact.json'));
    const warnings: Diagnostic[] = [];
    const art = await loadArtifact(dir, { onWarning: (d) => warnings.push(d) });
    art.model.dispose();
    expect(warnings.map((d) => d.code)).toEqual(['MTL5337']);
    expect(warnings[0]!.message).toContain(`The model directory '${dir}' has no mtl-artifact.json`);
  });
});

describe('a swap cut between its renames', () => {
  it('is undone by a reader when its writer is dead, and left alone while a live writer holds the lock', async () => {
    const dir = await model('m');
    renameSync(dir, path.join(root, '.old-m'));
    const lock = await lockOutput(dir, 'mtl train (between renames)');
    expect((await failure(loadArtifact(dir))).code).toBe('MTL5303');
    expect(existsSync(path.join(root, '.old-m'))).toBe(true);
    await lock.release();
    const art = await loadArtifact(dir);
    art.model.dispose();
    expect(readdirSync(root)).toEqual(['m']);
  });
});

describe('non-finite weights', () => {
  it('are refused at save, naming the weight, and nothing is written', async () => {
    const rt = new FakeRuntime(fakeIr(), 0.5, 3);
    const m = rt.exportModel();
    const w = m.weights[0]!;
    const values = w.read().dataSync().slice();
    values[1] = NaN;
    w.write(tf.tensor(values, w.shape));
    const dir = path.join(root, 'nan');
    const f = await failure(writeArtifact(dir, { model: m, ir: fakeIr(), preprocess: fakeState(), metrics: METRICS }));
    m.dispose();
    expect(f.code).toBe('MTL5338');
    expect(f.message).toMatch(/The weight '.+' of the trained model is NaN \(element 1\)/);
    expect(existsSync(dir)).toBe(false);
    expect(readdirSync(root)).toEqual([]);
  });

  it('are refused at load (a directory without a manifest, so the hash check does not catch it first)', async () => {
    const dir = await model('m');
    rmSync(path.join(dir, 'mtl-artifact.json'));
    const w = readFileSync(path.join(dir, 'weights.bin'));
    w.writeFloatLE(Infinity, 0);
    writeFileSync(path.join(dir, 'weights.bin'), w);
    const f = await failure(loadArtifact(dir));
    expect(f.code).toBe('MTL5338');
    expect(f.message).toContain(`in '${path.join(dir, 'weights.bin')}' is Infinity (element 0)`);
  });
});

describe('checkpoint index checksum', () => {
  const cp = { irHash: 'abc', info: { epoch: 1, note: 'x' }, states: { current: { tensors: { w: { shape: [2], data: Float32Array.from([1, 2]) } }, meta: { rng: 3 } } } };

  it('removing or changing a field of index.json is a corrupt checkpoint naming index.json', async () => {
    const dir = path.join(root, 'ck');
    await writeCheckpoint(dir, cp);
    const file = path.join(dir, 'index.json');
    const index = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    for (const edit of [(i: Record<string, unknown>) => delete i.info, (i: Record<string, unknown>) => (i.meta = { current: { rng: 4 } }), (i: Record<string, unknown>) => delete i.indexSha256]) {
      const changed = JSON.parse(JSON.stringify(index)) as Record<string, unknown>;
      edit(changed);
      writeFileSync(file, JSON.stringify(changed));
      const f = await failure(readCheckpoint(dir));
      expect(f.code).toBe('MTL5302');
      expect(f.message).toContain(`The checkpoint file '${file}' is corrupt: its own checksum (indexSha256) does not match its content`);
    }
    writeFileSync(file, JSON.stringify(index));
    expect((await readCheckpoint<{ epoch: number }>(dir))!.info.epoch).toBe(1);
  });
});
