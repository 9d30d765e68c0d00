// expand_queries: replaces grad/jacobian/hessian/diff/simplify nodes by their (simplified)
// results, innermost first (increasing id order), and rebuilds the parents above them.
#include "diff/algebra.h"
#include "diff/budget.h"
#include "diff/diff.h"
#include "ir/build.h"
#include "ir/error.h"
#include "simplify/simplify.h"

namespace nabla {
namespace {

Id simplified(Graph& g, Id e, StepLog* steps) {
  return diffbudget::simplify_derived(g, e, steps);
}

Id expand_one(Graph& g, const Node& n, StepLog* steps) {
  if (n.op == Op::Grad) {
    if (n.kids.size() == 2) return simplified(g, grad(g, n.kids[0], n.kids[1], steps), steps);
    // Several scalar variables: the stacked vector of the separate gradients.
    std::vector<Id> parts;
    for (size_t i = 1; i < n.kids.size(); ++i)
      parts.push_back(simplified(g, grad(g, n.kids[0], n.kids[i], steps), steps));
    log_step(steps, "gradient w.r.t. several scalars: stack of the partial derivatives");
    return stack(g, parts);
  }
  if (n.op == Op::Jacobian) return simplified(g, jacobian(g, n.kids[0], n.kids[1], steps), steps);
  if (n.op == Op::Hessian)
    return simplified(
        g, hessian(g, n.kids[0], std::vector<Id>(n.kids.begin() + 1, n.kids.end()), steps), steps);
  if (n.op == Op::Derivative)
    return simplified(g, derivative(g, n.kids[0], n.kids[1], steps), steps);
  if (n.op == Op::Simplify) return simplified(g, n.kids[0], steps);
  throw Error(ErrorKind::Internal, "not a query: " + std::string(op_name(n.op)));
}

}  // namespace

Id expand_queries(Graph& g, Id root, StepLog* steps) {
  std::vector<Id> ids = reachable(g, root);
  bool any = false;
  for (Id id : ids) any = any || is_query_op(g[id].op);
  if (!any) return root;
  std::vector<Id> remap(static_cast<size_t>(root) + 1, kNoId);
  // Work budget: nested queries (grad of grad of ...) can each multiply the graph, and each
  // simplification takes time, so the expansion stops cleanly once it has added more than
  // kMaxNewNodes nodes or run for kMaxSeconds (shared by every simplify call inside it).
  SimplifyDeadline deadline(diffbudget::kMaxSeconds);
  const size_t start_size = g.size();
  for (size_t i = 0; i < ids.size(); ++i) {
    const Id id = ids[i];
    // Only queries do much work: the budget is checked before each, and now and then.
    if (is_query_op(g[id].op) || i % 64 == 63) diffbudget::check(g, start_size);
    Node n = g[id];  // a copy: g grows below
    bool changed = false;
    for (Id& k : n.kids) {
      Id r = remap[static_cast<size_t>(k)];
      changed = changed || r != k;
      k = r;
    }
    Id out = id;
    if (is_query_op(n.op)) {
      out = expand_one(g, n, steps);
    } else if (changed) {
      n.shape = result_shape(g, n.op, n.kids, n.a, n.b);
      out = g.add(n);
    }
    remap[static_cast<size_t>(id)] = out;
  }
  return remap[static_cast<size_t>(root)];
}

}  // namespace nabla
