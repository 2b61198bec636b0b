# node-gyp build of the optional OpenBLAS matMul addon (src/runtime/native-blas.ts loads it).
# Built by scripts/build-native.mjs from `npm ci`/`npm install` (prepare); a failed build only warns.
{
  "targets": [
    {
      "target_name": "mtl_blas",
      "sources": ["mtl_blas.c", "mtl_blas_math.c", "mtl_step.c", "mtl_step_math.c"],
      "cflags": ["-O2", "-std=c11", "-fno-math-errno"],
      "include_dirs": ["/usr/include/x86_64-linux-gnu/openblas-pthread", "/usr/include/openblas"],
      "libraries": ["-lopenblas"]
    }
  ]
}
