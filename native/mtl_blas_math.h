/* The loops of mtl_blas.c's entry points (mtl_blas_math.c): pure C, no N-API. */
#ifndef MTL_BLAS_MATH_H
#define MTL_BLAS_MATH_H
#include <stddef.h>
#include <stdint.h>

/* See mtl_blas_math.c. */
void mtl_adam_loop(float* restrict w, float* restrict m, float* restrict v, const float* restrict g, size_t n, float b1, float b2, float ob1, float ob2, float c1, float c2, float eps, float lr);
/* See mtl_blas_math.c. */
void mtl_adagrad_loop(float* restrict w, float* restrict acc, const float* restrict g, size_t n, float eps, float lr);
/* See mtl_blas_math.c. */
void mtl_sgd_loop(float* restrict w, const float* restrict g, size_t n, float lr);
/* See mtl_blas_math.c. */
void mtl_sum_rows_loop(const float* restrict x, size_t rows, size_t len, float* restrict out);
/* See mtl_blas_math.c. */
void mtl_gather_rows_loop(const float* restrict data, size_t dim, const int32_t* restrict rows, size_t n, float* restrict out);
/* See mtl_blas_math.c. */
size_t mtl_scatter_rows_loop(int32_t* restrict slot, int32_t* restrict touched, size_t count, float* restrict buffer, size_t dim, const int32_t* restrict rows, size_t n, const float* restrict grad);

#endif
