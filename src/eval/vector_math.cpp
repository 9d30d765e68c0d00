#include "eval/vector_math.h"

#include <immintrin.h>

#include <cmath>

// libmvec's entry points (the x86-64 vector function ABI): _ZGV<isa>N<lanes>v_<name>.
#if defined(__AVX512F__)
#define NABLA_MVEC(name) _ZGVeN8v_##name
using VecD = __m512d;
constexpr int kLanes = 8;
inline VecD load(const double* p) {
  return _mm512_loadu_pd(p);
}
inline void store(double* p, VecD v) {
  _mm512_storeu_pd(p, v);
}
#elif defined(__AVX2__)
#define NABLA_MVEC(name) _ZGVdN4v_##name
using VecD = __m256d;
constexpr int kLanes = 4;
inline VecD load(const double* p) {
  return _mm256_loadu_pd(p);
}
inline void store(double* p, VecD v) {
  _mm256_storeu_pd(p, v);
}
#else
#define NABLA_MVEC(name) _ZGVbN2v_##name
using VecD = __m128d;
constexpr int kLanes = 2;
inline VecD load(const double* p) {
  return _mm_loadu_pd(p);
}
inline void store(double* p, VecD v) {
  _mm_storeu_pd(p, v);
}
#endif

extern "C" {
VecD NABLA_MVEC(exp)(VecD);
VecD NABLA_MVEC(expm1)(VecD);
VecD NABLA_MVEC(log)(VecD);
VecD NABLA_MVEC(log1p)(VecD);
VecD NABLA_MVEC(tanh)(VecD);
VecD NABLA_MVEC(sin)(VecD);
VecD NABLA_MVEC(cos)(VecD);
VecD NABLA_MVEC(tan)(VecD);
VecD NABLA_MVEC(sinh)(VecD);  // sinh, cosh, asin, acos, atan: glibc 2.35 and later
VecD NABLA_MVEC(cosh)(VecD);
VecD NABLA_MVEC(asin)(VecD);
VecD NABLA_MVEC(acos)(VecD);
VecD NABLA_MVEC(atan)(VecD);
}

namespace nabla {
namespace {

// Whole vectors through the vector function; the last partial vector through a padded copy,
// so every entry gets the same (vector) result wherever it sits in the array.
template <VecD (*F)(VecD)>
void apply(const double* x, double* y, int64_t m) {
  int64_t i = 0;
  for (; i + kLanes <= m; i += kLanes) store(y + i, F(load(x + i)));
  if (i < m) {
    alignas(64) double tmp[kLanes] = {};
    for (int64_t j = i; j < m; ++j) tmp[j - i] = x[j];
    store(tmp, F(load(tmp)));
    for (int64_t j = i; j < m; ++j) y[j] = tmp[j - i];
  }
}

}  // namespace

void vec_exp(const double* x, double* y, int64_t m) {
  apply<NABLA_MVEC(exp)>(x, y, m);
}
void vec_expm1(const double* x, double* y, int64_t m) {
  apply<NABLA_MVEC(expm1)>(x, y, m);
}
void vec_log(const double* x, double* y, int64_t m) {
  apply<NABLA_MVEC(log)>(x, y, m);
}
void vec_log1p(const double* x, double* y, int64_t m) {
  apply<NABLA_MVEC(log1p)>(x, y, m);
}
void vec_tanh(const double* x, double* y, int64_t m) {
  apply<NABLA_MVEC(tanh)>(x, y, m);
}
void vec_sin(const double* x, double* y, int64_t m) {
  apply<NABLA_MVEC(sin)>(x, y, m);
}
void vec_cos(const double* x, double* y, int64_t m) {
  apply<NABLA_MVEC(cos)>(x, y, m);
}
void vec_tan(const double* x, double* y, int64_t m) {
  apply<NABLA_MVEC(tan)>(x, y, m);
}
void vec_sinh(const double* x, double* y, int64_t m) {
  apply<NABLA_MVEC(sinh)>(x, y, m);
}
void vec_cosh(const double* x, double* y, int64_t m) {
  apply<NABLA_MVEC(cosh)>(x, y, m);
}
void vec_asin(const double* x, double* y, int64_t m) {
  apply<NABLA_MVEC(asin)>(x, y, m);
}
void vec_acos(const double* x, double* y, int64_t m) {
  apply<NABLA_MVEC(acos)>(x, y, m);
}
void vec_atan(const double* x, double* y, int64_t m) {
  apply<NABLA_MVEC(atan)>(x, y, m);
}

}  // namespace nabla
