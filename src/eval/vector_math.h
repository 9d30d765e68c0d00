#pragma once
// Elementary functions over arrays of doubles, several entries per instruction: glibc's vector
// math library (libmvec, accurate to 4 ulp, with the same results as <cmath> for infinities,
// NaN, overflow and underflow) at the widest vector width the build targets (AVX-512, AVX2,
// or SSE2 on the x86-64 baseline). y may not overlap x unless y == x.
#include <cstdint>

namespace nabla {

void vec_exp(const double* x, double* y, int64_t m);
void vec_expm1(const double* x, double* y, int64_t m);
void vec_log(const double* x, double* y, int64_t m);
void vec_log1p(const double* x, double* y, int64_t m);
void vec_tanh(const double* x, double* y, int64_t m);
void vec_sin(const double* x, double* y, int64_t m);
void vec_cos(const double* x, double* y, int64_t m);
void vec_tan(const double* x, double* y, int64_t m);
void vec_sinh(const double* x, double* y, int64_t m);
void vec_cosh(const double* x, double* y, int64_t m);
void vec_asin(const double* x, double* y, int64_t m);
void vec_acos(const double* x, double* y, int64_t m);
void vec_atan(const double* x, double* y, int64_t m);

}  // namespace nabla
