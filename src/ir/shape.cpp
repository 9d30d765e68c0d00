#include "ir/shape.h"

#include <algorithm>

namespace nabla {

Dim DimTable::intern(const std::string& name) {
  for (size_t i = 0; i < names_.size(); ++i)
    if (names_[i] == name && !derived_[i]) return Dim::symbol(static_cast<int32_t>(i));
  names_.push_back(name);
  derived_.emplace_back();
  return Dim::symbol(static_cast<int32_t>(names_.size() - 1));
}

std::optional<Dim> DimTable::find(const std::string& name) const {
  for (size_t i = 0; i < names_.size(); ++i)
    if (names_[i] == name && !derived_[i]) return Dim::symbol(static_cast<int32_t>(i));
  return std::nullopt;
}

DimTable::Polynomial DimTable::polynomial(Dim d) const {
  if (d.is_fixed()) return {{{}, d.size()}};
  const auto& p = derived_.at(static_cast<size_t>(d.symbol_index()));
  if (p) return *p;
  return {{{d.symbol_index()}, 1}};
}

Dim DimTable::from_polynomial(const Polynomial& p) {
  Polynomial clean;
  for (const auto& [mono, coef] : p)
    if (coef != 0) clean[mono] = coef;
  if (clean.empty()) return Dim::fixed(1);  // not expected: sizes are positive
  if (clean.size() == 1 && clean.begin()->first.empty())
    return Dim::fixed(static_cast<int32_t>(clean.begin()->second));
  if (clean.size() == 1 && clean.begin()->second == 1 && clean.begin()->first.size() == 1)
    return Dim::symbol(clean.begin()->first[0]);
  for (size_t i = 0; i < derived_.size(); ++i)
    if (derived_[i] && *derived_[i] == clean) return Dim::symbol(static_cast<int32_t>(i));
  // Name: terms joined by " + " in the map's order, the constant last.
  std::string name;
  int64_t constant = 0;
  for (const auto& [mono, coef] : clean) {
    if (mono.empty()) {
      constant = coef;
      continue;
    }
    if (!name.empty()) name += "+";
    std::string term = coef == 1 ? "" : std::to_string(coef);
    for (int32_t atom : mono) term += (term.empty() ? "" : "*") + names_[static_cast<size_t>(atom)];
    name += term;
  }
  if (constant != 0) name += "+" + std::to_string(constant);
  names_.push_back(name);
  derived_.emplace_back(clean);
  return Dim::symbol(static_cast<int32_t>(names_.size() - 1));
}

Dim DimTable::product(Dim a, Dim b) {
  if (a.is_one()) return b;
  if (b.is_one()) return a;
  if (a.is_fixed() && b.is_fixed()) return Dim::fixed(a.size() * b.size());
  Polynomial result;
  for (const auto& [ma, ca] : polynomial(a))
    for (const auto& [mb, cb] : polynomial(b)) {
      std::vector<int32_t> mono = ma;
      mono.insert(mono.end(), mb.begin(), mb.end());
      std::sort(mono.begin(), mono.end());
      result[mono] += ca * cb;
    }
  return from_polynomial(result);
}

Dim DimTable::sum(const std::vector<Dim>& parts) {
  Polynomial result;
  for (Dim d : parts)
    for (const auto& [mono, coef] : polynomial(d)) result[mono] += coef;
  return from_polynomial(result);
}

bool DimTable::is_derived(Dim d) const {
  return d.is_symbol() && derived_.at(static_cast<size_t>(d.symbol_index())).has_value();
}

std::vector<int32_t> DimTable::atoms(Dim d) const {
  std::vector<int32_t> out;
  if (d.is_fixed()) return out;
  for (const auto& [mono, coef] : polynomial(d))
    for (int32_t atom : mono)
      if (std::find(out.begin(), out.end(), atom) == out.end()) out.push_back(atom);
  return out;
}

std::optional<int64_t> DimTable::size(
    Dim d, const std::function<std::optional<int64_t>(int32_t)>& atom) const {
  if (d.is_fixed()) return d.size();
  int64_t total = 0;
  for (const auto& [mono, coef] : polynomial(d)) {
    __int128 term = coef;
    for (int32_t a : mono) {
      std::optional<int64_t> s = atom(a);
      if (!s) return std::nullopt;
      term *= *s;
      if (term > INT32_MAX) return std::nullopt;
    }
    total += static_cast<int64_t>(term);
    if (total > INT32_MAX) return std::nullopt;
  }
  return total;
}

const std::string& DimTable::name(Dim d) const {
  return names_.at(d.symbol_index());
}

std::string DimTable::to_string(Dim d) const {
  return d.is_fixed() ? std::to_string(d.size()) : name(d);
}

std::string DimTable::to_string(Shape s) const {
  return to_string(s, kind_of_shape(s));
}

std::string DimTable::to_string(Shape s, ValueKind k) const {
  if (!kind_fits(k, s)) k = kind_of_shape(s);
  if (k == ValueKind::Scalar) return "scalar";
  if (k == ValueKind::Vector) return to_string(s.rows);
  return to_string(s.rows) + "×" + to_string(s.cols);
}

const char* kind_name(ValueKind k) {
  switch (k) {
    case ValueKind::Scalar:
      return "scalar";
    case ValueKind::Vector:
      return "vector";
    case ValueKind::Row:
      return "row vector";
    case ValueKind::Matrix:
      return "matrix";
  }
  return "matrix";
}

}  // namespace nabla
