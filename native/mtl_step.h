/* The direct training step's kernels (mtl_step.c), registered on the addon's exports by mtl_blas.c. */
#ifndef MTL_STEP_H
#define MTL_STEP_H
#include <node_api.h>

/* Define the *At kernels (gemmAt, biasActAt, …, dropoutAt, batchNormAt) on `exports`. */
napi_status register_step_kernels(napi_env env, napi_value exports);

#endif
