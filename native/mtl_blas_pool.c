/*
 * The addon's thread pool (see mtl_blas_pool.h): threads − 1 workers, created on first need and kept, so a call
 * does not wait for new threads to be scheduled (on a busy machine that wait was longer than the call). A call
 * publishes its task with one atomic word (generation << 8 | number of workers taking part); each worker spins
 * briefly on it, then sleeps on a condition variable. The caller runs the task too, then closes it and waits
 * only for the workers that joined it while it was open: a worker that wakes late (its core taken by another
 * process) finds the task closed and leaves it alone, so the caller never waits for a thread that is not
 * running. (The first version waited for every worker: on 2 cores under a load of 8, two threads made the
 * embedding loops 2–4× slower than one.) One call at a time (pool_busy): a concurrent call (another
 * worker_thread) creates its own threads instead. Moved here from mtl_gemm.c so the embedding loops share the
 * GEMM's workers.
 */
#define _DEFAULT_SOURCE
#include "mtl_blas_pool.h"
#include <pthread.h>
#include <stdint.h>
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define MTL_POOL_X86 1
#endif

enum { POOL_MAX = 63, POOL_SPIN = 4096 };
static pthread_mutex_t pool_busy = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t pool_wake = PTHREAD_COND_INITIALIZER, pool_done = PTHREAD_COND_INITIALIZER;
static uint64_t pool_word;     /* generation << 8 | workers taking part */
static int pool_open;          /* 1 while the current task takes new workers */
static int pool_active;        /* workers inside a task (joined while it was open, not yet finished) */
static mtl_task_fn pool_fn;    /* the current task */
static void* pool_arg;
static int pool_workers;       /* workers created */
static uint64_t pool_born[POOL_MAX + 1];
static int g_threads = 1;

static inline void cpu_relax(void) {
#ifdef MTL_POOL_X86
  _mm_pause();
#endif
}

static void* pool_worker(void* arg) {
  const uint64_t id = (uint64_t)(uintptr_t)arg;
  /* The generation when it was created (under pool_busy, before the call that created it was published). */
  uint64_t seen = __atomic_load_n(&pool_born[id], __ATOMIC_ACQUIRE);
  for (;;) {
    uint64_t w = __atomic_load_n(&pool_word, __ATOMIC_ACQUIRE);
    for (int spin = 0; (w >> 8) == seen && spin < POOL_SPIN; spin++) {
      cpu_relax();
      w = __atomic_load_n(&pool_word, __ATOMIC_ACQUIRE);
    }
    if ((w >> 8) == seen) {
      pthread_mutex_lock(&pool_lock);
      while (((w = __atomic_load_n(&pool_word, __ATOMIC_ACQUIRE)) >> 8) == seen) pthread_cond_wait(&pool_wake, &pool_lock);
      pthread_mutex_unlock(&pool_lock);
    }
    seen = w >> 8;
    if (id > (w & 0xff)) continue; /* not in this call */
    /* Join, then look whether the task is still open (sequentially consistent, against the caller's close
     * then count: either this worker sees it closed, or the caller sees this worker and waits for it). */
    __atomic_add_fetch(&pool_active, 1, __ATOMIC_SEQ_CST);
    if (__atomic_load_n(&pool_open, __ATOMIC_SEQ_CST)) pool_fn(pool_arg);
    if (__atomic_sub_fetch(&pool_active, 1, __ATOMIC_SEQ_CST) == 0) {
      pthread_mutex_lock(&pool_lock);
      pthread_cond_signal(&pool_done);
      pthread_mutex_unlock(&pool_lock);
    }
  }
  return NULL;
}

/* A child of fork() has none of the workers: it starts a pool of its own. */
static void pool_after_fork(void) {
  pool_workers = 0;
  pthread_mutex_init(&pool_busy, NULL);
  pthread_mutex_init(&pool_lock, NULL);
}
static pthread_once_t pool_once = PTHREAD_ONCE_INIT;
static void pool_init(void) { pthread_atfork(NULL, NULL, pool_after_fork); }

/* Run the task on the caller and n − 1 pool workers; false (nothing run) when the pool is busy or short of workers. */
static bool pool_run(mtl_task_fn fn, void* arg, int n) {
  pthread_once(&pool_once, pool_init);
  if (pthread_mutex_trylock(&pool_busy) != 0) return false;
  while (pool_workers < n - 1 && pool_workers < POOL_MAX) {
    pthread_t id;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    __atomic_store_n(&pool_born[pool_workers + 1], __atomic_load_n(&pool_word, __ATOMIC_RELAXED) >> 8, __ATOMIC_RELEASE);
    const bool ok = pthread_create(&id, &attr, pool_worker, (void*)(uintptr_t)(pool_workers + 1)) == 0;
    pthread_attr_destroy(&attr);
    if (!ok) break;
    pool_workers++;
  }
  if (pool_workers < n - 1) {
    pthread_mutex_unlock(&pool_busy);
    return false;
  }
  pool_fn = fn;
  pool_arg = arg;
  __atomic_store_n(&pool_open, 1, __ATOMIC_SEQ_CST);
  pthread_mutex_lock(&pool_lock);
  const uint64_t gen = (__atomic_load_n(&pool_word, __ATOMIC_RELAXED) >> 8) + 1;
  __atomic_store_n(&pool_word, gen << 8 | (uint64_t)(n - 1), __ATOMIC_RELEASE);
  pthread_cond_broadcast(&pool_wake);
  pthread_mutex_unlock(&pool_lock);
  fn(arg); /* returns when every chunk is claimed and the caller's own are done */
  __atomic_store_n(&pool_open, 0, __ATOMIC_SEQ_CST);
  for (int spin = 0; __atomic_load_n(&pool_active, __ATOMIC_SEQ_CST) != 0 && spin < POOL_SPIN; spin++) cpu_relax();
  if (__atomic_load_n(&pool_active, __ATOMIC_SEQ_CST) != 0) {
    pthread_mutex_lock(&pool_lock);
    while (__atomic_load_n(&pool_active, __ATOMIC_SEQ_CST) != 0) pthread_cond_wait(&pool_done, &pool_lock);
    pthread_mutex_unlock(&pool_lock);
  }
  pthread_mutex_unlock(&pool_busy);
  return true;
}

typedef struct {
  mtl_task_fn fn;
  void* arg;
} thread_task;

static void* thread_main(void* arg) {
  thread_task* t = arg;
  t->fn(t->arg);
  return NULL;
}

void mtl_parallel_run(mtl_task_fn fn, void* arg, int n) {
  if (n > POOL_MAX + 1) n = POOL_MAX + 1;
  if (n < 2) {
    fn(arg);
    return;
  }
  if (pool_run(fn, arg, n)) return;
  /* The pool is busy (another JS thread's call) or has no workers: threads for this call only (a thread that
   * cannot be created leaves its share to the others, which claim it). */
  pthread_t ids[POOL_MAX + 1];
  bool started[POOL_MAX + 1];
  thread_task task = {fn, arg};
  for (int t = 1; t < n; t++) started[t] = pthread_create(&ids[t], NULL, thread_main, &task) == 0;
  fn(arg);
  for (int t = 1; t < n; t++)
    if (started[t]) pthread_join(ids[t], NULL);
}

void mtl_pool_set_threads(int n) {
  if (n < 1) n = 1;
  if (n > 1024) n = 1024;
  __atomic_store_n(&g_threads, n, __ATOMIC_RELAXED);
}

int mtl_pool_threads(void) { return __atomic_load_n(&g_threads, __ATOMIC_RELAXED); }
