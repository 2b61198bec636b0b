/*
 * The direct training step's math (see mtl_step.c for the entry points that check and pass the arguments):
 * pure C on ONE float32 memory `mem` addressed by element offsets, no N-API. Callers have checked every
 * operand's range. Activation and gate codes (MTL_ACT_*, MTL_GATE_*) come from the generated mtl_ops.h.
 *
 * Each derivative of an activation is computed from the activation's OUTPUT y, so the forward pass keeps only
 * post-activation values — except gelu's, which its output does not determine: actGradAt is given gelu's
 * INPUT x instead (the direct step keeps that layer's pre-activation; src/model/direct/plan.ts `pre`).
 */
#define _DEFAULT_SOURCE
#include "mtl_step_math.h"
#include "mtl_ops.h"
#include "mtl_gemm.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

#pragma GCC push_options
#pragma GCC optimize("O3")

#define SELU_SCALE 1.0507009873554804934193349852946f
#define SELU_ALPHA 1.6732632423543772848170429916717f
#define INV_SQRT2 0.70710678118654752440f
#define INV_SQRT_2PI 0.39894228040143267794f

static void activate(float* restrict y, size_t n, int act) {
  switch (act) {
    case MTL_ACT_RELU:
      for (size_t i = 0; i < n; i++) y[i] = y[i] > 0.0f ? y[i] : 0.0f;
      break;
    case MTL_ACT_TANH:
      for (size_t i = 0; i < n; i++) y[i] = tanhf(y[i]);
      break;
    case MTL_ACT_SIGMOID:
      for (size_t i = 0; i < n; i++) y[i] = 1.0f / (1.0f + expf(-y[i]));
      break;
    case MTL_ACT_ELU:
      for (size_t i = 0; i < n; i++) y[i] = y[i] > 0.0f ? y[i] : expm1f(y[i]);
      break;
    case MTL_ACT_SELU:
      for (size_t i = 0; i < n; i++) y[i] = y[i] > 0.0f ? SELU_SCALE * y[i] : SELU_SCALE * SELU_ALPHA * expm1f(y[i]);
      break;
    case MTL_ACT_GELU: /* exact: x · Φ(x) = x · (1 + erf(x / √2)) / 2, as tfjs-layers and torch's F.gelu */
      for (size_t i = 0; i < n; i++) y[i] = y[i] * 0.5f * (1.0f + erff(y[i] * INV_SQRT2));
      break;
    default:
      break;
  }
}

/* dy ← dy · act'(x), from y = act(x) (for gelu, `y` holds x itself). */
static void activation_grad(float* restrict dy, const float* restrict y, size_t n, int act) {
  switch (act) {
    case MTL_ACT_RELU:
      for (size_t i = 0; i < n; i++) dy[i] = y[i] > 0.0f ? dy[i] : 0.0f;
      break;
    case MTL_ACT_TANH:
      for (size_t i = 0; i < n; i++) dy[i] = dy[i] * (1.0f - y[i] * y[i]);
      break;
    case MTL_ACT_SIGMOID:
      for (size_t i = 0; i < n; i++) dy[i] = dy[i] * (y[i] * (1.0f - y[i]));
      break;
    case MTL_ACT_ELU:
      for (size_t i = 0; i < n; i++) dy[i] = y[i] > 0.0f ? dy[i] : dy[i] * (y[i] + 1.0f);
      break;
    case MTL_ACT_SELU:
      for (size_t i = 0; i < n; i++) dy[i] = y[i] > 0.0f ? dy[i] * SELU_SCALE : dy[i] * (y[i] + SELU_SCALE * SELU_ALPHA);
      break;
    case MTL_ACT_GELU: /* `y` is gelu's input x here: d/dx x·Φ(x) = Φ(x) + x·φ(x) */
      for (size_t i = 0; i < n; i++) {
        const float x = y[i];
        dy[i] = dy[i] * (0.5f * (1.0f + erff(x * INV_SQRT2)) + x * INV_SQRT_2PI * expf(-0.5f * x * x));
      }
      break;
    default:
      break;
  }
}

/* A counter-based random stream (splitmix64 finaliser): the same uniform for (seed, step, stream, index) on
 * every machine and thread count, so dropout masks are reproducible and a resumed run draws the same ones. */
static inline uint64_t mix64(uint64_t z) {
  z += 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

/*
 * gemmAt(mem, transA, transB, M, N, K, aOffs, bOffs, cOffs, betas): for every i,
 * C_i = op(A_i) · op(B_i) + betas[i] · C_i, row-major and dense (lda = transA ? M : K, ldb = transB ? K : N, ldc = N).
 */
void mtl_gemm_at(float* mem, bool ta, bool tb, int64_t M, int64_t N, int64_t K, const int32_t* ao, const int32_t* bo, const int32_t* co, const float* betas, size_t na) {
  if (K == 0) {
    const size_t mn = (size_t)M * (size_t)N;
    for (size_t i = 0; i < na; i++) {
      float* C = mem + co[i];
      for (size_t j = 0; j < mn; j++) C[j] = betas[i] == 0.0f ? 0.0f : betas[i] * C[j];
    }
    return;
  }
  /* All of them in one call of the pool, in blocks of at most 64 (the pointer lists live on the stack). */
  enum { BLOCK = 64 };
  const float* A[BLOCK];
  const float* B[BLOCK];
  float* C[BLOCK];
  for (size_t i0 = 0; i0 < na; i0 += BLOCK) {
    const size_t n = na - i0 < BLOCK ? na - i0 : BLOCK;
    for (size_t i = 0; i < n; i++) {
      A[i] = mem + ao[i0 + i];
      B[i] = mem + bo[i0 + i];
      C[i] = mem + co[i0 + i];
    }
    mtl_sgemm_many(ta, tb, (int)M, (int)N, (int)K, 1.0f, A, ta ? (int)M : (int)K, B, tb ? (int)K : (int)N, betas + i0, C, (int)N, (int)n);
  }
}

/* biasActAt(mem, rows, cols, act, outOffs, biasOffs): for every i, Y_i[r, :] = act(Y_i[r, :] + bias_i) in place (biasOffs[i] < 0: no bias). */
void mtl_bias_act_at(float* mem, int64_t rows, int64_t cols, int act, const int32_t* yo, const int32_t* bo, size_t ny) {
  const size_t n = (size_t)rows * (size_t)cols;
  for (size_t i = 0; i < ny; i++) {
    float* y = mem + yo[i];
    if (bo[i] >= 0) {
      const float* b = mem + bo[i];
      for (int64_t r = 0; r < rows; r++) {
        float* row = y + (size_t)r * (size_t)cols;
        for (int64_t c = 0; c < cols; c++) row[c] += b[c];
      }
    }
    activate(y, n, (int)act);
  }
}

/* actGradAt(mem, count, act, dyOffs, yOffs): dY_i ← dY_i · act'(from Y_i) in place, blocks of `count` elements (gelu: from its input X_i). */
void mtl_act_grad_at(float* mem, int64_t count, int act, const int32_t* dyo, const int32_t* yo, size_t nd) {
  for (size_t i = 0; i < nd; i++) activation_grad(mem + dyo[i], mem + yo[i], (size_t)count, (int)act);
}

/* colSumAt(mem, rows, cols, srcOffs, dstOffs): dst_i[c] = Σ_r src_i[r, c] (a bias gradient). */
void mtl_col_sum_at(float* mem, int64_t rows, int64_t cols, const int32_t* so, const int32_t* dso, size_t ns) {
  for (size_t i = 0; i < ns; i++) {
    float* restrict d = mem + dso[i];
    const float* s = mem + so[i];
    memset(d, 0, (size_t)cols * sizeof(float));
    for (int64_t r = 0; r < rows; r++) {
      const float* restrict row = s + (size_t)r * (size_t)cols;
      for (int64_t c = 0; c < cols; c++) d[c] += row[c];
    }
  }
}

/*
 * The k largest of x[0..n) into keep[0..n) (1 kept, 0 dropped), with tfjs's TopK tie rule: the larger value
 * first, and of equal values the lower index (tfjs-backend-cpu's comparePair; its wasm kernel agrees).
 * O(n·k): gates mix a handful of experts.
 */
static void top_k(const float* x, int64_t n, int64_t k, unsigned char* keep) {
  for (int64_t i = 0; i < n; i++) keep[i] = 0;
  for (int64_t j = 0; j < k; j++) {
    int64_t best = -1;
    for (int64_t i = 0; i < n; i++) {
      if (keep[i]) continue;
      if (best < 0 || x[i] > x[best]) best = i; /* strictly greater: the first of equal values wins */
    }
    keep[best] = 1;
  }
}

/*
 * gateWeightsAt(mem, kind, rows, n, k, invT, scale, inOff, outOff): gate weights from logits [rows, n]
 * (in place allowed). kind 0: softmax(logits · invT) per row; kind 1: scale · sigmoid(logits · invT); kind 2
 * (top-k): softmax over the k largest logits · invT of each row, exactly 0 for the others. k is read by kind 2 only.
 */
void mtl_gate_weights_at(float* mem, int kind, int64_t rows, int64_t n, int64_t k, float invT, float scale, int64_t io, int64_t oo) {
  unsigned char keep[MTL_GATE_MAX_EXPERTS];
  for (int64_t r = 0; r < rows; r++) {
    const float* x = mem + io + (size_t)r * (size_t)n;
    float* w = mem + oo + (size_t)r * (size_t)n;
    if (kind == MTL_GATE_SOFTMAX || kind == MTL_GATE_TOPK) {
      const bool sparse = kind == MTL_GATE_TOPK && k < n;
      if (sparse) top_k(x, n, k, keep);
      float mx = -INFINITY;
      for (int64_t i = 0; i < n; i++)
        if (!sparse || keep[i]) mx = fmaxf(mx, x[i] * invT);
      float sum = 0.0f;
      for (int64_t i = 0; i < n; i++) {
        w[i] = !sparse || keep[i] ? expf(x[i] * invT - mx) : 0.0f;
        sum += w[i];
      }
      for (int64_t i = 0; i < n; i++) w[i] = w[i] / sum;
    } else {
      for (int64_t i = 0; i < n; i++) w[i] = scale / (1.0f + expf(-(x[i] * invT)));
    }
  }
}

/*
 * gateWeightsGradAt(mem, kind, rows, n, invT, scale, wOff, dwOff, outOff): the logits' gradient from the
 * weights W and their gradient dW (out may alias dW). softmax: invT · W ⊙ (dW − Σ W ⊙ dW); sigmoid:
 * invT · dW ⊙ W ⊙ (1 − W / scale). top-k: softmax's formula, which is 0 wherever W is 0, so the gradient
 * flows only into the kept logits (the dropped ones were replaced by −∞ before the softmax).
 */
void mtl_gate_weights_grad_at(float* mem, int kind, int64_t rows, int64_t n, float invT, float scale, int64_t wo, int64_t dwo, int64_t oo) {
  for (int64_t r = 0; r < rows; r++) {
    const float* w = mem + wo + (size_t)r * (size_t)n;
    const float* dw = mem + dwo + (size_t)r * (size_t)n;
    float* out = mem + oo + (size_t)r * (size_t)n;
    if (kind == MTL_GATE_SOFTMAX || kind == MTL_GATE_TOPK) {
      float dot = 0.0f;
      for (int64_t i = 0; i < n; i++) dot += w[i] * dw[i];
      for (int64_t i = 0; i < n; i++) out[i] = invT * (w[i] * (dw[i] - dot));
    } else {
      for (int64_t i = 0; i < n; i++) out[i] = invT * (dw[i] * (w[i] * (1.0f - w[i] / scale)));
    }
  }
}

/* mixAt(mem, rows, width, wOff, expertOffs, outOff): out[r, :] = Σ_i W[r, i] · E_i[r, :] (n = expertOffs.length). */
void mtl_mix_at(float* mem, int64_t rows, int64_t width, int64_t wo, const int32_t* eo, size_t n, int64_t oo) {
  for (int64_t r = 0; r < rows; r++) {
    float* restrict out = mem + oo + (size_t)r * (size_t)width;
    const float* w = mem + wo + (size_t)r * n;
    memset(out, 0, (size_t)width * sizeof(float));
    for (size_t i = 0; i < n; i++) {
      const float wi = w[i];
      const float* restrict e = mem + eo[i] + (size_t)r * (size_t)width;
      for (int64_t c = 0; c < width; c++) out[c] += wi * e[c];
    }
  }
}

/*
 * mixGradAt(mem, rows, width, wOff, expertOffs, dOutOff, dExpertOffs, accumulate, dwOff): the backward of
 * mixAt: dW[r, i] = E_i[r, :] · dOut[r, :]; dE_i[r, :] = W[r, i] · dOut[r, :], added to dE_i when
 * accumulate[i] is non-zero (several gates mixing one expert), else written.
 */
void mtl_mix_grad_at(float* mem, int64_t rows, int64_t width, int64_t wo, const int32_t* eo, size_t n, int64_t doo, const int32_t* deo, const int32_t* acc, int64_t dwo) {
  for (int64_t r = 0; r < rows; r++) {
    const float* restrict d = mem + doo + (size_t)r * (size_t)width;
    const float* w = mem + wo + (size_t)r * n;
    float* dw = mem + dwo + (size_t)r * n;
    for (size_t i = 0; i < n; i++) {
      const float* restrict e = mem + eo[i] + (size_t)r * (size_t)width;
      float dot = 0.0f;
      for (int64_t c = 0; c < width; c++) dot += e[c] * d[c];
      dw[i] = dot;
    }
    for (size_t i = 0; i < n; i++) {
      if (deo[i] < 0) continue;
      const float wi = w[i];
      float* restrict de = mem + deo[i] + (size_t)r * (size_t)width;
      if (acc[i]) {
        for (int64_t c = 0; c < width; c++) de[c] += wi * d[c];
      } else {
        for (int64_t c = 0; c < width; c++) de[c] = wi * d[c];
      }
    }
  }
}

/* copyColsAt(mem, srcOff, srcStride, dstOff, dstStride, rows, cols, accumulate): a column block copy (or += when accumulate). */
void mtl_copy_cols_at(float* mem, int64_t so, int64_t ss, int64_t dso, int64_t ds, int64_t rows, int64_t cols, bool accumulate) {
  for (int64_t r = 0; r < rows; r++) {
    const float* restrict s = mem + so + r * ss;
    float* restrict d = mem + dso + r * ds;
    if (accumulate) {
      for (int64_t c = 0; c < cols; c++) d[c] += s[c];
    } else {
      memcpy(d, s, (size_t)cols * sizeof(float));
    }
  }
}

/*
 * dropoutAt(mem, count, rate, seed, step, streams, inOffs, outOffs, maskOffs): for every block i and element
 * j < count, u = uniform(seed, step, streams[i], j) in [0, 1); mask = u ≥ rate ? 1 / (1 − rate) : 0;
 * out = in · mask (out may alias in). The mask is kept for the backward pass (mulAt).
 */
void mtl_dropout_at(float* mem, int64_t count, float rate, int64_t seed, int64_t step, const int32_t* streams, const int32_t* io, const int32_t* oo, const int32_t* mo, size_t ni) {
  const float scale = 1.0f / (1.0f - rate);
  const uint64_t base = mix64(((uint64_t)(uint32_t)seed << 32) ^ (uint64_t)step);
  for (size_t i = 0; i < ni; i++) {
    const uint64_t s = mix64(base ^ ((uint64_t)(uint32_t)streams[i] * 0xd1b54a32d192ed03ULL));
    const float* x = mem + io[i];
    float* y = mem + oo[i];
    float* m = mem + mo[i];
    for (int64_t j = 0; j < count; j++) {
      const float u = (float)(mix64(s + (uint64_t)j) >> 40) * (1.0f / 16777216.0f);
      const float keep = u >= rate ? scale : 0.0f;
      m[j] = keep;
      y[j] = x[j] * keep;
    }
  }
}

/* mulAt(mem, count, aOffs, bOffs, outOffs): out_i = a_i ⊙ b_i elementwise (out may alias a or b). */
void mtl_mul_at(float* mem, int64_t count, const int32_t* ao, const int32_t* bo, const int32_t* oo, size_t na) {
  for (size_t i = 0; i < na; i++) {
    const float* a = mem + ao[i];
    const float* b = mem + bo[i];
    float* o = mem + oo[i];
    for (int64_t j = 0; j < count; j++) o[j] = a[j] * b[j];
  }
}

/* Salt of the gate-noise streams, so that they never coincide with dropout's for the same (seed, step, stream). */
#define NOISE_SALT 0x6a09e667f3bcc909ULL

/*
 * ln(x) for x > 0 in double, from +, ×, ÷ alone (no libm): x = 2^e · m with m in [√½, √2), then
 * ln m = 2·atanh(s), s = (m − 1)/(m + 1), |s| ≤ 0.172, by its series to s^17 (error < 1e-15). The same
 * code in the addon and in the WebAssembly build (which has no libm log), so both draw the same noise.
 */
static double step_log(double x) {
  int e = 0;
  while (x >= 1.4142135623730951) x *= 0.5, e++;
  while (x < 0.7071067811865476) x *= 2.0, e--;
  const double s = (x - 1.0) / (x + 1.0), s2 = s * s;
  double t = 1.0 / 17.0;
  for (int d = 15; d >= 1; d -= 2) t = t * s2 + 1.0 / d;
  return 2.0 * s * t + e * 0.69314718055994530942;
}

/* softplus(u) = ln(1 + e^u), written to stay finite for large |u|: max(u, 0) + ln(1 + e^−|u|). */
static inline float softplus(float u) { return fmaxf(u, 0.0f) + (float)step_log(1.0 + (double)expf(-fabsf(u))); }

/*
 * The standard normal draw number `j` of the stream keyed by `key`: Marsaglia's polar method on uniforms
 * (−1, 1) from the counter-based generator, each try from its own counter (64 tries per draw; all 64
 * rejected, probability 0.215^64, gives 0). Only +, ×, ÷, √ and step_log: the same bits on every machine.
 */
static float gaussian(uint64_t key, uint64_t j) {
  for (uint64_t a = 0; a < 64; a++) {
    const uint64_t h = mix64(key + j * 64 + a);
    const double v1 = (double)(h >> 32) * (2.0 / 4294967296.0) - 1.0;
    const double v2 = (double)(h & 0xffffffffULL) * (2.0 / 4294967296.0) - 1.0;
    const double s = v1 * v1 + v2 * v2;
    if (s >= 1.0 || s == 0.0) continue;
    return (float)(v1 * sqrt(-2.0 * step_log(s) / s));
  }
  return 0.0f;
}

/*
 * gateNoiseAt(mem, rows, n, seed, step, stream, logitsOff, noiseOff, epsOff): noisy gating's training-time
 * perturbation (Shazeer et al. 2017, eq. 4) in place: H = Z + ε ⊙ softplus(U) for Z the logits and U the noise
 * layer's output (both [rows, n]), ε ~ N(0, 1) drawn from the counter-based stream (seed, step, stream): the
 * same ε on every machine, thread count and build, and a resumed run draws what an uninterrupted one would.
 * ε is kept (epsOff) for gateNoiseGradAt.
 */
void mtl_gate_noise_at(float* mem, int64_t rows, int64_t n, int64_t seed, int64_t step, int64_t stream, int64_t lo, int64_t no, int64_t eo) {
  const uint64_t base = mix64((((uint64_t)(uint32_t)seed << 32) ^ (uint64_t)step) ^ NOISE_SALT);
  const uint64_t key = mix64(base ^ ((uint64_t)(uint32_t)stream * 0xd1b54a32d192ed03ULL));
  const size_t total = (size_t)rows * (size_t)n;
  float* z = mem + lo;
  const float* u = mem + no;
  float* eps = mem + eo;
  for (size_t j = 0; j < total; j++) {
    eps[j] = gaussian(key, j);
    z[j] += eps[j] * softplus(u[j]);
  }
}

/*
 * gateNoiseGradAt(mem, count, dhOff, epsOff, noiseOff, outOff): the noise layer's output gradient from the
 * noisy logits' gradient dH: dU = dH ⊙ ε ⊙ σ(U) (softplus' = σ). out may alias dH.
 */
void mtl_gate_noise_grad_at(float* mem, int64_t count, int64_t dho, int64_t eo, int64_t no, int64_t oo) {
  const float* dh = mem + dho;
  const float* eps = mem + eo;
  const float* u = mem + no;
  float* out = mem + oo;
  for (int64_t j = 0; j < count; j++) out[j] = dh[j] * eps[j] * (1.0f / (1.0f + expf(-u[j])));
}

/*
 * importanceLossAt(mem, rows, n, weight, epsilon, wOff, dwOff, accumulate): the importance loss of Shazeer et
 * al. 2017 (eq. 6) on gate weights W [rows, n]: I_i = Σ_r W[r, i], L = CV(I)² = var(I) / (mean(I)² + ε) with
 * the population variance. Returns weight · L and writes (accumulate 0) or adds (1) its gradient,
 * weight · ∂L/∂W[r, i] = weight · (2(I_i − μ)/n / (μ² + ε) − 2μ·var/n / (μ² + ε)²), the same for every row r.
 * In double, like tf.moments' sums are exact enough for a handful of experts.
 */
double mtl_importance_loss_at(float* mem, int64_t rows, int64_t n, float weight, float eps, int64_t wo, int64_t dwo, bool accumulate) {
  double imp[MTL_GATE_MAX_EXPERTS];
  for (int64_t i = 0; i < n; i++) imp[i] = 0.0;
  for (int64_t r = 0; r < rows; r++) {
    const float* w = mem + wo + (size_t)r * (size_t)n;
    for (int64_t i = 0; i < n; i++) imp[i] += w[i];
  }
  double mean = 0.0;
  for (int64_t i = 0; i < n; i++) mean += imp[i];
  mean /= (double)n;
  double var = 0.0;
  for (int64_t i = 0; i < n; i++) var += (imp[i] - mean) * (imp[i] - mean);
  var /= (double)n;
  const double denom = mean * mean + (double)eps;
  double g[MTL_GATE_MAX_EXPERTS];
  for (int64_t i = 0; i < n; i++) g[i] = (double)weight * (2.0 * (imp[i] - mean) / (double)n / denom - 2.0 * mean * var / (double)n / (denom * denom));
  for (int64_t r = 0; r < rows; r++) {
    float* dw = mem + dwo + (size_t)r * (size_t)n;
    for (int64_t i = 0; i < n; i++) dw[i] = accumulate ? dw[i] + (float)g[i] : (float)g[i];
  }
  return (double)weight * (var / denom);
}

/*
 * batchNormAt(mem, rows, cols, epsilon, momentum, xOffs, gammaOffs, betaOffs, meanOffs, varOffs, xhatOffs,
 * invStdOffs, outOffs): batch normalisation in training mode, per block, as tfjs-layers' BatchNormalization:
 * per column mean μ and biased variance σ² over the rows, x̂ = (x − μ)/sqrt(σ² + ε), out = γ·x̂ + β; the moving
 * statistics move towards the batch's: m ← m − (m − μ)(1 − momentum), v ← v − (v − σ²)(1 − momentum). x̂ and
 * 1/sqrt(σ² + ε) are kept for batchNormGradAt.
 */
int mtl_batch_norm_at(float* mem, int64_t rows, int64_t cols, float eps, float momentum, const int32_t* xo, const int32_t* go, const int32_t* bo, const int32_t* mmo, const int32_t* mvo, const int32_t* ho, const int32_t* so, const int32_t* oo, size_t nx) {
  const size_t c = (size_t)cols;
  double* acc = (double*)malloc(2 * c * sizeof(double));
  if (!acc) return -1;
  double* mean = acc;
  double* var = acc + c;
  for (size_t i = 0; i < nx; i++) {
    const float* x = mem + xo[i];
    for (size_t k = 0; k < c; k++) mean[k] = 0.0, var[k] = 0.0;
    for (int64_t r = 0; r < rows; r++) {
      const float* row = x + (size_t)r * c;
      for (size_t k = 0; k < c; k++) mean[k] += row[k];
    }
    for (size_t k = 0; k < c; k++) mean[k] /= (double)rows;
    for (int64_t r = 0; r < rows; r++) {
      const float* row = x + (size_t)r * c;
      for (size_t k = 0; k < c; k++) {
        const double d = row[k] - mean[k];
        var[k] += d * d;
      }
    }
    float* inv = mem + so[i];
    float* mm = mem + mmo[i];
    float* mv = mem + mvo[i];
    const float decay = 1.0f - momentum;
    for (size_t k = 0; k < c; k++) {
      var[k] /= (double)rows;
      inv[k] = (float)(1.0 / sqrt(var[k] + (double)eps));
      mm[k] = mm[k] - (mm[k] - (float)mean[k]) * decay;
      mv[k] = mv[k] - (mv[k] - (float)var[k]) * decay;
    }
    const float* g = mem + go[i];
    const float* b = mem + bo[i];
    float* h = mem + ho[i];
    float* out = mem + oo[i];
    for (int64_t r = 0; r < rows; r++) {
      const size_t at = (size_t)r * c;
      for (size_t k = 0; k < c; k++) {
        const float xh = (float)((x[at + k] - mean[k]) * inv[k]);
        h[at + k] = xh;
        out[at + k] = g[k] * xh + b[k];
      }
    }
  }
  free(acc);
  return 0;
}

/*
 * batchNormGradAt(mem, rows, cols, dyOffs, xhatOffs, invStdOffs, gammaOffs, dxOffs, dGammaOffs, dBetaOffs): the
 * backward of batchNormAt through the batch statistics: dβ = Σ dy, dγ = Σ dy·x̂,
 * dx = (γ·invStd / n)·(n·dy − dβ − x̂·dγ). dx may alias dy.
 */
int mtl_batch_norm_grad_at(float* mem, int64_t rows, int64_t cols, const int32_t* dyo, const int32_t* ho, const int32_t* so, const int32_t* go, const int32_t* dxo, const int32_t* dgo, const int32_t* dbo, size_t nd) {
  const size_t c = (size_t)cols;
  double* acc = (double*)malloc(2 * c * sizeof(double));
  if (!acc) return -1;
  double* sdy = acc;
  double* sdyh = acc + c;
  for (size_t i = 0; i < nd; i++) {
    const float* dy = mem + dyo[i];
    const float* h = mem + ho[i];
    for (size_t k = 0; k < c; k++) sdy[k] = 0.0, sdyh[k] = 0.0;
    for (int64_t r = 0; r < rows; r++) {
      const size_t at = (size_t)r * c;
      for (size_t k = 0; k < c; k++) {
        sdy[k] += dy[at + k];
        sdyh[k] += (double)dy[at + k] * h[at + k];
      }
    }
    const float* inv = mem + so[i];
    const float* g = mem + go[i];
    float* dg = mem + dgo[i];
    float* db = mem + dbo[i];
    for (size_t k = 0; k < c; k++) {
      dg[k] = (float)sdyh[k];
      db[k] = (float)sdy[k];
    }
    float* dx = mem + dxo[i];
    const double n = (double)rows;
    for (int64_t r = 0; r < rows; r++) {
      const size_t at = (size_t)r * c;
      for (size_t k = 0; k < c; k++) {
        const double scale = (double)g[k] * inv[k] / n;
        dx[at + k] = (float)(scale * (n * dy[at + k] - sdy[k] - (double)h[at + k] * sdyh[k]));
      }
    }
  }
  free(acc);
  return 0;
}

/*
 * batchNormInferAt(mem, rows, cols, epsilon, xOffs, gammaOffs, betaOffs, meanOffs, varOffs, outOffs): batch
 * normalisation in inference mode (tfjs-layers' with training false): out = (x − m)/sqrt(v + ε)·γ + β with
 * the moving statistics m, v. out may alias x.
 */
void mtl_batch_norm_infer_at(float* mem, int64_t rows, int64_t cols, float eps, const int32_t* xo, const int32_t* go, const int32_t* bo, const int32_t* mmo, const int32_t* mvo, const int32_t* oo, size_t nx) {
  const size_t c = (size_t)cols;
  for (size_t i = 0; i < nx; i++) {
    const float* x = mem + xo[i];
    const float* g = mem + go[i];
    const float* b = mem + bo[i];
    const float* m = mem + mmo[i];
    const float* v = mem + mvo[i];
    float* out = mem + oo[i];
    for (int64_t r = 0; r < rows; r++) {
      const size_t at = (size_t)r * c;
      for (size_t k = 0; k < c; k++) out[at + k] = (x[at + k] - m[k]) * (1.0f / sqrtf(v[k] + eps)) * g[k] + b[k];
    }
  }
}

#pragma GCC pop_options
