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
  c.tan.assign(c.order.size(), std::nullopt);
  for (size_t i = 0; i < c.order.size(); ++i) {
    if (!c.dep[i]) continue;
    const Id id = c.order[i];
    const Node& n = g[id];
    if (n.op == Op::Var) {
      c.tan[i] = integer(g, 1);  // dt/dt = 1
      continue;
    }
    bool any = false;
    for (Id k : n.kids) any = any || c.t(k).has_value();
    if (!any) continue;  // every child's tangent is zero
    Op op = n.op;
    c.tan[i] = jvp_rule(op)(c, id);
  }
  c.finish();
  std::optional<Id> r = c.tan.back();  // e is the last node of its own order
  if (!r) return diffalg::zero_like(g, out);
  if (!(g[*r].shape == out)) throw Error(ErrorKind::Internal, "derivative has the wrong shape");
  return *r;
}

}  // namespace nabla
