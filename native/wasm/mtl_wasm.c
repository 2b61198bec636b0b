/*
 * The wasm32 build's exports (scripts/build-wasm.mjs → native/wasm/mtl_kernels.wasm; loaded by
 * src/exec/wasm-accel.ts). The same kernels as the native addon — mtl_step_math.c, mtl_blas_math.c and a GEMM
 * (mtl_wasm_gemm.c here) — behind entry points that take only i32/f32 arguments (no BigInt from JS): every
 * pointer is a byte address in the ONE memory this module imports, tfjs-backend-wasm's heap, so the direct
 * step's element offsets address the same floats as on the native backend. The checks that mtl_step.c does
 * with N-API are done by the JS side (wasm-accel.ts) before each call.
 */
#include "../mtl_step_math.h"
#include "../mtl_blas_math.h"
#include "../mtl_gemm.h"
#include "../mtl_ops.h"
#include <wasm_simd128.h>

#define EXPORT(name) __attribute__((export_name(#name)))

/* sgemmBatch: C[i·M·N …] = op(A + aOffs[i]) · op(B + bOffs[i]) for i < batch (beta = 0). */
EXPORT(sgemm_batch) void sgemm_batch(int ta, int tb, int M, int N, int K, float* A, float* B, float* C, const int32_t* ao, const int32_t* bo, int batch) {
  const size_t mn = (size_t)M * (size_t)N;
  for (int i = 0; i < batch; i++) {
    if (K == 0) {
      for (size_t j = 0; j < mn; j++) C[(size_t)i * mn + j] = 0.0f;
      continue;
    }
    mtl_sgemm(ta, tb, M, N, K, 1.0f, A + ao[i], ta ? M : K, B + bo[i], tb ? K : N, 0.0f, C + (size_t)i * mn, N);
  }
}

/* denseUpdate: kind 0 sgd [lr], 1 adagrad [ε, lr] (s0 = accumulator), 2 adam [β1, β2, 1−β1, 1−β2, c1, c2, ε, lr]. */
EXPORT(dense_update) void dense_update(int kind, float* w, const float* g, float* s0, float* s1, int n, const float* sc) {
  if (kind == 0) mtl_sgd_loop(w, g, (size_t)n, sc[0]);
  else if (kind == 1) mtl_adagrad_loop(w, s0, g, (size_t)n, sc[0], sc[1]);
  else mtl_adam_loop(w, s0, s1, g, (size_t)n, sc[0], sc[1], sc[2], sc[3], sc[4], sc[5], sc[6], sc[7]);
}

/* sumRows: out[j] = Σ_i x[i·len + j]. */
EXPORT(sum_rows) void sum_rows(const float* x, int rows, int len, float* out) { mtl_sum_rows_loop(x, (size_t)rows, (size_t)len, out); }

EXPORT(gemm_at) void gemm_at(float* mem, int ta, int tb, int M, int N, int K, const int32_t* ao, const int32_t* bo, const int32_t* co, const float* betas, int na) {
  mtl_gemm_at(mem, ta, tb, M, N, K, ao, bo, co, betas, (size_t)na);
}
/*
 * gemmAt with explicit leading dimensions (gemm_at derives them from M, N, K): C_i = op(A_i)·op(B_i) + β_i·C_i
 * for i < n, row-major, lda/ldb/ldc in elements. A row block of a product — rows [r0, r1) of op(A) and of C,
 * as src/exec/wasm-threads.ts splits a GEMM between threads — keeps the whole product's strides. Every C
 * element is computed by the same sequence of operations whatever the rows around it, so the split product
 * has the same bits as the whole one.
 */
EXPORT(gemm_ld_at) void gemm_ld_at(float* mem, int ta, int tb, int M, int N, int K, int lda, int ldb, int ldc, const int32_t* ao, const int32_t* bo, const int32_t* co, const float* betas, int na) {
  for (int i = 0; i < na; i++) {
    float* C = mem + co[i];
    if (K == 0) {
      for (int r = 0; r < M; r++)
        for (int j = 0; j < N; j++) C[(size_t)r * ldc + j] = betas[i] == 0.0f ? 0.0f : betas[i] * C[(size_t)r * ldc + j];
      continue;
    }
    mtl_sgemm(ta, tb, M, N, K, 1.0f, mem + ao[i], lda, mem + bo[i], ldb, betas[i], C, ldc);
  }
}

EXPORT(bias_act_at) void bias_act_at(float* mem, int rows, int cols, int act, const int32_t* yo, const int32_t* bo, int ny) {
  mtl_bias_act_at(mem, rows, cols, act, yo, bo, (size_t)ny);
}
/*
 * ReLU's gradient here, the other activations in mtl_step_math.c. Its C loop there, dy = y > 0 ? dy : 0, is
 * a conditional store to LLVM (dy = dy is no store), which WebAssembly SIMD cannot vectorise (no masked
 * store): the scalar loop ran ~5 ns per element on the step's random signs (branch mispredictions), 10 ms
 * of an mmoe step. The same result, a vector at a time: dy AND (y > 0), i.e. dy where y > 0, else +0.
 */
static void relu_grad(float* dy, const float* y, size_t n) {
  const v128_t zero = wasm_f32x4_splat(0.0f);
  size_t i = 0;
  for (; i + 4 <= n; i += 4) wasm_v128_store(dy + i, wasm_v128_and(wasm_v128_load(dy + i), wasm_f32x4_gt(wasm_v128_load(y + i), zero)));
  for (; i < n; i++) dy[i] = y[i] > 0.0f ? dy[i] : 0.0f;
}

EXPORT(act_grad_at) void act_grad_at(float* mem, int count, int act, const int32_t* dyo, const int32_t* yo, int nd) {
  if (act != MTL_ACT_RELU) {
    mtl_act_grad_at(mem, count, act, dyo, yo, (size_t)nd);
    return;
  }
  for (int i = 0; i < nd; i++) relu_grad(mem + dyo[i], mem + yo[i], (size_t)count);
}
EXPORT(col_sum_at) void col_sum_at(float* mem, int rows, int cols, const int32_t* so, const int32_t* dso, int ns) {
  mtl_col_sum_at(mem, rows, cols, so, dso, (size_t)ns);
}
EXPORT(gate_weights_at) void gate_weights_at(float* mem, int kind, int rows, int n, int k, float invT, float scale, int io, int oo) {
  mtl_gate_weights_at(mem, kind, rows, n, k, invT, scale, io, oo);
}
EXPORT(gate_weights_grad_at) void gate_weights_grad_at(float* mem, int kind, int rows, int n, float invT, float scale, int wo, int dwo, int oo) {
  mtl_gate_weights_grad_at(mem, kind, rows, n, invT, scale, wo, dwo, oo);
}
EXPORT(mix_at) void mix_at(float* mem, int rows, int width, int wo, const int32_t* eo, int n, int oo) {
  mtl_mix_at(mem, rows, width, wo, eo, (size_t)n, oo);
}
EXPORT(mix_grad_at) void mix_grad_at(float* mem, int rows, int width, int wo, const int32_t* eo, int n, int doo, const int32_t* deo, const int32_t* acc, int dwo) {
  mtl_mix_grad_at(mem, rows, width, wo, eo, (size_t)n, doo, deo, acc, dwo);
}
EXPORT(copy_cols_at) void copy_cols_at(float* mem, int so, int ss, int dso, int ds, int rows, int cols, int accumulate) {
  mtl_copy_cols_at(mem, so, ss, dso, ds, rows, cols, accumulate != 0);
}
/* The seed and step are doubles here (exact integers up to 2^53), as the JS numbers the addon receives. */
EXPORT(dropout_at) void dropout_at(float* mem, int count, float rate, double seed, double step, const int32_t* streams, const int32_t* io, const int32_t* oo, const int32_t* mo, int ni) {
  mtl_dropout_at(mem, count, rate, (int64_t)seed, (int64_t)step, streams, io, oo, mo, (size_t)ni);
}
EXPORT(mul_at) void mul_at(float* mem, int count, const int32_t* ao, const int32_t* bo, const int32_t* oo, int na) {
  mtl_mul_at(mem, count, ao, bo, oo, (size_t)na);
}
/* The seed and step are doubles, as in dropout_at. */
EXPORT(gate_noise_at) void gate_noise_at(float* mem, int rows, int n, double seed, double step, int stream, int lo, int no, int eo) {
  mtl_gate_noise_at(mem, rows, n, (int64_t)seed, (int64_t)step, stream, lo, no, eo);
}
EXPORT(gate_noise_grad_at) void gate_noise_grad_at(float* mem, int count, int dho, int eo, int no, int oo) {
  mtl_gate_noise_grad_at(mem, count, dho, eo, no, oo);
}
EXPORT(importance_loss_at) double importance_loss_at(float* mem, int n_rows, int n, float weight, float eps, int wo, int dwo, int accumulate) {
  return mtl_importance_loss_at(mem, n_rows, n, weight, eps, wo, dwo, accumulate != 0);
}
EXPORT(batch_norm_at) int batch_norm_at(float* mem, int rows, int cols, float eps, float momentum, const int32_t* xo, const int32_t* go, const int32_t* bo, const int32_t* mmo, const int32_t* mvo, const int32_t* ho, const int32_t* so, const int32_t* oo, int nx) {
  return mtl_batch_norm_at(mem, rows, cols, eps, momentum, xo, go, bo, mmo, mvo, ho, so, oo, (size_t)nx);
}
EXPORT(batch_norm_grad_at) int batch_norm_grad_at(float* mem, int rows, int cols, const int32_t* dyo, const int32_t* ho, const int32_t* so, const int32_t* go, const int32_t* dxo, const int32_t* dgo, const int32_t* dbo, int nd) {
  return mtl_batch_norm_grad_at(mem, rows, cols, dyo, ho, so, go, dxo, dgo, dbo, (size_t)nd);
}
EXPORT(batch_norm_infer_at) void batch_norm_infer_at(float* mem, int rows, int cols, float eps, const int32_t* xo, const int32_t* go, const int32_t* bo, const int32_t* mmo, const int32_t* mvo, const int32_t* oo, int nx) {
  mtl_batch_norm_infer_at(mem, rows, cols, eps, xo, go, bo, mmo, mvo, oo, (size_t)nx);
}

/* memcpy / memmove / memset, in case the compiler emits calls: the bulk-memory instructions. */
void* memcpy(void* restrict dst, const void* restrict src, size_t n) {
  __builtin_memcpy(dst, src, n);
  return dst;
}
void* memmove(void* dst, const void* src, size_t n) {
  __builtin_memmove(dst, src, n);
  return dst;
}
void* memset(void* dst, int c, size_t n) {
  __builtin_memset(dst, c, n);
  return dst;
}
