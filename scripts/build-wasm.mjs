#!/usr/bin/env node
/**
 * Build the direct step's kernels for WebAssembly: native/wasm/*.c + the addon's own pure-C kernels
 * (native/mtl_step_math.c, mtl_blas_math.c) → native/wasm/mtl_kernels.wasm, loaded by src/exec/wasm-accel.ts.
 * The .wasm is committed, so installs need no compiler; native/wasm/mtl_kernels.json records the SHA-256 of
 * every source and header it was built from, the compiler and the flags.
 *
 *   node scripts/build-wasm.mjs          rebuild (needs clang with the wasm32 target and wasm-ld: Debian's
 *                                        clang and lld packages) and rewrite the record
 *   node scripts/build-wasm.mjs --check  exit 1 when a source changed since the committed build (no compiler
 *                                        needed); with the recorded clang version present, also rebuild into
 *                                        a temporary file and require the same bytes (the build is reproducible)
 *
 * The module imports tfjs-backend-wasm's memory, so it must own no data in it: the build fails when the
 * linked module has a data section (a static, a string or a constant table in the C sources).
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const output = path.join(root, 'native', 'wasm', 'mtl_kernels.wasm');
const record = path.join(root, 'native', 'wasm', 'mtl_kernels.json');

/** Compiled sources, relative to the repository root. */
export const SOURCES = ['native/wasm/mtl_wasm.c', 'native/wasm/mtl_wasm_gemm.c', 'native/wasm/mtl_wasm_libm.c', 'native/mtl_step_math.c', 'native/mtl_blas_math.c'];
/** Headers the sources include (their changes change the build too). */
export const HEADERS = [
  'native/mtl_step_math.h',
  'native/mtl_blas_math.h',
  'native/mtl_gemm.h',
  'native/mtl_ops.h',
  'native/wasm/include/math.h',
  'native/wasm/include/stdlib.h',
  'native/wasm/include/string.h',
];
/**
 * clang's flags: wasm32 with SIMD, bulk memory and exportable mutable globals; freestanding (no libc).
 * `-mllvm -disable-lsr`: LLVM's loop strength reduction turns a loop's `p[1]`, `p[2]` … into pointer adds
 * that the wasm backend cannot fold into a load's constant offset, so V8 spent an extra instruction per
 * load (the GEMM micro-kernel issued 27 instead of 22 instructions per k); without it the GEMM runs
 * 15–25 % faster (bench/wasm-gemm.mjs; native/wasm/mtl_wasm_gemm.c).
 */
export const FLAGS = [
  '--target=wasm32',
  '-O3',
  '-mllvm',
  '-disable-lsr',
  '-msimd128',
  '-mbulk-memory',
  '-mmutable-globals',
  '-mnontrapping-fptoint',
  '-ffreestanding',
  '-nostdlib',
  '-isystem',
  'native/wasm/include',
  '-Inative',
  '-Wall',
  '-Werror',
  '-Wno-unknown-pragmas',
  '-Wl,--no-entry',
  '-Wl,--import-memory',
  '-Wl,--export=__stack_pointer',
  '-Wl,--strip-all',
];

function fail(message) {
  process.stderr.write(`mtl wasm: ${message}\n`);
  process.exit(1);
}

/** SHA-256 of every source and header, by path. */
function sourceHashes() {
  const out = {};
  for (const f of [...SOURCES, ...HEADERS]) out[f] = createHash('sha256').update(readFileSync(path.join(root, f))).digest('hex');
  return out;
}

/** clang's version line, or undefined when clang cannot run. */
function clangVersion() {
  const r = spawnSync('clang', ['--version'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.split('\n')[0].trim() : undefined;
}

/** The ids of a module's sections (a minimal reader of the binary format: magic, version, then id + size). */
function sectionIds(bytes) {
  const ids = [];
  let i = 8;
  const leb = () => {
    let result = 0;
    let shift = 0;
    let b;
    do {
      b = bytes[i++];
      result += (b & 0x7f) * 2 ** shift;
      shift += 7;
    } while (b & 0x80);
    return result;
  };
  while (i < bytes.length) {
    const id = bytes[i++];
    const size = leb();
    ids.push(id);
    i += size;
  }
  return ids;
}

/** Compile and link into `file`; fails the process on a compiler error or a data section. */
function build(file) {
  const r = spawnSync('clang', [...FLAGS, '-o', file, ...SOURCES], { cwd: root, encoding: 'utf8' });
  if (r.error) fail(`clang did not run (${r.error.message}); install Debian's clang and lld packages`);
  if (r.status !== 0) fail(`clang failed:\n${r.stderr}`);
  const ids = sectionIds(readFileSync(file));
  if (ids.includes(11)) fail('the module has a data section: the kernels must own no data in the shared heap (remove statics, strings and tables)');
}

if (process.argv.includes('--check')) {
  const want = JSON.parse(readFileSync(record, 'utf8'));
  const have = sourceHashes();
  const changed = Object.keys({ ...want.sources, ...have }).filter((f) => want.sources[f] !== have[f]);
  if (changed.length) fail(`${path.relative(root, output)} is out of date with ${changed.join(', ')}: run npm run build:wasm and commit the result`);
  const wasmHash = createHash('sha256').update(readFileSync(output)).digest('hex');
  if (wasmHash !== want.wasm) fail(`${path.relative(root, output)} does not match its record (sha256 ${wasmHash}): run npm run build:wasm`);
  const version = clangVersion();
  if (version === want.clang) {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'mtl-wasm-'));
    try {
      const file = path.join(dir, 'check.wasm');
      build(file);
      if (!readFileSync(file).equals(readFileSync(output))) fail(`rebuilding with ${version} gives other bytes than ${path.relative(root, output)}: run npm run build:wasm`);
      process.stdout.write(`mtl wasm: ${path.relative(root, output)} is up to date (sources and a byte-identical rebuild with ${version})\n`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  } else {
    process.stdout.write(`mtl wasm: ${path.relative(root, output)} is up to date with its sources (not rebuilt: it was built with ${want.clang}, here ${version ?? 'no clang'})\n`);
  }
} else {
  const version = clangVersion();
  if (!version) fail('clang is not installed; install Debian\'s clang and lld packages');
  build(output);
  const wasm = createHash('sha256').update(readFileSync(output)).digest('hex');
  writeFileSync(record, `${JSON.stringify({ clang: version, flags: FLAGS, sources: sourceHashes(), wasm }, null, 2)}\n`);
  process.stdout.write(`mtl wasm: wrote ${path.relative(root, output)} (${readFileSync(output).length} bytes) with ${version}\n`);
}
