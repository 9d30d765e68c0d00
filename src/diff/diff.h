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
// Jacobian of scalar/vector e w.r.t. scalar/vector var: rows index e, columns index var.
Id jacobian(Graph& g, Id e, Id var, StepLog* steps = nullptr);
// Hessian of scalar e w.r.t. vector var, in matrix form.
Id hessian(Graph& g, Id e, Id var, StepLog* steps = nullptr);
// Derivative of anything w.r.t. a scalar var: same shape as e.
Id derivative(Graph& g, Id e, Id var, StepLog* steps = nullptr);

// Replaces every query node (Op::Grad, Jacobian, Hessian, Derivative, Simplify) below root,
// innermost first, by its result. Returns root unchanged when there is none.
Id expand_queries(Graph& g, Id root, StepLog* steps = nullptr);

}  // namespace nabla
