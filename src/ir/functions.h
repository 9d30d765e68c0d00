#pragma once
// The facts of functions.def that are plain data (spellings, sampling domain, f(0)), for the
// printers, the code generators, check and the simplifier. The kernels are in
// eval/function_kernels.h, the derivatives in diff/algebra.h.
#include <string_view>

#include "ir/op.h"

namespace nabla {

// Where check draws a function's argument.
enum class FunctionDomain : uint8_t {
  Real,      // anywhere
  Positive,  // > 0
  Nonzero,   // away from a kink at 0
  Unit,      // inside (-1, 1)
};
// f(0), when it is an exact rational.
enum class FunctionAtZero : uint8_t { Zero, One, Half, None };

struct FunctionFacts {
  std::string_view spelling;
  std::string_view unicode;
  std::string_view latex;  // empty: \operatorname{spelling}
  std::string_view cpp;    // generated C++ for a double
  std::string_view eigen;  // Eigen array method of the generated C++; empty: the generator's own
  std::string_view numpy;  // empty: the generator's own stable spelling
  std::string_view torch;
  FunctionDomain domain;
  FunctionAtZero at_zero;
  bool positive;  // f(u) > 0 for every u
};

// The facts of an entry-wise function (throws Error(Internal) for any other op).
const FunctionFacts& function_facts(Op op);

}  // namespace nabla
