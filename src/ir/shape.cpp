#include "ir/shape.h"

namespace nabla {

Dim DimTable::intern(const std::string& name) {
  for (size_t i = 0; i < names_.size(); ++i)
    if (names_[i] == name) return Dim::symbol(static_cast<int32_t>(i));
  names_.push_back(name);
  return Dim::symbol(static_cast<int32_t>(names_.size() - 1));
}

const std::string& DimTable::name(Dim d) const { return names_.at(d.symbol_index()); }

std::string DimTable::to_string(Dim d) const {
  return d.is_fixed() ? std::to_string(d.size()) : name(d);
}

std::string DimTable::to_string(Shape s) const {
  if (s.is_scalar()) return "scalar";
  if (s.is_column()) return to_string(s.rows);
  return to_string(s.rows) + "×" + to_string(s.cols);
}

}  // namespace nabla
