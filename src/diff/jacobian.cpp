// The forward sweep with matrix tangents for jacobian(e, x) = d vec(e)/d vec(x)' (column-major
// vec): rows index vec(e), columns index vec(x). Every rule vectorizes its differential,
// vec(A dX B) = kron(B', A) vec(dX) (Magnus & Neudecker's first identification theorem).
#include "diff/algebra.h"
#include "diff/diff.h"
#include "diff/rules.h"
#include "ir/build.h"
#include "ir/error.h"

namespace nabla {

Id jacobian(Graph& g, Id e, Id var, StepLog* steps) {
  // The variable: a Var of any shape, or vec(X) of a matrix variable X (the same columns).
  Id x = var;
  if (var >= 0 && static_cast<size_t>(var) < g.size() && g[var].op == Op::Vec) x = g[var].kids[0];
  int64_t sym = variable_symbol(g, x, "jacobian");
  JacobianContext c(g, e, sym, steps);
  c.n = diffalg::vec_dim(g, x);
  Shape out = Shape::matrix(diffalg::vec_dim(g, e), c.n);
  if (!c.depends(e)) return zeros(g, out);
  const Id seed = identity(g, c.n);  // J(vec(x)) = I
  std::optional<Id> r = ForwardSweep::sweep_forward(c, seed, jacobian_rule);
  if (!r) return zeros(g, out);
  if (!(g[*r].shape == out)) throw Error(ErrorKind::Internal, "Jacobian has the wrong shape");
  return *r;
}

}  // namespace nabla
