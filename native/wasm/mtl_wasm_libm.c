/*
 * expf, expm1f, tanhf, erff and fmaxf for the freestanding wasm32 build (no libc; see include/math.h). Each is
 * float32-accurate to about 1 ulp, which is what the step's tests allow between backends (they compare with
 * tfjs and OpenBLAS builds within float32 tolerance, never bit for bit across machines).
 * No tables and no statics: the module shares tfjs-backend-wasm's memory and must own no data in it.
 */
#include <math.h>
#include <stdint.h>

static inline float as_float(uint32_t u) {
  union { uint32_t u; float f; } v = { u };
  return v.f;
}

/* e^x: x = k·ln2 + r with |r| ≤ ln2/2 (Cody–Waite split of ln2), e^r by a degree-6 Taylor/Horner polynomial,
 * then 2^k by building the exponent bits (in two steps so that k down to -149 and up to 127 stay exact). */
float expf(float x) {
  if (x != x) return x;
  if (x > 88.72283935546875f) return __builtin_inff();
  if (x < -103.97208f) return 0.0f;
  const float k = __builtin_nearbyintf(x * 1.44269504088896341f);
  const float r = (x - k * 0.693145751953125f) - k * 1.428606765330187045e-06f;
  float p = 1.0f / 720.0f;
  p = p * r + 1.0f / 120.0f;
  p = p * r + 1.0f / 24.0f;
  p = p * r + 1.0f / 6.0f;
  p = p * r + 0.5f;
  p = p * r + 1.0f;
  p = p * r + 1.0f;
  int32_t ki = (int32_t)k;
  if (ki > 127) { p *= 2.0f; ki -= 1; }
  if (ki < -126) { p *= as_float((uint32_t)(ki + 126 + 127) << 23); ki = -126; }
  return p * as_float((uint32_t)(ki + 127) << 23);
}

/* e^x − 1 without cancellation near 0: a polynomial for |x| < 0.35, e^x − 1 beyond. */
float expm1f(float x) {
  if (x != x) return x;
  if (x > -0.35f && x < 0.35f) {
    float p = 1.0f / 5040.0f;
    p = p * x + 1.0f / 720.0f;
    p = p * x + 1.0f / 120.0f;
    p = p * x + 1.0f / 24.0f;
    p = p * x + 1.0f / 6.0f;
    p = p * x + 0.5f;
    return x + x * x * p;
  }
  if (x < -17.0f) return -1.0f;
  return expf(x) - 1.0f;
}

/* tanh x = −expm1(−2|x|) / (expm1(−2|x|) + 2) with the sign of x; ±1 beyond |x| = 9.1 (float32 rounds there). */
float tanhf(float x) {
  if (x != x) return x;
  const float a = __builtin_fabsf(x);
  if (a > 9.1f) return x > 0.0f ? 1.0f : -1.0f;
  const float e = expm1f(-2.0f * a);
  const float t = -e / (e + 2.0f);
  return x < 0.0f ? -t : t;
}

/* erf x, odd: for |x| < 0.84375 its Maclaurin series summed in double (10 terms: error < 1e-9 there); beyond,
 * 1 − erfc(|x|) with the Chebyshev-fitted erfc of Numerical Recipes' erfcc (fractional error < 1.2e-7), its
 * exponential taken in float. Within a few float32 ulp of erf, about as close as tfjs's own erf kernel
 * (Abramowitz & Stegun 7.1.26, absolute error 1.5e-7). */
float erff(float x) {
  if (x != x) return x;
  const float a = __builtin_fabsf(x);
  float r;
  if (a < 0.84375f) {
    const double z = (double)a * a;
    double s = 0.0, term = a;
    for (int n = 0; n < 10; n++) {
      s += term / (2 * n + 1);
      term *= -z / (n + 1);
    }
    r = (float)(1.1283791670955126 * s);
  } else if (a < 6.0f) {
    const double t = 1.0 / (1.0 + 0.5 * a);
    const double e = -(double)a * a - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
    r = (float)(1.0 - t * (double)expf((float)e));
  } else {
    r = 1.0f;
  }
  return x < 0.0f ? -r : r;
}

/* C's fmaxf: the larger, or the number when one operand is NaN (wasm's f32.max would return the NaN). */
float fmaxf(float a, float b) {
  if (a != a) return b;
  if (b != b) return a;
  return a > b ? a : b;
}
