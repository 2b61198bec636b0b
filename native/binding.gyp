# node-gyp build of the optional matMul addon (src/exec/native-blas.ts loads it).
# Built by scripts/build-native.mjs from `npm ci`/`npm install` (prepare); a failed build only warns.
# mtl_blas=openblas (default): mtl_sgemm is OpenBLAS's cblas_sgemm; mtl_blas=builtin (`-- -Dmtl_blas=builtin`):
# the built-in GEMM of mtl_gemm.c, which needs only a C compiler.
{
  "variables": {"mtl_blas%": "openblas"},
  "targets": [
    {
      "target_name": "mtl_blas",
      "sources": ["mtl_blas.c", "mtl_blas_math.c", "mtl_blas_optim.c", "mtl_blas_parallel.c", "mtl_blas_pool.c", "mtl_blas_simd.c", "mtl_blas_simd_avx2.c", "mtl_blas_simd_avx512.c", "mtl_step.c", "mtl_step_math.c", "mtl_gemm.c"],
      "cflags": ["-O2", "-std=c11", "-fno-math-errno", "-pthread"],
      "conditions": [
        ["mtl_blas=='openblas'", {
          "defines": ["MTL_USE_OPENBLAS"],
          "include_dirs": ["/usr/include/x86_64-linux-gnu/openblas-pthread", "/usr/include/openblas"],
          "libraries": ["-lopenblas", "-lpthread"]
        }, {
          "libraries": ["-lpthread"]
        }]
      ]
    }
  ]
}
