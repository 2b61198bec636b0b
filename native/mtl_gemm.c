/*
 * mtl_sgemm: the addon's one single-precision GEMM (see mtl_gemm.h). Built with OpenBLAS (-DMTL_USE_OPENBLAS,
 * scripts/build-native.mjs when cblas.h and libopenblas are found) it is cblas_sgemm; otherwise it is the
 * built-in GEMM below, which needs only a C compiler:
 *
 *  - Goto/BLIS blocking: for each NC-wide block of op(B)'s columns and KC-deep block of K, op(B) is packed
 *    into NR-wide strips; for each MC-tall block of op(A)'s rows, op(A) is packed into MR-tall strips; an
 *    MR×NR register-blocked micro-kernel then multiplies one A strip by one B strip over kc.
 *    Packing reads the four transpose combinations, so the kernels see only one layout.
 *  - Micro-kernels (MR = 6, NR = 16 for all): AVX-512F (2 × 6 zmm accumulators, even and odd k), AVX2+FMA (12 ymm accumulators),
 *    and portable C (what the compiler vectorises for the target: SSE2 on plain x86-64, NEON on arm64).
 *    The x86 ones are compiled with __attribute__((target(...))) and chosen at run time with
 *    __builtin_cpu_supports, so the addon still runs on any x86-64. MTL_GEMM_KERNEL=portable|avx2|avx512
 *    forces one the CPU supports (read when the thread count is set, i.e. when the addon is loaded).
 *  - At most 4 rows (batch-1 prediction) or a tiny product: unpacked row-at-a-time loops (gemm_small).
 *  - Threads: a call with enough work runs on up to mtl_gemm_set_threads() threads — the caller and the addon's
 *    pool of kept workers (mtl_blas_pool.c; threads created for the call when the pool is busy) — which claim chunks of MR-row
 *    or NR-column tiles (whichever dimension has more) as they are free, each chunk a blocked GEMM of its own.
 *    mtl_sgemm_many shares several GEMMs of one shape (a layer's experts) out in one call, each cut into fewer chunks.
 *
 * With OpenBLAS, OpenBLAS runs on one thread and the same pool shares a call out in chunks of 16-row or
 * 16-column tiles, each its single-threaded cblas_sgemm. OpenBLAS's own threads split a call evenly and spin
 * for a while after it: on a shared 2-core machine a preempted partner held every GEMM up and the spinning
 * took a core from the rest of the step (mmoe V = 1e5 at 1.06× the peer, bench/README.md). The chunks are
 * claimed as threads are free, and the pool's workers sleep after a short spin. A chunk's edge rows may sum
 * in another order than OpenBLAS's whole call, so the last bit can depend on the thread count (never on
 * which thread claims which chunk); the built-in GEMM gives the same bits on any thread count.
 *
 * Every C element is alpha · (the sum over K in KC blocks of each block's sum) + beta · C; beta = 0
 * never reads C. Not bit-identical to OpenBLAS (different summation order), equal within float32 rounding
 * (test/exec/native-gemm.test.ts).
 */
#define _DEFAULT_SOURCE
#include "mtl_gemm.h"
#include "mtl_blas_pool.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define MTL_X86 1
#endif
#ifdef MTL_USE_OPENBLAS
#include <cblas.h>
#endif

#pragma GCC push_options
#pragma GCC optimize("O3")

enum { MR = 6, NR = 16, MC = 96, KC = 256, NC = 2048 };
/* Rows (or columns) per tile when the pool shares an OpenBLAS call out: a multiple of its kernels' unrolling. */
enum { OPENBLAS_TILE = 16 };
/* Below this many multiply-adds a call runs on the calling thread only. */
#define MTL_GEMM_THREAD_MIN_MACS (1 << 20)

/* kernel(kc, a, b, c, ldc, alpha, beta, mr, nr): C[0..mr, 0..nr] = alpha · (a · b) + beta · C, where a is a packed
 * MR×kc strip (MR floats per k) and b a packed kc×NR strip (NR floats per k); beta = 0 never reads C. */
typedef void (*mtl_kernel_fn)(int kc, const float* restrict a, const float* restrict b, float* restrict c, int ldc, float alpha, float beta, int mr, int nr);

/* Write an MR×NR accumulator tile (row-major, NR per row) into the mr×nr corner of C. */
static inline void store_tile(const float* restrict acc, float* restrict c, int ldc, float alpha, float beta, int mr, int nr) {
  for (int i = 0; i < mr; i++) {
    float* restrict ci = c + (size_t)i * ldc;
    if (beta == 0.0f)
      for (int j = 0; j < nr; j++) ci[j] = alpha * acc[i * NR + j];
    else
      for (int j = 0; j < nr; j++) ci[j] = alpha * acc[i * NR + j] + beta * ci[j];
  }
}

/* GCC/Clang vector extensions: SSE2 on x86-64, NEON on arm64, scalar code elsewhere. */
typedef float mtl_v4f __attribute__((vector_size(16)));

static void kernel_portable(int kc, const float* restrict a, const float* restrict b, float* restrict c, int ldc, float alpha, float beta, int mr, int nr) {
  mtl_v4f acc[MR][NR / 4];
  for (int i = 0; i < MR; i++)
    for (int h = 0; h < NR / 4; h++) acc[i][h] = (mtl_v4f){0.0f, 0.0f, 0.0f, 0.0f};
  for (int p = 0; p < kc; p++) {
    mtl_v4f bv[NR / 4];
    memcpy(bv, b + (size_t)p * NR, sizeof bv);
    const float* restrict ap = a + (size_t)p * MR;
    for (int i = 0; i < MR; i++) {
      const float ai = ap[i];
      const mtl_v4f av = {ai, ai, ai, ai};
      for (int h = 0; h < NR / 4; h++) acc[i][h] += av * bv[h];
    }
  }
  float tile[MR * NR];
  memcpy(tile, acc, sizeof tile);
  store_tile(tile, c, ldc, alpha, beta, mr, nr);
}

#ifdef MTL_X86
__attribute__((target("avx2,fma"))) static void kernel_avx2(int kc, const float* restrict a, const float* restrict b, float* restrict c, int ldc, float alpha, float beta, int mr, int nr) {
  __m256 c00 = _mm256_setzero_ps(), c01 = _mm256_setzero_ps(), c10 = _mm256_setzero_ps(), c11 = _mm256_setzero_ps();
  __m256 c20 = _mm256_setzero_ps(), c21 = _mm256_setzero_ps(), c30 = _mm256_setzero_ps(), c31 = _mm256_setzero_ps();
  __m256 c40 = _mm256_setzero_ps(), c41 = _mm256_setzero_ps(), c50 = _mm256_setzero_ps(), c51 = _mm256_setzero_ps();
  for (int p = 0; p < kc; p++) {
    const __m256 b0 = _mm256_loadu_ps(b), b1 = _mm256_loadu_ps(b + 8);
    __m256 x;
    x = _mm256_broadcast_ss(a + 0); c00 = _mm256_fmadd_ps(x, b0, c00); c01 = _mm256_fmadd_ps(x, b1, c01);
    x = _mm256_broadcast_ss(a + 1); c10 = _mm256_fmadd_ps(x, b0, c10); c11 = _mm256_fmadd_ps(x, b1, c11);
    x = _mm256_broadcast_ss(a + 2); c20 = _mm256_fmadd_ps(x, b0, c20); c21 = _mm256_fmadd_ps(x, b1, c21);
    x = _mm256_broadcast_ss(a + 3); c30 = _mm256_fmadd_ps(x, b0, c30); c31 = _mm256_fmadd_ps(x, b1, c31);
    x = _mm256_broadcast_ss(a + 4); c40 = _mm256_fmadd_ps(x, b0, c40); c41 = _mm256_fmadd_ps(x, b1, c41);
    x = _mm256_broadcast_ss(a + 5); c50 = _mm256_fmadd_ps(x, b0, c50); c51 = _mm256_fmadd_ps(x, b1, c51);
    a += MR;
    b += NR;
  }
  const __m256 acc[MR][2] = {{c00, c01}, {c10, c11}, {c20, c21}, {c30, c31}, {c40, c41}, {c50, c51}};
  if (mr == MR && nr == NR) {
    const __m256 va = _mm256_set1_ps(alpha), vb = _mm256_set1_ps(beta);
    for (int i = 0; i < MR; i++) {
      float* ci = c + (size_t)i * ldc;
      for (int h = 0; h < 2; h++) {
        const __m256 v = _mm256_mul_ps(va, acc[i][h]);
        _mm256_storeu_ps(ci + 8 * h, beta == 0.0f ? v : _mm256_fmadd_ps(vb, _mm256_loadu_ps(ci + 8 * h), v));
      }
    }
    return;
  }
  float tile[MR * NR];
  for (int i = 0; i < MR; i++) {
    _mm256_storeu_ps(tile + i * NR, acc[i][0]);
    _mm256_storeu_ps(tile + i * NR + 8, acc[i][1]);
  }
  store_tile(tile, c, ldc, alpha, beta, mr, nr);
}

/* x0..x5 += (a[0..5] broadcast) · bv */
#define MTL_AVX512_ROWS(x, bv, ap)                                  \
  do {                                                              \
    x##0 = _mm512_fmadd_ps(_mm512_set1_ps((ap)[0]), bv, x##0);      \
    x##1 = _mm512_fmadd_ps(_mm512_set1_ps((ap)[1]), bv, x##1);      \
    x##2 = _mm512_fmadd_ps(_mm512_set1_ps((ap)[2]), bv, x##2);      \
    x##3 = _mm512_fmadd_ps(_mm512_set1_ps((ap)[3]), bv, x##3);      \
    x##4 = _mm512_fmadd_ps(_mm512_set1_ps((ap)[4]), bv, x##4);      \
    x##5 = _mm512_fmadd_ps(_mm512_set1_ps((ap)[5]), bv, x##5);      \
  } while (0)

__attribute__((target("avx512f"))) static void kernel_avx512(int kc, const float* restrict a, const float* restrict b, float* restrict c, int ldc, float alpha, float beta, int mr, int nr) {
  /* Two accumulator sets (even and odd k) so that 12 FMAs are in flight: one set of 6 would wait on the
   * FMA latency (4 cycles × 2 ports). */
  __m512 c0 = _mm512_setzero_ps(), c1 = _mm512_setzero_ps(), c2 = _mm512_setzero_ps();
  __m512 c3 = _mm512_setzero_ps(), c4 = _mm512_setzero_ps(), c5 = _mm512_setzero_ps();
  __m512 d0 = _mm512_setzero_ps(), d1 = _mm512_setzero_ps(), d2 = _mm512_setzero_ps();
  __m512 d3 = _mm512_setzero_ps(), d4 = _mm512_setzero_ps(), d5 = _mm512_setzero_ps();
  int p = 0;
  for (; p + 1 < kc; p += 2) {
    const __m512 b0 = _mm512_loadu_ps(b), b1 = _mm512_loadu_ps(b + NR);
    MTL_AVX512_ROWS(c, b0, a);
    MTL_AVX512_ROWS(d, b1, a + MR);
    a += 2 * MR;
    b += 2 * NR;
  }
  if (p < kc) {
    const __m512 b0 = _mm512_loadu_ps(b);
    MTL_AVX512_ROWS(c, b0, a);
  }
  c0 = _mm512_add_ps(c0, d0);
  c1 = _mm512_add_ps(c1, d1);
  c2 = _mm512_add_ps(c2, d2);
  c3 = _mm512_add_ps(c3, d3);
  c4 = _mm512_add_ps(c4, d4);
  c5 = _mm512_add_ps(c5, d5);
  const __m512 acc[MR] = {c0, c1, c2, c3, c4, c5};
  if (mr == MR && nr == NR) {
    const __m512 va = _mm512_set1_ps(alpha), vb = _mm512_set1_ps(beta);
    for (int i = 0; i < MR; i++) {
      float* ci = c + (size_t)i * ldc;
      const __m512 v = _mm512_mul_ps(va, acc[i]);
      _mm512_storeu_ps(ci, beta == 0.0f ? v : _mm512_fmadd_ps(vb, _mm512_loadu_ps(ci), v));
    }
    return;
  }
  float tile[MR * NR];
  for (int i = 0; i < MR; i++) _mm512_storeu_ps(tile + i * NR, acc[i]);
  store_tile(tile, c, ldc, alpha, beta, mr, nr);
}
#endif

static mtl_kernel_fn g_kernel = NULL;
static const char* g_kernel_name = "portable C";

/* Pick the micro-kernel: the best the CPU supports, or MTL_GEMM_KERNEL's if the CPU supports it. */
static void select_kernel(void) {
  const char* want = getenv("MTL_GEMM_KERNEL");
  mtl_kernel_fn k = kernel_portable;
  const char* name = "portable C";
#ifdef MTL_X86
  __builtin_cpu_init();
  const bool avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  const bool avx512 = avx2 && __builtin_cpu_supports("avx512f");
  const bool any = want == NULL || want[0] == '\0';
  if (avx512 && (any || strcmp(want, "avx512") == 0)) {
    k = kernel_avx512;
    name = "AVX-512";
  } else if (avx2 && (any || strcmp(want, "avx2") == 0 || strcmp(want, "avx512") == 0)) {
    k = kernel_avx2;
    name = "AVX2+FMA";
  }
#else
  (void)want;
#endif
  g_kernel_name = name;
  __atomic_store_n(&g_kernel, k, __ATOMIC_RELEASE);
}

static mtl_kernel_fn kernel(void) {
  mtl_kernel_fn k = __atomic_load_n(&g_kernel, __ATOMIC_ACQUIRE);
  if (k == NULL) {
    select_kernel();
    k = g_kernel;
  }
  return k;
}

/*
 * Pack a block of a matrix op(X) whose element (r, p) is X[p·ld + r] when `across` (the strip's elements are
 * contiguous) else X[r·ld + p]: rows r in [r0, r0+rn) × depth p in [p0, p0+kc) into R-wide strips (R floats per
 * p), zero-padded to a multiple of R. op(A) is packed with R = MR and across = ta (element (i, p)); op(B) with
 * R = NR and across = !tb (element (j, p)).
 */
static inline __attribute__((always_inline)) void pack(const float* X, int ld, bool across, int r0, int rn, int p0, int kc, int R, float* restrict out) {
  for (int s0 = 0; s0 < rn; s0 += R) {
    const int n = rn - s0 < R ? rn - s0 : R;
    float* restrict o = out + (size_t)s0 * kc;
    if (across) {
      for (int p = 0; p < kc; p++) {
        const float* src = X + (size_t)(p0 + p) * ld + r0 + s0;
        int r = 0;
        for (; r < n; r++) o[p * R + r] = src[r];
        for (; r < R; r++) o[p * R + r] = 0.0f;
      }
    } else {
      for (int r = 0; r < R; r++) {
        if (r < n) {
          const float* src = X + (size_t)(r0 + s0 + r) * ld + p0;
          for (int p = 0; p < kc; p++) o[p * R + r] = src[p];
        } else {
          for (int p = 0; p < kc; p++) o[p * R + r] = 0.0f;
        }
      }
    }
  }
}

typedef struct {
  bool ta, tb;
  int M, N, K;
  float alpha, beta;
  const float* A;
  int lda;
  const float* B;
  int ldb;
  float* C;
  int ldc;
  mtl_kernel_fn kernel;
} gemm_job;

typedef struct {
  const gemm_job* job;
  int m0, m1, n0, n1;
  int failed;
} gemm_part;

static size_t round_up(size_t x, size_t to) { return (x + to - 1) / to * to; }

/* Unblocked fallback when the packing buffers cannot be allocated. */
static void gemm_naive(const gemm_job* J, int m0, int m1, int n0, int n1) {
  for (int i = m0; i < m1; i++)
    for (int j = n0; j < n1; j++) {
      float s = 0.0f;
      for (int p = 0; p < J->K; p++) {
        const float a = J->ta ? J->A[(size_t)p * J->lda + i] : J->A[(size_t)i * J->lda + p];
        const float b = J->tb ? J->B[(size_t)j * J->ldb + p] : J->B[(size_t)p * J->ldb + j];
        s += a * b;
      }
      float* c = J->C + (size_t)i * J->ldc + j;
      *c = J->beta == 0.0f ? J->alpha * s : J->alpha * s + J->beta * *c;
    }
}

/* The blocked GEMM on C's rows [m0, m1) × columns [n0, n1). */
static void* gemm_part_run(void* arg) {
  gemm_part* P = arg;
  const gemm_job* J = P->job;
  const int m = P->m1 - P->m0, n = P->n1 - P->n0, K = J->K;
  const size_t kcm = (size_t)(K < KC ? K : KC);
  const size_t mcm = m < MC ? round_up((size_t)m, MR) : MC;
  const size_t ncm = n < NC ? round_up((size_t)n, NR) : NC;
  float* abuf = aligned_alloc(64, round_up(mcm * kcm * sizeof(float), 64));
  float* bbuf = aligned_alloc(64, round_up(ncm * kcm * sizeof(float), 64));
  if (abuf == NULL || bbuf == NULL) {
    free(abuf);
    free(bbuf);
    gemm_naive(J, P->m0, P->m1, P->n0, P->n1);
    return NULL;
  }
  const mtl_kernel_fn kern = J->kernel;
  for (int jc = P->n0; jc < P->n1; jc += NC) {
    const int nc = P->n1 - jc < NC ? P->n1 - jc : NC;
    for (int pc = 0; pc < K; pc += KC) {
      const int kc = K - pc < KC ? K - pc : KC;
      const float beta = pc == 0 ? J->beta : 1.0f;
      pack(J->B, J->ldb, !J->tb, jc, nc, pc, kc, NR, bbuf);
      for (int ic = P->m0; ic < P->m1; ic += MC) {
        const int mc = P->m1 - ic < MC ? P->m1 - ic : MC;
        pack(J->A, J->lda, J->ta, ic, mc, pc, kc, MR, abuf);
        for (int jr = 0; jr < nc; jr += NR) {
          const int nr = nc - jr < NR ? nc - jr : NR;
          for (int ir = 0; ir < mc; ir += MR) {
            const int mr = mc - ir < MR ? mc - ir : MR;
            kern(kc, abuf + (size_t)ir * kc, bbuf + (size_t)jr * kc, J->C + (size_t)(ic + ir) * J->ldc + jc + jr, J->ldc, J->alpha, beta, mr, nr);
          }
        }
      }
    }
  }
  free(abuf);
  free(bbuf);
  return NULL;
}

/*
 * Small M (batch-1 prediction's x · W, at most SMALL_M rows) or tiny products: no packing (which would copy
 * all of B to use it once or twice), one row of C at a time: C[i, :] += a[i, p] · B[p, :] over p (rows of
 * B read in order, 64 columns at a time) or, with tb, dot products of A's row with B's rows. The body is compiled twice: for
 * AVX2+FMA (target attribute, chosen with the AVX2 or AVX-512 kernel) and portable.
 */
enum { SMALL_M = 4 };
typedef float mtl_v8f __attribute__((vector_size(32)));

/* Inlined into each caller below, so compiled for that caller's target (8-float vectors: one ymm with AVX2,
 * two SSE/NEON registers otherwise). Row-at-a-time, 64 columns of C in 8 vector accumulators. */
static inline __attribute__((always_inline)) void gemm_small_body(bool ta, bool tb, int M, int N, int K, float alpha, const float* restrict A, int lda,
                                                                  const float* restrict B, int ldb, float beta, float* restrict C, int ldc) {
  for (int i = 0; i < M; i++) {
    float* restrict ci = C + (size_t)i * ldc;
    int j0 = 0;
    if (!tb) {
      for (; j0 + 64 <= N; j0 += 64) {
        mtl_v8f acc[8];
        for (int h = 0; h < 8; h++) acc[h] = (mtl_v8f){0};
        for (int p = 0; p < K; p++) {
          const float a = ta ? A[(size_t)p * lda + i] : A[(size_t)i * lda + p];
          const mtl_v8f av = {a, a, a, a, a, a, a, a};
          const float* bp = B + (size_t)p * ldb + j0;
          for (int h = 0; h < 8; h++) {
            mtl_v8f bv;
            memcpy(&bv, bp + 8 * h, sizeof bv);
            acc[h] += av * bv;
          }
        }
        float tile[64];
        memcpy(tile, acc, sizeof tile);
        if (beta == 0.0f)
          for (int j = 0; j < 64; j++) ci[j0 + j] = alpha * tile[j];
        else
          for (int j = 0; j < 64; j++) ci[j0 + j] = alpha * tile[j] + beta * ci[j0 + j];
      }
      for (; j0 + 8 <= N; j0 += 8) {
        mtl_v8f acc = {0};
        for (int p = 0; p < K; p++) {
          const float a = ta ? A[(size_t)p * lda + i] : A[(size_t)i * lda + p];
          const mtl_v8f av = {a, a, a, a, a, a, a, a};
          mtl_v8f bv;
          memcpy(&bv, B + (size_t)p * ldb + j0, sizeof bv);
          acc += av * bv;
        }
        for (int j = 0; j < 8; j++) ci[j0 + j] = beta == 0.0f ? alpha * acc[j] : alpha * acc[j] + beta * ci[j0 + j];
      }
    }
    for (int j = j0; j < N; j++) {
      float s = 0.0f;
      if (tb && !ta) {
        const float* ai = A + (size_t)i * lda;
        const float* bj = B + (size_t)j * ldb;
        mtl_v8f sv = {0};
        int p = 0;
        for (; p + 8 <= K; p += 8) {
          mtl_v8f x, y;
          memcpy(&x, ai + p, sizeof x);
          memcpy(&y, bj + p, sizeof y);
          sv += x * y;
        }
        for (int h = 0; h < 8; h++) s += sv[h];
        for (; p < K; p++) s += ai[p] * bj[p];
      } else {
        for (int p = 0; p < K; p++)
          s += (ta ? A[(size_t)p * lda + i] : A[(size_t)i * lda + p]) * (tb ? B[(size_t)j * ldb + p] : B[(size_t)p * ldb + j]);
      }
      ci[j] = beta == 0.0f ? alpha * s : alpha * s + beta * ci[j];
    }
  }
}
#define MTL_GEMM_SMALL_CALL gemm_small_body(J->ta, J->tb, J->M, J->N, J->K, J->alpha, J->A, J->lda, J->B, J->ldb, J->beta, J->C, J->ldc);

static void gemm_small_portable(const gemm_job* J) { MTL_GEMM_SMALL_CALL }
#ifdef MTL_X86
__attribute__((target("avx2,fma"))) static void gemm_small_avx2(const gemm_job* J) { MTL_GEMM_SMALL_CALL }
#endif

/* The tiles of a threaded call on one or more equally shaped GEMMs, claimed in chunks by the caller and the
 * workers as each is free (so a thread slowed by another process on its core does less): mr-row tiles (each
 * chunk a GEMM over all of N) or, when op(B) has more tiles, nr-column tiles. A chunk repacks the other
 * operand: ~1/chunk of its work, so a batch of GEMMs (the experts of a layer) is split less, or not at all. */
typedef struct {
  const gemm_job* jobs;
  void* (*part)(void*); /* runs one chunk: gemm_part_run, or openblas_part_run */
  bool split_n;
  int tile;   /* rows (or columns) per tile */
  int tiles;  /* tiles per GEMM */
  int chunk;  /* tiles per chunk */
  int pieces; /* chunks per GEMM */
  int units;  /* chunks in all: GEMMs × pieces, or pieces when in order */
  int count;  /* GEMMs */
  bool in_order; /* a chunk runs every GEMM in order on its rows (or columns): they share one C */
  int next;   /* the next chunk to claim (atomic) */
} gemm_sched;

#ifdef MTL_USE_OPENBLAS
/* One chunk of a threaded call with OpenBLAS: its single-threaded cblas_sgemm on C's rows [m0, m1) × columns
 * [n0, n1) (the operands' matching rows or columns; the whole K). */
static void* openblas_part_run(void* arg) {
  const gemm_part* P = arg;
  const gemm_job* J = P->job;
  const float* A = J->A + (J->ta ? (size_t)P->m0 : (size_t)P->m0 * J->lda);
  const float* B = J->B + (J->tb ? (size_t)P->n0 * J->ldb : (size_t)P->n0);
  float* C = J->C + (size_t)P->m0 * J->ldc + P->n0;
  cblas_sgemm(CblasRowMajor, J->ta ? CblasTrans : CblasNoTrans, J->tb ? CblasTrans : CblasNoTrans, P->m1 - P->m0, P->n1 - P->n0, J->K, J->alpha, A, J->lda, B, J->ldb,
              J->beta, C, J->ldc);
  return NULL;
}
#endif

static void sched_run(void* arg) {
  gemm_sched* S = arg;
  for (;;) {
    const int u = __atomic_fetch_add(&S->next, 1, __ATOMIC_RELAXED);
    if (u >= S->units) break;
    const int t0 = (u % S->pieces) * S->chunk;
    const int t1 = t0 + S->chunk < S->tiles ? t0 + S->chunk : S->tiles;
    const int e0 = t0 * S->tile, e1 = t1 * S->tile;
    const int g0 = S->in_order ? 0 : u / S->pieces, g1 = S->in_order ? S->count : g0 + 1;
    for (int g = g0; g < g1; g++) {
      const gemm_job* J = &S->jobs[g];
      gemm_part part = S->split_n ? (gemm_part){J, 0, J->M, e0, e1 < J->N ? e1 : J->N, 0} : (gemm_part){J, e0, e1 < J->M ? e1 : J->M, 0, J->N, 0};
      S->part(&part);
    }
  }
}

/* Chunks per thread of a threaded call: more even out a thread slowed by another process, fewer repack the
 * other operand less often. */
enum { CHUNKS_PER_THREAD = 4 };

/* Run `count` GEMMs of one shape with `part` on each chunk: on the caller alone when they are small together
 * or one thread is asked for, else in one call on up to mtl_pool_threads() threads claiming chunks of mr-row
 * or nr-column tiles (whichever dimension has more), each GEMM cut into as few chunks as make ~CHUNKS_PER_THREAD
 * per thread in all, at most cap_m (or cap_n) tiles each. */
static void gemm_threaded(const gemm_job* jobs, int count, bool in_order, void* (*part)(void*), int mr, int nr, int cap_m, int cap_n) {
  const int M = jobs[0].M, N = jobs[0].N;
  const double macs = (double)M * (double)N * (double)jobs[0].K * (double)count;
  int threads = mtl_pool_threads();
  const int mtiles = (M + mr - 1) / mr, ntiles = (N + nr - 1) / nr;
  const bool split_n = ntiles > mtiles;
  const int tiles = split_n ? ntiles : mtiles;
  if (threads > tiles * count) threads = tiles * count;
  if (macs < (double)MTL_GEMM_THREAD_MIN_MACS || threads < 2) {
    for (int i = 0; i < count; i++) {
      gemm_part whole = {&jobs[i], 0, M, 0, N, 0};
      part(&whole);
    }
    return;
  }
  const int cap = split_n ? cap_n : cap_m;
  const int over = in_order ? 1 : count; /* GEMMs that share the chunks out */
  int want = (CHUNKS_PER_THREAD * threads + over - 1) / over; /* pieces per GEMM */
  if (want > tiles) want = tiles;
  int chunk = (tiles + want - 1) / want;
  if (chunk > cap) chunk = cap;
  const int pieces = (tiles + chunk - 1) / chunk;
  gemm_sched sched = {jobs, part, split_n, split_n ? nr : mr, tiles, chunk, pieces, in_order ? pieces : pieces * count, count, in_order, 0};
  mtl_parallel_run(sched_run, &sched, threads);
}

void mtl_builtin_sgemm(bool ta, bool tb, int M, int N, int K, float alpha, const float* A, int lda, const float* B, int ldb, float beta, float* C, int ldc) {
  if (M <= 0 || N <= 0) return;
  if (K <= 0 || alpha == 0.0f) {
    for (int i = 0; i < M; i++) {
      float* ci = C + (size_t)i * ldc;
      if (beta == 0.0f)
        memset(ci, 0, (size_t)N * sizeof(float));
      else if (beta != 1.0f)
        for (int j = 0; j < N; j++) ci[j] *= beta;
    }
    return;
  }
  const gemm_job job = {ta, tb, M, N, K, alpha, beta, A, lda, B, ldb, C, ldc, kernel()};
  if (M <= SMALL_M || (double)M * (double)N * (double)K < 8192.0) {
#ifdef MTL_X86
    if (job.kernel != kernel_portable) {
      gemm_small_avx2(&job);
      return;
    }
#endif
    gemm_small_portable(&job);
    return;
  }
  gemm_threaded(&job, 1, false, gemm_part_run, MR, NR, MC / MR, NC / NR);
}

/* The floats [lo, hi) that a row-major operand of `rows` rows of `cols` with leading dimension ld spans. */
static void extent(const float* p, int rows, int cols, int ld, const float** lo, const float** hi) {
  *lo = p;
  *hi = p + (size_t)(rows - 1) * (size_t)ld + (size_t)cols;
}

static bool overlaps(const float* a, int ar, int ac, int lda, const float* b, int br, int bc, int ldb) {
  const float *a0, *a1, *b0, *b1;
  extent(a, ar, ac, lda, &a0, &a1);
  extent(b, br, bc, ldb, &b0, &b1);
  return a0 < b1 && b0 < a1;
}

/* How the GEMMs of a batch depend on each other: not at all (any order, at the same time), through one C
 * that every one of them writes (chunks of C in parallel, each GEMM in order within a chunk), or otherwise
 * (one's C overlaps another's A or B, or Cs partly overlap: their order matters everywhere). */
typedef enum { BATCH_INDEPENDENT, BATCH_ONE_C, BATCH_DEPENDENT } batch_kind;

static batch_kind batch_dependence(const gemm_job* jobs, int count) {
  bool shared = false, distinct = false;
  for (int i = 0; i < count; i++) {
    const gemm_job* X = &jobs[i];
    for (int j = 0; j < count; j++) {
      if (j == i) continue;
      const gemm_job* Y = &jobs[j];
      if (overlaps(X->C, X->M, X->N, X->ldc, Y->A, Y->ta ? Y->K : Y->M, Y->ta ? Y->M : Y->K, Y->lda) ||
          overlaps(X->C, X->M, X->N, X->ldc, Y->B, Y->tb ? Y->N : Y->K, Y->tb ? Y->K : Y->N, Y->ldb))
        return BATCH_DEPENDENT;
      if (X->C == Y->C)
        shared = true;
      else if (overlaps(X->C, X->M, X->N, X->ldc, Y->C, Y->M, Y->N, Y->ldc))
        return BATCH_DEPENDENT;
      else
        distinct = true;
    }
  }
  /* One C for all, or all distinct; a mix (two groups) runs one at a time. */
  return shared && distinct ? BATCH_DEPENDENT : shared ? BATCH_ONE_C : BATCH_INDEPENDENT;
}

/* The GEMM of one job: the built-in kernels (unpacked loops for a small one) or OpenBLAS, on the pool. */
static void gemm_jobs(const gemm_job* jobs, int count, bool in_order) {
#ifdef MTL_USE_OPENBLAS
  /* OpenBLAS runs on one thread (mtl_gemm_set_threads); the addon's pool shares a large call out in chunks. */
  gemm_threaded(jobs, count, in_order, openblas_part_run, OPENBLAS_TILE, OPENBLAS_TILE, 1 << 20, 1 << 20);
#else
  gemm_threaded(jobs, count, in_order, gemm_part_run, MR, NR, MC / MR, NC / NR);
#endif
}

void mtl_sgemm(bool ta, bool tb, int M, int N, int K, float alpha, const float* A, int lda, const float* B, int ldb, float beta, float* C, int ldc) {
  float* const c[1] = {C};
  mtl_sgemm_many(ta, tb, M, N, K, alpha, &A, lda, &B, ldb, &beta, c, ldc, 1);
}

void mtl_sgemm_many(bool ta, bool tb, int M, int N, int K, float alpha, const float* const* A, int lda, const float* const* B, int ldb, const float* beta, float* const* C, int ldc,
                    int count) {
  if (M <= 0 || N <= 0 || count <= 0) return;
#ifndef MTL_USE_OPENBLAS
  if (K <= 0 || alpha == 0.0f || M <= SMALL_M || (double)M * N * K < 8192.0) {
    for (int i = 0; i < count; i++) mtl_builtin_sgemm(ta, tb, M, N, K, alpha, A[i], lda, B[i], ldb, beta[i], C[i], ldc);
    return;
  }
  const mtl_kernel_fn kern = kernel();
#else
  const mtl_kernel_fn kern = NULL;
#endif
  enum { BLOCK = 64 };
  gemm_job jobs[BLOCK];
  for (int i0 = 0; i0 < count; i0 += BLOCK) {
    const int n = count - i0 < BLOCK ? count - i0 : BLOCK;
    for (int i = 0; i < n; i++) jobs[i] = (gemm_job){ta, tb, M, N, K, alpha, beta[i0 + i], A[i0 + i], lda, B[i0 + i], ldb, C[i0 + i], ldc, kern};
    const batch_kind kind = batch_dependence(jobs, n);
    if (kind == BATCH_DEPENDENT) {
      /* One's C read by another, or Cs that partly overlap: one GEMM at a time (each shared out in chunks). */
      for (int i = 0; i < n; i++) gemm_jobs(&jobs[i], 1, false);
    } else {
      /* Independent GEMMs in any order; or one C written by all (an input gradient summed over the experts:
       * β = 0, then 1), where each chunk of C's rows or columns gets every GEMM in order. */
      gemm_jobs(jobs, n, kind == BATCH_ONE_C);
    }
  }
}

void mtl_gemm_set_threads(int n) {
  if (n < 1) n = 1;
  mtl_pool_set_threads(n);
  select_kernel();
#ifdef MTL_USE_OPENBLAS
  openblas_set_num_threads(1);
#endif
}

int mtl_gemm_get_threads(void) { return mtl_pool_threads(); }

void mtl_gemm_describe(char* buf, size_t size) {
#ifdef MTL_USE_OPENBLAS
  snprintf(buf, size, "%s (core %s)", openblas_get_config(), openblas_get_corename());
#else
  (void)kernel();
  const int t = mtl_gemm_get_threads();
  snprintf(buf, size, "built-in GEMM (%s, %d thread%s)", g_kernel_name, t, t == 1 ? "" : "s");
#endif
}

#pragma GCC pop_options
