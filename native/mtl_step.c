/*
 * The N-API entry points of the direct training step (src/model/direct, kernels bound in src/exec/direct): forward and backward of Dense
 * layers, expert groups, gates and concatenations computed without tfjs's tape, on ONE float32 memory (the wasm
 * heap of the native backend, where the tfjs weights and the step's own activation arena both live) addressed
 * by element offsets. This file reads and checks the arguments, then calls the math in mtl_step_math.c. Every
 * entry point checks that each block it touches lies inside that memory, because a wrong offset here would
 * write anywhere in the heap; the JS side (src/exec/direct/kernels.ts) checks first and names the node.
 * Names and argument counts come from the generated mtl_entry_points.h; activation and gate codes (MTL_ACT_*,
 * MTL_GATE_*) from the generated mtl_ops.h.
 */
#define _DEFAULT_SOURCE
#include "mtl_step.h"
#include "mtl_ops.h"
#include "mtl_entry_points.h"
#include "mtl_step_math.h"
#include "napi_args.h"
#include <stdint.h>

/* True when [off, off + count) lies inside a memory of `len` elements. */
static int span_ok(int64_t off, size_t count, size_t len) { return off >= 0 && (size_t)off <= len && count <= len - (size_t)off; }



/* Reads the common first argument (the memory) and checks the argument count. */
#define BEGIN(name, count)                                                   \
  size_t argc = (count);                                                     \
  napi_value argv[(count)];                                                  \
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));               \
  if (argc < (count)) FAIL("mtl_blas." name ": too few arguments");           \
  float* mem;                                                                \
  size_t len;                                                                \
  if (!get_f32(env, argv[0], &mem, &len)) FAIL("mtl_blas." name ": the memory must be a Float32Array")

#define INT_ARG(i, var, name) \
  int64_t var;                \
  if (!get_int(env, argv[i], &var)) FAIL("mtl_blas." name ": argument " #i " must be an integer")

#define OFFSETS_ARG(i, var, n, name) \
  int32_t* var;                      \
  size_t n;                          \
  if (!get_i32(env, argv[i], &var, &n)) FAIL("mtl_blas." name ": argument " #i " must be an Int32Array of offsets")

/*
 * gemmAt(mem, transA, transB, M, N, K, aOffs, bOffs, cOffs, betas): for every i,
 * C_i = op(A_i) · op(B_i) + betas[i] · C_i, row-major and dense (lda = transA ? M : K, ldb = transB ? K : N, ldc = N).
 */
static napi_value GemmAt(napi_env env, napi_callback_info info) {
  BEGIN("gemmAt", MTL_ARGC_gemmAt);
  bool ta, tb;
  if (!get_bool(env, argv[1], &ta) || !get_bool(env, argv[2], &tb)) FAIL("mtl_blas.gemmAt: transA/transB must be booleans");
  INT_ARG(3, M, "gemmAt");
  INT_ARG(4, N, "gemmAt");
  INT_ARG(5, K, "gemmAt");
  OFFSETS_ARG(6, ao, na, "gemmAt");
  OFFSETS_ARG(7, bo, nb, "gemmAt");
  OFFSETS_ARG(8, co, nc, "gemmAt");
  float* betas;
  size_t nbeta;
  if (!get_f32(env, argv[9], &betas, &nbeta)) FAIL("mtl_blas.gemmAt: betas must be a Float32Array");
  if (M < 0 || N < 0 || K < 0 || M > INT32_MAX || N > INT32_MAX || K > INT32_MAX) FAIL("mtl_blas.gemmAt: bad dimensions");
  if (na != nb || na != nc || na != nbeta) FAIL("mtl_blas.gemmAt: offset and beta arrays differ in length");
  const size_t mk = (size_t)M * (size_t)K, kn = (size_t)K * (size_t)N, mn = (size_t)M * (size_t)N;
  for (size_t i = 0; i < na; i++) {
    if (!span_ok(ao[i], mk, len) || !span_ok(bo[i], kn, len) || !span_ok(co[i], mn, len)) FAIL("mtl_blas.gemmAt: an operand is out of range");
  }
  if (mn == 0) return NULL;
  mtl_gemm_at(mem, ta, tb, M, N, K, ao, bo, co, betas, na);
  return NULL;
}

/* biasActAt(mem, rows, cols, act, outOffs, biasOffs): for every i, Y_i[r, :] = act(Y_i[r, :] + bias_i) in place (biasOffs[i] < 0: no bias). */
static napi_value BiasActAt(napi_env env, napi_callback_info info) {
  BEGIN("biasActAt", MTL_ARGC_biasActAt);
  INT_ARG(1, rows, "biasActAt");
  INT_ARG(2, cols, "biasActAt");
  INT_ARG(3, act, "biasActAt");
  OFFSETS_ARG(4, yo, ny, "biasActAt");
  OFFSETS_ARG(5, bo, nb, "biasActAt");
  if (rows < 0 || cols < 0 || act < 0 || act > MTL_ACT_MAX || ny != nb) FAIL("mtl_blas.biasActAt: bad sizes or activation");
  const size_t n = (size_t)rows * (size_t)cols;
  for (size_t i = 0; i < ny; i++) {
    if (!span_ok(yo[i], n, len) || (bo[i] >= 0 && !span_ok(bo[i], (size_t)cols, len))) FAIL("mtl_blas.biasActAt: an operand is out of range");
  }
  mtl_bias_act_at(mem, rows, cols, (int)act, yo, bo, ny);
  return NULL;
}

/* actGradAt(mem, count, act, dyOffs, yOffs): dY_i ← dY_i · act'(from Y_i) in place, blocks of `count` elements. */
static napi_value ActGradAt(napi_env env, napi_callback_info info) {
  BEGIN("actGradAt", MTL_ARGC_actGradAt);
  INT_ARG(1, count, "actGradAt");
  INT_ARG(2, act, "actGradAt");
  OFFSETS_ARG(3, dyo, nd, "actGradAt");
  OFFSETS_ARG(4, yo, ny, "actGradAt");
  if (count < 0 || act < 0 || act > MTL_ACT_MAX || nd != ny) FAIL("mtl_blas.actGradAt: bad sizes or activation");
  for (size_t i = 0; i < nd; i++) {
    if (!span_ok(dyo[i], (size_t)count, len) || !span_ok(yo[i], (size_t)count, len)) FAIL("mtl_blas.actGradAt: an operand is out of range");
  }
  mtl_act_grad_at(mem, count, (int)act, dyo, yo, nd);
  return NULL;
}

/* colSumAt(mem, rows, cols, srcOffs, dstOffs): dst_i[c] = Σ_r src_i[r, c] (a bias gradient). */
static napi_value ColSumAt(napi_env env, napi_callback_info info) {
  BEGIN("colSumAt", MTL_ARGC_colSumAt);
  INT_ARG(1, rows, "colSumAt");
  INT_ARG(2, cols, "colSumAt");
  OFFSETS_ARG(3, so, ns, "colSumAt");
  OFFSETS_ARG(4, dso, nd, "colSumAt");
  if (rows < 0 || cols < 0 || ns != nd) FAIL("mtl_blas.colSumAt: bad sizes");
  for (size_t i = 0; i < ns; i++) {
    if (!span_ok(so[i], (size_t)rows * (size_t)cols, len) || !span_ok(dso[i], (size_t)cols, len)) FAIL("mtl_blas.colSumAt: an operand is out of range");
  }
  mtl_col_sum_at(mem, rows, cols, so, dso, ns);
  return NULL;
}

/*
 * gateWeightsAt(mem, kind, rows, n, k, invT, scale, inOff, outOff): gate weights from logits [rows, n]
 * (in place allowed). kind 0: softmax(logits · invT) per row; kind 1: scale · sigmoid(logits · invT); kind 2:
 * softmax over each row's k largest, 0 elsewhere (1 ≤ k ≤ n ≤ MTL_GATE_MAX_EXPERTS).
 */
static napi_value GateWeightsAt(napi_env env, napi_callback_info info) {
  BEGIN("gateWeightsAt", MTL_ARGC_gateWeightsAt);
  INT_ARG(1, kind, "gateWeightsAt");
  INT_ARG(2, rows, "gateWeightsAt");
  INT_ARG(3, n, "gateWeightsAt");
  INT_ARG(4, k, "gateWeightsAt");
  float invT, scale;
  if (!get_float(env, argv[5], &invT) || !get_float(env, argv[6], &scale)) FAIL("mtl_blas.gateWeightsAt: invT and scale must be numbers");
  INT_ARG(7, io, "gateWeightsAt");
  INT_ARG(8, oo, "gateWeightsAt");
  if (kind < 0 || kind > MTL_GATE_MAX || rows < 0 || n < 1) FAIL("mtl_blas.gateWeightsAt: bad kind or sizes");
  if (kind == MTL_GATE_TOPK && (k < 1 || k > n || n > MTL_GATE_MAX_EXPERTS)) FAIL("mtl_blas.gateWeightsAt: top-k needs 1 <= k <= n <= MTL_GATE_MAX_EXPERTS");
  const size_t total = (size_t)rows * (size_t)n;
  if (!span_ok(io, total, len) || !span_ok(oo, total, len)) FAIL("mtl_blas.gateWeightsAt: an operand is out of range");
  mtl_gate_weights_at(mem, (int)kind, rows, n, k, invT, scale, io, oo);
  return NULL;
}

/*
 * gateWeightsGradAt(mem, kind, rows, n, invT, scale, wOff, dwOff, outOff): the logits' gradient from the
 * weights W and their gradient dW (out may alias dW). softmax: invT · W ⊙ (dW − Σ W ⊙ dW); sigmoid:
 * invT · dW ⊙ W ⊙ (1 − W / scale).
 */
static napi_value GateWeightsGradAt(napi_env env, napi_callback_info info) {
  BEGIN("gateWeightsGradAt", MTL_ARGC_gateWeightsGradAt);
  INT_ARG(1, kind, "gateWeightsGradAt");
  INT_ARG(2, rows, "gateWeightsGradAt");
  INT_ARG(3, n, "gateWeightsGradAt");
  float invT, scale;
  if (!get_float(env, argv[4], &invT) || !get_float(env, argv[5], &scale)) FAIL("mtl_blas.gateWeightsGradAt: invT and scale must be numbers");
  INT_ARG(6, wo, "gateWeightsGradAt");
  INT_ARG(7, dwo, "gateWeightsGradAt");
  INT_ARG(8, oo, "gateWeightsGradAt");
  if (kind < 0 || kind > MTL_GATE_MAX || rows < 0 || n < 1) FAIL("mtl_blas.gateWeightsGradAt: bad kind or sizes");
  const size_t total = (size_t)rows * (size_t)n;
  if (!span_ok(wo, total, len) || !span_ok(dwo, total, len) || !span_ok(oo, total, len)) FAIL("mtl_blas.gateWeightsGradAt: an operand is out of range");
  mtl_gate_weights_grad_at(mem, (int)kind, rows, n, invT, scale, wo, dwo, oo);
  return NULL;
}

/* mixAt(mem, rows, width, wOff, expertOffs, outOff): out[r, :] = Σ_i W[r, i] · E_i[r, :] (n = expertOffs.length). */
static napi_value MixAt(napi_env env, napi_callback_info info) {
  BEGIN("mixAt", MTL_ARGC_mixAt);
  INT_ARG(1, rows, "mixAt");
  INT_ARG(2, width, "mixAt");
  INT_ARG(3, wo, "mixAt");
  OFFSETS_ARG(4, eo, n, "mixAt");
  INT_ARG(5, oo, "mixAt");
  if (rows < 0 || width < 0 || n < 1) FAIL("mtl_blas.mixAt: bad sizes");
  const size_t block = (size_t)rows * (size_t)width;
  if (!span_ok(wo, (size_t)rows * n, len) || !span_ok(oo, block, len)) FAIL("mtl_blas.mixAt: an operand is out of range");
  for (size_t i = 0; i < n; i++) if (!span_ok(eo[i], block, len)) FAIL("mtl_blas.mixAt: an expert is out of range");
  mtl_mix_at(mem, rows, width, wo, eo, n, oo);
  return NULL;
}

/*
 * mixGradAt(mem, rows, width, wOff, expertOffs, dOutOff, dExpertOffs, accumulate, dwOff): the backward of
 * mixAt: dW[r, i] = E_i[r, :] · dOut[r, :]; dE_i[r, :] = W[r, i] · dOut[r, :], added to dE_i when
 * accumulate[i] is non-zero (several gates mixing one expert), else written.
 */
static napi_value MixGradAt(napi_env env, napi_callback_info info) {
  BEGIN("mixGradAt", MTL_ARGC_mixGradAt);
  INT_ARG(1, rows, "mixGradAt");
  INT_ARG(2, width, "mixGradAt");
  INT_ARG(3, wo, "mixGradAt");
  OFFSETS_ARG(4, eo, n, "mixGradAt");
  INT_ARG(5, doo, "mixGradAt");
  OFFSETS_ARG(6, deo, nde, "mixGradAt");
  OFFSETS_ARG(7, acc, nacc, "mixGradAt");
  INT_ARG(8, dwo, "mixGradAt");
  if (rows < 0 || width < 0 || n < 1 || nde != n || nacc != n) FAIL("mtl_blas.mixGradAt: bad sizes");
  const size_t block = (size_t)rows * (size_t)width;
  if (!span_ok(wo, (size_t)rows * n, len) || !span_ok(dwo, (size_t)rows * n, len) || !span_ok(doo, block, len)) FAIL("mtl_blas.mixGradAt: an operand is out of range");
  for (size_t i = 0; i < n; i++) {
    if (!span_ok(eo[i], block, len) || (deo[i] >= 0 && !span_ok(deo[i], block, len))) FAIL("mtl_blas.mixGradAt: an expert is out of range");
  }
  mtl_mix_grad_at(mem, rows, width, wo, eo, n, doo, deo, acc, dwo);
  return NULL;
}

/* copyColsAt(mem, srcOff, srcStride, dstOff, dstStride, rows, cols, accumulate): a column block copy (or += when accumulate). */
static napi_value CopyColsAt(napi_env env, napi_callback_info info) {
  BEGIN("copyColsAt", MTL_ARGC_copyColsAt);
  INT_ARG(1, so, "copyColsAt");
  INT_ARG(2, ss, "copyColsAt");
  INT_ARG(3, dso, "copyColsAt");
  INT_ARG(4, ds, "copyColsAt");
  INT_ARG(5, rows, "copyColsAt");
  INT_ARG(6, cols, "copyColsAt");
  bool accumulate;
  if (!get_bool(env, argv[7], &accumulate)) FAIL("mtl_blas.copyColsAt: accumulate must be a boolean");
  if (rows < 0 || cols < 0 || ss < 0 || ds < 0) FAIL("mtl_blas.copyColsAt: bad sizes");
  if (rows == 0 || cols == 0) return NULL;
  if (!span_ok(so, (size_t)((rows - 1) * ss + cols), len) || !span_ok(dso, (size_t)((rows - 1) * ds + cols), len)) FAIL("mtl_blas.copyColsAt: out of range");
  mtl_copy_cols_at(mem, so, ss, dso, ds, rows, cols, accumulate);
  return NULL;
}



/*
 * dropoutAt(mem, count, rate, seed, step, streams, inOffs, outOffs, maskOffs): for every block i and element
 * j < count, u = uniform(seed, step, streams[i], j) in [0, 1); mask = u ≥ rate ? 1 / (1 − rate) : 0;
 * out = in · mask (out may alias in). The mask is kept for the backward pass (mulAt).
 */
static napi_value DropoutAt(napi_env env, napi_callback_info info) {
  BEGIN("dropoutAt", MTL_ARGC_dropoutAt);
  INT_ARG(1, count, "dropoutAt");
  float rate;
  if (!get_float(env, argv[2], &rate)) FAIL("mtl_blas.dropoutAt: rate must be a number");
  INT_ARG(3, seed, "dropoutAt");
  INT_ARG(4, step, "dropoutAt");
  OFFSETS_ARG(5, streams, ns, "dropoutAt");
  OFFSETS_ARG(6, io, ni, "dropoutAt");
  OFFSETS_ARG(7, oo, no, "dropoutAt");
  OFFSETS_ARG(8, mo, nm, "dropoutAt");
  if (count < 0 || !(rate >= 0.0f && rate < 1.0f) || ns != ni || ni != no || no != nm) FAIL("mtl_blas.dropoutAt: bad sizes or rate");
  for (size_t i = 0; i < ni; i++) {
    if (!span_ok(io[i], (size_t)count, len) || !span_ok(oo[i], (size_t)count, len) || !span_ok(mo[i], (size_t)count, len)) FAIL("mtl_blas.dropoutAt: an operand is out of range");
  }
  mtl_dropout_at(mem, count, rate, seed, step, streams, io, oo, mo, ni);
  return NULL;
}

/* mulAt(mem, count, aOffs, bOffs, outOffs): out_i = a_i ⊙ b_i elementwise (out may alias a or b). */
static napi_value MulAt(napi_env env, napi_callback_info info) {
  BEGIN("mulAt", MTL_ARGC_mulAt);
  INT_ARG(1, count, "mulAt");
  OFFSETS_ARG(2, ao, na, "mulAt");
  OFFSETS_ARG(3, bo, nb, "mulAt");
  OFFSETS_ARG(4, oo, no, "mulAt");
  if (count < 0 || na != nb || nb != no) FAIL("mtl_blas.mulAt: bad sizes");
  for (size_t i = 0; i < na; i++) {
    if (!span_ok(ao[i], (size_t)count, len) || !span_ok(bo[i], (size_t)count, len) || !span_ok(oo[i], (size_t)count, len)) FAIL("mtl_blas.mulAt: an operand is out of range");
  }
  mtl_mul_at(mem, count, ao, bo, oo, na);
  return NULL;
}

/*
 * gateNoiseAt(mem, rows, n, seed, step, stream, logitsOff, noiseOff, epsOff): H = Z + ε ⊙ softplus(U) in place on
 * the logits Z, ε ~ N(0, 1) from the counter-based stream (seed, step, stream), kept at epsOff.
 */
static napi_value GateNoiseAt(napi_env env, napi_callback_info info) {
  BEGIN("gateNoiseAt", MTL_ARGC_gateNoiseAt);
  INT_ARG(1, rows, "gateNoiseAt");
  INT_ARG(2, n, "gateNoiseAt");
  INT_ARG(3, seed, "gateNoiseAt");
  INT_ARG(4, step, "gateNoiseAt");
  INT_ARG(5, stream, "gateNoiseAt");
  INT_ARG(6, lo, "gateNoiseAt");
  INT_ARG(7, no, "gateNoiseAt");
  INT_ARG(8, eo, "gateNoiseAt");
  if (rows < 0 || n < 1) FAIL("mtl_blas.gateNoiseAt: bad sizes");
  const size_t total = (size_t)rows * (size_t)n;
  if (!span_ok(lo, total, len) || !span_ok(no, total, len) || !span_ok(eo, total, len)) FAIL("mtl_blas.gateNoiseAt: an operand is out of range");
  mtl_gate_noise_at(mem, rows, n, seed, step, stream, lo, no, eo);
  return NULL;
}

/* gateNoiseGradAt(mem, count, dhOff, epsOff, noiseOff, outOff): dU = dH ⊙ ε ⊙ σ(U) (out may alias dH). */
static napi_value GateNoiseGradAt(napi_env env, napi_callback_info info) {
  BEGIN("gateNoiseGradAt", MTL_ARGC_gateNoiseGradAt);
  INT_ARG(1, count, "gateNoiseGradAt");
  INT_ARG(2, dho, "gateNoiseGradAt");
  INT_ARG(3, eo, "gateNoiseGradAt");
  INT_ARG(4, no, "gateNoiseGradAt");
  INT_ARG(5, oo, "gateNoiseGradAt");
  if (count < 0) FAIL("mtl_blas.gateNoiseGradAt: bad sizes");
  const size_t c = (size_t)count;
  if (!span_ok(dho, c, len) || !span_ok(eo, c, len) || !span_ok(no, c, len) || !span_ok(oo, c, len)) FAIL("mtl_blas.gateNoiseGradAt: an operand is out of range");
  mtl_gate_noise_grad_at(mem, count, dho, eo, no, oo);
  return NULL;
}

/*
 * importanceLossAt(mem, rows, n, weight, epsilon, wOff, dwOff, accumulate): returns weight · CV(Σ_rows W)² of gate
 * weights W [rows, n] and writes (or adds, accumulate) its gradient into dW.
 */
static napi_value ImportanceLossAt(napi_env env, napi_callback_info info) {
  BEGIN("importanceLossAt", MTL_ARGC_importanceLossAt);
  INT_ARG(1, rows, "importanceLossAt");
  INT_ARG(2, n, "importanceLossAt");
  float weight, eps;
  if (!get_float(env, argv[3], &weight) || !get_float(env, argv[4], &eps)) FAIL("mtl_blas.importanceLossAt: weight and epsilon must be numbers");
  INT_ARG(5, wo, "importanceLossAt");
  INT_ARG(6, dwo, "importanceLossAt");
  bool accumulate;
  if (!get_bool(env, argv[7], &accumulate)) FAIL("mtl_blas.importanceLossAt: accumulate must be a boolean");
  if (rows < 0 || n < 1 || n > MTL_GATE_MAX_EXPERTS) FAIL("mtl_blas.importanceLossAt: bad sizes (1 <= n <= MTL_GATE_MAX_EXPERTS)");
  const size_t total = (size_t)rows * (size_t)n;
  if (!span_ok(wo, total, len) || !span_ok(dwo, total, len)) FAIL("mtl_blas.importanceLossAt: an operand is out of range");
  napi_value out;
  CHECK(napi_create_double(env, mtl_importance_loss_at(mem, rows, n, weight, eps, wo, dwo, accumulate), &out));
  return out;
}

/*
 * batchNormAt(mem, rows, cols, epsilon, momentum, xOffs, gammaOffs, betaOffs, meanOffs, varOffs, xhatOffs,
 * invStdOffs, outOffs): batch normalisation in training mode, per block, as tfjs-layers' BatchNormalization:
 * per column mean μ and biased variance σ² over the rows, x̂ = (x − μ)/sqrt(σ² + ε), out = γ·x̂ + β; the moving
 * statistics move towards the batch's: m ← m − (m − μ)(1 − momentum), v ← v − (v − σ²)(1 − momentum). x̂ and
 * 1/sqrt(σ² + ε) are kept for batchNormGradAt.
 */
static napi_value BatchNormAt(napi_env env, napi_callback_info info) {
  BEGIN("batchNormAt", MTL_ARGC_batchNormAt);
  INT_ARG(1, rows, "batchNormAt");
  INT_ARG(2, cols, "batchNormAt");
  float eps, momentum;
  if (!get_float(env, argv[3], &eps) || !get_float(env, argv[4], &momentum)) FAIL("mtl_blas.batchNormAt: epsilon and momentum must be numbers");
  OFFSETS_ARG(5, xo, nx, "batchNormAt");
  OFFSETS_ARG(6, go, ng, "batchNormAt");
  OFFSETS_ARG(7, bo, nb, "batchNormAt");
  OFFSETS_ARG(8, mmo, nmm, "batchNormAt");
  OFFSETS_ARG(9, mvo, nmv, "batchNormAt");
  OFFSETS_ARG(10, ho, nh, "batchNormAt");
  OFFSETS_ARG(11, so, nsd, "batchNormAt");
  OFFSETS_ARG(12, oo, no, "batchNormAt");
  if (rows < 1 || cols < 1 || ng != nx || nb != nx || nmm != nx || nmv != nx || nh != nx || nsd != nx || no != nx) FAIL("mtl_blas.batchNormAt: bad sizes");
  const size_t block = (size_t)rows * (size_t)cols, c = (size_t)cols;
  for (size_t i = 0; i < nx; i++) {
    if (!span_ok(xo[i], block, len) || !span_ok(ho[i], block, len) || !span_ok(oo[i], block, len) || !span_ok(go[i], c, len) || !span_ok(bo[i], c, len) ||
        !span_ok(mmo[i], c, len) || !span_ok(mvo[i], c, len) || !span_ok(so[i], c, len))
      FAIL("mtl_blas.batchNormAt: an operand is out of range");
  }
  if (mtl_batch_norm_at(mem, rows, cols, eps, momentum, xo, go, bo, mmo, mvo, ho, so, oo, nx) != 0) FAIL("mtl_blas.batchNormAt: out of memory");
  return NULL;
}

/*
 * batchNormGradAt(mem, rows, cols, dyOffs, xhatOffs, invStdOffs, gammaOffs, dxOffs, dGammaOffs, dBetaOffs): the
 * backward of batchNormAt through the batch statistics: dβ = Σ dy, dγ = Σ dy·x̂,
 * dx = (γ·invStd / n)·(n·dy − dβ − x̂·dγ). dx may alias dy.
 */
static napi_value BatchNormGradAt(napi_env env, napi_callback_info info) {
  BEGIN("batchNormGradAt", MTL_ARGC_batchNormGradAt);
  INT_ARG(1, rows, "batchNormGradAt");
  INT_ARG(2, cols, "batchNormGradAt");
  OFFSETS_ARG(3, dyo, nd, "batchNormGradAt");
  OFFSETS_ARG(4, ho, nh, "batchNormGradAt");
  OFFSETS_ARG(5, so, ns, "batchNormGradAt");
  OFFSETS_ARG(6, go, ng, "batchNormGradAt");
  OFFSETS_ARG(7, dxo, ndx, "batchNormGradAt");
  OFFSETS_ARG(8, dgo, ndg, "batchNormGradAt");
  OFFSETS_ARG(9, dbo, ndb, "batchNormGradAt");
  if (rows < 1 || cols < 1 || nh != nd || ns != nd || ng != nd || ndx != nd || ndg != nd || ndb != nd) FAIL("mtl_blas.batchNormGradAt: bad sizes");
  const size_t block = (size_t)rows * (size_t)cols, c = (size_t)cols;
  for (size_t i = 0; i < nd; i++) {
    if (!span_ok(dyo[i], block, len) || !span_ok(ho[i], block, len) || !span_ok(dxo[i], block, len) || !span_ok(so[i], c, len) || !span_ok(go[i], c, len) ||
        !span_ok(dgo[i], c, len) || !span_ok(dbo[i], c, len))
      FAIL("mtl_blas.batchNormGradAt: an operand is out of range");
  }
  if (mtl_batch_norm_grad_at(mem, rows, cols, dyo, ho, so, go, dxo, dgo, dbo, nd) != 0) FAIL("mtl_blas.batchNormGradAt: out of memory");
  return NULL;
}

/*
 * batchNormInferAt(mem, rows, cols, epsilon, xOffs, gammaOffs, betaOffs, meanOffs, varOffs, outOffs): batch
 * normalisation in inference mode (tfjs-layers' with training false): out = (x − m)/sqrt(v + ε)·γ + β with
 * the moving statistics m, v. out may alias x.
 */
static napi_value BatchNormInferAt(napi_env env, napi_callback_info info) {
  BEGIN("batchNormInferAt", MTL_ARGC_batchNormInferAt);
  INT_ARG(1, rows, "batchNormInferAt");
  INT_ARG(2, cols, "batchNormInferAt");
  float eps;
  if (!get_float(env, argv[3], &eps)) FAIL("mtl_blas.batchNormInferAt: epsilon must be a number");
  OFFSETS_ARG(4, xo, nx, "batchNormInferAt");
  OFFSETS_ARG(5, go, ng, "batchNormInferAt");
  OFFSETS_ARG(6, bo, nb, "batchNormInferAt");
  OFFSETS_ARG(7, mmo, nmm, "batchNormInferAt");
  OFFSETS_ARG(8, mvo, nmv, "batchNormInferAt");
  OFFSETS_ARG(9, oo, no, "batchNormInferAt");
  if (rows < 0 || cols < 1 || ng != nx || nb != nx || nmm != nx || nmv != nx || no != nx) FAIL("mtl_blas.batchNormInferAt: bad sizes");
  const size_t block = (size_t)rows * (size_t)cols, c = (size_t)cols;
  for (size_t i = 0; i < nx; i++) {
    if (!span_ok(xo[i], block, len) || !span_ok(oo[i], block, len) || !span_ok(go[i], c, len) || !span_ok(bo[i], c, len) || !span_ok(mmo[i], c, len) || !span_ok(mvo[i], c, len))
      FAIL("mtl_blas.batchNormInferAt: an operand is out of range");
  }
  mtl_batch_norm_infer_at(mem, rows, cols, eps, xo, go, bo, mmo, mvo, oo, nx);
  return NULL;
}


napi_status register_step_kernels(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {MTL_STEP_ENTRY_POINTS(MTL_REGISTER)};
  return napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
}
