// hessian(e, x) = jacobian(vec(grad(e, x)), vec(x)): the Jacobian of the vectorized gradient, for
// a variable of any shape. Several variables x1, x2, ...: the symmetric block matrix whose block
// (i, j) is jacobian(grad(e, xi), xj), assembled as a stack of block rows.
#include "diff/algebra.h"
#include "diff/budget.h"
#include "diff/diff.h"
#include "ir/build.h"
#include "ir/error.h"

namespace nabla {

Id hessian(Graph& g, Id e, Id var, StepLog* steps) {
  return hessian(g, e, std::vector<Id>{var}, steps);
}

Id hessian(Graph& g, Id e, const std::vector<Id>& vars, StepLog* steps) {
  if (!g[e].shape.is_scalar())
    throw Error(ErrorKind::Shape, "hessian needs a scalar expression",
                "use jacobian for a vector-valued expression");
  if (vars.empty()) throw Error(ErrorKind::Internal, "hessian needs a variable");
  std::vector<Id> grads;
  std::vector<Id> plain = vars;  // vec(X) means X
  for (Id& v : plain)
    if (v >= 0 && static_cast<size_t>(v) < g.size() && g[v].op == Op::Vec) v = g[v].kids[0];
  for (Id v : plain) {
    Id gr = grad(g, e, v, steps);
    grads.push_back(diffbudget::simplify_derived(g, gr, steps));
  }
  log_step(steps, "hessian: Jacobian of vec(gradient) w.r.t. vec(variable)");
  if (plain.size() == 1) return jacobian(g, grads[0], plain[0], steps);
  // Block row i = [H_i1, H_i2, ...] = [H_i1'; H_i2'; ...]' (the language stacks rows only).
  log_step(steps, "hessian w.r.t. several variables: block (i, j) = jacobian(grad(e, xi), xj)");
  std::vector<Id> rows;
  for (size_t i = 0; i < vars.size(); ++i) {
    std::vector<Id> blocks;
    for (size_t j = 0; j < vars.size(); ++j) {
      Id h = diffbudget::simplify_derived(g, jacobian(g, grads[i], plain[j], steps), steps);
      blocks.push_back(diffalg::transpose_of(g, h));
    }
    rows.push_back(diffalg::transpose_of(g, stack(g, blocks)));
  }
  return stack(g, rows);
}

}  // namespace nabla
