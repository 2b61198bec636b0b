/**
 * Build the addon with its built-in GEMM (MTL_BLAS=builtin, no OpenBLAS) into native/build-builtin/<name>/
 * (ignored by git; one folder per test file, so files running in parallel never share one), for the tests
 * that hold the built-in GEMM to a float64 reference, to OpenBLAS and the direct step to the tfjs step.
 * Needs a C compiler and Node's headers: without them the result says why, and the tests skip with it.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Why the built-in addon cannot be built here (no C compiler, no Node headers), or undefined when it can. */
export function builtinAddonUnbuildable(): string | undefined {
  const cc = process.env['CC'] || 'cc';
  if (spawnSync(cc, ['--version'], { stdio: 'ignore' }).status !== 0) return `no C compiler (${cc})`;
  const headers = path.resolve(path.dirname(process.execPath), '..', 'include', 'node', 'node_api.h');
  if (!existsSync(headers)) return `no Node headers (${headers})`;
  return undefined;
}

/**
 * Build native/build-builtin/<name>/mtl_blas.node with scripts/build-native.mjs (one `cc` call, a few seconds
 * to a minute on 2 busy cores) and return its path; throws with the build's log when it does not build.
 */
export function buildBuiltinAddon(name: string): string {
  const out = path.join(root, 'native', 'build-builtin', name);
  const r = spawnSync(process.execPath, [path.join(root, 'scripts', 'build-native.mjs')], {
    env: { ...process.env, MTL_BLAS: 'builtin', MTL_NATIVE_OUT: out, MTL_SKIP_NATIVE: '' },
    encoding: 'utf8',
    timeout: 300_000,
  });
  const file = path.join(out, 'mtl_blas.node');
  const log = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  if (!/built-in GEMM/.test(log) || !existsSync(file)) throw new Error(`the built-in addon did not build: ${log}`);
  return file;
}
