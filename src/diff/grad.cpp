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
  c.cot.assign(static_cast<size_t>(e) + 1, std::nullopt);
  c.cot[e] = integer(g, 1);  // seed: de/de = 1
  for (Id id = e; id >= 0; --id) {
    if (!c.dep[id] || !c.cot[id]) continue;
    Op op = g[id].op;
    if (op == Op::Var) continue;
    vjp_rule(op)(c, id, *c.cot[id]);
    if (id != var) c.cot[id].reset();  // no longer needed
  }
  c.finish();
  std::optional<Id> r = c.cot[var];
  if (!r) return diffalg::zero_like(g, var_shape);
  if (!(g[*r].shape == var_shape))
    throw Error(ErrorKind::Internal, "gradient shape differs from the variable's");
  return *r;
}

}  // namespace nabla
