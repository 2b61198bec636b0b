/* The addon's one single-precision GEMM entry (mtl_gemm.c): OpenBLAS's cblas_sgemm when the addon is built
 * with it (MTL_USE_OPENBLAS), else mtl's own blocked, packed, threaded kernels. Pure C, no N-API. */
#ifndef MTL_GEMM_H
#define MTL_GEMM_H
#include <stdbool.h>
#include <stddef.h>

/*
 * C = alpha · op(A) · op(B) + beta · C, row-major, as cblas_sgemm(CblasRowMajor, …): op(A) is M×K (A stored
 * K×M with leading dimension lda when ta), op(B) is K×N (B stored N×K when tb), C is M×N with ldc.
 * beta = 0 never reads C (NaN in C does not propagate), as BLAS.
 */
void mtl_sgemm(bool ta, bool tb, int M, int N, int K, float alpha, const float* A, int lda, const float* B, int ldb, float beta, float* C, int ldc);

/* C_i = alpha · op(A_i) · op(B_i) + beta_i · C_i for i < count, in that order: GEMMs of one shape and strides
 * (a layer's experts), shared out over the pool in one call (one wake-up of the workers; fewer splits of each
 * GEMM) when no C_i overlaps another's C, A or B; else one after another. */
void mtl_sgemm_many(bool ta, bool tb, int M, int N, int K, float alpha, const float* const* A, int lda, const float* const* B, int ldb, const float* beta, float* const* C, int ldc,
                    int count);

/* The built-in kernels, whichever build (the tests compare them with OpenBLAS through the built-in addon). */
void mtl_builtin_sgemm(bool ta, bool tb, int M, int N, int K, float alpha, const float* A, int lda, const float* B, int ldb, float beta, float* C, int ldc);

/* Thread count for later GEMMs (the addon's pool, 1–1024; OpenBLAS itself always runs on one) and the current one. */
void mtl_gemm_set_threads(int n);
int mtl_gemm_get_threads(void);

/* A one-line description of the GEMM, e.g. "built-in GEMM (AVX2+FMA, 2 threads)" or OpenBLAS's config. */
void mtl_gemm_describe(char* buf, size_t size);

#endif
