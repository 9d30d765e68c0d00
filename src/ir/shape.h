#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace nabla {

// A dimension: a positive integer, or a symbol (n, d, ...) named in the graph's DimTable.
struct Dim {
  int32_t v = 1;  // > 0 concrete size; < 0 symbol number -(v + 1)

  static Dim fixed(int32_t n) { return Dim{n}; }
  static Dim symbol(int32_t index) { return Dim{-(index + 1)}; }
  bool is_fixed() const { return v > 0; }
  bool is_symbol() const { return v < 0; }
  int32_t size() const { return v; }                 // only when is_fixed()
  int32_t symbol_index() const { return -(v + 1); }  // only when is_symbol()
  bool is_one() const { return v == 1; }
  friend bool operator==(Dim, Dim) = default;
};

// Every value is a matrix: scalars are 1 x 1, column vectors n x 1, row vectors 1 x n.
struct Shape {
  Dim rows;
  Dim cols;

  static Shape scalar() { return {Dim::fixed(1), Dim::fixed(1)}; }
  static Shape vector(Dim n) { return {n, Dim::fixed(1)}; }
  static Shape matrix(Dim r, Dim c) { return {r, c}; }
  bool is_scalar() const { return rows.is_one() && cols.is_one(); }
  bool is_column() const { return cols.is_one() && !rows.is_one(); }  // a vector
  bool is_row() const { return rows.is_one() && !cols.is_one(); }
  bool is_vector_like() const { return cols.is_one(); }  // scalar or column vector
  bool is_matrix() const { return !rows.is_one() && !cols.is_one(); }
  bool is_square() const { return rows == cols; }
  Shape transposed() const { return {cols, rows}; }
  friend bool operator==(Shape, Shape) = default;
};

// What a value is. The shape alone cannot tell a scalar (R) from a vector of length 1 (R^1) or a
// 1 x 1 matrix (R^(1 x 1)), nor a vector (R^n) from a one-column matrix (R^(n x 1)): a kind says
// which of its dimensions are real ones (a vector has rows, a row vector columns, a matrix both),
// even where their size is 1. Declarations give it (Symbol::value_kind); an expression's kind
// follows from its variables (ir/value_kind.h). Arithmetic does not depend on it: every value
// is a matrix, and a 1 x 1 one multiplies as a scalar does.
enum class ValueKind : uint8_t { Scalar, Vector, Row, Matrix };

// The kind a shape has when nothing says otherwise: 1 x 1 a scalar, n x 1 a vector, 1 x n a
// row vector, else a matrix.
inline ValueKind kind_of_shape(Shape s) {
  bool rows = !s.rows.is_one(), cols = !s.cols.is_one();
  return rows && cols ? ValueKind::Matrix
         : rows       ? ValueKind::Vector
         : cols       ? ValueKind::Row
                      : ValueKind::Scalar;
}
// Whether a value of shape s can have kind k (a real dimension may be 1, never the reverse).
inline bool kind_fits(ValueKind k, Shape s) {
  bool rows = k == ValueKind::Vector || k == ValueKind::Matrix;
  bool cols = k == ValueKind::Row || k == ValueKind::Matrix;
  return (rows || s.rows.is_one()) && (cols || s.cols.is_one());
}
// "scalar", "vector", "row vector", "matrix".
const char* kind_name(ValueKind k);

// Names of symbolic dimensions. A symbol is an atom (n, d) or derived from atoms, as the
// sizes of vec, kron and stacking are: a polynomial such as n*m or n + m + 2, kept in a
// canonical form so that equal sizes get the same Dim (m*n is n*m).
class DimTable {
 public:
  // Monomial (sorted atom indices, repeated for powers) -> coefficient; {} is the constant.
  using Polynomial = std::map<std::vector<int32_t>, int64_t>;

  Dim intern(const std::string& name);  // an atom: the same name gives the same Dim
  std::optional<Dim> find(const std::string& name) const;  // the atom of that name, if any
  const std::string& name(Dim d) const;                    // only for symbols
  std::string to_string(Dim d) const;                      // "n" or "3"
  std::string to_string(Shape s) const;                    // "scalar", "n", "1×n", "n×m"
  std::string to_string(Shape s, ValueKind k) const;       // R^1: "1"; R^(1 x 1): "1×1"
  size_t size() const { return names_.size(); }

  Dim product(Dim a, Dim b);                // a*b
  Dim sum(const std::vector<Dim>& parts);   // a + b + ...
  bool is_derived(Dim d) const;             // a symbol made by product or sum
  std::vector<int32_t> atoms(Dim d) const;  // the atom symbols a dimension depends on
  // Size of d given the size of each atom (nullopt when an atom is unknown or on overflow).
  std::optional<int64_t> size(Dim d,
                              const std::function<std::optional<int64_t>(int32_t)>& atom) const;

 private:
  Polynomial polynomial(Dim d) const;
  Dim from_polynomial(const Polynomial& p);

  std::vector<std::string> names_;
  std::vector<std::optional<Polynomial>> derived_;  // nullopt for atoms
};

}  // namespace nabla
