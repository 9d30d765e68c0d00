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
  const Id seed = integer(g, 1);  // dt/dt = 1
  std::optional<Id> r = ForwardSweep::sweep_forward(c, seed, jvp_rule);
  if (!r) return diffalg::zero_like(g, out);
  if (!(g[*r].shape == out)) throw Error(ErrorKind::Internal, "derivative has the wrong shape");
  return *r;
}

}  // namespace nabla
