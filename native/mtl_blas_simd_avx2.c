/* mtl_blas_math.c's and mtl_blas_optim.c's loops for AVX2 CPUs (see mtl_blas_simd.h); nothing elsewhere. */
#if defined(__x86_64__) && defined(__GNUC__)
#pragma GCC target("avx2,fma,bmi2")
#pragma GCC optimize("fp-contract=off")
#define MTL_SIMD_SUFFIX _avx2
#include "mtl_blas_simd_variant.h"
#endif
