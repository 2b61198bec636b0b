import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Says which optional tools (PyTorch, the OpenBLAS addon, Chromium, Neovim, Graphviz) are missing and what skips.
    globalSetup: ['test/global-setup.ts'],
    // Tests that use tfjs's cpu backend in-process would each print tfjs's "running in Node.js" banner;
    // the CLI silences it (src/exec/tfjs-notices.ts, tested with the real binary in test/e2e/bin.test.ts).
    onConsoleLog: (log) => !log.includes('looks like you are running TensorFlow.js in Node.js'),
  },
});
