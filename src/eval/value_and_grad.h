#pragma once
// Header-only so that the nabla_eval library does not depend on nabla_diff / nabla_simplify:
// include this from code that links them (the driver, the benchmarks).
#include <vector>

#include "diff/diff.h"
#include "eval/plan.h"
#include "simplify/simplify.h"

namespace nabla {

// Derives grad(f, v) for every Var node v (nabla::grad, then simplify) and compiles one plan
// for the value and all the gradients, sharing their intermediates. f must be scalar.
inline ValueAndGrad compile_value_and_grad(Graph& g, Id f, const std::vector<Id>& vars) {
  f = simplify(g, f);  // the canonical form shares the most nodes with the gradients
  std::vector<Id> grads;
  grads.reserve(vars.size());
  for (Id v : vars) grads.push_back(simplify(g, grad(g, f, v)));
  return ValueAndGrad(g, f, std::move(grads));
}

}  // namespace nabla
