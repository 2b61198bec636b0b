/*
 * Included by mtl_blas_simd_avx512.c and mtl_blas_simd_avx2.c after they set a target and MTL_SIMD_SUFFIX: renames
 * every loop of MTL_SIMD_LOOPS to <loop><suffix>, then compiles mtl_blas_math.c and mtl_blas_optim.c as they are
 * (the same source text as the baseline copies and the WebAssembly build).
 */
#define MTL_SIMD_CAT2(a, b) a##b
#define MTL_SIMD_CAT(a, b) MTL_SIMD_CAT2(a, b)
#define mtl_embed_adam_loop MTL_SIMD_CAT(mtl_embed_adam_loop, MTL_SIMD_SUFFIX)
#define mtl_adam_catch_up_loop MTL_SIMD_CAT(mtl_adam_catch_up_loop, MTL_SIMD_SUFFIX)
#define mtl_catch_up_fill MTL_SIMD_CAT(mtl_catch_up_fill, MTL_SIMD_SUFFIX)
#define mtl_catch_up_claim MTL_SIMD_CAT(mtl_catch_up_claim, MTL_SIMD_SUFFIX)
#define mtl_adam_loop MTL_SIMD_CAT(mtl_adam_loop, MTL_SIMD_SUFFIX)
#define mtl_adagrad_loop MTL_SIMD_CAT(mtl_adagrad_loop, MTL_SIMD_SUFFIX)
#define mtl_sgd_loop MTL_SIMD_CAT(mtl_sgd_loop, MTL_SIMD_SUFFIX)
#define mtl_sum_rows_loop MTL_SIMD_CAT(mtl_sum_rows_loop, MTL_SIMD_SUFFIX)
#define mtl_gather_rows_loop MTL_SIMD_CAT(mtl_gather_rows_loop, MTL_SIMD_SUFFIX)
#define mtl_scatter_rows_loop MTL_SIMD_CAT(mtl_scatter_rows_loop, MTL_SIMD_SUFFIX)
#define mtl_embed_sgd_loop MTL_SIMD_CAT(mtl_embed_sgd_loop, MTL_SIMD_SUFFIX)
#define mtl_embed_adagrad_loop MTL_SIMD_CAT(mtl_embed_adagrad_loop, MTL_SIMD_SUFFIX)
#define mtl_embed_rowwise_adagrad_loop MTL_SIMD_CAT(mtl_embed_rowwise_adagrad_loop, MTL_SIMD_SUFFIX)
#define mtl_row_grads_prepare_loop MTL_SIMD_CAT(mtl_row_grads_prepare_loop, MTL_SIMD_SUFFIX)
#define mtl_sum_squares_loop MTL_SIMD_CAT(mtl_sum_squares_loop, MTL_SIMD_SUFFIX)
#define mtl_scale_loop MTL_SIMD_CAT(mtl_scale_loop, MTL_SIMD_SUFFIX)
#define mtl_clear_slots_loop MTL_SIMD_CAT(mtl_clear_slots_loop, MTL_SIMD_SUFFIX)
#include "mtl_blas_math.c"
#include "mtl_blas_optim.c"
