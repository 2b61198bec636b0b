/* Which copy of the optimiser and embedding loops runs (see mtl_blas_simd.h). */
#define _DEFAULT_SOURCE
#include "mtl_blas_simd.h"
#include <stdlib.h>
#include <string.h>

static const mtl_simd_loops baseline = {
#define MTL_SIMD_BASE(f) f,
    MTL_SIMD_LOOPS(MTL_SIMD_BASE)
#undef MTL_SIMD_BASE
    "baseline"};

#if defined(__x86_64__) && defined(__GNUC__)
#define MTL_SIMD_DECLARE(f) extern __typeof__(f) f##_avx512, f##_avx2;
MTL_SIMD_LOOPS(MTL_SIMD_DECLARE)
#undef MTL_SIMD_DECLARE
static const mtl_simd_loops avx512 = {
#define MTL_SIMD_AVX512(f) f##_avx512,
    MTL_SIMD_LOOPS(MTL_SIMD_AVX512)
#undef MTL_SIMD_AVX512
    "AVX-512"};
static const mtl_simd_loops avx2 = {
#define MTL_SIMD_AVX2(f) f##_avx2,
    MTL_SIMD_LOOPS(MTL_SIMD_AVX2)
#undef MTL_SIMD_AVX2
    "AVX2"};
#endif

static const mtl_simd_loops* chosen = NULL;

static const mtl_simd_loops* choose(void) {
#if defined(__x86_64__) && defined(__GNUC__)
  const char* want = getenv("MTL_GEMM_KERNEL");
  const int any = want == NULL || want[0] == '\0';
  __builtin_cpu_init();
  const int has_avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  const int has_avx512 = has_avx2 && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq") &&
                         __builtin_cpu_supports("avx512bw");
  if (has_avx512 && (any || strcmp(want, "avx512") == 0)) return &avx512;
  if (has_avx2 && (any || strcmp(want, "avx2") == 0 || strcmp(want, "avx512") == 0)) return &avx2;
#endif
  return &baseline;
}

const mtl_simd_loops* mtl_simd(void) {
  const mtl_simd_loops* s = __atomic_load_n(&chosen, __ATOMIC_ACQUIRE);
  if (s == NULL) {
    s = choose(); /* the same answer on every thread, so a race only repeats the choice */
    __atomic_store_n(&chosen, s, __ATOMIC_RELEASE);
  }
  return s;
}
