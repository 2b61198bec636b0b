import { afterEach, describe, expect, it } from 'vitest';
import * as os from 'node:os';
import { nativeThreadCount } from '../../src/exec/native-blas.js';

const saved = process.env['MTL_THREADS'];
afterEach(() => {
  if (saved === undefined) delete process.env['MTL_THREADS'];
  else process.env['MTL_THREADS'] = saved;
});

describe('native backend thread count', () => {
  it('defaults to 2 OpenBLAS threads on a machine with ≥ 2 cores, else 1', () => {
    delete process.env['MTL_THREADS'];
    expect(nativeThreadCount()).toBe(os.availableParallelism() >= 2 ? 2 : 1);
  });

  it('takes MTL_THREADS when it is a whole number in 1..64, and ignores anything else', () => {
    process.env['MTL_THREADS'] = '1';
    expect(nativeThreadCount()).toBe(1);
    process.env['MTL_THREADS'] = '7';
    expect(nativeThreadCount()).toBe(7);
    process.env['MTL_THREADS'] = 'lots';
    expect(nativeThreadCount()).toBe(os.availableParallelism() >= 2 ? 2 : 1);
    process.env['MTL_THREADS'] = '0';
    expect(nativeThreadCount()).toBe(os.availableParallelism() >= 2 ? 2 : 1);
  });
});
