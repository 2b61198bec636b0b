/* The few <math.h> functions the step's kernels use, for the freestanding wasm32 build (native/wasm/, no libc):
 * square roots are WebAssembly instructions; expf, expm1f, tanhf, erff and fmaxf are defined in mtl_wasm_libm.c. */
#ifndef MTL_WASM_MATH_H
#define MTL_WASM_MATH_H
#define sqrtf(x) __builtin_sqrtf(x)
#define sqrt(x) __builtin_sqrt(x)
#define fabsf(x) __builtin_fabsf(x)
#define INFINITY __builtin_inff()
#define NAN __builtin_nanf("")
float expf(float x);
float expm1f(float x);
float tanhf(float x);
float erff(float x);
float fmaxf(float a, float b);
#endif
