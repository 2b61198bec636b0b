/**
 * The builds `npm run bench -- --backend LIST` can measure in one run with the peer (issue: each build with its
 * own column of the README's table): the backend mtl selects, and the environment its worker process gets.
 *
 *   native          the addon as built by `npm ci` (OpenBLAS when libopenblas-dev was present, else built-in)
 *   native-builtin  the addon rebuilt with its built-in GEMM only (MTL_BLAS=builtin, into native/build-builtin/bench)
 *   wasm            no addon: tfjs's wasm backend with the direct step on the WebAssembly kernels (native/wasm),
 *                   their GEMMs on MTL_THREADS threads like the native builds' (src/exec/wasm-threads.ts; default 1)
 *   wasm-2threads   the same with MTL_THREADS=2 (one helper thread): whether helpers pay, against the same peer runs
 *   wasm-tfjs       no addon, no WebAssembly kernels: the tfjs graph on wasm (what a fresh machine had before)
 *   auto, cpu, tensorflow   as `mtl train --backend`
 */
import type { BackendName } from '../src/exec/backend.js';
import { buildBuiltinAddon } from '../test/exec/builtin-addon.js';


/** The names accepted by --backend. */
export const BUILD_NAMES = ['auto', 'native', 'native-builtin', 'wasm', 'wasm-2threads', 'wasm-tfjs', 'cpu', 'tensorflow'] as const;
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
  return name === 'native-builtin' ? 'native' : name === 'wasm-tfjs' || name === 'wasm-2threads' ? 'wasm' : name;
}

/** The backend and environment of a build (builds the built-in addon once for native-builtin). */
export function resolveBuild(name: BuildName): Build {
  switch (name) {
    case 'native-builtin':
      return { name, backend: buildBackend(name), env: { MTL_NATIVE_BLAS: builtinAddon() } };
    case 'wasm':
      return { name, backend: buildBackend(name), env: { MTL_NATIVE_BLAS: 'off' } };
    case 'wasm-2threads':
      return { name, backend: buildBackend(name), env: { MTL_NATIVE_BLAS: 'off', MTL_THREADS: '2' } };
    case 'wasm-tfjs':
      return { name, backend: buildBackend(name), env: { MTL_NATIVE_BLAS: 'off', MTL_WASM_KERNELS: 'off' } };
    default:
      return { name, backend: buildBackend(name), env: {} };
  }
}

let builtin: string | undefined;

/** native/build-builtin/bench/mtl_blas.node, built once per run by the tests' own builder (MTL_BLAS=builtin). */
function builtinAddon(): string {
  return (builtin ??= buildBuiltinAddon('bench'));
}
