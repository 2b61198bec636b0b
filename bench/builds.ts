/**
 * The builds `npm run bench -- --backend LIST` can measure in one run with the peer (issue: each build with its
 * own column of the README's table): the backend mtl selects, and the environment its worker process gets.
 *
 *   native          the addon as built by `npm ci` (OpenBLAS when libopenblas-dev was present, else built-in)
 *   native-builtin  the addon rebuilt with its built-in GEMM only (MTL_BLAS=builtin, into native/build-builtin/bench)
 *   native-other    the addon file named by MTL_BENCH_OTHER_ADDON (e.g. one built from an older commit with
 *                   MTL_NATIVE_OUT): a change's before and after against the same peer runs
 *   wasm            no addon: tfjs's wasm backend with the direct step on the WebAssembly kernels (native/wasm),
 *                   their GEMMs on MTL_THREADS threads like the native builds' (src/exec/thread-count.ts; default 2
 *                   on a ≥ 2-core machine: one helper thread, src/exec/wasm-threads.ts)
 *   wasm-1thread    the same with MTL_THREADS=1 (no helper): what one core does, against the same peer runs
 *   wasm-tfjs       no addon, no WebAssembly kernels: the tfjs graph on wasm (what a fresh machine had before)
 *   auto, cpu, tensorflow   as `mtl train --backend`
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import type { BackendName } from '../src/exec/backend.js';
import { buildBuiltinAddon } from '../test/exec/builtin-addon.js';


/** The names accepted by --backend. */
export const BUILD_NAMES = ['auto', 'native', 'native-builtin', 'native-other', 'wasm', 'wasm-1thread', 'wasm-tfjs', 'cpu', 'tensorflow'] as const;
/** One of {@link BUILD_NAMES}. */
export type BuildName = (typeof BUILD_NAMES)[number];

/** What a worker needs to run one build. */
export interface Build {
  name: BuildName;
  backend: BackendName;
  env: Record<string, string>;
}

/** Parse `--backend a,b,…`; throws with the accepted names on an unknown one. */
export function parseBuilds(list: string): BuildName[] {
  const names = list.split(',').map((s) => s.trim()).filter(Boolean);
  for (const n of names) if (!(BUILD_NAMES as readonly string[]).includes(n)) throw new Error(`--backend ${n}: expected one of ${BUILD_NAMES.join(', ')} (or a comma-separated list)`);
  return names as BuildName[];
}

/** The `mtl --backend` a build runs (without building anything). */
export function buildBackend(name: BuildName): BackendName {
  return name === 'native-builtin' || name === 'native-other' ? 'native' : name === 'wasm-tfjs' || name === 'wasm-1thread' ? 'wasm' : name;
}

/** The backend and environment of a build (builds the built-in addon once for native-builtin). */
export function resolveBuild(name: BuildName): Build {
  switch (name) {
    case 'native-builtin':
      return { name, backend: buildBackend(name), env: { MTL_NATIVE_BLAS: builtinAddon() } };
    case 'native-other':
      return { name, backend: buildBackend(name), env: { MTL_NATIVE_BLAS: otherAddon() } };
    case 'wasm':
      return { name, backend: buildBackend(name), env: { MTL_NATIVE_BLAS: 'off' } };
    case 'wasm-1thread':
      return { name, backend: buildBackend(name), env: { MTL_NATIVE_BLAS: 'off', MTL_THREADS: '1' } };
    case 'wasm-tfjs':
      return { name, backend: buildBackend(name), env: { MTL_NATIVE_BLAS: 'off', MTL_WASM_KERNELS: 'off' } };
    default:
      return { name, backend: buildBackend(name), env: {} };
  }
}

/** The addon file of the native-other build: MTL_BENCH_OTHER_ADDON, which must name an existing file. */
function otherAddon(): string {
  const file = process.env['MTL_BENCH_OTHER_ADDON'];
  if (!file || !existsSync(file)) throw new Error(`--backend native-other: set MTL_BENCH_OTHER_ADDON to an addon file (mtl_blas.node)${file ? `; ${file} does not exist` : ''}`);
  return path.resolve(file);
}

let builtin: string | undefined;

/** native/build-builtin/bench/mtl_blas.node, built once per run by the tests' own builder (MTL_BLAS=builtin). */
function builtinAddon(): string {
  return (builtin ??= buildBuiltinAddon('bench'));
}
