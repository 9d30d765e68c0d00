// grad(e, x) the JAX way: the forward sweep (jvp_rules.cpp) with a placeholder tangent dX (a
// variable of x's shape) gives the differential de = L(dX), linear in dX; one reverse sweep over
// L's DAG with the transpose rules of the linear ops (transpose_rules.cpp), cotangent 1 at the
// root, takes de = <G, dX> to the gradient G (Magnus & Neudecker's identification theorem). Zero
// cotangents stay absent; only the nodes of L that depend on dX get one.
#include "diff/algebra.h"
#include "diff/diff.h"
#include "diff/rules.h"
#include "ir/build.h"
#include "ir/error.h"

namespace nabla {
namespace {

// The transpose sweep over the linear expression `linear` in the placeholder dX: the cotangent
// reaching dX.
std::optional<Id> transpose_linear(Graph& g, Id linear, Id dx) {
  TransposeContext c(g, linear, g[dx].a, nullptr);
  if (!c.depends(linear)) return std::nullopt;
  c.cot.assign(c.order.size(), std::nullopt);
  c.cot.back() = integer(g, 1);  // seed: the cotangent of the scalar de is 1
  for (size_t i = c.order.size(); i-- > 0;) {
    if (!c.dep[i] || !c.cot[i]) continue;
    const Id id = c.order[i];
    Op op = g[id].op;
    if (op == Op::Var) continue;
    transpose_rule(op)(c, id, *c.cot[i]);
    c.cot[i].reset();  // no longer needed (dX, a Var, never gets here)
  }
  const std::ptrdiff_t at = c.position(dx);
  return at >= 0 ? c.cot[static_cast<size_t>(at)] : std::nullopt;
}

}  // namespace

Id grad(Graph& g, Id e, Id var, StepLog* steps) {
  int64_t sym = variable_symbol(g, var, "grad");
  if (!g[e].shape.is_scalar())
    throw Error(ErrorKind::Shape,
                "grad needs a scalar expression, got " + g.dims.to_string(g[e].shape),
                "use jacobian for a vector-valued expression");
  Shape var_shape = g[var].shape;
  JvpContext c(g, e, sym, steps);
  if (!c.depends(e)) {
    c.step("the expression does not depend on " + g.symbol(sym).name + ": gradient 0");
    return diffalg::zero_like(g, var_shape);
  }
  const Id dx = placeholder_tangent(g, sym);
  c.reading = JvpContext::Reading::Transposed;
  c.root_first = true;
  std::optional<Id> de = ForwardSweep::sweep_forward(c, dx, jvp_rule);
  std::optional<Id> r = de ? transpose_linear(g, *de, dx) : std::nullopt;
  if (!r) return diffalg::zero_like(g, var_shape);
  if (depends_on(g, *r, g[dx].a))
    throw Error(ErrorKind::Internal, "the gradient still holds the tangent placeholder");
  if (!(g[*r].shape == var_shape))
    throw Error(ErrorKind::Internal, "gradient shape differs from the variable's");
  return *r;
}

}  // namespace nabla
