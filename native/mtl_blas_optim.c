/*
 * The embedding tables' update rules other than lazy Adam (mtl_blas_math.c has that one), the gradient
 * regularisers of src/model/embeddings.ts applyGradients (clipping's scale, embedding_l2) and the two loops
 * of src/model/optim-step.ts / optim-dense*.ts that were JS on the direct step (Σg² for clip_norm, scaling an
 * array for clipping and decoupled weight decay).
 *
 * Each is the JS loop of src/model/optim-sparse.ts (the reference, kept for other backends and the tests)
 * written in the same double arithmetic: a float32 value read is widened to double, every expression is
 * evaluated in double in the JS order, and a value is rounded to float32 only where the JS stores it into a
 * Float32Array. Note that a JS assignment expression `a = (acc[i] = x)` yields the unrounded double x: the
 * loops below keep using the double where the JS does. No FMA contraction (fp-contract=off), so the results
 * are the JS loops' bits (test/exec/native-optim-loops.test.ts). Not in the WebAssembly build.
 */
#include "mtl_blas_optim.h"
#include <math.h>

#pragma GCC push_options
#pragma GCC optimize("O3", "fp-contract=off")

/* SGD on rows: w ← w − lr·g (optim-sparse.ts rule 'sgd'). */
void mtl_embed_sgd_loop(float* table, size_t dim, const int32_t* rows, size_t n, const float* grads, double lr) {
  for (size_t k = 0; k < n; k++) {
    float* restrict w = table + (size_t)rows[k] * dim;
    const float* restrict g = grads + k * dim;
    for (size_t d = 0; d < dim; d++) w[d] = (float)((double)w[d] - lr * (double)g[d]);
  }
}

/* Adagrad on rows (rule 'adagrad'): a = acc + g²; acc ← a; w ← w − lr·g / sqrt(a + ε), with the unrounded a. */
void mtl_embed_adagrad_loop(float* table, float* acc, size_t dim, const int32_t* rows, size_t n, const float* grads, double lr, double eps) {
  for (size_t k = 0; k < n; k++) {
    const size_t base = (size_t)rows[k] * dim;
    float* restrict w = table + base;
    float* restrict ar = acc + base;
    const float* restrict g = grads + k * dim;
    for (size_t d = 0; d < dim; d++) {
      const double gd = (double)g[d];
      const double a = (double)ar[d] + gd * gd;
      ar[d] = (float)a;
      w[d] = (float)((double)w[d] - (lr * gd) / sqrt(a + eps));
    }
  }
}

/* Row-wise Adagrad (rule 'rowwise_adagrad'): one accumulator per row, acc ← acc + mean(g²) (Σ in d order);
 * w ← w − (lr / sqrt(a + ε))·g, with the unrounded a. */
void mtl_embed_rowwise_adagrad_loop(float* table, float* acc, size_t dim, const int32_t* rows, size_t n, const float* grads, double lr, double eps) {
  for (size_t k = 0; k < n; k++) {
    const size_t row = (size_t)rows[k];
    float* restrict w = table + row * dim;
    const float* restrict g = grads + k * dim;
    double sq = 0;
    for (size_t d = 0; d < dim; d++) sq += (double)g[d] * (double)g[d];
    const double a = (double)acc[row] + sq / (double)dim;
    acc[row] = (float)a;
    const double rate = lr / sqrt(a + eps);
    for (size_t d = 0; d < dim; d++) w[d] = (float)((double)w[d] - rate * (double)g[d]);
  }
}

/* Dense-equivalent Adam (rule 'adam', optim-sparse.ts denseAdam) over n values whose full gradient is g (zero
 * where no row was touched); c1, c2 = 1 − β^step of the global step. */
void mtl_embed_dense_adam_loop(float* table, float* m, float* v, const float* g, size_t n, double b1, double b2, double eps, double lr, double c1, double c2) {
  for (size_t i = 0; i < n; i++) {
    const double gi = (double)g[i];
    const double mi = b1 * (double)m[i] + (1.0 - b1) * gi;
    const double vi = b2 * (double)v[i] + (1.0 - b2) * gi * gi;
    m[i] = (float)mi;
    v[i] = (float)vi;
    table[i] = (float)((double)table[i] - (lr * (mi / c1)) / (sqrt(vi / c2) + eps));
  }
}

/* The touched rows' gradients before the update (embeddings.ts applyGradients): g ← g·scale when scale ≠ 1
 * (clip_norm), then g ← g + l2·w when l2 ≠ 0 (embedding_l2). */
void mtl_row_grads_prepare_loop(const float* table, size_t dim, const int32_t* rows, size_t n, float* grads, double scale, double l2) {
  if (scale != 1.0) mtl_scale_loop(grads, n * dim, scale);
  if (l2 == 0.0) return;
  for (size_t k = 0; k < n; k++) {
    const float* restrict w = table + (size_t)rows[k] * dim;
    float* restrict g = grads + k * dim;
    for (size_t d = 0; d < dim; d++) g[d] = (float)((double)g[d] + l2 * (double)w[d]);
  }
}

/* Σ x² in double, in index order (optim-step.ts squaredSum): sequential, so the sum's bits do not depend on
 * the thread count. */
double mtl_sum_squares_loop(const float* x, size_t n) {
  double s = 0;
  for (size_t i = 0; i < n; i++) s += (double)x[i] * (double)x[i];
  return s;
}

/* x ← x·factor, the product in double rounded once (JS `x[i] = x[i] * factor` on a Float32Array). For a
 * float32 factor this is the float32 product (two 24-bit significands multiply exactly in double). */
void mtl_scale_loop(float* x, size_t n, double factor) {
  for (size_t i = 0; i < n; i++) x[i] = (float)((double)x[i] * factor);
}

/* slot[rows[k]] = -1 for every k (RowGradients.take's reset of its row → slot map), prefetching a few rows
 * ahead: the rows are random in a map of the table's size, so one at a time each store is a cache miss. */
void mtl_clear_slots_loop(int32_t* slot, const int32_t* rows, size_t n) {
  const size_t ahead = 16;
  for (size_t k = 0; k < n; k++) {
    if (k + ahead < n) __builtin_prefetch(slot + rows[k + ahead], 1);
    slot[rows[k]] = -1;
  }
}

#pragma GCC pop_options
