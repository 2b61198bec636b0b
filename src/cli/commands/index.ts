/**
 * The table of CLI commands: name → summary and runner. One file per command.
 */
import type { CliIo } from '../io.js';
import { runCheck } from './check.js';
import { runFmt } from './fmt.js';
import { runIr } from './ir.js';
import { runTrain } from './train.js';
import { runEval } from './eval.js';
import { runPredict } from './predict.js';
import { runData } from './data.js';
import { runGraph } from './graph.js';
import { runLsp } from './lsp.js';
import { runCompile } from './compile.js';
import { runConvert } from './convert.js';

/** A command of the CLI. */
export interface Command {
  summary: string;
  run(argv: string[], io: CliIo): Promise<number>;
}

/** Every command, in the order of `mtl --help`. */
export const COMMANDS: Record<string, Command> = {
  check: { summary: 'parse and validate specs; print located diagnostics', run: runCheck },
  fmt: { summary: 'print or rewrite specs in canonical form', run: runFmt },
  ir: { summary: 'print the validated IR as JSON or YAML', run: runIr },
  train: { summary: 'train a spec on a data file or its built-in data; write a model directory', run: runTrain },
  eval: { summary: 'per-output metrics and gate usage of a trained model on a data file', run: runEval },
  predict: { summary: 'score a data file with a trained model (one column per output)', run: runPredict },
  graph: { summary: 'draw the architecture as SVG, PNG or Graphviz DOT', run: runGraph },
  compile: { summary: 'compile a spec to a PyTorch package that trains with DDP (torchrun)', run: runCompile },
  convert: { summary: 'convert trained weights between the tfjs and PyTorch targets', run: runConvert },
  lsp: { summary: 'start the language server (--stdio)', run: runLsp },
  data: { summary: 'write built-in synthetic data (esmm, mmoe, census)', run: runData },
};
