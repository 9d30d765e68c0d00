#pragma once
// Code generation from nabla expressions: a self-contained C++ function on Eigen types, or a
// Python function on NumPy arrays, computing every output with shape checks on the arguments.
#include <string>
#include <utility>
#include <vector>

#include "nabla/expr.h"

namespace nabla {

// Named outputs of one generated function, e.g. {{"value", f}, {"grad_x", grad(f, x)}}.
// The parameters are the variables the outputs use, in declaration order.
using Outputs = std::vector<std::pair<std::string, Expr>>;

std::string generate_cpp(const std::string& function_name, const Outputs& outputs);
std::string generate_numpy(const std::string& function_name, const Outputs& outputs);

}  // namespace nabla
