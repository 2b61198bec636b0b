/* The embedding optimisers' and regularisers' loops besides lazy Adam (mtl_blas_optim.c): pure C, no N-API,
 * single-threaded; mtl_blas_parallel.c splits them across the pool. */
#ifndef MTL_BLAS_OPTIM_H
#define MTL_BLAS_OPTIM_H
#include <stddef.h>
#include <stdint.h>

/* See mtl_blas_optim.c. */
void mtl_embed_sgd_loop(float* table, size_t dim, const int32_t* rows, size_t n, const float* grads, double lr);
/* See mtl_blas_optim.c. */
void mtl_embed_adagrad_loop(float* table, float* acc, size_t dim, const int32_t* rows, size_t n, const float* grads, double lr, double eps);
/* See mtl_blas_optim.c. */
void mtl_embed_rowwise_adagrad_loop(float* table, float* acc, size_t dim, const int32_t* rows, size_t n, const float* grads, double lr, double eps);
/* See mtl_blas_optim.c. */
void mtl_embed_dense_adam_loop(float* table, float* m, float* v, const float* g, size_t n, double b1, double b2, double eps, double lr, double c1, double c2);
/* See mtl_blas_optim.c. */
void mtl_row_grads_prepare_loop(const float* table, size_t dim, const int32_t* rows, size_t n, float* grads, double scale, double l2);
/* See mtl_blas_optim.c. */
double mtl_sum_squares_loop(const float* x, size_t n);
/* See mtl_blas_optim.c. */
void mtl_scale_loop(float* x, size_t n, double factor);
/* See mtl_blas_optim.c. */
void mtl_clear_slots_loop(int32_t* slot, const int32_t* rows, size_t n);

#endif
