/* The embedding loops split across the addon's thread pool (mtl_blas_parallel.c). */
#ifndef MTL_BLAS_PARALLEL_H
#define MTL_BLAS_PARALLEL_H
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include "mtl_blas_optim.h"

/* One embedding table's Adam operands: rows and their gradients (n × dim; unused by the catch-up), the table and
 * its slots (rows_in_table × dim; steps one per row). */
typedef struct {
  float *table, *m, *v, *steps;
  const int32_t* rows;
  const float* grads;
  size_t n, dim, rows_in_table;
} mtl_adam_table;

/* The outcome of mtl_adam_tables_parallel: only MTL_ADAM_DONE changed anything. */
typedef enum { MTL_ADAM_DONE = 0, MTL_ADAM_ROW_OUT_OF_RANGE = 1, MTL_ADAM_NO_MEMORY = 2 } mtl_adam_status;

/* Over several tables at once on the pool: first every row is checked inside its table (in parallel); then, only
 * if all are, mtl_embed_adam_loop on every table's (unique) rows, or with catch_up_only mtl_adam_catch_up_loop on
 * the rows a batch reads (mtl_blas_optim.c). */
mtl_adam_status mtl_adam_tables_parallel(const mtl_adam_table* tables, size_t count, const mtl_adam_scalars* scalars, bool catch_up_only);
/* mtl_gather_rows_loop on the pool. */
void mtl_gather_rows_parallel(const float* data, size_t dim, const int32_t* rows, size_t n, float* out);
/* Embedding rules other than Adam (mtl_blas_optim.c) on the pool; kind and slots as the addon's embeddingUpdate
 * (mtl_blas.c); hyper = [lr, ε]. `rows` unique. */
void mtl_embed_update_parallel(int kind, float* table, size_t dim, const int32_t* rows, size_t n, const float* grads, float* s0, const double* hyper);
/* mtl_row_grads_prepare_loop on the pool (grads holds exactly n rows). */
void mtl_row_grads_prepare_parallel(const float* table, size_t dim, const int32_t* rows, size_t n, float* grads, double scale, double l2);
/* mtl_scale_loop on the pool. */
void mtl_scale_parallel(float* x, size_t n, double factor);

/* The fused dense optimiser's loops (mtl_blas_math.c: kind MTL_DENSE_SGD, _ADAGRAD or _ADAM, scalars as the
 * addon's denseUpdate) on the pool, split by element ranges. */
void mtl_dense_update_parallel(int kind, float* w, const float* g, float* s0, float* s1, size_t n, const float* scalars);

/* The kinds of mtl_dense_update_parallel (the addon's denseUpdate). */
enum { MTL_DENSE_SGD = 0, MTL_DENSE_ADAGRAD = 1, MTL_DENSE_ADAM = 2 };

/* The rules of mtl_embed_update_parallel. */
enum { MTL_EMBED_SGD = 0, MTL_EMBED_ADAGRAD = 1, MTL_EMBED_ROWWISE_ADAGRAD = 2 };

#endif
