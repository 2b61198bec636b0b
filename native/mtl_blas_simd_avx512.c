/* mtl_blas_math.c's and mtl_blas_optim.c's loops for AVX-512 CPUs (see mtl_blas_simd.h); nothing elsewhere. */
#if defined(__x86_64__) && defined(__GNUC__)
#pragma GCC target("avx512f,avx512vl,avx512dq,avx512bw,avx2,fma,bmi2")
#pragma GCC optimize("fp-contract=off")
#define MTL_SIMD_SUFFIX _avx512
#include "mtl_blas_simd_variant.h"
#endif
