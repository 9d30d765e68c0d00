#include "eval/evaluate.h"

#include <string>
#include <string_view>
#include <utility>

#include "eval/eval_rules.h"
#include "ir/error.h"

namespace nabla {

std::optional<int32_t> find_dim_size(const Graph& g, Dim d, const Bindings& bindings) {
  if (d.is_fixed()) return d.size();
  auto it = bindings.dims.find(d.symbol_index());
  if (it != bindings.dims.end()) return it->second;
  if (!g.dims.is_derived(d)) return std::nullopt;
  // vec, kron and stacking make sizes such as n*m and n+m+2 from bound atoms.
  auto s = g.dims.size(d, [&](int32_t atom) -> std::optional<int64_t> {
    auto found = bindings.dims.find(atom);
    if (found == bindings.dims.end()) return std::nullopt;
    return found->second;
  });
  if (!s) return std::nullopt;
  return static_cast<int32_t>(*s);
}

int32_t dim_size(const Graph& g, Dim d, const Bindings& bindings) {
  if (auto s = find_dim_size(g, d, bindings)) return *s;
  throw Error(ErrorKind::Value, "cannot tell the size of dimension " + g.dims.name(d));
}

std::pair<int32_t, int32_t> shape_size(const Graph& g, Shape s, const Bindings& bindings) {
  return {dim_size(g, s.rows, bindings), dim_size(g, s.cols, bindings)};
}

Matrix evaluate(const Graph& g, Id root, const Bindings& bindings) {
  if (root < 0 || static_cast<size_t>(root) >= g.size())
    throw Error(ErrorKind::Internal, "evaluate: no such node");
  const std::vector<Id> order = reachable(g, root);
  for (Id id : order) {
    if (is_query_op(g[id].op)) throw Error(ErrorKind::Internal, "expand queries before evaluating");
  }
  // One value per node of the DAG, by position in order (children precede parents, so each
  // rule finds its children computed).
  const NodePositions positions(order);
  std::vector<Matrix> values(order.size());
  for (size_t i = 0; i < order.size(); ++i) {
    const Node& node = g[order[i]];
    EvalContext ctx{g, bindings, values, order[i], node, &positions};
    values[i] = eval_rule(node.op)(ctx);
  }
  return std::move(values.back());
}

}  // namespace nabla
