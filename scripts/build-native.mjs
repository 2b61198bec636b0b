#!/usr/bin/env node
/**
 * Build the optional OpenBLAS matMul addon (native/mtl_blas.c → native/build/Release/mtl_blas.node).
 * Run from `prepare`, so `npm ci` builds it on a fresh clone. It NEVER fails the install: without a C
 * compiler, OpenBLAS headers (Debian: `apt-get install libopenblas-dev`) or node-gyp, it prints one warning
 * and mtl falls back to the wasm backend. Set MTL_SKIP_NATIVE=1 to skip it.
 *
 * Order: node-gyp (npm's bundled copy, or $npm_config_node_gyp) with --nodedir pointing at the running
 * Node's own headers when they are installed (no download: CI has no internet); if that fails, one direct
 * `cc` call with the same flags (node-gyp needs python3 and make, which a slim image may lack).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const nativeDir = path.join(root, 'native');
const output = path.join(nativeDir, 'build', 'Release', 'mtl_blas.node');
const quiet = process.argv.includes('--quiet');

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

function viaNodeGyp() {
  const gyp = nodeGyp();
  if (!gyp) return { ok: false, out: 'node-gyp not found' };
  const dir = nodeDir();
  const args = [gyp, 'rebuild', ...(dir ? [`--nodedir=${dir}`] : [])];
  return run(process.execPath, args);
}

function viaCc() {
  const dir = nodeDir();
  if (!dir) return { ok: false, out: 'no Node headers (include/node/node_api.h) beside this node' };
  mkdirSync(path.dirname(output), { recursive: true });
  return run(process.env.CC || 'cc', [
    '-O2', '-std=c11', '-fno-math-errno', '-shared', '-fPIC', '-DNODE_GYP_MODULE_NAME=mtl_blas',
    `-I${path.join(dir, 'include', 'node')}`,
    '-I/usr/include/x86_64-linux-gnu/openblas-pthread', '-I/usr/include/openblas',
    'mtl_blas.c', 'mtl_blas_math.c', 'mtl_step.c', 'mtl_step_math.c', '-o', output, '-lopenblas', '-lm',
  ]);
}

/** Load the built addon in a child process: a build that links but cannot load counts as failed. */
function loads() {
  const r = spawnSync(process.execPath, ['-e', `const b=require(${JSON.stringify(output)});process.stdout.write(b.config())`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout : undefined;
}

function main() {
  if (process.env.MTL_SKIP_NATIVE === '1') return log('skipped (MTL_SKIP_NATIVE=1)');
  const attempts = [];
  for (const [name, build] of [['node-gyp', viaNodeGyp], ['cc', viaCc]]) {
    const r = build();
    const config = r.ok ? loads() : undefined;
    if (config !== undefined) return log(`built ${path.relative(root, output)} with ${name}: ${config}`);
    attempts.push(`${name}: ${r.ok ? 'built but does not load' : r.out.trim().split('\n').slice(-4).join(' | ')}`);
  }
  log(`WARNING: the OpenBLAS matMul addon was not built; --backend native is unavailable and mtl uses wasm.\n` +
    `  To get it: apt-get install -y libopenblas-dev (and a C compiler), then npm run build:native.\n  ` +
    attempts.join('\n  '));
}

try {
  main();
} catch (e) {
  log(`WARNING: native build skipped: ${e instanceof Error ? e.message : String(e)}`);
}
process.exitCode = 0;
