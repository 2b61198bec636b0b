/**
 * The addon's entry points are declared once in TS (src/exec/native-entry-points.ts): the C sources register
 * them from the generated native/mtl_entry_points.h (names, functions, argument counts), and the built addon
 * (when present) exports them all.
 */
import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DIRECT_KERNEL_NAMES, NATIVE_ENTRY_POINTS, missingEntryPoints } from '../../src/exec/native-entry-points.js';
import { loadNativeBlas } from '../../src/exec/native-blas.js';
import { cFunctionName, emitEntryPointsHeader } from '../../src/exec/native-entry-points-header.js';

const native = path.resolve(import.meta.dirname, '../../native');

/** The C source of a function `static napi_value NAME(` up to the next one. */
function cFunction(c: string, name: string): string {
  const start = c.indexOf(`static napi_value ${name}(`);
  expect(start, name).toBeGreaterThanOrEqual(0);
  const next = c.indexOf('static napi_value ', start + 1);
  return c.slice(start, next < 0 ? undefined : next);
}

describe('the native entry points', () => {
  it('are registered in C from the generated header, each reading its argument count from it', () => {
    expect(fs.readFileSync(path.join(native, 'mtl_entry_points.h'), 'utf8')).toBe(emitEntryPointsHeader());
    const blas = fs.readFileSync(path.join(native, 'mtl_blas.c'), 'utf8');
    const step = fs.readFileSync(path.join(native, 'mtl_step.c'), 'utf8');
    expect(blas).toContain('MTL_BLAS_ENTRY_POINTS(MTL_REGISTER)');
    expect(step).toContain('MTL_STEP_ENTRY_POINTS(MTL_REGISTER)');
    // No hand-written registration or argument count is left beside the generated ones.
    for (const c of [blas, step]) {
      expect(c).not.toMatch(/\{"\w+", NULL, \w+, NULL/);
      expect(c).not.toMatch(/size_t argc = \d|BEGIN\("\w+", \d/);
    }
    for (const [js, argc] of Object.entries(NATIVE_ENTRY_POINTS)) {
      const body = cFunction(js.endsWith('At') ? step : blas, cFunctionName(js));
      if (argc > 0) expect(body, js).toContain(`MTL_ARGC_${js}`);
    }
  });

  it('split between the files: the direct step kernels are mtl_step.c\'s, and the math is pure C', () => {
    const step = fs.readFileSync(path.join(native, 'mtl_step.c'), 'utf8');
    for (const name of DIRECT_KERNEL_NAMES) expect(step, name).toContain(`static napi_value ${cFunctionName(name)}(`);
    // The math is pure C: no N-API in it.
    for (const file of ['mtl_step_math.c', 'mtl_blas_math.c', 'mtl_step_math.h', 'mtl_blas_math.h']) {
      expect(fs.readFileSync(path.join(native, file), 'utf8'), file).not.toMatch(/napi/);
    }
    expect(fs.readFileSync(path.join(native, 'mtl_step_math.c'), 'utf8')).toContain('void mtl_gemm_at(');
  });

  it('are all exported by the built addon (when it is built)', () => {
    const blas = loadNativeBlas();
    if (!blas) return; // no addon on this machine: test/exec/native-blas-missing.test.ts covers that case
    expect(missingEntryPoints(blas as unknown as Record<string, unknown>)).toEqual([]);
    expect(missingEntryPoints({ sgemmBatch: () => undefined })).toContain('gemmAt');
  });
});
