// The forward sweep with matrix tangents for jacobian(e, x): rows index e, columns index x.
#include "diff/algebra.h"
#include "diff/diff.h"
#include "diff/rules.h"
#include "ir/build.h"
#include "ir/error.h"

namespace nabla {

Id jacobian(Graph& g, Id e, Id var, StepLog* steps) {
  // The variable: a scalar or vector Var, or vec(X) of a matrix variable X.
  Id x = var;
  if (var >= 0 && static_cast<size_t>(var) < g.size() && g[var].op == Op::Vec) x = g[var].kids[0];
  int64_t sym = variable_symbol(g, x, "jacobian");
  Shape xs = g[x].shape;
  if (xs.is_matrix() && x == var)
    throw Error(ErrorKind::Unsupported,
                "jacobian w.r.t. the matrix " + g.symbol(sym).name + " has no matrix form",
                "use jacobian(vec(F), vec(" + g.symbol(sym).name + "))");
  Shape es = g[e].shape;
  if (!es.is_vector_like())
    throw Error(ErrorKind::Unsupported,
                "jacobian needs a scalar or vector expression, got " + g.dims.to_string(es),
                "use jacobian(vec(F), vec(X))");
  JacobianContext c(g, e, sym, steps);
  c.n = diffalg::vec_dim(g, x);
  Shape out = Shape::matrix(es.rows, c.n);
  if (!c.depends(e)) return zeros(g, out);
  const Id seed = identity(g, c.n);  // J(x) = I
  std::optional<Id> r = ForwardSweep::sweep_forward(c, seed, jacobian_rule);
  if (!r) return zeros(g, out);
  if (!(g[*r].shape == out)) throw Error(ErrorKind::Internal, "Jacobian has the wrong shape");
  return *r;
}

}  // namespace nabla
