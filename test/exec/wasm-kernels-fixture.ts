/**
 * Which heap kernels the direct-step suites run on: the native addon's (default) or their WebAssembly build
 * (MTL_TEST_DIRECT_BACKEND=wasm, set by test/model/direct-step-wasm.test.ts before it imports them).
 */
import { existsSync, readFileSync } from 'node:fs';
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

/**
 * mtl_kernels.wasm (or `module`) on a fresh memory of `pages` 64 KiB pages, as src/exec/wasm-accel.ts runs it
 * on tfjs's heap but alone: pointers are byte addresses, the C stack ends at 1 MiB, and malloc is a bump
 * allocator from `arenaAt` (never freeing; `resetArena` starts it again).
 */
export function instantiateKernels<X>(pages: number, arenaAt: number, module?: WebAssembly.Module): { memory: WebAssembly.Memory; x: X & { __stack_pointer: WebAssembly.Global }; resetArena: () => void } {
  const memory = new WebAssembly.Memory({ initial: pages });
  let top = arenaAt;
  const wasm = module ?? new WebAssembly.Module(readFileSync(path.join(packageRoot(), WASM_KERNELS_FILE)));
  const instance = new WebAssembly.Instance(wasm, {
    env: {
      memory,
      malloc: (n: number) => {
        const p = top;
        top += (n + 15) & ~15;
        return p;
      },
      free: () => {},
    },
  });
  const x = instance.exports as unknown as X & { __stack_pointer: WebAssembly.Global };
  x.__stack_pointer.value = 1 << 20;
  return { memory, x, resetArena: () => (top = arenaAt) };
}
