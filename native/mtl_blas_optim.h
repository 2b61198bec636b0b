/* The embedding optimisers' and regularisers' loops (mtl_blas_optim.c): pure C, no N-API,
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
/* Adam's scalars for mtl_embed_adam_loop and mtl_adam_catch_up_loop (src/model/optim-sparse.ts adamScalars has
 * the layout): β1, β2, ε; the update t, its rate and bias corrections c1 = 1 − β1^t, c2 = 1 − β2^t; for the
 * catch-up, 1 − β^j by update j (c1tab, c2tab: 1 from ntab on), the rate of each update j (lrs, nlrs values) and
 * how many missed updates move a row (window); catch_up: rule 'adam' (dense-equivalent) rather than 'lazy_adam'. */
/* The longest catch-up window the loops take (the N-API entry point refuses a longer one). */
#define MTL_ADAM_MAX_WINDOW 256
typedef struct {
  double b1, b2, eps, lr, c1, c2, t;
  int catch_up;
  size_t window, ntab, nlrs;
  const double *c1tab, *c2tab, *lrs;
  /* the catch-up's sums of earlier (s, moving) pairs, nsums entries (a power of 2; NULL: none): see mtl_catch_up_claim */
  double* sums;
  size_t nsums;
} mtl_adam_scalars;

/* Doubles per entry of mtl_adam_scalars.sums. */
#define MTL_CATCH_UP_ENTRY 12

/* Before a catch-up over many rows (one thread): claim the cache entries of the (s, moving) pairs the rows bring
 * to `target` that are not there yet, appending their indices to pending (up to cap); returns the new count. */
size_t mtl_catch_up_claim(const mtl_adam_scalars* a, const float* steps, const int32_t* rows, size_t n, double target, size_t* pending, size_t npending, size_t cap);
/* Compute the claimed entries pending[0 .. n) (several threads may each take a part: each entry is written once). */
void mtl_catch_up_fill(const mtl_adam_scalars* a, const size_t* pending, size_t n);
/* See mtl_blas_optim.c. */
void mtl_embed_adam_loop(float* table, float* m, float* v, float* steps, size_t dim, const int32_t* rows, size_t n, const float* grads, const mtl_adam_scalars* a);
/* See mtl_blas_optim.c. */
void mtl_adam_catch_up_loop(float* table, float* m, float* v, float* steps, size_t dim, const int32_t* rows, size_t n, const mtl_adam_scalars* a);
/* See mtl_blas_optim.c. */
void mtl_row_grads_prepare_loop(const float* table, size_t dim, const int32_t* rows, size_t n, float* grads, double scale, double l2);
/* See mtl_blas_optim.c. */
double mtl_sum_squares_loop(const float* x, size_t n);
/* See mtl_blas_optim.c. */
void mtl_scale_loop(float* x, size_t n, double factor);
/* See mtl_blas_optim.c. */
void mtl_clear_slots_loop(int32_t* slot, const int32_t* rows, size_t n);

#endif
