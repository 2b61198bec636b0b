#!/usr/bin/env node
/**
 * Build the optional matMul addon (native/*.c → native/build/Release/mtl_blas.node). Run from `prepare`, so
 * `npm ci` builds it on a fresh clone. It NEVER fails the install: without a C compiler or node-gyp it prints
 * one warning and mtl falls back to the wasm backend. Set MTL_SKIP_NATIVE=1 to skip it.
 *
 * Which GEMM (native/mtl_gemm.c): with OpenBLAS's cblas.h and libopenblas (Debian: libopenblas-dev) the addon's
 * GEMM is OpenBLAS; without them it is mtl's built-in GEMM, which needs only a C compiler and Node's headers.
 * MTL_BLAS=builtin forces the built-in GEMM (MTL_BLAS=openblas: OpenBLAS or nothing), so CI can test both.
 * MTL_NATIVE_OUT=DIR (or --out DIR) writes DIR/mtl_blas.node instead, with one direct `cc` call, leaving
 * native/build alone (test/exec/native-gemm.test.ts builds native/build-builtin this way).
 *
 * Order: node-gyp (npm's bundled copy, or $npm_config_node_gyp) with --nodedir pointing at the running
 * Node's own headers when they are installed (no download: CI has no internet); if that fails, one direct
 * `cc` call with the same flags (node-gyp needs python3 and make, which a slim image may lack).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const nativeDir = path.join(root, 'native');
const outArg = process.argv.indexOf('--out');
const outDir = outArg > 0 ? process.argv[outArg + 1] : process.env.MTL_NATIVE_OUT || undefined;
const output = outDir ? path.resolve(outDir, 'mtl_blas.node') : path.join(nativeDir, 'build', 'Release', 'mtl_blas.node');
const quiet = process.argv.includes('--quiet');
const sources = ['mtl_blas.c', 'mtl_blas_math.c', 'mtl_blas_optim.c', 'mtl_blas_parallel.c', 'mtl_blas_pool.c', 'mtl_blas_simd.c', 'mtl_blas_simd_avx2.c', 'mtl_blas_simd_avx512.c', 'mtl_step.c', 'mtl_step_math.c', 'mtl_gemm.c'];
const openblasIncludes = ['-I/usr/include/x86_64-linux-gnu/openblas-pthread', '-I/usr/include/openblas'];

function log(msg) {
  process.stderr.write(`mtl native: ${msg}\n`);
}

/** The prefix whose include/node holds the running Node's headers (Debian's /usr, a tarball's prefix). */
function nodeDir() {
  const prefix = path.resolve(path.dirname(process.execPath), '..');
  return existsSync(path.join(prefix, 'include', 'node', 'node_api.h')) ? prefix : undefined;
}

/** node-gyp's entry script: npm's own copy (npm sets npm_config_node_gyp in lifecycle scripts), else beside npm. */
function nodeGyp() {
  const candidates = [
    process.env.npm_config_node_gyp,
    path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
    path.join(root, 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  ];
  return candidates.find((c) => c !== undefined && c !== '' && existsSync(c));
}

function run(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: nativeDir, encoding: 'utf8', stdio: quiet ? 'pipe' : ['ignore', 'pipe', 'pipe'] });
  return { ok: r.status === 0, out: `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? String(r.error) : ''} (${cmd} exit status ${r.status})` };
}

function viaNodeGyp(blas) {
  if (outDir) return { ok: false, out: 'node-gyp only builds native/build (MTL_NATIVE_OUT is set)' };
  const gyp = nodeGyp();
  if (!gyp) return { ok: false, out: 'node-gyp not found' };
  const dir = nodeDir();
  const args = [gyp, 'rebuild', ...(dir ? [`--nodedir=${dir}`] : []), '--', `-Dmtl_blas=${blas}`];
  return run(process.execPath, args);
}

function viaCc(blas) {
  const dir = nodeDir();
  if (!dir) return { ok: false, out: 'no Node headers (include/node/node_api.h) beside this node' };
  mkdirSync(path.dirname(output), { recursive: true });
  const openblas = blas === 'openblas';
  return run(process.env.CC || 'cc', [
    '-O2', '-std=c11', '-fno-math-errno', '-pthread', '-shared', '-fPIC', '-DNODE_GYP_MODULE_NAME=mtl_blas',
    `-I${path.join(dir, 'include', 'node')}`,
    ...(openblas ? ['-DMTL_USE_OPENBLAS', ...openblasIncludes] : []),
    ...sources, '-o', output, ...(openblas ? ['-lopenblas'] : []), '-lpthread', '-lm',
  ]);
}

/** Whether OpenBLAS's cblas.h and libopenblas are there: preprocess and link a two-line program. */
function hasOpenBlas() {
  const probe = path.join(path.dirname(output), `openblas-probe-${process.pid}`);
  mkdirSync(path.dirname(probe), { recursive: true });
  const r = spawnSync(process.env.CC || 'cc', ['-x', 'c', '-', ...openblasIncludes, '-o', probe, '-lopenblas'], {
    input: '#include <cblas.h>\nint main(void) { return openblas_get_num_threads() < 0; }\n',
    encoding: 'utf8',
  });
  rmSync(probe, { force: true });
  return r.status === 0;
}

/** Load the built addon in a child process: a build that links but cannot load counts as failed. */
function loads() {
  const r = spawnSync(process.execPath, ['-e', `const b=require(${JSON.stringify(output)});process.stdout.write(b.config())`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout : undefined;
}

function main() {
  if (process.env.MTL_SKIP_NATIVE === '1') return log('skipped (MTL_SKIP_NATIVE=1)');
  const want = (process.env.MTL_BLAS || 'auto').toLowerCase();
  if (!['auto', 'openblas', 'builtin'].includes(want)) return log(`WARNING: MTL_BLAS=${want} is not auto, openblas or builtin; nothing built`);
  const openblas = want !== 'builtin' && hasOpenBlas();
  const why = want === 'builtin' ? 'MTL_BLAS=builtin' : openblas ? 'OpenBLAS found' : 'OpenBLAS (cblas.h, libopenblas) not found';
  const variants = openblas ? ['openblas', ...(want === 'auto' ? ['builtin'] : [])] : want === 'openblas' ? [] : ['builtin'];
  const attempts = want === 'openblas' && !openblas ? ['OpenBLAS (cblas.h, libopenblas) not found and MTL_BLAS=openblas'] : [];
  for (const blas of variants) {
    for (const [name, build] of [['node-gyp', viaNodeGyp], ['cc', viaCc]]) {
      const r = build(blas);
      const config = r.ok ? loads() : undefined;
      if (config !== undefined) return log(`built ${path.relative(root, output)} with ${name} (${blas === 'openblas' ? 'OpenBLAS' : 'built-in'} GEMM, ${why}): ${config}`);
      attempts.push(`${blas} via ${name}: ${r.ok ? 'built but does not load' : r.out.trim().split('\n').slice(-4).join(' | ')}`);
    }
  }
  log(`WARNING: the matMul addon was not built; --backend native is unavailable and mtl uses wasm.\n` +
    `  To get it: a C compiler (apt-get install -y gcc; libopenblas-dev for OpenBLAS's GEMM), then npm run build:native.\n  ` +
    attempts.join('\n  '));
}

try {
  main();
} catch (e) {
  log(`WARNING: native build skipped: ${e instanceof Error ? e.message : String(e)}`);
}
process.exitCode = 0;
