/**
 * Benchmark (not a test): how long the language server takes to re-check a 2,000-line spec after
 * an edit: the shared checkText (parse + validate) with the cached plugin registry, the symbol
 * index, and the conversion to LSP diagnostics. Prints the median of 30 runs.
 * Usage: npx tsx bench/lsp-check.ts [lines]
 */
import { performance } from 'node:perf_hooks';
import { DocumentStore } from '../src/lsp/documents.js';
import { toLspDiagnostics } from '../src/lsp/diagnostics.js';

/** A valid spec of about `lines` lines: many features, a wide MMoE-like graph, many towers and tasks. */
export function generateSpec(lines: number): string {
  const out: string[] = ['model big "A generated benchmark spec"', '', 'features {'];
  // Each group is 9 lines: 4 features, 1 label, a docstring, a gate, a tower and a task.
  const groups = Math.max(1, Math.floor((lines - 12) / 9));
  const features = groups * 4;
  for (let i = 0; i < features; i++) out.push(i % 2 ? `  numeric     n${i} normalize log1p` : `  categorical c${i} hash 1000 dim 4`);
  out.push('}', 'labels {');
  for (let g = 0; g < groups; g++) out.push(`  y${g}: binary`);
  out.push('}', '');
  out.push(`input all = concat(${Array.from({ length: features }, (_, i) => (i % 2 ? `n${i}` : `c${i}`)).join(', ')})`);
  out.push('experts e[4] = mlp(16) on all');
  for (let g = 0; g < groups; g++) {
    out.push(`"Gate of task ${g}."`);
    out.push(`gate g${g} = softmax over e on all`);
    out.push(`tower t${g} = mlp(8) on g${g} -> sigmoid`);
    out.push(`task t${g} = t${g} loss bce(y${g})`);
  }
  out.push('train { epochs 1 }');
  return out.join('\n') + '\n';
}

async function main(): Promise<void> {
  const lines = Number(process.argv[2] ?? 2000);
  const text = generateSpec(lines);
  let published = 0;
  const store = new DocumentStore({
    debounceMs: 0,
    onAnalysis: (a) => { published += toLspDiagnostics(a.diagnostics, a.uri).length; },
    onError: (e) => { throw e; },
  });
  const uri = 'file:///tmp/bench/big.mtl';
  const first = await store.open(uri, 1, text);
  const errors = first.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) console.error(`warning: the generated spec has ${errors.length} errors, e.g. ${errors[0]!.code} ${errors[0]!.message}`);
  const times: number[] = [];
  for (let i = 0; i < 30; i++) {
    // An edit: change one docstring, as a keystroke would.
    const edited = text.replace('"Gate of task 0."', `"Gate of task 0 (${i})."`);
    const t0 = performance.now();
    store.change(uri, i + 2, edited);
    await store.current(uri);
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)]!;
  console.log(`lsp re-check of a ${text.split('\n').length}-line spec: median ${median.toFixed(1)} ms (min ${times[0]!.toFixed(1)}, max ${times[times.length - 1]!.toFixed(1)}; ${published} diagnostics published)`);
}

// Run only when executed directly (generateSpec is importable).
if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/'))) await main();
