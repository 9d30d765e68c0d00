#pragma once
#include <optional>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "ir/op.h"

namespace nabla {

// A function the parser lowers to primitives (a SUGAR row of ir/functions.def: sqrt, log2,
// log10, norm1): its result's shape (Same as its argument, or Scalar) and the lowering.
struct Sugar {
  ShapeRule shape;
  Id (*lower)(Graph& g, Id x);
};

// A built-in function and how many arguments it takes (most: one; kron, max, min: two; norm:
// one or two): the op it names, or for sugar (no op of its own) the lowering.
struct Builtin {
  const char* name;
  std::optional<Op> op;
  int min_args = 1;
  int max_args = 1;
  const Sugar* sugar = nullptr;
};

// The builtin called `name` (aliases: ln -> log, trace -> tr, σ -> sigmoid, asin -> arcsin,
// acos -> arccos, atan -> arctan, norm -> norm2),
// or nullptr.
const Builtin* find_builtin(const std::string& name);

// Every name of a built-in function, alias, constant and query keyword (for suggestions).
std::vector<std::string> builtin_names();

// Reserved words of queries and derivative forms.
bool is_query_keyword(const std::string& name);

// Spelling rules for undeclared names: a Greek name (alpha, lambda, sigma2, α, λ) is a scalar;
// an upper-case first letter is a matrix; anything else a column vector.
bool is_greek_name(const std::string& name);
bool is_upper_name(const std::string& name);

}  // namespace nabla
