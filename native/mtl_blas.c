/*
 * mtl_blas: a minimal N-API addon exposing OpenBLAS's single-precision GEMM to the tfjs cpu backend
 * (src/runtime/native-blas.ts). Plain node_api.h so it needs no npm dependency. Every entry point takes
 * Float32Arrays and row-major shapes; the JS side checks sizes and offsets before calling, and the C side
 * checks them again because a wrong offset here would write outside the output array.
 */
#include <node_api.h>
#include <cblas.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define CHECK(call)                                                     \
  do {                                                                  \
    if ((call) != napi_ok) {                                            \
      napi_throw_error(env, NULL, "mtl_blas: N-API call failed: " #call); \
      return NULL;                                                      \
    }                                                                   \
  } while (0)

#define FAIL(msg)                        \
  do {                                   \
    napi_throw_error(env, NULL, (msg));  \
    return NULL;                         \
  } while (0)

/* A Float32Array argument: its data (byte offset already applied by N-API) and its length. */
static int get_f32(napi_env env, napi_value v, float** data, size_t* len) {
  bool is_ta = false;
  if (napi_is_typedarray(env, v, &is_ta) != napi_ok || !is_ta) return 0;
  napi_typedarray_type type;
  void* ptr = NULL;
  if (napi_get_typedarray_info(env, v, &type, len, &ptr, NULL, NULL) != napi_ok) return 0;
  if (type != napi_float32_array) return 0;
  *data = (float*)ptr;
  return 1;
}

/* An Int32Array argument (batch offsets). */
static int get_i32(napi_env env, napi_value v, int32_t** data, size_t* len) {
  bool is_ta = false;
  if (napi_is_typedarray(env, v, &is_ta) != napi_ok || !is_ta) return 0;
  napi_typedarray_type type;
  void* ptr = NULL;
  if (napi_get_typedarray_info(env, v, &type, len, &ptr, NULL, NULL) != napi_ok) return 0;
  if (type != napi_int32_array) return 0;
  *data = (int32_t*)ptr;
  return 1;
}

static int get_int(napi_env env, napi_value v, int64_t* out) {
  return napi_get_value_int64(env, v, out) == napi_ok;
}

static int get_bool(napi_env env, napi_value v, bool* out) {
  return napi_get_value_bool(env, v, out) == napi_ok;
}

/*
 * sgemmBatch(transA, transB, M, N, K, A, B, C, aOffsets, bOffsets)
 * For every i: C[i*M*N .. +M*N] = op(A at aOffsets[i]) x op(B at bOffsets[i]), row-major, beta = 0.
 * op(A) is M x K (A stored K x M when transA), op(B) is K x N (B stored N x K when transB).
 * Offsets (in elements) let the caller express tfjs's broadcasting of batch dimensions without copies.
 */
static napi_value SgemmBatch(napi_env env, napi_callback_info info) {
  size_t argc = 10;
  napi_value argv[10];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 10) FAIL("mtl_blas.sgemmBatch: expected 10 arguments");
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
    cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, (int)M, (int)N, (int)K,
                1.0f, A + ao[i], lda, B + bo[i], ldb, 0.0f, C + i * mn, (int)N);
  }
  return NULL;
}

/* setNumThreads(n): OpenBLAS's thread count for later calls. */
static napi_value SetNumThreads(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  int64_t n;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 1 || !get_int(env, argv[0], &n) || n < 1 || n > 1024) FAIL("mtl_blas.setNumThreads: expected a positive integer");
  openblas_set_num_threads((int)n);
  return NULL;
}

/* getNumThreads(): OpenBLAS's current thread count. */
static napi_value GetNumThreads(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value out;
  CHECK(napi_create_int32(env, openblas_get_num_threads(), &out));
  return out;
}

/* config(): OpenBLAS's build description (version, kernel, threading), for logs and the bench table. */
static napi_value Config(napi_env env, napi_callback_info info) {
  (void)info;
  char buf[512];
  snprintf(buf, sizeof buf, "%s (core %s)", openblas_get_config(), openblas_get_corename());
  napi_value out;
  CHECK(napi_create_string_utf8(env, buf, NAPI_AUTO_LENGTH, &out));
  return out;
}

static napi_value Init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"sgemmBatch", NULL, SgemmBatch, NULL, NULL, NULL, napi_enumerable, NULL},
      {"setNumThreads", NULL, SetNumThreads, NULL, NULL, NULL, napi_enumerable, NULL},
      {"getNumThreads", NULL, GetNumThreads, NULL, NULL, NULL, napi_enumerable, NULL},
      {"config", NULL, Config, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  if (napi_define_properties(env, exports, sizeof props / sizeof props[0], props) != napi_ok) return NULL;
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
