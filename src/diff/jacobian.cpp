// jacobian(e, x) = d vec(e)/d vec(x)' (column-major vec): the forward sweep (jvp_rules.cpp) with
// a placeholder tangent dX gives the differential de = L(dX), linear in dX; one more forward
// sweep over L's DAG with the vectorize rules of the linear ops (vectorize_rules.cpp), J(dX) = I,
// reads vec(de) = J vec(dX) (Magnus & Neudecker's first identification theorem): rows index
// vec(e), columns vec(x).
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
  const Dim n = diffalg::vec_dim(g, x);
  Shape out = Shape::matrix(diffalg::vec_dim(g, e), n);
  JvpContext c(g, e, sym, steps);
  if (!c.depends(e)) return zeros(g, out);
  const Id dx = placeholder_tangent(g, sym);
  c.reading = JvpContext::Reading::Vectorized;
  std::optional<Id> de = ForwardSweep::sweep_forward(c, dx, jvp_rule);
  if (!de) return zeros(g, out);
  JacobianContext v(g, *de, g[dx].a, nullptr);
  v.n = n;
  std::optional<Id> r = ForwardSweep::sweep_forward(v, identity(g, n), jacobian_rule);  // J(dX) = I
  if (!r) return zeros(g, out);
  if (depends_on(g, *r, g[dx].a))
    throw Error(ErrorKind::Internal, "the Jacobian still holds the tangent placeholder");
  if (!(g[*r].shape == out)) throw Error(ErrorKind::Internal, "Jacobian has the wrong shape");
  return *r;
}

}  // namespace nabla
