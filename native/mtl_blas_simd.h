/*
 * The optimiser and embedding loops of mtl_blas_math.c and mtl_blas_optim.c compiled a second and third time for
 * wider vectors (mtl_blas_simd_avx512.c, mtl_blas_simd_avx2.c: the same sources under another target), and the
 * copy the running CPU supports, chosen once (mtl_blas_simd.c). The addon is built with the compiler's baseline
 * target (SSE2 on x86-64) so that it runs on any x86-64; lazy Adam's double arithmetic on 2-lane vectors was half
 * its CPU time. Every loop does IEEE +, −, ×, ÷, sqrt per lane with no FMA contraction (fp-contract=off) and no
 * reassociation, so every copy computes the same bits (test/exec/native-optim-loops.test.ts).
 */
#ifndef MTL_BLAS_SIMD_H
#define MTL_BLAS_SIMD_H
#include "mtl_blas_math.h"
#include "mtl_blas_optim.h"

/* X(loop) for every loop with SIMD copies. */
#define MTL_SIMD_LOOPS(X)                                                                                              \
  X(mtl_embed_adam_loop) X(mtl_adam_catch_up_loop) X(mtl_catch_up_fill) X(mtl_adam_loop) X(mtl_adagrad_loop) X(mtl_sgd_loop) X(mtl_sum_rows_loop)                 \
  X(mtl_scatter_rows_loop) X(mtl_embed_sgd_loop) X(mtl_embed_adagrad_loop) X(mtl_embed_rowwise_adagrad_loop)        \
  X(mtl_row_grads_prepare_loop) X(mtl_scale_loop)

/* One copy of every loop. */
typedef struct {
#define MTL_SIMD_FIELD(f) __typeof__(f)* f;
  MTL_SIMD_LOOPS(MTL_SIMD_FIELD)
#undef MTL_SIMD_FIELD
  const char* name;
} mtl_simd_loops;

/* The copies for the running CPU (AVX-512, AVX2 or the baseline; MTL_GEMM_KERNEL=portable|avx2 forces a narrower
 * one, as it does for the GEMM), chosen on first use. */
const mtl_simd_loops* mtl_simd(void);

/* Call the running CPU's copy of loop f: MTL_LOOP(mtl_embed_adam_loop)(args…). */
#define MTL_LOOP(f) (mtl_simd()->f)

#endif
