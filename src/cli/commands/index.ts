/**
 * The table of CLI commands: name → summary and a loader. One file per command; each is imported only
 * when it runs, so `mtl check` does not pay for loading TensorFlow.js.
 */
import type { CliIo } from '../io.js';

/** What a command module provides. */
export interface CommandModule {
  run(argv: string[], io: CliIo): Promise<number>;
  /** The text of `mtl COMMAND --help` (also rendered into the README's CLI reference). */
  help: string;
}

/** A command of the CLI. */
export interface Command {
  summary: string;
  load(): Promise<CommandModule>;
}

/**
 * Load a command that runs TensorFlow.js with tfjs's console notices silenced (its "running in Node.js"
 * banner would otherwise interleave with the command's output). Only these commands pay for loading tfjs.
 */
async function withTfjs(load: Promise<CommandModule>): Promise<CommandModule> {
  const [command, notices] = await Promise.all([load, import('../../exec/tfjs-notices.js')]);
  notices.silenceTfjsNotices();
  return command;
}

/** Every command, in the order of `mtl --help`. */
export const COMMANDS: Record<string, Command> = {
  check: {
    summary: 'parse and validate specs; print located diagnostics',
    load: async () => import('./check.js').then((m) => ({ run: m.runCheck, help: m.CHECK_HELP })),
  },
  fmt: {
    summary: 'print or rewrite specs in canonical form',
    load: async () => import('./fmt.js').then((m) => ({ run: m.runFmt, help: m.FMT_HELP })),
  },
  ir: {
    summary: 'print the validated IR as JSON or YAML',
    load: async () => import('./ir.js').then((m) => ({ run: m.runIr, help: m.IR_HELP })),
  },
  train: {
    summary: 'train a spec on a data file or its built-in data; write a model directory',
    load: async () => withTfjs(import('./train.js').then((m) => ({ run: m.runTrain, help: m.TRAIN_HELP }))),
  },
  tune: {
    summary: 'search settings of a spec (TPE or random, successive halving); every trial a train run',
    load: async () => import('./tune.js').then((m) => ({ run: m.runTune, help: m.TUNE_HELP })),
  },
  eval: {
    summary: 'per-output metrics and gate usage of a trained model on a data file',
    load: async () => withTfjs(import('./eval.js').then((m) => ({ run: m.runEval, help: m.EVAL_HELP }))),
  },
  predict: {
    summary: 'score a data file with a trained model (one column per output)',
    load: async () => withTfjs(import('./predict.js').then((m) => ({ run: m.runPredict, help: m.PREDICT_HELP }))),
  },
  serve: {
    summary: 'serve trained models over HTTP/JSON (predict, contract, health, metrics)',
    load: async () => withTfjs(import('./serve.js').then((m) => ({ run: m.runServe, help: m.SERVE_HELP }))),
  },
  graph: {
    summary: 'draw the architecture as SVG, PNG or Graphviz DOT',
    load: async () => import('./graph.js').then((m) => ({ run: m.runGraph, help: m.GRAPH_HELP })),
  },
  report: {
    summary: 'write a self-contained HTML training report for a model directory',
    load: async () => withTfjs(import('./report.js').then((m) => ({ run: m.runReport, help: m.REPORT_HELP }))),
  },
  compare: {
    summary: 'compare trained runs: metrics, differing settings, tests across seeds',
    load: async () => import('./compare.js').then((m) => ({ run: m.runCompare, help: m.COMPARE_HELP })),
  },
  compile: {
    summary: 'compile a spec to a PyTorch package that trains with DDP (torchrun)',
    load: async () => import('./compile.js').then((m) => ({ run: m.runCompile, help: m.COMPILE_HELP })),
  },
  convert: {
    summary: 'convert trained weights between the tfjs and PyTorch targets',
    load: async () => withTfjs(import('./convert.js').then((m) => ({ run: m.runConvert, help: m.CONVERT_HELP }))),
  },
  export: {
    summary: 'export a trained model: a static web page that scores rows in a browser, ONNX, TorchScript',
    load: async () => withTfjs(import('./export.js').then((m) => ({ run: m.runExport, help: m.EXPORT_HELP }))),
  },
  lsp: {
    summary: 'start the language server (--stdio)',
    load: async () => import('./lsp.js').then((m) => ({ run: m.runLsp, help: m.LSP_HELP })),
  },
  data: {
    summary: 'write built-in synthetic data (esmm, mmoe, census)',
    load: async () => withTfjs(import('./data.js').then((m) => ({ run: m.runData, help: m.DATA_HELP }))),
  },
};
