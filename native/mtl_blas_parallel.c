/*
 * The embedding loops across the addon's thread pool (mtl_blas_pool.c): each loop's items (touched rows, or
 * values of a whole table) are handed out in chunks that the caller and the workers claim as they are free.
 * Two threads never write the same value: a chunk of touched rows writes only those rows (the rows are unique,
 * as RowGradients.take makes them), a chunk of values only those values. Every value gets the same operations
 * as in the single-threaded loop, so the results are the same bits whatever the thread count (MTL_THREADS=1
 * runs them on the caller alone). Small calls stay on the caller: waking a worker costs more than they take.
 * Not in the WebAssembly build (no threads there; it calls the loops of mtl_blas_math.c directly).
 */
#define _DEFAULT_SOURCE
#include "mtl_blas_parallel.h"
#include "mtl_blas_math.h"
#include "mtl_blas_optim.h"
#include "mtl_blas_pool.h"
#include <string.h>

/* Values per chunk: a few microseconds of work, so the claims are cheap and a slow thread holds back little. */
#define CHUNK_VALUES 4096
/* Below this many values a loop runs on the caller only (a worker's wake-up is ~1–50 µs, as much as the loop). */
#define PARALLEL_MIN_VALUES 8192

typedef void (*range_fn)(void* ctx, size_t lo, size_t hi);

typedef struct {
  mtl_work work;
  range_fn range;
  void* ctx;
} ranged_task;

static void ranged_run(void* arg) {
  ranged_task* t = arg;
  size_t lo, hi;
  while (mtl_claim(&t->work, &lo, &hi)) t->range(t->ctx, lo, hi);
}

/* range(ctx, lo, hi) over [0, items) in chunks, on the pool when the work (items × values_per_item) is large. */
static void parallel_for(size_t items, size_t values_per_item, range_fn range, void* ctx) {
  if (items == 0) return;
  const int threads = mtl_pool_threads();
  if (threads < 2 || items * values_per_item < PARALLEL_MIN_VALUES) {
    range(ctx, 0, items);
    return;
  }
  size_t chunk = CHUNK_VALUES / values_per_item;
  if (chunk < 1) chunk = 1;
  ranged_task task = {{items, chunk, 0}, range, ctx};
  mtl_parallel_run(ranged_run, &task, threads);
}

/* The arguments of every loop below (each uses the fields it needs). */
typedef struct {
  float *table, *s0, *s1, *s2;
  const float* grads;
  const int32_t* rows;
  size_t dim;
  const double *c1tab, *c2tab;
  double b1, b2, eps, lr, c1, c2, scale, l2;
  float* out;
} embed_args;

static void sparse_adam_range(void* ctx, size_t lo, size_t hi) {
  const embed_args* a = ctx;
  mtl_sparse_adam_loop(a->table, a->s0, a->s1, a->s2, a->dim, a->rows + lo, hi - lo, a->grads + lo * a->dim, a->c1tab, a->c2tab, a->b1, a->b2, a->eps, a->lr);
}

void mtl_sparse_adam_parallel(float* table, float* m, float* v, float* steps, size_t dim, const int32_t* rows, size_t n, const float* grads, const double* c1tab, const double* c2tab, double b1, double b2, double eps, double lr) {
  embed_args a = {.table = table, .s0 = m, .s1 = v, .s2 = steps, .grads = grads, .rows = rows, .dim = dim, .c1tab = c1tab, .c2tab = c2tab, .b1 = b1, .b2 = b2, .eps = eps, .lr = lr};
  parallel_for(n, dim, sparse_adam_range, &a);
}

static void gather_range(void* ctx, size_t lo, size_t hi) {
  const embed_args* a = ctx;
  mtl_gather_rows_loop(a->table, a->dim, a->rows + lo, hi - lo, a->out + lo * a->dim);
}

void mtl_gather_rows_parallel(const float* data, size_t dim, const int32_t* rows, size_t n, float* out) {
  embed_args a = {.table = (float*)data, .rows = rows, .dim = dim, .out = out};
  parallel_for(n, dim, gather_range, &a);
}

static void sgd_range(void* ctx, size_t lo, size_t hi) {
  const embed_args* a = ctx;
  mtl_embed_sgd_loop(a->table, a->dim, a->rows + lo, hi - lo, a->grads + lo * a->dim, a->lr);
}

static void adagrad_range(void* ctx, size_t lo, size_t hi) {
  const embed_args* a = ctx;
  mtl_embed_adagrad_loop(a->table, a->s0, a->dim, a->rows + lo, hi - lo, a->grads + lo * a->dim, a->lr, a->eps);
}

static void rowwise_adagrad_range(void* ctx, size_t lo, size_t hi) {
  const embed_args* a = ctx;
  mtl_embed_rowwise_adagrad_loop(a->table, a->s0, a->dim, a->rows + lo, hi - lo, a->grads + lo * a->dim, a->lr, a->eps);
}

static void dense_adam_range(void* ctx, size_t lo, size_t hi) {
  const embed_args* a = ctx;
  mtl_embed_dense_adam_loop(a->table + lo, a->s0 + lo, a->s1 + lo, a->s2 + lo, hi - lo, a->b1, a->b2, a->eps, a->lr, a->c1, a->c2);
}

void mtl_embed_update_parallel(int kind, float* table, size_t table_len, size_t dim, const int32_t* rows, size_t n, const float* grads, float* s0, float* s1, float* s2, const double* hyper) {
  embed_args a = {.table = table, .s0 = s0, .s1 = s1, .s2 = s2, .grads = grads, .rows = rows, .dim = dim};
  if (kind == MTL_EMBED_DENSE_ADAM) {
    /* As optim-sparse.ts denseAdam: the touched rows' gradients into the zeroed scratch s2 (in order, so a
     * repeated row keeps its last gradient), every value's update, then the scratch zeroed again. */
    for (size_t k = 0; k < n; k++) memcpy(s2 + (size_t)rows[k] * dim, grads + k * dim, dim * sizeof(float));
    a.b1 = hyper[0], a.b2 = hyper[1], a.eps = hyper[2], a.lr = hyper[3], a.c1 = hyper[4], a.c2 = hyper[5];
    parallel_for(table_len, 1, dense_adam_range, &a);
    for (size_t k = 0; k < n; k++) memset(s2 + (size_t)rows[k] * dim, 0, dim * sizeof(float));
    return;
  }
  a.lr = hyper[0];
  a.eps = hyper[1];
  parallel_for(n, dim, kind == MTL_EMBED_SGD ? sgd_range : kind == MTL_EMBED_ADAGRAD ? adagrad_range : rowwise_adagrad_range, &a);
}

static void prepare_range(void* ctx, size_t lo, size_t hi) {
  const embed_args* a = ctx;
  mtl_row_grads_prepare_loop(a->table, a->dim, a->rows + lo, hi - lo, (float*)a->grads + lo * a->dim, a->scale, a->l2);
}

void mtl_row_grads_prepare_parallel(const float* table, size_t dim, const int32_t* rows, size_t n, float* grads, double scale, double l2) {
  embed_args a = {.table = (float*)table, .grads = grads, .rows = rows, .dim = dim, .scale = scale, .l2 = l2};
  parallel_for(n, dim, prepare_range, &a);
}

static void scale_range(void* ctx, size_t lo, size_t hi) {
  const embed_args* a = ctx;
  mtl_scale_loop(a->out + lo, hi - lo, a->scale);
}

void mtl_scale_parallel(float* x, size_t n, double factor) {
  embed_args a = {.out = x, .scale = factor};
  parallel_for(n, 1, scale_range, &a);
}
