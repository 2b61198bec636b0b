/*
 * The loops of mtl_blas.c's entry points (the fused dense optimiser, embedding row gather/scatter,
 * row sums): pure C, no N-API. Each does the same floating-point operations in the same order as its JS
 * reference, so results are bit-identical with or without the addon (test/exec/native-fast-paths).
 */
#define _DEFAULT_SOURCE
#include "mtl_blas_math.h"
#include <math.h>
#include <string.h>

/*
 * Fused dense optimiser steps (src/model/optim-dense-fused.ts): one pass over a weight, its gradient and
 * its slots, in place. Every operation is a float32 IEEE operation in the order of the tfjs-op reference
 * (no FMA contraction; the build's -fno-math-errno only lets sqrtf vectorise, its results are
 * the same), so the results are bit-for-bit those of the JS loops and of the tfjs ops.
 */
#pragma GCC push_options
#pragma GCC optimize("O3", "fp-contract=off")

void mtl_adam_loop(float* restrict w, float* restrict m, float* restrict v, const float* restrict g, size_t n,
                      float b1, float b2, float ob1, float ob2, float c1, float c2, float eps, float lr) {
  for (size_t i = 0; i < n; i++) {
    const float gi = g[i];
    const float mi = m[i] * b1 + gi * ob1;
    const float vi = v[i] * b2 + (gi * gi) * ob2;
    m[i] = mi;
    v[i] = vi;
    const float update = (mi / c1) / (sqrtf(vi / c2) + eps);
    w[i] = w[i] - update * lr;
  }
}

void mtl_adagrad_loop(float* restrict w, float* restrict acc, const float* restrict g, size_t n, float eps, float lr) {
  for (size_t i = 0; i < n; i++) {
    const float gi = g[i];
    const float a = acc[i] + gi * gi;
    acc[i] = a;
    w[i] = w[i] - (gi / sqrtf(a + eps)) * lr;
  }
}

void mtl_sgd_loop(float* restrict w, const float* restrict g, size_t n, float lr) {
  for (size_t i = 0; i < n; i++) w[i] = w[i] - g[i] * lr;
}

void mtl_sum_rows_loop(const float* restrict x, size_t rows, size_t len, float* restrict out) {
  for (size_t j = 0; j < len; j++) out[j] = 0.0f;
  for (size_t i = 0; i < rows; i++) {
    const float* restrict row = x + i * len;
    for (size_t j = 0; j < len; j++) out[j] = out[j] + row[j];
  }
}

/* out[b*dim ..] = data[rows[b]*dim ..] for every b, prefetching a few rows ahead: the rows are random, so
 * the copy is bound by memory latency unless several rows are in flight. */
void mtl_gather_rows_loop(const float* restrict data, size_t dim, const int32_t* restrict rows, size_t n, float* restrict out) {
  const size_t ahead = 8;
  for (size_t b = 0; b < n; b++) {
    if (b + ahead < n) __builtin_prefetch(data + (size_t)rows[b + ahead] * dim);
    const float* restrict src = data + (size_t)rows[b] * dim;
    float* restrict dst = out + b * dim;
    for (size_t d = 0; d < dim; d++) dst[d] = src[d];
  }
}

/* Sum per-example gradients into per-row slots (src/model/embeddings-grad.ts addRow with scale 1, the same
 * float32 additions in the same order). Returns the new number of touched rows. */
size_t mtl_scatter_rows_loop(int32_t* restrict slot, int32_t* restrict touched, size_t count, float* restrict buffer, size_t dim,
                                const int32_t* restrict rows, size_t n, const float* restrict grad) {
  for (size_t b = 0; b < n; b++) {
    const int32_t row = rows[b];
    int32_t s = slot[row];
    if (s < 0) {
      s = (int32_t)count++;
      slot[row] = s;
      touched[s] = row;
      memset(buffer + (size_t)s * dim, 0, dim * sizeof(float));
    }
    float* restrict acc = buffer + (size_t)s * dim;
    const float* restrict g = grad + b * dim;
    for (size_t d = 0; d < dim; d++) acc[d] = acc[d] + g[d];
  }
  return count;
}

#pragma GCC pop_options
