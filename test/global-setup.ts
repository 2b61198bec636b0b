/**
 * Printed once before the suite: which optional tools this machine has, and which suites skip without
 * them (and how to install them). `bash .ci/run` installs all of them, so CI runs every suite.
 */
import { findTorchPython } from '../src/targets/pytorch/python.js';
import { loadNativeBlas, nativeGemmLabel } from '../src/exec/native-blas.js';
import { builtinAddonUnbuildable } from './exec/builtin-addon.js';
import { CHROMIUM, hasDot, hasNvim, hasWasmClang } from './optional-tools.js';

/** One optional dependency: whether it is here, what skips without it, and how to get it. */
interface Optional {
  name: string;
  present: boolean;
  skips: string;
  install: string;
}

/** Vitest global setup: print the optional-dependency summary. */
export default function setup(): void {
  const optional: Optional[] = [
    { name: 'PyTorch (python3-torch)', present: findTorchPython() !== null, skips: 'test/targets: PyTorch equivalence, DDP, hashing', install: 'apt-get install -y python3-torch' },
    { name: `native addon (${nativeGemmLabel() ?? 'OpenBLAS or built-in GEMM'})`, present: loadNativeBlas() !== undefined, skips: 'test/exec, test/model: native backend, direct step', install: 'apt-get install -y libopenblas-dev && npm run build:native' },
    { name: 'C compiler', present: builtinAddonUnbuildable() === undefined, skips: 'test/exec, test/model: the built-in GEMM (native-gemm, direct-step-builtin)', install: 'apt-get install -y gcc' },
    { name: 'clang + lld (wasm32)', present: hasWasmClang(), skips: 'test/exec/wasm-kernels-build: the byte-identical rebuild of native/wasm/mtl_kernels.wasm (its source hashes are checked anyway)', install: 'apt-get install -y clang lld' },
    { name: 'Chromium', present: CHROMIUM !== undefined, skips: 'test/report: the report rendered in a browser; test/export: the exported web page scored in a browser', install: 'apt-get install -y chromium' },
    { name: 'Neovim', present: hasNvim(), skips: 'test/lsp/nvim: a real LSP client', install: 'apt-get install -y neovim' },
    { name: 'Graphviz', present: hasDot(), skips: 'test/diagram: DOT accepted by Graphviz', install: 'apt-get install -y graphviz' },
  ];
  const missing = optional.filter((o) => !o.present);
  const lines = [`optional test tools: ${optional.map((o) => `${o.name} ${o.present ? 'yes' : 'NO'}`).join(', ')}`];
  for (const m of missing) lines.push(`  skipped without ${m.name}: ${m.skips} (${m.install})`);
  if (missing.length) lines.push('  `bash .ci/run` installs them all.');
  process.stdout.write(lines.join('\n') + '\n');
}
