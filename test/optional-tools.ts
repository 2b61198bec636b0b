/**
 * How the test suite finds the optional tools some suites need: one probe each, read by the suites that
 * skip without the tool and by the summary printed before the suite (test/global-setup.ts).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** True when `cmd args` runs and exits 0. */
const runs = (cmd: string, args: string[]): boolean => spawnSync(cmd, args, { stdio: 'ignore' }).status === 0;

/** Debian's Chromium (headless rendering of the report), or undefined. */
export const CHROMIUM: string | undefined = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));

/** True when Neovim (a real LSP client) is on PATH. */
export function hasNvim(): boolean {
  return runs('nvim', ['--version']);
}

/** True when Graphviz's `dot` is on PATH. */
export function hasDot(): boolean {
  return runs('dot', ['-V']);
}

/** True when clang and wasm-ld can build the WebAssembly kernels (Debian's clang and lld). */
export function hasWasmClang(): boolean {
  return runs('clang', ['--version']) && runs('wasm-ld', ['--version']);
}
