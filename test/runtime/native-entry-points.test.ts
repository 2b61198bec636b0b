/**
 * The addon's entry points are declared once in TS (src/runtime/native-entry-points.ts): the C sources must
 * register exactly those names, each reading the declared number of arguments, and the built addon (when
 * present) must export them all.
 */
import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DIRECT_KERNEL_NAMES, NATIVE_ENTRY_POINTS, missingEntryPoints } from '../../src/runtime/native-entry-points.js';
import { loadNativeBlas } from '../../src/runtime/native-blas.js';

const native = path.resolve(import.meta.dirname, '../../native');

/** JS name → argument count, read from the C sources' registrations and their argument reading. */
function registeredInC(): Map<string, number> {
  const out = new Map<string, number>();
  for (const file of ['mtl_blas.c', 'mtl_step.c']) {
    const c = fs.readFileSync(path.join(native, file), 'utf8');
    for (const m of c.matchAll(/\{"(\w+)", NULL, (\w+), NULL/g)) {
      const [, js, fn] = m;
      const start = c.indexOf(`static napi_value ${fn}(`);
      expect(start, `${file}: ${fn}`).toBeGreaterThanOrEqual(0);
      const next = c.indexOf('static napi_value ', start + 1);
      const body = c.slice(start, next < 0 ? undefined : next);
      const count = /BEGIN\("\w+", (\d+)\)/.exec(body)?.[1] ?? /size_t argc = (\d+);/.exec(body)?.[1] ?? '0';
      out.set(js!, Number(count));
    }
  }
  return out;
}

describe('the native entry points', () => {
  it('are registered in C with the argument counts of the TS table', () => {
    expect(Object.fromEntries(registeredInC())).toEqual(NATIVE_ENTRY_POINTS);
  });

  it('name the direct step kernels after mtl_step.c', () => {
    const step = fs.readFileSync(path.join(native, 'mtl_step.c'), 'utf8');
    const names = [...step.matchAll(/\{"(\w+)", NULL/g)].map((m) => m[1]);
    expect([...DIRECT_KERNEL_NAMES].sort()).toEqual(names.sort());
  });

  it('are all exported by the built addon (when it is built)', () => {
    const blas = loadNativeBlas();
    if (!blas) return; // no addon on this machine: test/runtime/native-blas-missing.test.ts covers that case
    expect(missingEntryPoints(blas as unknown as Record<string, unknown>)).toEqual([]);
    expect(missingEntryPoints({ sgemmBatch: () => undefined })).toContain('gemmAt');
  });
});
