// The reverse sweep: one pass over the DAG of e in decreasing id order, with a cotangent map
// that sums contributions. Zero cotangents stay absent; only nodes that depend on the variable
// get one.
#include "diff/algebra.h"
#include "diff/diff.h"
#include "diff/rules.h"
#include "ir/build.h"
#include "ir/error.h"

namespace nabla {

Id grad(Graph& g, Id e, Id var, StepLog* steps) {
  int64_t sym = variable_symbol(g, var, "grad");
  if (!g[e].shape.is_scalar())
    throw Error(ErrorKind::Shape,
                "grad needs a scalar expression, got " + g.dims.to_string(g[e].shape),
                "use jacobian for a vector-valued expression");
  Shape var_shape = g[var].shape;
  VjpContext c(g, e, sym, steps);
  if (!c.depends(e)) {
    c.step("the expression does not depend on " + g.symbol(sym).name + ": gradient 0");
    return diffalg::zero_like(g, var_shape);
  }
  c.cot.assign(c.order.size(), std::nullopt);
  c.cot.back() = integer(g, 1);  // seed: de/de = 1 (e is the last node of its own order)
  for (size_t i = c.order.size(); i-- > 0;) {
    if (!c.dep[i] || !c.cot[i]) continue;
    const Id id = c.order[i];
    Op op = g[id].op;
    if (op == Op::Var) continue;
    vjp_rule(op)(c, id, *c.cot[i]);
    c.cot[i].reset();  // no longer needed (the variable, a Var, never gets here)
  }
  c.finish();
  const std::ptrdiff_t at = c.position(var);
  std::optional<Id> r = at >= 0 ? c.cot[static_cast<size_t>(at)] : std::nullopt;
  if (!r) return diffalg::zero_like(g, var_shape);
  if (!(g[*r].shape == var_shape))
    throw Error(ErrorKind::Internal, "gradient shape differs from the variable's");
  return *r;
}

}  // namespace nabla
