/*
 * The embedding tables' update rules (Adam lazy or dense-equivalent, Adagrad, row-wise Adagrad, SGD), the gradient
 * regularisers of src/model/embeddings.ts applyGradients (clipping's scale, embedding_l2) and the two loops
 * of src/model/optim-step.ts / optim-dense*.ts that were JS on the direct step (Σg² for clip_norm, scaling an
 * array for clipping and decoupled weight decay).
 *
 * Each is the JS loop of src/model/optim-sparse.ts (the reference, kept for other backends and the tests)
 * written in the same double arithmetic: a float32 value read is widened to double, every expression is
 * evaluated in double in the JS order, and a value is rounded to float32 only where the JS stores it into a
 * Float32Array. Note that a JS assignment expression `a = (acc[i] = x)` yields the unrounded double x: the
 * loops below keep using the double where the JS does. No FMA contraction (fp-contract=off), so the results
 * are the JS loops' bits (test/exec/native-optim-loops.test.ts). Not in the WebAssembly build.
 */
#include "mtl_blas_optim.h"
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>

#pragma GCC push_options
#pragma GCC optimize("O3", "fp-contract=off")

/* SGD on rows: w ← w − lr·g (optim-sparse.ts rule 'sgd'). */
void mtl_embed_sgd_loop(float* table, size_t dim, const int32_t* rows, size_t n, const float* grads, double lr) {
  for (size_t k = 0; k < n; k++) {
    float* restrict w = table + (size_t)rows[k] * dim;
    const float* restrict g = grads + k * dim;
    for (size_t d = 0; d < dim; d++) w[d] = (float)((double)w[d] - lr * (double)g[d]);
  }
}

/* Adagrad on rows (rule 'adagrad'): a = acc + g²; acc ← a; w ← w − lr·g / sqrt(a + ε), with the unrounded a. */
void mtl_embed_adagrad_loop(float* table, float* acc, size_t dim, const int32_t* rows, size_t n, const float* grads, double lr, double eps) {
  for (size_t k = 0; k < n; k++) {
    const size_t base = (size_t)rows[k] * dim;
    float* restrict w = table + base;
    float* restrict ar = acc + base;
    const float* restrict g = grads + k * dim;
    for (size_t d = 0; d < dim; d++) {
      const double gd = (double)g[d];
      const double a = (double)ar[d] + gd * gd;
      ar[d] = (float)a;
      w[d] = (float)((double)w[d] - (lr * gd) / sqrt(a + eps));
    }
  }
}

/* Row-wise Adagrad (rule 'rowwise_adagrad'): one accumulator per row, acc ← acc + mean(g²) (Σ in d order);
 * w ← w − (lr / sqrt(a + ε))·g, with the unrounded a. */
void mtl_embed_rowwise_adagrad_loop(float* table, float* acc, size_t dim, const int32_t* rows, size_t n, const float* grads, double lr, double eps) {
  for (size_t k = 0; k < n; k++) {
    const size_t row = (size_t)rows[k];
    float* restrict w = table + row * dim;
    const float* restrict g = grads + k * dim;
    double sq = 0;
    for (size_t d = 0; d < dim; d++) sq += (double)g[d] * (double)g[d];
    const double a = (double)acc[row] + sq / (double)dim;
    acc[row] = (float)a;
    const double rate = lr / sqrt(a + eps);
    for (size_t d = 0; d < dim; d++) w[d] = (float)((double)w[d] - rate * (double)g[d]);
  }
}

/* b^n for a whole n by squaring (optim-sparse.ts powWhole: the same multiplications in the same order, so the
 * same bits; pow() may differ from Math.pow in the last bit). */
static double pow_whole(double b, double n) {
  double r = 1.0;
  for (unsigned long long e = (unsigned long long)n; e != 0; e >>= 1) {
    if (e & 1) r *= b;
    b *= b;
  }
  return r;
}

/* The catch-up's sums (optim-sparse.ts CatchUpSums): for a row that last moved at update s and misses `moving`
 * updates that move it, missed update i (j = s + i) moves each value by a_i·m / (u·r_i + ε), where u = √v,
 * a_i = (lr_j / c1_j)·β1^i and r_i = √(β2^i / c2_j): dense Adam's step with β1^i·m and β2^i·v written out. So the
 * whole catch-up of a value is m·F(u) with F(u) = Σ a_i / (u·r_i + ε), the same for every value of the row.
 * The r_i lie close together (within ±5 % once c2 ≈ 1), so around their midpoint r̄, with D = u·r̄ + ε and
 * y = −u / D, F(u) = (1/D)·Σ_k T_k·y^k where T_k = Σ a_i·(r_i − r̄)^k: the terms shrink by ρ = (r_max − r_min) /
 * (r_max + r_min) each, for every u ≥ 0; with ρ ≤ 0.1 eight terms leave under 1e-8. Rows missing updates early in
 * a run (c2 far from 1, larger ρ) take the sum term by term. */
#define CATCH_UP_TERMS 8 /* adam_catch_up_row writes the series out for exactly 8 */
#define CATCH_UP_MAX_RHO 0.1

typedef struct {
  double rbar;
  int series;
  double T[CATCH_UP_TERMS];
} catch_up_sums;

/* β1^i and β2^i for i = 1 .. window (by repeated multiplication, as the JS), and a_i, r_i of the row at hand. */
typedef struct {
  double b1p[MTL_ADAM_MAX_WINDOW], b2p[MTL_ADAM_MAX_WINDOW], ai[MTL_ADAM_MAX_WINDOW], ri[MTL_ADAM_MAX_WINDOW];
} catch_up_work;

static void catch_up_work_init(catch_up_work* w, const mtl_adam_scalars* a) {
  double b1p = 1.0, b2p = 1.0;
  for (size_t i = 0; i < a->window; i++) {
    b1p = b1p * a->b1;
    b2p = b2p * a->b2;
    w->b1p[i] = b1p;
    w->b2p[i] = b2p;
  }
}

/* The sums of a row that last moved at update s and misses `moving` updates that move it; a_i and r_i into w. */
static void catch_up_sums_for(catch_up_sums* e, double s, size_t moving, const mtl_adam_scalars* a, catch_up_work* w) {
  const size_t first = (size_t)s;
  double* restrict ai = w->ai;
  double* restrict ri = w->ri;
  /* j = first + 1 + i runs over consecutive updates: plain loads */
  for (size_t i = 0; i < moving; i++) {
    const size_t j = first + 1 + i;
    const double c1 = j < a->ntab ? a->c1tab[j] : 1.0;
    const double c2 = j < a->ntab ? a->c2tab[j] : 1.0;
    ai[i] = ((j < a->nlrs ? a->lrs[j] : a->lr) / c1) * w->b1p[i];
    ri[i] = sqrt(w->b2p[i] / c2);
  }
  double rmin = INFINITY, rmax = 0.0;
  for (size_t i = 0; i < moving; i++) {
    rmin = ri[i] < rmin ? ri[i] : rmin;
    rmax = ri[i] > rmax ? ri[i] : rmax;
  }
  e->rbar = 0.5 * (rmin + rmax);
  e->series = (rmax - rmin) / (rmax + rmin) <= CATCH_UP_MAX_RHO;
  for (int k = 0; k < CATCH_UP_TERMS; k++) e->T[k] = 0.0;
  if (!e->series) return;
  for (size_t i = 0; i < moving; i++) {
    const double d = ri[i] - e->rbar;
    double p = ai[i];
    for (int k = 0; k < CATCH_UP_TERMS; k++) {
      e->T[k] = e->T[k] + p;
      p = p * d;
    }
  }
}

/* The sums cache (mtl_adam_scalars.sums; optim-sparse.ts owns it): entries of MTL_CATCH_UP_ENTRY doubles
 * [s, moving, state, rbar, T_0 .. T_7], state 1 a series, 0 term by term, -1 claimed in this call and not yet
 * computed; s < 0 marks an empty entry. Its slot for (s, moving). */
static double* catch_up_slot(const mtl_adam_scalars* a, double s, size_t moving) {
  const uint64_t h = ((uint64_t)s * 0x9E3779B1u + (uint64_t)moving) & (uint64_t)(a->nsums - 1);
  return a->sums + h * MTL_CATCH_UP_ENTRY;
}

/* The gap and how many missed updates move a row that last moved at s, brought to `target`. */
static size_t catch_up_moving(const mtl_adam_scalars* a, double s, double target) {
  const double gap = target - s;
  return gap < (double)a->window ? (size_t)gap : a->window;
}

size_t mtl_catch_up_claim(const mtl_adam_scalars* a, const float* steps, const int32_t* rows, size_t n, double target, size_t* pending, size_t npending, size_t cap) {
  if (a->sums == NULL || a->nsums == 0) return npending;
  for (size_t k = 0; k < n; k++) {
    const double s = (double)steps[rows[k]];
    if (!(s >= 1.0 && s < target)) continue;
    const size_t moving = catch_up_moving(a, s, target);
    double* e = catch_up_slot(a, s, moving);
    if (e[0] == s && e[1] == (double)moving) continue; /* there already, or claimed by an earlier row */
    if (e[2] == -1.0 || npending == cap) continue;     /* claimed by another (s, moving) in this call: that row sums alone */
    e[0] = s, e[1] = (double)moving, e[2] = -1.0;
    pending[npending++] = (size_t)(e - a->sums) / MTL_CATCH_UP_ENTRY;
  }
  return npending;
}

void mtl_catch_up_fill(const mtl_adam_scalars* a, const size_t* pending, size_t n) {
  catch_up_work w;
  catch_up_work_init(&w, a);
  for (size_t k = 0; k < n; k++) {
    double* e = a->sums + pending[k] * MTL_CATCH_UP_ENTRY;
    catch_up_sums c;
    catch_up_sums_for(&c, e[0], (size_t)e[1], a, &w);
    e[3] = c.rbar;
    for (int t = 0; t < CATCH_UP_TERMS; t++) e[4 + t] = c.T[t];
    e[2] = c.series ? 1.0 : 0.0;
  }
}

/* The sums of (s, moving): a computed series entry of the cache, else summed here (with a_i, r_i in w). The values
 * are the same either way: the cache only saves the work for rows that share s. */
static void catch_up_sums_get(catch_up_sums* out, double s, size_t moving, const mtl_adam_scalars* a, catch_up_work* w) {
  if (a->sums != NULL && a->nsums != 0) {
    const double* e = catch_up_slot(a, s, moving);
    if (e[0] == s && e[1] == (double)moving && e[2] == 1.0) {
      out->series = 1;
      out->rbar = e[3];
      for (int k = 0; k < CATCH_UP_TERMS; k++) out->T[k] = e[4 + k];
      return;
    }
  }
  catch_up_sums_for(out, s, moving, a, w);
}

/* Dense Adam's zero-gradient updates s+1 .. target on one row (w, m, v: dim values) that last moved at update s
 * (optim-sparse.ts catchUpRow, the same arithmetic): the first a->window of them move each value by m·F(u) in
 * all (see catch_up_sums); after those the weights' steps are below float32's resolution; m and v decay by
 * β1^gap and β2^gap. */
static void adam_catch_up_row(float* wr, float* m, float* v, size_t dim, double s, double target, const mtl_adam_scalars* a, catch_up_work* w) {
  const double gap = target - s;
  const size_t moving = catch_up_moving(a, s, target);
  const double f1 = pow_whole(a->b1, gap);
  const double f2 = pow_whole(a->b2, gap);
  catch_up_sums e;
  catch_up_sums_get(&e, s, moving, a, w);
  if (e.series) {
    /* branch-free over the row's values, so the compiler vectorises it */
    const double T0 = e.T[0], T1 = e.T[1], T2 = e.T[2], T3 = e.T[3], T4 = e.T[4], T5 = e.T[5], T6 = e.T[6], T7 = e.T[7];
    for (size_t d = 0; d < dim; d++) {
      const double md = (double)m[d];
      const double u = sqrt((double)v[d]);
      const double D = u * e.rbar + a->eps;
      const double y = -u / D;
      const double acc = ((((((T7 * y + T6) * y + T5) * y + T4) * y + T3) * y + T2) * y + T1) * y + T0;
      const double F = acc / D;
      wr[d] = (float)((double)wr[d] - md * F);
      m[d] = (float)(md * f1);
      v[d] = (float)((double)v[d] * f2);
    }
    return;
  }
  for (size_t d = 0; d < dim; d++) {
    const double md = (double)m[d];
    const double u = sqrt((double)v[d]);
    double F = 0.0;
    for (size_t i = 0; i < moving; i++) F = F + w->ai[i] / (u * w->ri[i] + a->eps);
    wr[d] = (float)((double)wr[d] - md * F);
    m[d] = (float)(md * f1);
    v[d] = (float)((double)v[d] * f2);
  }
}

/* Adam on the touched (unique) rows at update a->t with that update's rate and bias corrections (optim-sparse.ts
 * adamRows, the same bits). With a->catch_up (rule 'adam', dense-equivalent) a row that has not moved since an
 * earlier update first gets the zero-gradient updates it missed (adam_catch_up_row), so the result is dense
 * Adam's; without it (rule 'lazy_adam') untouched rows' moments simply wait. steps[row] ← t. */
void mtl_embed_adam_loop(float* table, float* m, float* v, float* steps, size_t dim, const int32_t* rows, size_t n, const float* grads, const mtl_adam_scalars* a) {
  const size_t ahead = 6;
  const double before = a->t - 1.0;
  catch_up_work work;
  bool ready = false;
  for (size_t k = 0; k < n; k++) {
    if (k + ahead < n) {
      const size_t next = (size_t)rows[k + ahead];
      __builtin_prefetch(table + next * dim, 1);
      __builtin_prefetch(m + next * dim, 1);
      __builtin_prefetch(v + next * dim, 1);
      __builtin_prefetch(steps + next, 1);
    }
    const size_t row = (size_t)rows[k];
    float* restrict w = table + row * dim;
    float* restrict mr = m + row * dim;
    float* restrict vr = v + row * dim;
    const double s = (double)steps[row];
    if (a->catch_up && s >= 1.0 && s < before) {
      if (!ready) catch_up_work_init(&work, a), ready = true;
      adam_catch_up_row(w, mr, vr, dim, s, before, a, &work);
    }
    steps[row] = (float)a->t;
    const float* restrict gr = grads + k * dim;
    for (size_t d = 0; d < dim; d++) {
      const double g = (double)gr[d];
      const double mi = a->b1 * (double)mr[d] + (1.0 - a->b1) * g;
      const double vi = a->b2 * (double)vr[d] + (1.0 - a->b2) * g * g;
      mr[d] = (float)mi;
      vr[d] = (float)vi;
      w[d] = (float)((double)w[d] - (a->lr * (mi / a->c1)) / (sqrt(vi / a->c2) + a->eps));
    }
  }
}

/* Bring the rows a batch reads (any order, repeats allowed) up to update a->t (optim-sparse.ts catchUp): each row
 * that last moved at 1 ≤ s < t gets adam_catch_up_row once. A row is claimed by swapping its step count from s
 * to t atomically, so two threads given the same row never both update it; it is read only after the call. */
void mtl_adam_catch_up_loop(float* table, float* m, float* v, float* steps, size_t dim, const int32_t* rows, size_t n, const mtl_adam_scalars* a) {
  const float target = (float)a->t;
  catch_up_work work;
  bool ready = false;
  const size_t ahead = 8;
  for (size_t k = 0; k < n; k++) {
    if (k + ahead < n) {
      /* random rows: several in flight (the gather reads the table rows next anyway) */
      const size_t next = (size_t)rows[k + ahead];
      __builtin_prefetch(steps + next, 1);
      __builtin_prefetch(table + next * dim, 1);
      __builtin_prefetch(m + next * dim, 1);
      __builtin_prefetch(v + next * dim, 1);
    }
    const size_t row = (size_t)rows[k];
    float s;
    __atomic_load(steps + row, &s, __ATOMIC_RELAXED);
    if (!(s < target)) continue;
    if (!__atomic_compare_exchange(steps + row, &s, &target, false, __ATOMIC_RELAXED, __ATOMIC_RELAXED)) continue;
    if (!(s >= 1.0f)) continue;
    if (!ready) catch_up_work_init(&work, a), ready = true;
    adam_catch_up_row(table + row * dim, m + row * dim, v + row * dim, dim, (double)s, a->t, a, &work);
  }
}

/* The touched rows' gradients before the update (embeddings.ts applyGradients): g ← g·scale when scale ≠ 1
 * (clip_norm), then g ← g + l2·w when l2 ≠ 0 (embedding_l2). */
void mtl_row_grads_prepare_loop(const float* table, size_t dim, const int32_t* rows, size_t n, float* grads, double scale, double l2) {
  if (scale != 1.0) mtl_scale_loop(grads, n * dim, scale);
  if (l2 == 0.0) return;
  for (size_t k = 0; k < n; k++) {
    const float* restrict w = table + (size_t)rows[k] * dim;
    float* restrict g = grads + k * dim;
    for (size_t d = 0; d < dim; d++) g[d] = (float)((double)g[d] + l2 * (double)w[d]);
  }
}

/* Σ x² in double, in index order (optim-step.ts squaredSum): sequential, so the sum's bits do not depend on
 * the thread count. */
double mtl_sum_squares_loop(const float* x, size_t n) {
  double s = 0;
  for (size_t i = 0; i < n; i++) s += (double)x[i] * (double)x[i];
  return s;
}

/* x ← x·factor, the product in double rounded once (JS `x[i] = x[i] * factor` on a Float32Array). For a
 * float32 factor this is the float32 product (two 24-bit significands multiply exactly in double). */
void mtl_scale_loop(float* x, size_t n, double factor) {
  for (size_t i = 0; i < n; i++) x[i] = (float)((double)x[i] * factor);
}

/* slot[rows[k]] = -1 for every k (RowGradients.take's reset of its row → slot map), prefetching a few rows
 * ahead: the rows are random in a map of the table's size, so one at a time each store is a cache miss. */
void mtl_clear_slots_loop(int32_t* slot, const int32_t* rows, size_t n) {
  const size_t ahead = 16;
  for (size_t k = 0; k < n; k++) {
    if (k + ahead < n) __builtin_prefetch(slot + rows[k + ahead], 1);
    slot[rows[k]] = -1;
  }
}

#pragma GCC pop_options
