#pragma once
#include <string>
#include <vector>

#include "eval/evaluate.h"
#include "ir/graph.h"

namespace nabla {

// Formats a value with about 6 significant digits: scalars plain, column vectors [1.2; -0.3],
// row vectors [1, 2], matrices [1, 2; 3, 4]; a 1 x 1 value that is no scalar (z in R^1) [0.5].
std::string format_value(const Matrix& m, bool scalar = true);

// Everything a failed trial shows.
struct Counterexample {
  std::vector<std::string> functions;  // one line per abstract function: how it was instantiated
  std::string lhs_text, rhs_text;      // optional: the expressions, for the header line
  Matrix lhs, rhs;
  std::string reason;  // e.g. "relative error 0.53 > tolerance 1e-07"
};

// Multi-line text: the dims ("n = 3"), each variable's value, each abstract function's
// instance, "lhs = ...", "rhs = ...", "lhs - rhs = ..." (or where only one side is finite).
std::string format_counterexample(const Graph& g, const std::vector<int32_t>& dims,
                                  const std::vector<int64_t>& variables, const Bindings& bindings,
                                  const Counterexample& c);

// The same as data.
struct CheckPoint;
CheckPoint counterexample_point(const Graph& g, const std::vector<int32_t>& dims,
                                const std::vector<int64_t>& variables, const Bindings& bindings,
                                const Counterexample& c);

}  // namespace nabla
