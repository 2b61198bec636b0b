import { afterEach, describe, expect, it } from 'vitest';
import * as os from 'node:os';
import { threadCount } from '../../src/exec/thread-count.js';

const saved = process.env['MTL_THREADS'];
afterEach(() => {
  if (saved === undefined) delete process.env['MTL_THREADS'];
  else process.env['MTL_THREADS'] = saved;
});

describe('thread count (native addon and WebAssembly kernels)', () => {
  it('defaults to 2 threads on a machine with ≥ 2 cores, else 1', () => {
    delete process.env['MTL_THREADS'];
    expect(threadCount()).toBe(os.availableParallelism() >= 2 ? 2 : 1);
  });

  it('takes MTL_THREADS when it is a whole number in 1..64, and ignores anything else', () => {
    process.env['MTL_THREADS'] = '1';
    expect(threadCount()).toBe(1);
    process.env['MTL_THREADS'] = '7';
    expect(threadCount()).toBe(7);
    process.env['MTL_THREADS'] = 'lots';
    expect(threadCount()).toBe(os.availableParallelism() >= 2 ? 2 : 1);
    process.env['MTL_THREADS'] = '0';
    expect(threadCount()).toBe(os.availableParallelism() >= 2 ? 2 : 1);
  });
});
