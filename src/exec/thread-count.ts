/**
 * How many threads mtl's kernels use, native addon and WebAssembly kernels alike: one definition, read by
 * both backends.
 */
import * as os from 'node:os';

/**
 * Threads for the GEMMs and embedding loops: `MTL_THREADS=n` asks for n (1–64, anything else is ignored); by
 * default 2 when the machine has ≥ 2 cores, else 1. Two threads take mmoe's matMuls from ~65 to ~37 ms per
 * 1024-sample step on 2 cores with the addon, and the WebAssembly step from 0.53× to 0.80× the peer on 2 idle
 * cores (its helper copies operands: with the second core busy it measured 3 % slower than one thread;
 * bench/README.md). More are not the default: the rest of a step is single-threaded and these matMuls are
 * small. A machine whose cores are busy with other work: `MTL_THREADS=1`.
 */
export function threadCount(): number {
  const n = Number.parseInt(process.env['MTL_THREADS'] ?? '', 10);
  if (Number.isInteger(n) && n >= 1 && n <= 64) return n;
  return os.availableParallelism() >= 2 ? 2 : 1;
}
