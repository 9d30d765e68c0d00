#pragma once
#include <cstdint>
#include <optional>
#include <string>

namespace nabla {

// An exact rational num/den with den > 0, in lowest terms. Arithmetic that would overflow
// int64 returns std::nullopt; callers then fall back to doubles.
struct Rational {
  int64_t num = 0;
  int64_t den = 1;

  static std::optional<Rational> make(int64_t num, int64_t den);
  double to_double() const { return static_cast<double>(num) / static_cast<double>(den); }
  bool is_integer() const { return den == 1; }
  bool is_zero() const { return num == 0; }
  bool is_one() const { return num == 1 && den == 1; }
  std::string to_string() const;  // "3", "-1/2"
  friend bool operator==(const Rational&, const Rational&) = default;
};

std::optional<Rational> add(Rational a, Rational b);
std::optional<Rational> mul(Rational a, Rational b);
std::optional<Rational> neg(Rational a);
std::optional<Rational> reciprocal(Rational a);  // nullopt for 0
// a^k for integer k; nullopt on overflow or 0^negative.
std::optional<Rational> pow(Rational a, int64_t k);
bool less(Rational a, Rational b);

}  // namespace nabla
