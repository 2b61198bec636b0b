/*
 * The embedding loops across the addon's thread pool (mtl_blas_pool.c): each loop's items (touched rows, or
 * values of a whole table) are handed out in chunks that the caller and the workers claim as they are free.
 * Two threads never write the same value: a chunk of touched rows writes only those rows (the rows are unique,
 * as RowGradients.take makes them), a chunk of values only those values. Every value gets the same operations
 * as in the single-threaded loop, so the results are the same bits whatever the thread count (MTL_THREADS=1
 * runs them on the caller alone). Small calls stay on the caller: waking a worker costs more than they take.
 * Each loop is the running CPU's copy (mtl_blas_simd.h: AVX-512, AVX2 or baseline; the same bits).
 * Not in the WebAssembly build (no threads there; it calls the loops of mtl_blas_math.c directly).
 */
#define _DEFAULT_SOURCE
#include "mtl_blas_parallel.h"
#include "mtl_blas_math.h"
#include "mtl_blas_optim.h"
#include "mtl_blas_pool.h"
#include "mtl_blas_simd.h"
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Values per chunk: a few microseconds of work, so the claims are cheap and a slow thread holds back little. */
#define CHUNK_VALUES 4096
/* Below this many values a loop runs on the caller only (a worker's wake-up is ~1–50 µs, as much as the loop). */
#define PARALLEL_MIN_VALUES 8192
/* Loops that do little per value (a lookup copies a row; the dense update streams through its arrays, where an
 * embedding update computes on three random rows) need more values to pay for the wake-up: one lookup of 1024
 * ids × 16 took 2× longer on two threads than on one under load (bench/embedding-loops.ts). */
#define STREAM_MIN_VALUES 65536

typedef void (*range_fn)(void* ctx, size_t lo, size_t hi);

typedef struct {
  mtl_work work;
  range_fn range;
  void* ctx;
  int64_t first_out; /* when the first thread found no chunk left (ns; atomic, 0 until then) */
} ranged_task;

static int64_t now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

static void ranged_run(void* arg) {
  ranged_task* t = arg;
  size_t lo, hi;
  while (mtl_claim(&t->work, &lo, &hi)) t->range(t->ctx, lo, hi);
  int64_t none = 0;
  const int64_t at = now_ns();
  __atomic_compare_exchange_n(&t->first_out, &none, at, false, __ATOMIC_RELAXED, __ATOMIC_RELAXED);
}

/*
 * Back-off on a busy machine. A call ends by waiting for every worker that joined it; a worker preempted by
 * another process inside its chunk holds that wait up for a scheduler slice (milliseconds), longer than these
 * loops take on one thread (on 2 cores at a load of 12, lazy Adam took 2× longer on two threads than on one).
 * So when a call waited for its stragglers longer than it worked, the next calls run on the caller alone: 1,
 * then 2, 4, … up to 256 calls while that repeats, and threads again after a call without such a wait. Only
 * the schedule changes, never a result. Shared by the loops (a race on these counters only blurs the back-off).
 */
static int g_skip, g_backoff;

/* range(ctx, lo, hi) over [0, items) in chunks, on the pool when the work (items × values_per_item) is at least
 * min_values and the pool is not backing off. */
static void parallel_for_min(size_t items, size_t values_per_item, size_t min_values, range_fn range, void* ctx) {
  if (items == 0) return;
  const int threads = mtl_pool_threads();
  if (threads < 2 || items * values_per_item < min_values) {
    range(ctx, 0, items);
    return;
  }
  const int skip = __atomic_load_n(&g_skip, __ATOMIC_RELAXED);
  if (skip > 0) {
    __atomic_store_n(&g_skip, skip - 1, __ATOMIC_RELAXED);
    range(ctx, 0, items);
    return;
  }
  size_t chunk = CHUNK_VALUES / values_per_item;
  if (chunk < 1) chunk = 1;
  ranged_task task = {{items, chunk, 0}, range, ctx, 0};
  const int64_t t0 = now_ns();
  mtl_parallel_run(ranged_run, &task, threads);
  const int64_t t1 = now_ns();
  const int64_t worked = task.first_out - t0, waited = t1 - task.first_out;
  if (waited > worked) {
    int b = __atomic_load_n(&g_backoff, __ATOMIC_RELAXED);
    b = b == 0 ? 1 : b >= 128 ? 256 : 2 * b;
    __atomic_store_n(&g_backoff, b, __ATOMIC_RELAXED);
    __atomic_store_n(&g_skip, b, __ATOMIC_RELAXED);
  } else {
    __atomic_store_n(&g_backoff, 0, __ATOMIC_RELAXED);
  }
}

/* parallel_for_min with the loops' usual threshold. */
static void parallel_for(size_t items, size_t values_per_item, range_fn range, void* ctx) {
  parallel_for_min(items, values_per_item, PARALLEL_MIN_VALUES, range, ctx);
}

/* The arguments of every loop below (each uses the fields it needs). */
typedef struct {
  float *table, *s0;
  const float* grads;
  const int32_t* rows;
  size_t dim;
  double eps, lr, scale, l2;
  float* out;
} embed_args;

/* Adam over several tables: the items are all tables' touched rows end to end (table i's rows start at start[i]),
 * so the caller and the workers share one call per step instead of one per table (each call ends by waiting for
 * the workers, and on a busy machine a worker preempted inside a chunk holds that wait up). */
typedef struct {
  const mtl_adam_table* t;
  size_t count;
  const size_t* start;
  const mtl_adam_scalars* a;
  int out_of_range; /* set by the check when a row is outside its table (atomic) */
} adam_tables_args;

/* Call fn(a, table, first row, end row) for the parts of the global row range [lo, hi) in each table. */
static void adam_tables_each(adam_tables_args* a, size_t lo, size_t hi, void (*fn)(adam_tables_args*, const mtl_adam_table*, size_t, size_t)) {
  size_t i = 0;
  while (i + 1 < a->count && a->start[i + 1] <= lo) i++;
  for (; i < a->count && a->start[i] < hi; i++) {
    const size_t b = lo > a->start[i] ? lo - a->start[i] : 0;
    const size_t e = (hi < a->start[i] + a->t[i].n ? hi : a->start[i] + a->t[i].n) - a->start[i];
    if (b < e) fn(a, &a->t[i], b, e);
  }
}

static void adam_check_part(adam_tables_args* a, const mtl_adam_table* t, size_t b, size_t e) {
  for (size_t k = b; k < e; k++) {
    const int32_t row = t->rows[k];
    if (row < 0 || (size_t)row >= t->rows_in_table) {
      __atomic_store_n(&a->out_of_range, 1, __ATOMIC_RELAXED);
      return;
    }
  }
}

static void adam_update_part(adam_tables_args* a, const mtl_adam_table* t, size_t b, size_t e) {
  MTL_LOOP(mtl_embed_adam_loop)(t->table, t->m, t->v, t->steps, t->dim, t->rows + b, e - b, t->grads + b * t->dim, a->a);
}

static void adam_catch_up_part(adam_tables_args* a, const mtl_adam_table* t, size_t b, size_t e) {
  MTL_LOOP(mtl_adam_catch_up_loop)(t->table, t->m, t->v, t->steps, t->dim, t->rows + b, e - b, a->a);
}

/* The catch-up's sums of the claimed cache entries (mtl_catch_up_claim), split across the pool. */
typedef struct {
  const mtl_adam_scalars* a;
  const size_t* pending;
} catch_up_fill_args;

static void catch_up_fill_range(void* ctx, size_t lo, size_t hi) {
  const catch_up_fill_args* f = ctx;
  MTL_LOOP(mtl_catch_up_fill)(f->a, f->pending + lo, hi - lo);
}

/* Before a dense-equivalent update or catch-up: the sums of the (s, moving) pairs the rows need that the cache
 * lacks, each once (rows of all tables share the pairs: they are global updates). Without memory for the list the
 * rows sum alone (the same values, more work). */
static void catch_up_prepare(const mtl_adam_table* tables, size_t count, size_t total, const mtl_adam_scalars* a, double target) {
  if (a->sums == NULL || a->nsums == 0 || total == 0) return;
  size_t* pending = malloc(total * sizeof(size_t));
  if (pending == NULL) return;
  size_t n = 0;
  for (size_t i = 0; i < count; i++) n = mtl_catch_up_claim(a, tables[i].steps, tables[i].rows, tables[i].n, target, pending, n, total);
  catch_up_fill_args f = {a, pending};
  /* an entry's sums are ~200 steps of work: count it as that many values */
  parallel_for_min(n, 1024, PARALLEL_MIN_VALUES, catch_up_fill_range, &f);
  free(pending);
}

static void adam_check_range(void* ctx, size_t lo, size_t hi) { adam_tables_each(ctx, lo, hi, adam_check_part); }
static void adam_update_range(void* ctx, size_t lo, size_t hi) { adam_tables_each(ctx, lo, hi, adam_update_part); }
static void adam_catch_up_range(void* ctx, size_t lo, size_t hi) { adam_tables_each(ctx, lo, hi, adam_catch_up_part); }

mtl_adam_status mtl_adam_tables_parallel(const mtl_adam_table* tables, size_t count, const mtl_adam_scalars* scalars, bool catch_up_only) {
  size_t start_small[64];
  size_t* start = count + 1 <= 64 ? start_small : malloc((count + 1) * sizeof(size_t));
  if (start == NULL) return MTL_ADAM_NO_MEMORY;
  size_t total = 0, dim = 1;
  for (size_t i = 0; i < count; i++) {
    start[i] = total;
    total += tables[i].n;
    if (tables[i].dim > dim) dim = tables[i].dim;
  }
  start[count] = total;
  adam_tables_args a = {tables, count, start, scalars, 0};
  /* the check reads one value per row: its chunks count rows as 1/dim of an update's */
  parallel_for(total, 1, adam_check_range, &a);
  const bool ok = __atomic_load_n(&a.out_of_range, __ATOMIC_RELAXED) == 0;
  if (ok && scalars->catch_up) catch_up_prepare(tables, count, total, scalars, catch_up_only ? scalars->t : scalars->t - 1.0);
  if (ok) parallel_for(total, dim, catch_up_only ? adam_catch_up_range : adam_update_range, &a);
  if (start != start_small) free(start);
  return ok ? MTL_ADAM_DONE : MTL_ADAM_ROW_OUT_OF_RANGE;
}

static void gather_range(void* ctx, size_t lo, size_t hi) {
  const embed_args* a = ctx;
  mtl_gather_rows_loop(a->table, a->dim, a->rows + lo, hi - lo, a->out + lo * a->dim);
}

void mtl_gather_rows_parallel(const float* data, size_t dim, const int32_t* rows, size_t n, float* out) {
  embed_args a = {.table = (float*)data, .rows = rows, .dim = dim, .out = out};
  parallel_for_min(n, dim, STREAM_MIN_VALUES, gather_range, &a);
}

static void sgd_range(void* ctx, size_t lo, size_t hi) {
  const embed_args* a = ctx;
  MTL_LOOP(mtl_embed_sgd_loop)(a->table, a->dim, a->rows + lo, hi - lo, a->grads + lo * a->dim, a->lr);
}

static void adagrad_range(void* ctx, size_t lo, size_t hi) {
  const embed_args* a = ctx;
  MTL_LOOP(mtl_embed_adagrad_loop)(a->table, a->s0, a->dim, a->rows + lo, hi - lo, a->grads + lo * a->dim, a->lr, a->eps);
}

static void rowwise_adagrad_range(void* ctx, size_t lo, size_t hi) {
  const embed_args* a = ctx;
  MTL_LOOP(mtl_embed_rowwise_adagrad_loop)(a->table, a->s0, a->dim, a->rows + lo, hi - lo, a->grads + lo * a->dim, a->lr, a->eps);
}

void mtl_embed_update_parallel(int kind, float* table, size_t dim, const int32_t* rows, size_t n, const float* grads, float* s0, const double* hyper) {
  embed_args a = {.table = table, .s0 = s0, .grads = grads, .rows = rows, .dim = dim};
  a.lr = hyper[0];
  a.eps = hyper[1];
  parallel_for(n, dim, kind == MTL_EMBED_SGD ? sgd_range : kind == MTL_EMBED_ADAGRAD ? adagrad_range : rowwise_adagrad_range, &a);
}

static void prepare_range(void* ctx, size_t lo, size_t hi) {
  const embed_args* a = ctx;
  MTL_LOOP(mtl_row_grads_prepare_loop)(a->table, a->dim, a->rows + lo, hi - lo, (float*)a->grads + lo * a->dim, a->scale, a->l2);
}

void mtl_row_grads_prepare_parallel(const float* table, size_t dim, const int32_t* rows, size_t n, float* grads, double scale, double l2) {
  embed_args a = {.table = (float*)table, .grads = grads, .rows = rows, .dim = dim, .scale = scale, .l2 = l2};
  parallel_for(n, dim, prepare_range, &a);
}

static void scale_range(void* ctx, size_t lo, size_t hi) {
  const embed_args* a = ctx;
  MTL_LOOP(mtl_scale_loop)(a->out + lo, hi - lo, a->scale);
}

void mtl_scale_parallel(float* x, size_t n, double factor) {
  embed_args a = {.out = x, .scale = factor};
  parallel_for(n, 1, scale_range, &a);
}

/* The fused dense optimiser (denseUpdate) on element ranges: every value's operations are the loop's own. */
typedef struct {
  int kind;
  float *w, *s0, *s1;
  const float* g;
  const float* sc;
} dense_args;

static void dense_range(void* ctx, size_t lo, size_t hi) {
  const dense_args* a = ctx;
  const float* sc = a->sc;
  if (a->kind == MTL_DENSE_SGD) MTL_LOOP(mtl_sgd_loop)(a->w + lo, a->g + lo, hi - lo, sc[0]);
  else if (a->kind == MTL_DENSE_ADAGRAD) MTL_LOOP(mtl_adagrad_loop)(a->w + lo, a->s0 + lo, a->g + lo, hi - lo, sc[0], sc[1]);
  else MTL_LOOP(mtl_adam_loop)(a->w + lo, a->s0 + lo, a->s1 + lo, a->g + lo, hi - lo, sc[0], sc[1], sc[2], sc[3], sc[4], sc[5], sc[6], sc[7]);
}

void mtl_dense_update_parallel(int kind, float* w, const float* g, float* s0, float* s1, size_t n, const float* scalars) {
  dense_args a = {kind, w, s0, s1, g, scalars};
  parallel_for_min(n, 1, STREAM_MIN_VALUES, dense_range, &a);
}
