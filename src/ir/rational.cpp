#include "ir/rational.h"

#include <numeric>

namespace nabla {

std::optional<Rational> Rational::make(int64_t num, int64_t den) {
  if (den == 0) return std::nullopt;
  __int128 n = num, d = den;
  if (d < 0) n = -n, d = -d;
  __int128 a = n < 0 ? -n : n, b = d;
  while (b != 0) {
    __int128 t = a % b;
    a = b;
    b = t;
  }
  if (a > 1) n /= a, d /= a;
  if (n > INT64_MAX || n < -INT64_MAX || d > INT64_MAX) return std::nullopt;
  return Rational{static_cast<int64_t>(n), static_cast<int64_t>(d)};
}

std::string Rational::to_string() const {
  if (den == 1) return std::to_string(num);
  return std::to_string(num) + "/" + std::to_string(den);
}

namespace {
std::optional<Rational> make128(__int128 n, __int128 d) {
  if (d < 0) n = -n, d = -d;
  __int128 a = n < 0 ? -n : n, b = d;
  while (b != 0) {
    __int128 t = a % b;
    a = b;
    b = t;
  }
  if (a > 1) n /= a, d /= a;
  if (n > INT64_MAX || n < -INT64_MAX || d > INT64_MAX || d == 0) return std::nullopt;
  return Rational{static_cast<int64_t>(n), static_cast<int64_t>(d)};
}
}  // namespace

std::optional<Rational> add(Rational a, Rational b) {
  return make128(static_cast<__int128>(a.num) * b.den + static_cast<__int128>(b.num) * a.den,
                 static_cast<__int128>(a.den) * b.den);
}
std::optional<Rational> mul(Rational a, Rational b) {
  return make128(static_cast<__int128>(a.num) * b.num, static_cast<__int128>(a.den) * b.den);
}
std::optional<Rational> neg(Rational a) {
  return Rational{-a.num, a.den};
}
std::optional<Rational> reciprocal(Rational a) {
  if (a.num == 0) return std::nullopt;
  return make128(a.den, a.num);
}
std::optional<Rational> pow(Rational a, int64_t k) {
  if (k < 0) {
    auto r = reciprocal(a);
    if (!r) return std::nullopt;
    a = *r;
    k = -k;
  }
  if (a.den == 1 && (a.num == 0 || a.num == 1)) return k == 0 ? Rational{1, 1} : a;
  if (a.den == 1 && a.num == -1) return Rational{k % 2 == 0 ? 1 : -1, 1};
  if (k > 64) return std::nullopt;
  Rational result{1, 1};
  for (int64_t i = 0; i < k; ++i) {
    auto next = mul(result, a);
    if (!next) return std::nullopt;
    result = *next;
  }
  return result;
}
bool less(Rational a, Rational b) {
  return static_cast<__int128>(a.num) * b.den < static_cast<__int128>(b.num) * a.den;
}

}  // namespace nabla
