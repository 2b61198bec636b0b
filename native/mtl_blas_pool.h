/* The addon's thread pool (mtl_blas_pool.c): the built-in GEMM and the embedding loops (mtl_blas_parallel.c)
 * run their work on it. Pure C and pthreads, no N-API; not part of the WebAssembly build (no threads there). */
#ifndef MTL_BLAS_POOL_H
#define MTL_BLAS_POOL_H
#include <stdbool.h>
#include <stddef.h>

/* A task: every thread taking part calls it once with the same argument and claims work from it itself
 * (mtl_claim), so a thread slowed by another process on its core simply does less. */
typedef void (*mtl_task_fn)(void* arg);

/* Run `fn(arg)` on the caller and up to n − 1 other threads, returning when all have finished: the kept pool
 * when it is free, else threads created for this call (another JS thread's call holds the pool), else the
 * caller alone. n ≤ 1 runs fn on the caller only. */
void mtl_parallel_run(mtl_task_fn fn, void* arg, int n);

/* The thread count the addon's parallel loops use (1–1024; set with the GEMM's, mtl_gemm_set_threads). */
void mtl_pool_set_threads(int n);
int mtl_pool_threads(void);

/* Work items [0, total) handed out in chunks: mtl_claim gives the next [lo, hi) or false when none is left. */
typedef struct {
  size_t total, chunk;
  size_t next; /* the first unclaimed item (atomic) */
} mtl_work;

/* The next chunk of `w`, or false when all are claimed. */
static inline bool mtl_claim(mtl_work* w, size_t* lo, size_t* hi) {
  const size_t at = __atomic_fetch_add(&w->next, w->chunk, __ATOMIC_RELAXED);
  if (at >= w->total) return false;
  *lo = at;
  *hi = at + w->chunk < w->total ? at + w->chunk : w->total;
  return true;
}

#endif
