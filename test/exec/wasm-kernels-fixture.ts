/**
 * Which heap kernels the direct-step suites run on: the native addon's (default) or their WebAssembly build
 * (MTL_TEST_DIRECT_BACKEND=wasm, set by test/model/direct-step-wasm.test.ts before it imports them).
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { packageRoot } from '../../src/util/package-root.js';
import { WASM_KERNELS_FILE } from '../../src/exec/wasm-accel.js';

/** `wasm` or `native`. */
export function directTestBackend(): 'wasm' | 'native' {
  return process.env['MTL_TEST_DIRECT_BACKEND'] === 'wasm' ? 'wasm' : 'native';
}

/** True when the committed WebAssembly kernels are present. */
export function wasmKernelsBuilt(): boolean {
  return existsSync(path.join(packageRoot(), WASM_KERNELS_FILE));
}
