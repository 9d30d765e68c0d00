// hessian(e, x) = jacobian(simplify(grad(e, x)), x), in matrix form.
#include "diff/budget.h"
#include "diff/diff.h"
#include "ir/error.h"

namespace nabla {

Id hessian(Graph& g, Id e, Id var, StepLog* steps) {
  if (!g[e].shape.is_scalar())
    throw Error(ErrorKind::Shape, "hessian needs a scalar expression",
                "use jacobian for a vector-valued expression");
  if (var < 0 || static_cast<size_t>(var) >= g.size() || !g[var].shape.is_vector_like())
    throw Error(ErrorKind::Unsupported, "hessian needs a scalar or vector variable");
  Id gr = grad(g, e, var, steps);
  Id s = diffbudget::simplify_derived(g, gr, steps);
  log_step(steps, "hessian: Jacobian of the gradient");
  return jacobian(g, s, var, steps);
}

}  // namespace nabla
