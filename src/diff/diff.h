#pragma once
#include <vector>

#include "ir/graph.h"
#include "ir/steps.h"

namespace nabla {

// All of these take a Var node as the variable, return an unsimplified expression (the caller
// simplifies), and throw Error(ErrorKind::Unsupported) with a clear message where no matrix
// form exists. Steps name each rule as it is used ("product rule", "chain rule: exp", ...).

// Gradient of scalar e w.r.t. var: same shape as var. Reverse mode, one sweep.
Id grad(Graph& g, Id e, Id var, StepLog* steps = nullptr);
// Jacobian d vec(e)/d vec(var)' of e (any shape) w.r.t. var (a Var of any shape, or vec(X)):
// rows index vec(e), columns vec(var) (column-major vec); Kronecker forms for matrices.
Id jacobian(Graph& g, Id e, Id var, StepLog* steps = nullptr);
// Hessian of scalar e w.r.t. var of any shape: jacobian(vec(grad(e, var)), vec(var)).
Id hessian(Graph& g, Id e, Id var, StepLog* steps = nullptr);
// Hessian w.r.t. several variables: the block matrix of jacobian(grad(e, xi), xj).
Id hessian(Graph& g, Id e, const std::vector<Id>& vars, StepLog* steps = nullptr);
// Derivative of anything w.r.t. a scalar var: same shape as e.
Id derivative(Graph& g, Id e, Id var, StepLog* steps = nullptr);

// Replaces every query node (Op::Grad, Jacobian, Hessian, Derivative, Simplify) below root,
// innermost first, by its result. Returns root unchanged when there is none.
Id expand_queries(Graph& g, Id root, StepLog* steps = nullptr);

}  // namespace nabla
