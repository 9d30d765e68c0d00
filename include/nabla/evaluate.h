#pragma once
// Numeric values of expressions, on Eigen types.
#include <Eigen/Dense>
#include <utility>
#include <vector>

#include "nabla/expr.h"

namespace nabla {

// One value per variable: {{x, x0}, {A, A0}}. Symbolic dimensions are read off the values.
// Scalars are 1x1 matrices, vectors n x 1.
using Values = std::vector<std::pair<Expr, Eigen::MatrixXd>>;

// The value of e at these values (throws std::runtime_error, e.g. for a missing value).
Eigen::MatrixXd eval(const Expr& e, const Values& values);
// The same for a scalar expression.
double eval_scalar(const Expr& e, const Values& values);

}  // namespace nabla
