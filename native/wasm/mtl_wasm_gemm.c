/*
 * mtl_sgemm for the wasm32 build (the same contract as native/mtl_gemm.c, see mtl_gemm.h): single-threaded,
 * 128-bit WebAssembly SIMD. Goto/BLIS blocking as in mtl_gemm.c — op(B) packed in KC×NC blocks of NR-wide
 * strips, op(A) in MC×KC blocks of MR-tall strips (packing reads all four transpose combinations), and an
 * MR×NR register-blocked micro-kernel (MR = 4, NR = 8: 8 f32x4 accumulators, two B vectors and one broadcast
 * A value fit the 16 SIMD registers V8 has on x86-64 and arm64). WebAssembly SIMD has no fused multiply-add
 * (it is in the relaxed-SIMD proposal, not enabled by default in Node 20), so each step is a mul and an add.
 *
 * Packing buffers come from the host's malloc (include/stdlib.h: an arena that src/exec/wasm-accel.ts set
 * aside) for each call — never statics: the module shares tfjs-backend-wasm's memory and owns no data there.
 * C = alpha · (Σ over K blocks of each block's sum) + beta · C; beta = 0 never reads C.
 */
#include "../mtl_gemm.h"
#include <stdlib.h>
#include <string.h>
#include <wasm_simd128.h>

#define MR 4
#define NR 8
#define KC 256
#define MC 96
#define NC 1024

/* Pack rows [r0, r0+rn) × k [p0, p0+kc) of op(X) into R-wide strips, k-major within a strip, zero padded.
 * `across` = element (r, p) of op(X) is X[p·ld + r] (X stored transposed relative to op), else X[r·ld + p]. */
static void pack(const float* X, int ld, int across, int r0, int rn, int p0, int kc, int R, float* restrict out) {
  for (int s = 0; s < rn; s += R) {
    const int w = rn - s < R ? rn - s : R;
    for (int p = 0; p < kc; p++) {
      float* o = out + (size_t)s * kc + (size_t)p * R;
      if (across) {
        const float* x = X + (size_t)(p0 + p) * ld + r0 + s;
        int i = 0;
        for (; i < w; i++) o[i] = x[i];
        for (; i < R; i++) o[i] = 0.0f;
      } else {
        const float* x = X + (size_t)(r0 + s) * ld + p0 + p;
        int i = 0;
        for (; i < w; i++) o[i] = x[(size_t)i * ld];
        for (; i < R; i++) o[i] = 0.0f;
      }
    }
  }
}

/* acc (MR×NR, row-major) → C: alpha·acc + beta·C for the mr×nr corner that exists. */
static inline void store(const v128_t acc[MR][2], float* c, int ldc, float alpha, float beta, int first, int mr, int nr) {
  const v128_t va = wasm_f32x4_splat(alpha);
  for (int i = 0; i < mr; i++) {
    float* ci = c + (size_t)i * ldc;
    v128_t r0 = wasm_f32x4_mul(acc[i][0], va), r1 = wasm_f32x4_mul(acc[i][1], va);
    if (nr == NR) {
      if (!first) {
        r0 = wasm_f32x4_add(r0, wasm_v128_load(ci));
        r1 = wasm_f32x4_add(r1, wasm_v128_load(ci + 4));
      } else if (beta != 0.0f) {
        const v128_t vb = wasm_f32x4_splat(beta);
        r0 = wasm_f32x4_add(r0, wasm_f32x4_mul(wasm_v128_load(ci), vb));
        r1 = wasm_f32x4_add(r1, wasm_f32x4_mul(wasm_v128_load(ci + 4), vb));
      }
      wasm_v128_store(ci, r0);
      wasm_v128_store(ci + 4, r1);
    } else {
      float t[NR];
      wasm_v128_store(t, r0);
      wasm_v128_store(t + 4, r1);
      for (int j = 0; j < nr; j++) ci[j] = !first ? ci[j] + t[j] : beta != 0.0f ? t[j] + beta * ci[j] : t[j];
    }
  }
}

/* One MR×NR tile over kc: a = MR-tall strip, b = NR-wide strip (both k-major). `first` = the first K block
 * (apply beta), otherwise accumulate onto C (alpha already applied to earlier blocks, so alpha again here). */
static void kernel(int kc, const float* restrict a, const float* restrict b, float* c, int ldc, float alpha, float beta, int first, int mr, int nr) {
  v128_t acc[MR][2];
  v128_t c00 = wasm_f32x4_splat(0.0f), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
  for (int p = 0; p < kc; p++) {
    const v128_t b0 = wasm_v128_load(b), b1 = wasm_v128_load(b + 4);
    v128_t x = wasm_v128_load32_splat(a);
    c00 = wasm_f32x4_add(c00, wasm_f32x4_mul(x, b0));
    c01 = wasm_f32x4_add(c01, wasm_f32x4_mul(x, b1));
    x = wasm_v128_load32_splat(a + 1);
    c10 = wasm_f32x4_add(c10, wasm_f32x4_mul(x, b0));
    c11 = wasm_f32x4_add(c11, wasm_f32x4_mul(x, b1));
    x = wasm_v128_load32_splat(a + 2);
    c20 = wasm_f32x4_add(c20, wasm_f32x4_mul(x, b0));
    c21 = wasm_f32x4_add(c21, wasm_f32x4_mul(x, b1));
    x = wasm_v128_load32_splat(a + 3);
    c30 = wasm_f32x4_add(c30, wasm_f32x4_mul(x, b0));
    c31 = wasm_f32x4_add(c31, wasm_f32x4_mul(x, b1));
    a += MR;
    b += NR;
  }
  acc[0][0] = c00; acc[0][1] = c01; acc[1][0] = c10; acc[1][1] = c11;
  acc[2][0] = c20; acc[2][1] = c21; acc[3][0] = c30; acc[3][1] = c31;
  store(acc, c, ldc, alpha, beta, first, mr, nr);
}

static int min_int(int a, int b) { return a < b ? a : b; }

void mtl_builtin_sgemm(bool ta, bool tb, int M, int N, int K, float alpha, const float* A, int lda, const float* B, int ldb, float beta, float* C, int ldc) {
  if (M <= 0 || N <= 0) return;
  if (K <= 0 || alpha == 0.0f) {
    for (int i = 0; i < M; i++)
      for (int j = 0; j < N; j++) C[(size_t)i * ldc + j] = beta == 0.0f ? 0.0f : beta * C[(size_t)i * ldc + j];
    return;
  }
  const int kcm = min_int(K, KC), mcm = min_int(M, MC), ncm = min_int(N, NC);
  float* abuf = malloc(((size_t)(mcm + MR) * kcm) * sizeof(float));
  float* bbuf = malloc(((size_t)(ncm + NR) * kcm) * sizeof(float));
  if (!abuf || !bbuf) {
    /* Out of memory in the host heap: the plain triple loop needs no buffers. */
    free(abuf);
    free(bbuf);
    for (int i = 0; i < M; i++)
      for (int j = 0; j < N; j++) {
        float s = 0.0f;
        for (int p = 0; p < K; p++) s += (ta ? A[(size_t)p * lda + i] : A[(size_t)i * lda + p]) * (tb ? B[(size_t)j * ldb + p] : B[(size_t)p * ldb + j]);
        C[(size_t)i * ldc + j] = alpha * s + (beta == 0.0f ? 0.0f : beta * C[(size_t)i * ldc + j]);
      }
    return;
  }
  for (int j0 = 0; j0 < N; j0 += NC) {
    const int nc = min_int(NC, N - j0);
    for (int p0 = 0; p0 < K; p0 += KC) {
      const int kc = min_int(KC, K - p0);
      /* op(B) is K×N: element (p, j) is B[p·ldb + j] (not transposed: "across" its rows) or B[j·ldb + p]. */
      pack(B, ldb, !tb, j0, nc, p0, kc, NR, bbuf);
      for (int i0 = 0; i0 < M; i0 += MC) {
        const int mc = min_int(MC, M - i0);
        /* op(A) is M×K: element (i, p) is A[i·lda + p] (not transposed) or A[p·lda + i]. */
        pack(A, lda, ta, i0, mc, p0, kc, MR, abuf);
        for (int jr = 0; jr < nc; jr += NR)
          for (int ir = 0; ir < mc; ir += MR)
            kernel(kc, abuf + (size_t)ir * kc, bbuf + (size_t)jr * kc, C + (size_t)(i0 + ir) * ldc + j0 + jr, ldc, alpha, beta, p0 == 0,
                   min_int(MR, mc - ir), min_int(NR, nc - jr));
      }
    }
  }
  free(abuf);
  free(bbuf);
}

void mtl_sgemm(bool ta, bool tb, int M, int N, int K, float alpha, const float* A, int lda, const float* B, int ldb, float beta, float* C, int ldc) {
  mtl_builtin_sgemm(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}

void mtl_gemm_set_threads(int n) { (void)n; }
int mtl_gemm_get_threads(void) { return 1; }
