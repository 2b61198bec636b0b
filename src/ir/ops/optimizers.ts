/**
 * The optimisers of `train { optimizer … }`: name, docs and the PyTorch constructor. The update rules
 * themselves are implemented once for both training steps in src/model/optim-dense.ts (dense weights) and
 * src/model/optim-sparse.ts (embedding rows), which switch on the name.
 */
import type { OptimizerDef } from './types.js';

/** The `adam` optimiser (ε = 1e-7, as tf.train.adam). */
export const adam = {
  kind: 'optimizer',
  name: 'adam',
  summary: 'Adam (β₁ 0.9, β₂ 0.999, ε 1e-7, as tf.train.adam).',
  doc: 'Adam with tfjs\' defaults; embedding rows get lazy (sparse) Adam on the rows a batch touches.',
  runtime: 'optimDense',
  pytorch: 'torch.optim.Adam(params, lr=lr, eps=1e-7)',
} as const satisfies OptimizerDef;

/** The `adagrad` optimiser (initial accumulator 0.1, as tf.train.adagrad). */
export const adagrad = {
  kind: 'optimizer',
  name: 'adagrad',
  summary: 'Adagrad (initial accumulator 0.1, as tf.train.adagrad).',
  doc: 'Adagrad with tfjs\' defaults; embedding rows keep per-row accumulators.',
  runtime: 'optimDense',
  pytorch: 'torch.optim.Adagrad(params, lr=lr, initial_accumulator_value=0.1)',
} as const satisfies OptimizerDef;

/** The `sgd` optimiser. */
export const sgd = {
  kind: 'optimizer',
  name: 'sgd',
  summary: 'Plain stochastic gradient descent.',
  doc: 'Plain SGD: w ← w − lr·g.',
  runtime: 'optimDense',
  pytorch: 'torch.optim.SGD(params, lr=lr)',
} as const satisfies OptimizerDef;

/** Every optimiser, in the language's order. */
export const OPTIMIZER_DEFS = [adam, adagrad, sgd] as const;
