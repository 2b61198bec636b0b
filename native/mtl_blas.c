/*
 * mtl_blas: a minimal N-API addon for the `native` backend (src/exec/native-blas.ts): a
 * single-precision GEMM for wasm's matMuls (mtl_gemm.c: OpenBLAS when built with it, else mtl's own kernels), and the few loops a training step spends its remaining time in
 * (fused dense optimiser, embedding row gather/scatter and lazy Adam, bias-gradient sums, strided copies,
 * huge-page advice). Each loop does the same floating-point operations in the same order as its JS
 * reference, so results are bit-identical with or without the addon (test/exec/native-fast-paths).
 * Plain node_api.h so it needs no npm dependency. Every entry point takes typed arrays and row-major shapes; the JS side checks sizes and offsets before calling, and the C side
 * checks them again because a wrong offset here would write outside the output array.
 */
#define _DEFAULT_SOURCE
#include <node_api.h>
#include <sys/mman.h>
#include <unistd.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "napi_args.h"
#include "mtl_step.h"
#include "mtl_blas_math.h"
#include "mtl_entry_points.h"
#include "mtl_gemm.h"
#include "mtl_blas_optim.h"
#include "mtl_blas_parallel.h"
#include "mtl_blas_simd.h"

/*
 * sgemmBatch(transA, transB, M, N, K, A, B, C, aOffsets, bOffsets)
 * For every i: C[i*M*N .. +M*N] = op(A at aOffsets[i]) x op(B at bOffsets[i]), row-major, beta = 0.
 * op(A) is M x K (A stored K x M when transA), op(B) is K x N (B stored N x K when transB).
 * Offsets (in elements) let the caller express tfjs's broadcasting of batch dimensions without copies.
 */
static napi_value SgemmBatch(napi_env env, napi_callback_info info) {
  size_t argc = MTL_ARGC_sgemmBatch;
  napi_value argv[MTL_ARGC_sgemmBatch];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < MTL_ARGC_sgemmBatch) FAIL("mtl_blas.sgemmBatch: too few arguments");
  bool ta, tb;
  int64_t M, N, K;
  float *A, *B, *C;
  size_t la, lb, lc, lao, lbo;
  int32_t *ao, *bo;
  if (!get_bool(env, argv[0], &ta) || !get_bool(env, argv[1], &tb)) FAIL("mtl_blas.sgemmBatch: transA/transB must be booleans");
  if (!get_int(env, argv[2], &M) || !get_int(env, argv[3], &N) || !get_int(env, argv[4], &K)) FAIL("mtl_blas.sgemmBatch: M, N, K must be integers");
  if (!get_f32(env, argv[5], &A, &la) || !get_f32(env, argv[6], &B, &lb) || !get_f32(env, argv[7], &C, &lc)) FAIL("mtl_blas.sgemmBatch: A, B, C must be Float32Arrays");
  if (!get_i32(env, argv[8], &ao, &lao) || !get_i32(env, argv[9], &bo, &lbo)) FAIL("mtl_blas.sgemmBatch: offsets must be Int32Arrays");
  if (M < 0 || N < 0 || K < 0 || M > INT32_MAX || N > INT32_MAX || K > INT32_MAX) FAIL("mtl_blas.sgemmBatch: bad dimensions");
  if (lao != lbo) FAIL("mtl_blas.sgemmBatch: offset arrays differ in length");
  const size_t batch = lao;
  const size_t mn = (size_t)M * (size_t)N, mk = (size_t)M * (size_t)K, kn = (size_t)K * (size_t)N;
  if (lc < batch * mn) FAIL("mtl_blas.sgemmBatch: C is too small");
  for (size_t i = 0; i < batch; i++) {
    if (ao[i] < 0 || (size_t)ao[i] + mk > la) FAIL("mtl_blas.sgemmBatch: an A offset is out of range");
    if (bo[i] < 0 || (size_t)bo[i] + kn > lb) FAIL("mtl_blas.sgemmBatch: a B offset is out of range");
  }
  if (mn == 0) return NULL;
  if (K == 0) {
    memset(C, 0, batch * mn * sizeof(float));
    return NULL;
  }
  const int lda = ta ? (int)M : (int)K;
  const int ldb = tb ? (int)K : (int)N;
  for (size_t i = 0; i < batch; i++) {
    mtl_sgemm(ta, tb, (int)M, (int)N, (int)K, 1.0f, A + ao[i], lda, B + bo[i], ldb, 0.0f, C + i * mn, (int)N);
  }
  return NULL;
}

/* The loops (pure C) are in mtl_blas_math.c, mtl_blas_optim.c and, across threads, mtl_blas_parallel.c. */


/* denseUpdate(kind, w, g, s0, s1, scalars): kind 0 = sgd [lr], 1 = adagrad [eps, lr] (s0 = acc),
 * 2 = adam [b1, b2, 1-b1, 1-b2, c1, c2, eps, lr] (s0 = m, s1 = v); scalars are rounded to float32. Arrays
 * must have equal lengths (slots unused by the kind may be any Float32Array). A large weight is split across
 * the pool's threads by element ranges (mtl_blas_parallel.c): the same operations per value, the same bits. */
static napi_value DenseUpdate(napi_env env, napi_callback_info info) {
  size_t argc = MTL_ARGC_denseUpdate;
  napi_value argv[MTL_ARGC_denseUpdate];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < MTL_ARGC_denseUpdate) FAIL("mtl_blas.denseUpdate: too few arguments");
  int64_t kind;
  float *w, *g, *s0, *s1;
  size_t lw, lg, l0, l1;
  if (!get_int(env, argv[0], &kind) || kind < MTL_DENSE_SGD || kind > MTL_DENSE_ADAM) FAIL("mtl_blas.denseUpdate: bad kind");
  if (!get_f32(env, argv[1], &w, &lw) || !get_f32(env, argv[2], &g, &lg) || !get_f32(env, argv[3], &s0, &l0) || !get_f32(env, argv[4], &s1, &l1))
    FAIL("mtl_blas.denseUpdate: w, g, s0, s1 must be Float32Arrays");
  if (lg != lw || (kind >= 1 && l0 != lw) || (kind == 2 && l1 != lw)) FAIL("mtl_blas.denseUpdate: arrays differ in length");
  bool is_array = false;
  if (napi_is_array(env, argv[5], &is_array) != napi_ok || !is_array) FAIL("mtl_blas.denseUpdate: scalars must be an array");
  float sc[8];
  const uint32_t need = kind == 0 ? 1 : kind == 1 ? 2 : 8;
  for (uint32_t i = 0; i < need; i++) {
    napi_value e;
    CHECK(napi_get_element(env, argv[5], i, &e));
    if (!get_float(env, e, &sc[i])) FAIL("mtl_blas.denseUpdate: scalars must be numbers");
  }
  mtl_dense_update_parallel((int)kind, w, g, s0, s1, lw, sc);
  return NULL;
}

/*
 * adviseHugePages(array): ask Linux for transparent huge pages (madvise MADV_HUGEPAGE) on the 2 MiB-aligned
 * interior of a large typed array's memory. Embedding tables and their Adam slots are read and written at
 * random rows; with 4 KiB pages nearly every row access is a TLB miss. Best effort: returns whether the
 * advice was taken (false on other systems, for small arrays, or when THP is disabled); values never change.
 */
static napi_value AdviseHugePages(napi_env env, napi_callback_info info) {
  size_t argc = MTL_ARGC_adviseHugePages;
  napi_value argv[MTL_ARGC_adviseHugePages];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < MTL_ARGC_adviseHugePages) FAIL("mtl_blas.adviseHugePages: expected a typed array");
  bool is_ta = false;
  if (napi_is_typedarray(env, argv[0], &is_ta) != napi_ok || !is_ta) FAIL("mtl_blas.adviseHugePages: expected a typed array");
  napi_typedarray_type type;
  size_t len = 0;
  void* ptr = NULL;
  CHECK(napi_get_typedarray_info(env, argv[0], &type, &len, &ptr, NULL, NULL));
  size_t elem = (type == napi_float64_array || type == napi_bigint64_array || type == napi_biguint64_array) ? 8
              : (type == napi_int16_array || type == napi_uint16_array) ? 2
              : (type == napi_int8_array || type == napi_uint8_array || type == napi_uint8_clamped_array) ? 1 : 4;
  int ok = 0;
#ifdef MADV_HUGEPAGE
  const uintptr_t huge = (uintptr_t)2 << 20;
  uintptr_t start = ((uintptr_t)ptr + huge - 1) & ~(huge - 1);
  uintptr_t end = ((uintptr_t)ptr + len * elem) & ~(huge - 1);
  if (ptr != NULL && end > start) ok = madvise((void*)start, end - start, MADV_HUGEPAGE) == 0;
#endif
  napi_value out;
  CHECK(napi_get_boolean(env, ok, &out));
  return out;
}

/* sumRows(x, rows, len, out): out[j] = sum over i of x[i*len + j], accumulated in float32 row by row (the
 * order of src/exec/wasm-sum.ts sumLeading, so the same bits): the bias gradient of every Dense layer. */
static napi_value SumRows(napi_env env, napi_callback_info info) {
  size_t argc = MTL_ARGC_sumRows;
  napi_value argv[MTL_ARGC_sumRows];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < MTL_ARGC_sumRows) FAIL("mtl_blas.sumRows: too few arguments");
  float *x, *out;
  size_t lx, lo;
  int64_t rows, len;
  if (!get_f32(env, argv[0], &x, &lx) || !get_f32(env, argv[3], &out, &lo)) FAIL("mtl_blas.sumRows: x and out must be Float32Arrays");
  if (!get_int(env, argv[1], &rows) || !get_int(env, argv[2], &len) || rows < 0 || len < 0) FAIL("mtl_blas.sumRows: bad sizes");
  if ((size_t)rows * (size_t)len > lx || (size_t)len > lo) FAIL("mtl_blas.sumRows: arrays too small");
  MTL_LOOP(mtl_sum_rows_loop)(x, (size_t)rows, (size_t)len, out);
  return NULL;
}

static int get_f64(napi_env env, napi_value v, double** data, size_t* len) {
  bool is_ta = false;
  if (napi_is_typedarray(env, v, &is_ta) != napi_ok || !is_ta) return 0;
  napi_typedarray_type type;
  void* ptr = NULL;
  if (napi_get_typedarray_info(env, v, &type, len, &ptr, NULL, NULL) != napi_ok) return 0;
  if (type != napi_float64_array) return 0;
  *data = (double*)ptr;
  return 1;
}

/* Element i of the JS array `arr` as a Float32Array (data, length); false when it is not one. */
static bool get_f32_at(napi_env env, napi_value arr, uint32_t i, float** data, size_t* len) {
  napi_value e;
  return napi_get_element(env, arr, i, &e) == napi_ok && get_f32(env, e, data, len);
}

/* sparseAdam(tables, ms, vs, steps, dims, rows, grads, c1tab, c2tab, lrs, hyper, sums) -> done: Adam on embedding tables
 * (mtl_blas_optim.c), every table i of the lists in one call across the pool's threads (mtl_blas_parallel.c):
 * tables[i], ms[i], vs[i] are rows x dims[i], steps[i] one per row (the update at which the row last moved),
 * rows[i] an Int32Array and grads[i] its rows' gradients. hyper = [beta1, beta2, eps, lr, c1, c2, t, mode, window]:
 * the update t with its rate and bias corrections; mode 0 lazy Adam, 1 dense-equivalent Adam (each row first
 * catches up the zero-gradient updates it missed), 2 only that catch-up, to update t, of the rows a batch reads
 * (rows may repeat; grads unused). c1tab / c2tab hold 1 - beta^j by update j (1 from their length on), lrs the
 * rate of each update j, window how many missed updates move a row (optim-sparse.ts has the reasons); sums the
 * catch-up's cache (Float64Array of MTL_CATCH_UP_ENTRY × a power of 2 values, owned by the caller, kept between
 * calls; see mtl_blas_optim.h). False, with nothing changed, only when there was no memory for the call. */
static napi_value SparseAdam(napi_env env, napi_callback_info info) {
  size_t argc = MTL_ARGC_sparseAdam;
  napi_value argv[MTL_ARGC_sparseAdam];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < MTL_ARGC_sparseAdam) FAIL("mtl_blas.sparseAdam: too few arguments");
  uint32_t count = 0, cm = 0, cv = 0, cs = 0, cr = 0, cg = 0;
  if (napi_get_array_length(env, argv[0], &count) != napi_ok || napi_get_array_length(env, argv[1], &cm) != napi_ok || napi_get_array_length(env, argv[2], &cv) != napi_ok ||
      napi_get_array_length(env, argv[3], &cs) != napi_ok || napi_get_array_length(env, argv[5], &cr) != napi_ok || napi_get_array_length(env, argv[6], &cg) != napi_ok)
    FAIL("mtl_blas.sparseAdam: tables, ms, vs, steps, rows, grads must be arrays");
  int32_t* dims;
  size_t ld;
  if (!get_i32(env, argv[4], &dims, &ld)) FAIL("mtl_blas.sparseAdam: dims must be an Int32Array");
  if (cm != count || cv != count || cs != count || cr != count || cg != count || ld != count) FAIL("mtl_blas.sparseAdam: the lists differ in length");
  double *c1, *c2, *lrs, *hp;
  size_t l1, l2, llr, lh;
  if (!get_f64(env, argv[7], &c1, &l1) || !get_f64(env, argv[8], &c2, &l2) || !get_f64(env, argv[9], &lrs, &llr)) FAIL("mtl_blas.sparseAdam: c1tab, c2tab, lrs must be Float64Arrays");
  if (!get_f64(env, argv[10], &hp, &lh) || lh < 9) FAIL("mtl_blas.sparseAdam: expected [beta1, beta2, eps, lr, c1, c2, t, mode, window] as a Float64Array");
  const int mode = (int)hp[7];
  if (mode < 0 || mode > 2 || !(hp[8] >= 0 && hp[8] <= MTL_ADAM_MAX_WINDOW)) FAIL("mtl_blas.sparseAdam: mode must be 0, 1 or 2 and window 0 .. 256");
  double* sums;
  size_t lsums;
  if (!get_f64(env, argv[11], &sums, &lsums)) FAIL("mtl_blas.sparseAdam: sums must be a Float64Array");
  size_t nsums = lsums / MTL_CATCH_UP_ENTRY;
  if (nsums & (nsums - 1)) FAIL("mtl_blas.sparseAdam: sums must hold a power of 2 entries");
  const mtl_adam_scalars scalars = {
      .b1 = hp[0], .b2 = hp[1], .eps = hp[2], .lr = hp[3], .c1 = hp[4], .c2 = hp[5], .t = hp[6], .catch_up = mode != 0, .window = (size_t)hp[8],
      .ntab = l1 < l2 ? l1 : l2, .nlrs = llr, .c1tab = c1, .c2tab = c2, .lrs = lrs, .sums = nsums ? sums : NULL, .nsums = nsums};
  mtl_adam_table small[32];
  mtl_adam_table* t = count <= 32 ? small : malloc(count * sizeof(mtl_adam_table));
  napi_value out;
  if (t == NULL) {
    CHECK(napi_get_boolean(env, false, &out)); /* no memory: nothing changed, the caller's JS loop does it */
    return out;
  }
  const char* why = NULL;
  for (uint32_t i = 0; i < count && why == NULL; i++) {
    size_t lt, lm, lv, ls, lg, n;
    napi_value rows;
    int32_t* r;
    if (!get_f32_at(env, argv[0], i, &t[i].table, &lt) || !get_f32_at(env, argv[1], i, &t[i].m, &lm) || !get_f32_at(env, argv[2], i, &t[i].v, &lv) ||
        !get_f32_at(env, argv[3], i, &t[i].steps, &ls) || !get_f32_at(env, argv[6], i, (float**)&t[i].grads, &lg))
      why = "mtl_blas.sparseAdam: tables, ms, vs, steps, grads must hold Float32Arrays";
    else if (napi_get_element(env, argv[5], i, &rows) != napi_ok || !get_i32(env, rows, &r, &n))
      why = "mtl_blas.sparseAdam: rows must hold Int32Arrays";
    else if (dims[i] <= 0 || lm != lt || lv != lt || ls * (size_t)dims[i] != lt || (mode != 2 && lg < n * (size_t)dims[i]))
      why = "mtl_blas.sparseAdam: array sizes do not match";
    else {
      t[i].rows = r;
      t[i].n = n;
      t[i].dim = (size_t)dims[i];
      t[i].rows_in_table = ls;
    }
  }
  const mtl_adam_status status = why == NULL ? mtl_adam_tables_parallel(t, count, &scalars, mode == 2) : MTL_ADAM_DONE;
  if (t != small) free(t);
  if (why) FAIL(why);
  if (status == MTL_ADAM_ROW_OUT_OF_RANGE) FAIL("mtl_blas.sparseAdam: a row is out of range");
  CHECK(napi_get_boolean(env, status == MTL_ADAM_DONE, &out));
  return out;
}

/* The (table, dim, rows) arguments of the row entry points, at argv[0..2]: a Float32Array whose length is a
 * multiple of dim, and an Int32Array of rows all inside it. False, with a JS error naming `fn` thrown, otherwise. */
static bool get_table_rows(napi_env env, const char* fn, const napi_value* argv, float** table, size_t* lt, size_t* dim, int32_t** rows, size_t* n) {
  char msg[160];
  int64_t d;
  const char* why = NULL;
  if (!get_f32(env, argv[0], table, lt)) why = "the table must be a Float32Array";
  else if (!get_int(env, argv[1], &d) || d <= 0 || *lt % (size_t)d != 0) why = "bad dim";
  else if (!get_i32(env, argv[2], rows, n)) why = "rows must be an Int32Array";
  else {
    *dim = (size_t)d;
    for (size_t k = 0; k < *n && why == NULL; k++)
      if ((*rows)[k] < 0 || (size_t)(*rows)[k] >= *lt / *dim) why = "a row is out of range";
  }
  if (why == NULL) return true;
  snprintf(msg, sizeof msg, "mtl_blas.%s: %s", fn, why);
  napi_throw_error(env, NULL, msg);
  return false;
}

/* embeddingUpdate(kind, table, dim, rows, grads, s0, hyper): an embedding table's update on its touched
 * (unique) rows with their summed gradients (rows.length x dim), across the pool's threads, the same bits as the
 * JS loops of src/model/optim-sparse.ts: kind 0 sgd (hyper [lr]), 1 adagrad ([lr, eps], s0 = accumulators,
 * rows x dim), 2 row-wise adagrad ([lr, eps], s0 = one accumulator per row); Adam is sparseAdam. sgd's s0 may be
 * any Float32Array. */
static napi_value EmbeddingUpdate(napi_env env, napi_callback_info info) {
  size_t argc = MTL_ARGC_embeddingUpdate;
  napi_value argv[MTL_ARGC_embeddingUpdate];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < MTL_ARGC_embeddingUpdate) FAIL("mtl_blas.embeddingUpdate: too few arguments");
  int64_t kind;
  float *table, *grads, *s0;
  size_t lt, d, lg, l0, n, lh;
  int32_t* rows;
  double* hyper;
  if (!get_int(env, argv[0], &kind) || kind < MTL_EMBED_SGD || kind > MTL_EMBED_ROWWISE_ADAGRAD) FAIL("mtl_blas.embeddingUpdate: bad kind");
  if (!get_table_rows(env, "embeddingUpdate", argv + 1, &table, &lt, &d, &rows, &n)) return NULL;
  if (!get_f32(env, argv[4], &grads, &lg) || !get_f32(env, argv[5], &s0, &l0)) FAIL("mtl_blas.embeddingUpdate: grads, s0 must be Float32Arrays");
  if (!get_f64(env, argv[6], &hyper, &lh) || lh < 2u) FAIL("mtl_blas.embeddingUpdate: hyper must be a Float64Array of the kind's scalars");
  if (lg < n * d) FAIL("mtl_blas.embeddingUpdate: grads is too small");
  if ((kind == MTL_EMBED_ADAGRAD && l0 != lt) || (kind == MTL_EMBED_ROWWISE_ADAGRAD && l0 * d != lt))
    FAIL("mtl_blas.embeddingUpdate: a slot's size does not match the table");
  mtl_embed_update_parallel((int)kind, table, d, rows, n, grads, s0, hyper);
  return NULL;
}

/* prepareRowGrads(table, dim, rows, grads, scale, l2): the touched rows' gradients (exactly rows.length x dim)
 * before the update, as src/model/embeddings.ts applyGradients: g *= scale (clipping) unless scale is 1, then
 * g += l2 * w (embedding_l2) unless l2 is 0; double arithmetic, the JS loops' bits. */
static napi_value PrepareRowGrads(napi_env env, napi_callback_info info) {
  size_t argc = MTL_ARGC_prepareRowGrads;
  napi_value argv[MTL_ARGC_prepareRowGrads];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < MTL_ARGC_prepareRowGrads) FAIL("mtl_blas.prepareRowGrads: too few arguments");
  float *table, *grads;
  size_t lt, d, lg, n;
  int32_t* rows;
  double scale, l2;
  if (!get_table_rows(env, "prepareRowGrads", argv, &table, &lt, &d, &rows, &n)) return NULL;
  if (!get_f32(env, argv[3], &grads, &lg)) FAIL("mtl_blas.prepareRowGrads: grads must be a Float32Array");
  if (napi_get_value_double(env, argv[4], &scale) != napi_ok || napi_get_value_double(env, argv[5], &l2) != napi_ok) FAIL("mtl_blas.prepareRowGrads: scale and l2 must be numbers");
  if (lg != n * d) FAIL("mtl_blas.prepareRowGrads: grads must hold exactly rows.length x dim values");
  mtl_row_grads_prepare_parallel(table, d, rows, n, grads, scale, l2);
  return NULL;
}

/* sumSquares(x) -> the sum of x[i]^2 in double, in index order (src/model/optim-step.ts squaredSum's bits). */
static napi_value SumSquares(napi_env env, napi_callback_info info) {
  size_t argc = MTL_ARGC_sumSquares;
  napi_value argv[MTL_ARGC_sumSquares];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < MTL_ARGC_sumSquares) FAIL("mtl_blas.sumSquares: too few arguments");
  float* x;
  size_t n;
  if (!get_f32(env, argv[0], &x, &n)) FAIL("mtl_blas.sumSquares: expected a Float32Array");
  napi_value out;
  CHECK(napi_create_double(env, mtl_sum_squares_loop(x, n), &out));
  return out;
}

/* scaleArray(x, factor): x[i] = x[i] * factor, the product in double rounded once to float32 (the JS loop's
 * bits): clipping's scale of a dense gradient, and decoupled weight decay with a float32 factor. */
static napi_value ScaleArray(napi_env env, napi_callback_info info) {
  size_t argc = MTL_ARGC_scaleArray;
  napi_value argv[MTL_ARGC_scaleArray];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < MTL_ARGC_scaleArray) FAIL("mtl_blas.scaleArray: too few arguments");
  float* x;
  size_t n;
  double factor;
  if (!get_f32(env, argv[0], &x, &n)) FAIL("mtl_blas.scaleArray: expected a Float32Array");
  if (napi_get_value_double(env, argv[1], &factor) != napi_ok) FAIL("mtl_blas.scaleArray: factor must be a number");
  mtl_scale_parallel(x, n, factor);
  return NULL;
}

/* gatherRows(data, dim, rows, out): embedding lookup of `rows` (checked in range) into out (rows.length x dim),
 * across the pool's threads for a large batch. */
static napi_value GatherRows(napi_env env, napi_callback_info info) {
  size_t argc = MTL_ARGC_gatherRows;
  napi_value argv[MTL_ARGC_gatherRows];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < MTL_ARGC_gatherRows) FAIL("mtl_blas.gatherRows: too few arguments");
  float *data, *out;
  size_t ld, d, lo, n;
  int32_t* rows;
  if (!get_table_rows(env, "gatherRows", argv, &data, &ld, &d, &rows, &n)) return NULL;
  if (!get_f32(env, argv[3], &out, &lo)) FAIL("mtl_blas.gatherRows: out must be a Float32Array");
  if (lo < n * d) FAIL("mtl_blas.gatherRows: out is too small");
  mtl_gather_rows_parallel(data, d, rows, n, out);
  return NULL;
}

/* scatterRows(slot, touched, count, buffer, dim, rows, grad) -> new count: see scatter_rows_loop. The caller
 * makes touched and buffer large enough for count + rows.length rows. */
static napi_value ScatterRows(napi_env env, napi_callback_info info) {
  size_t argc = MTL_ARGC_scatterRows;
  napi_value argv[MTL_ARGC_scatterRows];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < MTL_ARGC_scatterRows) FAIL("mtl_blas.scatterRows: too few arguments");
  int32_t *slot, *touched, *rows;
  float *buffer, *grad;
  size_t ls, lt, lr_, lb, lg;
  int64_t count, dim;
  if (!get_i32(env, argv[0], &slot, &ls) || !get_i32(env, argv[1], &touched, &lt) || !get_i32(env, argv[5], &rows, &lr_)) FAIL("mtl_blas.scatterRows: slot, touched, rows must be Int32Arrays");
  if (!get_f32(env, argv[3], &buffer, &lb) || !get_f32(env, argv[6], &grad, &lg)) FAIL("mtl_blas.scatterRows: buffer and grad must be Float32Arrays");
  if (!get_int(env, argv[2], &count) || !get_int(env, argv[4], &dim) || count < 0 || dim <= 0) FAIL("mtl_blas.scatterRows: bad count or dim");
  const size_t d = (size_t)dim, n = lr_, c = (size_t)count;
  if (c + n > lt || (c + n) * d > lb || lg < n * d) FAIL("mtl_blas.scatterRows: buffers too small");
  for (size_t i = 0; i < c; i++)
    if (touched[i] < 0 || (size_t)touched[i] >= ls || slot[touched[i]] != (int32_t)i) FAIL("mtl_blas.scatterRows: inconsistent slots");
  for (size_t b = 0; b < n; b++) {
    if (rows[b] < 0 || (size_t)rows[b] >= ls) FAIL("mtl_blas.scatterRows: a row is out of range");
    const int32_t s = slot[rows[b]];
    if (s >= (int32_t)c || s < -1 || (s >= 0 && touched[s] != rows[b])) FAIL("mtl_blas.scatterRows: inconsistent slots");
  }
  napi_value out;
  CHECK(napi_create_int64(env, (int64_t)MTL_LOOP(mtl_scatter_rows_loop)(slot, touched, c, buffer, d, rows, n, grad), &out));
  return out;
}

/* clearSlots(slot, rows): slot[rows[k]] = -1 for every k (rows checked in range): RowGradients.take's reset. */
static napi_value ClearSlots(napi_env env, napi_callback_info info) {
  size_t argc = MTL_ARGC_clearSlots;
  napi_value argv[MTL_ARGC_clearSlots];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < MTL_ARGC_clearSlots) FAIL("mtl_blas.clearSlots: too few arguments");
  int32_t *slot, *rows;
  size_t ls, n;
  if (!get_i32(env, argv[0], &slot, &ls) || !get_i32(env, argv[1], &rows, &n)) FAIL("mtl_blas.clearSlots: slot and rows must be Int32Arrays");
  for (size_t k = 0; k < n; k++)
    if (rows[k] < 0 || (size_t)rows[k] >= ls) FAIL("mtl_blas.clearSlots: a row is out of range");
  mtl_clear_slots_loop(slot, rows, n);
  return NULL;
}

/* A 4-byte-element typed array (Float32Array or Int32Array): its data and length. Copies use memcpy, so
 * values are moved bit for bit (a NaN payload too). */
static int get_4byte(napi_env env, napi_value v, uint8_t** data, size_t* len) {
  bool is_ta = false;
  if (napi_is_typedarray(env, v, &is_ta) != napi_ok || !is_ta) return 0;
  napi_typedarray_type type;
  void* ptr = NULL;
  if (napi_get_typedarray_info(env, v, &type, len, &ptr, NULL, NULL) != napi_ok) return 0;
  if (type != napi_float32_array && type != napi_int32_array && type != napi_uint32_array) return 0;
  *data = (uint8_t*)ptr;
  return 1;
}

/* copyStrided(src, srcOffset, srcStride, dst, dstOffset, dstStride, rows, cols): for every r < rows, copy
 * cols elements from src[srcOffset + r*srcStride] to dst[dstOffset + r*dstStride] (elements of 4 bytes).
 * The copy behind Concat, SplitV and Slice on the native backend (src/compile/wasm-kernels.ts). */
static napi_value CopyStrided(napi_env env, napi_callback_info info) {
  size_t argc = MTL_ARGC_copyStrided;
  napi_value argv[MTL_ARGC_copyStrided];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < MTL_ARGC_copyStrided) FAIL("mtl_blas.copyStrided: too few arguments");
  uint8_t *src, *dst;
  size_t ls, ld;
  int64_t so, ss, doff, ds, rows, cols;
  if (!get_4byte(env, argv[0], &src, &ls) || !get_4byte(env, argv[3], &dst, &ld)) FAIL("mtl_blas.copyStrided: src and dst must be Float32Arrays or Int32Arrays");
  if (!get_int(env, argv[1], &so) || !get_int(env, argv[2], &ss) || !get_int(env, argv[4], &doff) || !get_int(env, argv[5], &ds) || !get_int(env, argv[6], &rows) ||
      !get_int(env, argv[7], &cols))
    FAIL("mtl_blas.copyStrided: offsets, strides and sizes must be integers");
  if (so < 0 || ss < 0 || doff < 0 || ds < 0 || rows < 0 || cols < 0) FAIL("mtl_blas.copyStrided: negative offset, stride or size");
  if (rows == 0 || cols == 0) return NULL;
  if ((size_t)(so + (rows - 1) * ss + cols) > ls || (size_t)(doff + (rows - 1) * ds + cols) > ld) FAIL("mtl_blas.copyStrided: out of range");
  const size_t bytes = (size_t)cols * 4;
  for (int64_t r = 0; r < rows; r++) memcpy(dst + (size_t)(doff + r * ds) * 4, src + (size_t)(so + r * ss) * 4, bytes);
  return NULL;
}

/* setNumThreads(n): the GEMM's thread count for later calls (OpenBLAS's, or the built-in GEMM's). */
static napi_value SetNumThreads(napi_env env, napi_callback_info info) {
  size_t argc = MTL_ARGC_setNumThreads;
  napi_value argv[MTL_ARGC_setNumThreads];
  int64_t n;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 1 || !get_int(env, argv[0], &n) || n < 1 || n > 1024) FAIL("mtl_blas.setNumThreads: expected a positive integer");
  mtl_gemm_set_threads((int)n);
  return NULL;
}

/* getNumThreads(): the GEMM's current thread count. */
static napi_value GetNumThreads(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value out;
  CHECK(napi_create_int32(env, mtl_gemm_get_threads(), &out));
  return out;
}

/* config(): which GEMM the addon was built with, for logs and the bench table: OpenBLAS's build description
 * (version, kernel, threading) or "built-in GEMM (<kernel>, <n> threads)". */
static napi_value Config(napi_env env, napi_callback_info info) {
  (void)info;
  char buf[512];
  mtl_gemm_describe(buf, sizeof buf);
  napi_value out;
  CHECK(napi_create_string_utf8(env, buf, NAPI_AUTO_LENGTH, &out));
  return out;
}

static napi_value Init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {MTL_BLAS_ENTRY_POINTS(MTL_REGISTER)};
  if (napi_define_properties(env, exports, sizeof props / sizeof props[0], props) != napi_ok) return NULL;
  if (register_step_kernels(env, exports) != napi_ok) return NULL;
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
