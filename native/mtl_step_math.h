/* The direct training step's math (mtl_step_math.c): pure C, no N-API; mtl_step.c checks and passes the arguments. */
#ifndef MTL_STEP_MATH_H
#define MTL_STEP_MATH_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* See mtl_step_math.c. */
void mtl_gemm_at(float* mem, bool ta, bool tb, int64_t M, int64_t N, int64_t K, const int32_t* ao, const int32_t* bo, const int32_t* co, const float* betas, size_t na);
/* See mtl_step_math.c. */
void mtl_bias_act_at(float* mem, int64_t rows, int64_t cols, int act, const int32_t* yo, const int32_t* bo, size_t ny);
/* See mtl_step_math.c. */
void mtl_act_grad_at(float* mem, int64_t count, int act, const int32_t* dyo, const int32_t* yo, size_t nd);
/* See mtl_step_math.c. */
void mtl_col_sum_at(float* mem, int64_t rows, int64_t cols, const int32_t* so, const int32_t* dso, size_t ns);
/* See mtl_step_math.c. */
void mtl_gate_weights_at(float* mem, int kind, int64_t rows, int64_t n, int64_t k, float invT, float scale, int64_t io, int64_t oo);
/* See mtl_step_math.c. */
void mtl_gate_weights_grad_at(float* mem, int kind, int64_t rows, int64_t n, float invT, float scale, int64_t wo, int64_t dwo, int64_t oo);
/* See mtl_step_math.c. */
void mtl_mix_at(float* mem, int64_t rows, int64_t width, int64_t wo, const int32_t* eo, size_t n, int64_t oo);
/* See mtl_step_math.c. */
void mtl_mix_grad_at(float* mem, int64_t rows, int64_t width, int64_t wo, const int32_t* eo, size_t n, int64_t doo, const int32_t* deo, const int32_t* acc, int64_t dwo);
/* See mtl_step_math.c. */
void mtl_copy_cols_at(float* mem, int64_t so, int64_t ss, int64_t dso, int64_t ds, int64_t rows, int64_t cols, bool accumulate);
/* See mtl_step_math.c. */
void mtl_dropout_at(float* mem, int64_t count, float rate, int64_t seed, int64_t step, const int32_t* streams, const int32_t* io, const int32_t* oo, const int32_t* mo, size_t ni);
/* See mtl_step_math.c. */
void mtl_mul_at(float* mem, int64_t count, const int32_t* ao, const int32_t* bo, const int32_t* oo, size_t na);
/* See mtl_step_math.c. */
int mtl_batch_norm_at(float* mem, int64_t rows, int64_t cols, float eps, float momentum, const int32_t* xo, const int32_t* go, const int32_t* bo, const int32_t* mmo, const int32_t* mvo, const int32_t* ho, const int32_t* so, const int32_t* oo, size_t nx);
/* See mtl_step_math.c. */
int mtl_batch_norm_grad_at(float* mem, int64_t rows, int64_t cols, const int32_t* dyo, const int32_t* ho, const int32_t* so, const int32_t* go, const int32_t* dxo, const int32_t* dgo, const int32_t* dbo, size_t nd);
/* See mtl_step_math.c. */
void mtl_batch_norm_infer_at(float* mem, int64_t rows, int64_t cols, float eps, const int32_t* xo, const int32_t* go, const int32_t* bo, const int32_t* mmo, const int32_t* mvo, const int32_t* oo, size_t nx);
/* See mtl_step_math.c. */
void mtl_gate_noise_at(float* mem, int64_t rows, int64_t n, int64_t seed, int64_t step, int64_t stream, int64_t lo, int64_t no, int64_t eo);
/* See mtl_step_math.c. */
void mtl_gate_noise_grad_at(float* mem, int64_t count, int64_t dho, int64_t eo, int64_t no, int64_t oo);
/* See mtl_step_math.c. */
double mtl_importance_loss_at(float* mem, int64_t rows, int64_t n, float weight, float eps, int64_t wo, int64_t dwo, bool accumulate);
/* (The batch-norm functions return -1 when out of memory, else 0.) */

#endif
