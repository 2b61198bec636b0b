/**
 * The embedding-table optimisers of `train { embedding_optimizer NAME }`. Without the setting a table gets
 * the dense optimiser's own rule (adam → adam, dense-equivalent; adagrad → adagrad; sgd → sgd), as the PyTorch
 * target always did. The
 * update rules are in src/model/optim-sparse.ts (shared by the tfjs and the direct step) and in the
 * PyTorch target's templates/optim.py; these definitions name them and document the trade-off.
 */
import type { EmbeddingOptimizerDef } from './types.js';

/** Lazy Adam: only touched rows, the global step's bias correction (TF LazyAdam, torch SparseAdam). */
export const lazyAdam = {
  kind: 'embedding_optimizer',
  name: 'lazy_adam',
  summary: "Adam on the rows a batch touches only, with the global step's bias correction (TF LazyAdam, torch.optim.SparseAdam).",
  doc: 'Untouched rows keep their moments (they are not decayed) and do not move. The cheapest Adam, but a rare id moves less per occurrence than under dense Adam, which keeps moving it on its decaying momentum between its appearances (about 10× its first step in all).',
  cost: 'O(touched rows × dim) per update; m, v (rows × dim) and the last update of each row',
} as const satisfies EmbeddingOptimizerDef;

/** Dense-equivalent Adam (the default under `optimizer adam`): dense Adam's result at a sparse cost. */
export const denseAdam = {
  kind: 'embedding_optimizer',
  name: 'adam',
  summary: 'Dense Adam (torch.optim.Adam on an nn.Embedding with a dense gradient) to float32 rounding, at the cost of the rows a batch reads: the default under `optimizer adam`.',
  doc: 'Under dense Adam a row no batch touched gets a zero gradient: its moments decay and its momentum keeps moving it. mtl gives a row those missed updates in one go when a batch next reads it (before the forward pass) and when the model is exported, so training and the saved model match dense Adam.',
  cost: 'O(touched rows × dim) per update, plus ~200 scalar steps per distinct last-update among rows that missed updates (shared by every table); m, v (rows × dim) and the last update of each row',
} as const satisfies EmbeddingOptimizerDef;

/** Adagrad with one accumulator per value (tf.train.adagrad on the touched rows). */
export const adagradEmb = {
  kind: 'embedding_optimizer',
  name: 'adagrad',
  summary: 'Adagrad on the touched rows, one accumulator per value (initial 0.1).',
  doc: 'acc ← acc + g²; w ← w − lr·g/√(acc + ε) on the rows a batch touches (untouched rows do not change, exactly as dense Adagrad).',
  cost: 'O(touched rows × dim) per update; one accumulator per value (rows × dim)',
} as const satisfies EmbeddingOptimizerDef;

/** Row-wise Adagrad (DLRM / TorchRec / FBGEMM): one accumulator per row. */
export const rowwiseAdagrad = {
  kind: 'embedding_optimizer',
  name: 'rowwise_adagrad',
  summary: 'Adagrad with one accumulator per row (the mean of g² over the row), as DLRM and TorchRec use.',
  doc: 'acc_r ← acc_r + mean(g_r²); w_r ← w_r − lr·g_r/√(acc_r + ε) on the rows a batch touches (initial accumulator 0.1).',
  cost: 'O(touched rows × dim) per update; one accumulator per row (1/dim of adagrad\'s memory)',
} as const satisfies EmbeddingOptimizerDef;

/** Every embedding optimiser, in the docs' order. */
export const EMBEDDING_OPTIMIZER_DEFS = [lazyAdam, denseAdam, adagradEmb, rowwiseAdagrad] as const;
