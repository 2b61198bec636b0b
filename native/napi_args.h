/*
 * Argument helpers shared by the addon's source files (mtl_blas.c, mtl_step.c): typed-array and number
 * arguments of N-API callbacks, and the CHECK/FAIL macros that throw a JS error and return.
 */
#ifndef MTL_NAPI_ARGS_H
#define MTL_NAPI_ARGS_H
#include <node_api.h>
#include <stdbool.h>
#include <stdint.h>

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
static inline int get_f32(napi_env env, napi_value v, float** data, size_t* len) {
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
static inline int get_i32(napi_env env, napi_value v, int32_t** data, size_t* len) {
  bool is_ta = false;
  if (napi_is_typedarray(env, v, &is_ta) != napi_ok || !is_ta) return 0;
  napi_typedarray_type type;
  void* ptr = NULL;
  if (napi_get_typedarray_info(env, v, &type, len, &ptr, NULL, NULL) != napi_ok) return 0;
  if (type != napi_int32_array) return 0;
  *data = (int32_t*)ptr;
  return 1;
}

static inline int get_int(napi_env env, napi_value v, int64_t* out) {
  return napi_get_value_int64(env, v, out) == napi_ok;
}

static inline int get_bool(napi_env env, napi_value v, bool* out) {
  return napi_get_value_bool(env, v, out) == napi_ok;
}

static inline int get_float(napi_env env, napi_value v, float* out) {
  double d;
  if (napi_get_value_double(env, v, &d) != napi_ok) return 0;
  *out = (float)d;
  return 1;
}

#endif
