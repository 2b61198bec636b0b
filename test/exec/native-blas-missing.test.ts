/**
 * `--backend native` without the OpenBLAS addon: MTL_NATIVE_BLAS=off makes this process behave as if the
 * addon were not built (vitest runs each file in its own process, so the cached load state is this file's).
 */
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { isMtlError } from '../../src/diagnostics/error.js';

process.env['MTL_NATIVE_BLAS'] = 'off';
const { selectBackend } = await import('../../src/exec/backend.js');
const { installNativeMatMul, nativeBlasError } = await import('../../src/exec/native-blas.js');

describe('the native backend without its addon', () => {
  it('is not installed, and says why', () => {
    expect(installNativeMatMul()).toBe(false);
    expect(nativeBlasError()).toMatch(/MTL_NATIVE_BLAS=off/);
  });

  it('selectBackend("native") fails with MTL5207 saying how to get it', async () => {
    let error: unknown;
    try {
      await selectBackend('native');
    } catch (e) {
      error = e;
    }
    expect(isMtlError(error)).toBe(true);
    if (!isMtlError(error)) return;
    expect(error.diagnostics[0]!.code).toBe('MTL5207');
    expect(error.message).toMatch(/OpenBLAS addon/);
    expect(error.diagnostics[0]!.hint).toMatch(/apt-get install -y libopenblas-dev/);
    expect(error.diagnostics[0]!.hint).toMatch(/npm run build:native/);
  });

  it('"auto" falls back to wasm (or cpu) and does not register a native backend', async () => {
    const s = await selectBackend('auto');
    expect(['wasm', 'cpu']).toContain(s.name);
    if (s.name === 'wasm') expect(s.note).toMatch(/^neither @tensorflow\/tfjs-node nor the native addon \(native\/\) is built; wasm with mtl's WebAssembly SIMD kernels/);
    expect(tf.engine().registryFactory['native']).toBeUndefined();
  });
});
