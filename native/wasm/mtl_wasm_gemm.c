/*
 * mtl_sgemm for the wasm32 build (the same contract as native/mtl_gemm.c, see mtl_gemm.h): single-threaded,
 * 128-bit WebAssembly SIMD. Goto/BLIS blocking as in mtl_gemm.c — op(B) packed in KC×NC blocks of NR-wide
 * strips, op(A) in MC×KC blocks of MR-tall strips — and an MR×NR register-blocked micro-kernel.
 *
 * Why these choices (bench/wasm-gemm.mjs measures them on the direct step's shapes; bench/README.md):
 * - MR×NR = 4×8: 8 f32x4 accumulators, two B vectors, one broadcast A value and the product's temporary are
 *   12 of the 15 SIMD registers V8 allocates on x86-64 (xmm15 is its scratch). WebAssembly SIMD has no fused
 *   multiply-add (relaxed SIMD is behind a flag in Node 20), so each step is a mul and an add; 6×8 or 4×12
 *   would need 16–17 registers and spill. With 8 muls and 8 adds per k the kernel is bound by the two
 *   multiply and two add pipes when every load is one instruction — which is why the build passes
 *   `-mllvm -disable-lsr` (scripts/build-wasm.mjs): LLVM's loop strength reduction rewrote the kernel's
 *   addresses into non-inbounds pointer adds that the wasm backend cannot fold into a load's constant
 *   offset, so V8 emitted an extra `lea` per load and the loop was bound by instruction issue instead.
 * - The k loop is unrolled by 4 in the source, so one pointer bump serves 4 steps.
 * - Packing is vectorised: a panel stored along the packed direction (e.g. op(B) = B in NN) is copied a
 *   vector at a time; a panel stored across it (op(A) = A in NN and NT, op(B) = Bᵀ in NT) is read as
 *   4×4 blocks and transposed in registers, instead of one strided scalar load per element.
 * - KC = 384: the step's K of 429 (the 26×16 + 13 feature concat) is then 2 blocks; a B strip (KC×NR,
 *   12 KiB) and an A strip (6 KiB) stay in the 32 KiB L1, the A block (MC×KC, 144 KiB) in L2.
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
#define KC 512
#define MC 96
#define NC 1024

/* The 4×4 transpose of rows r0..r3 (in place). */
#define TRANSPOSE4(r0, r1, r2, r3)                                  \
  do {                                                              \
    const v128_t t0 = wasm_i32x4_shuffle(r0, r1, 0, 4, 1, 5);       \
    const v128_t t1 = wasm_i32x4_shuffle(r0, r1, 2, 6, 3, 7);       \
    const v128_t t2 = wasm_i32x4_shuffle(r2, r3, 0, 4, 1, 5);       \
    const v128_t t3 = wasm_i32x4_shuffle(r2, r3, 2, 6, 3, 7);       \
    r0 = wasm_i64x2_shuffle(t0, t2, 0, 2);                          \
    r1 = wasm_i64x2_shuffle(t0, t2, 1, 3);                          \
    r2 = wasm_i64x2_shuffle(t1, t3, 0, 2);                          \
    r3 = wasm_i64x2_shuffle(t1, t3, 1, 3);                          \
  } while (0)

/*
 * Pack rows [r0, r0+rn) × k [p0, p0+kc) of op(X) into R-wide strips (R = 4 or 8), k-major within a strip,
 * zero padded. `across` = element (r, p) of op(X) is X[p·ld + r] (X stored transposed relative to op), else
 * X[r·ld + p].
 */
static void pack(const float* X, int ld, int across, int r0, int rn, int p0, int kc, int R, float* restrict out) {
  for (int s = 0; s < rn; s += R) {
    const int w = rn - s < R ? rn - s : R;
    float* o = out + (size_t)s * kc;
    if (across && w == R) {
      /* Row p of the strip is R contiguous floats of X. */
      const float* x = X + (size_t)p0 * ld + r0 + s;
      for (int p = 0; p < kc; p++, x += ld, o += R) {
        wasm_v128_store(o, wasm_v128_load(x));
        if (R == 8) wasm_v128_store(o + 4, wasm_v128_load(x + 4));
      }
    } else if (!across && w == R) {
      /* R rows of X, 4 k at a time: each 4×4 block is transposed so that the strip is k-major. */
      const float* x = X + (size_t)(r0 + s) * ld + p0;
      int p = 0;
      for (; p + 4 <= kc; p += 4) {
        for (int g = 0; g < R; g += 4) {
          const float* xg = x + (size_t)g * ld + p;
          v128_t a0 = wasm_v128_load(xg), a1 = wasm_v128_load(xg + ld), a2 = wasm_v128_load(xg + 2 * (size_t)ld), a3 = wasm_v128_load(xg + 3 * (size_t)ld);
          TRANSPOSE4(a0, a1, a2, a3);
          float* og = o + (size_t)p * R + g;
          wasm_v128_store(og, a0);
          wasm_v128_store(og + R, a1);
          wasm_v128_store(og + 2 * R, a2);
          wasm_v128_store(og + 3 * R, a3);
        }
      }
      for (; p < kc; p++)
        for (int i = 0; i < R; i++) o[(size_t)p * R + i] = x[(size_t)i * ld + p];
    } else {
      /* The last, partial strip. */
      for (int p = 0; p < kc; p++) {
        float* op = o + (size_t)p * R;
        int i = 0;
        if (across)
          for (const float* x = X + (size_t)(p0 + p) * ld + r0 + s; i < w; i++) op[i] = x[i];
        else
          for (const float* x = X + (size_t)(r0 + s) * ld + p0 + p; i < w; i++) op[i] = x[(size_t)i * ld];
        for (; i < R; i++) op[i] = 0.0f;
      }
    }
  }
}

/* One step of k: the 4×8 rank-1 update from a (4 values at a + off) and b (8 values at b + 2·off). */
#define STEP(off)                                                          \
  do {                                                                     \
    const v128_t b0 = wasm_v128_load(b + 2 * (off)), b1 = wasm_v128_load(b + 2 * (off) + 4); \
    v128_t x = wasm_v128_load32_splat(a + (off));                          \
    c00 = wasm_f32x4_add(c00, wasm_f32x4_mul(x, b0));                      \
    c01 = wasm_f32x4_add(c01, wasm_f32x4_mul(x, b1));                      \
    x = wasm_v128_load32_splat(a + (off) + 1);                             \
    c10 = wasm_f32x4_add(c10, wasm_f32x4_mul(x, b0));                      \
    c11 = wasm_f32x4_add(c11, wasm_f32x4_mul(x, b1));                      \
    x = wasm_v128_load32_splat(a + (off) + 2);                             \
    c20 = wasm_f32x4_add(c20, wasm_f32x4_mul(x, b0));                      \
    c21 = wasm_f32x4_add(c21, wasm_f32x4_mul(x, b1));                      \
    x = wasm_v128_load32_splat(a + (off) + 3);                             \
    c30 = wasm_f32x4_add(c30, wasm_f32x4_mul(x, b0));                      \
    c31 = wasm_f32x4_add(c31, wasm_f32x4_mul(x, b1));                      \
  } while (0)

/* One row of the tile → C: alpha·acc + (first ? beta·C : C) for the nr columns that exist. */
static inline void store_row(v128_t r0, v128_t r1, float* ci, float alpha, float beta, int first, int nr) {
  const v128_t va = wasm_f32x4_splat(alpha);
  r0 = wasm_f32x4_mul(r0, va);
  r1 = wasm_f32x4_mul(r1, va);
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

/* One MR×NR tile over kc: a = MR-tall strip, b = NR-wide strip (both k-major). `first` = the first K block
 * (apply beta), otherwise accumulate onto C (alpha already applied to earlier blocks, so alpha again here). */
static void kernel(int kc, const float* restrict a, const float* restrict b, float* c, int ldc, float alpha, float beta, int first, int mr, int nr) {
  v128_t c00 = wasm_f32x4_splat(0.0f), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
  /* The loop runs on the A pointer alone (no separate counter): one add and one compare fewer per k. */
  for (const float* aend = a + (size_t)kc * MR; a < aend; a += MR, b += NR) STEP(0);
  store_row(c00, c01, c, alpha, beta, first, nr);
  if (mr > 1) store_row(c10, c11, c + ldc, alpha, beta, first, nr);
  if (mr > 2) store_row(c20, c21, c + 2 * (size_t)ldc, alpha, beta, first, nr);
  if (mr > 3) store_row(c30, c31, c + 3 * (size_t)ldc, alpha, beta, first, nr);
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

/* One thread here (the helpers of src/exec/wasm-threads.ts split a product from JS): one GEMM after another. */
void mtl_sgemm_many(bool ta, bool tb, int M, int N, int K, float alpha, const float* const* A, int lda, const float* const* B, int ldb, const float* beta, float* const* C, int ldc,
                    int count) {
  for (int i = 0; i < count; i++) mtl_builtin_sgemm(ta, tb, M, N, K, alpha, A[i], lda, B[i], ldb, beta[i], C[i], ldc);
}

void mtl_gemm_set_threads(int n) { (void)n; }
int mtl_gemm_get_threads(void) { return 1; }
