// The forward sweep for diff(e, t), t scalar: tangents have the shape of their node.
#include "diff/algebra.h"
#include "diff/diff.h"
#include "diff/rules.h"
#include "ir/build.h"
#include "ir/error.h"

namespace nabla {

Id derivative(Graph& g, Id e, Id var, StepLog* steps) {
  int64_t sym = variable_symbol(g, var, "diff");
  if (!g[var].shape.is_scalar())
    throw Error(ErrorKind::Shape, "diff needs a scalar variable", "use grad or jacobian");
  JvpContext c(g, e, sym, steps);
  Shape out = g[e].shape;
  if (!c.depends(e)) return diffalg::zero_like(g, out);
  c.tan.assign(static_cast<size_t>(e) + 1, std::nullopt);
  for (Id id = 0; id <= e; ++id) {
    if (!c.dep[id]) continue;
    const Node& n = g[id];
    if (n.op == Op::Var) {
      c.tan[id] = integer(g, 1);  // dt/dt = 1
      continue;
    }
    bool any = false;
    for (Id k : n.kids) any = any || c.tan[k].has_value();
    if (!any) continue;  // every child's tangent is zero
    Op op = n.op;
    c.tan[id] = jvp_rule(op)(c, id);
  }
  c.finish();
  std::optional<Id> r = c.tan[e];
  if (!r) return diffalg::zero_like(g, out);
  if (!(g[*r].shape == out)) throw Error(ErrorKind::Internal, "derivative has the wrong shape");
  return *r;
}

}  // namespace nabla
