// Tracing of generic callables (nabla::grad(f) and friends) and their compiled plans.
#include <sstream>

#include "api/context.h"
#include "diff/diff.h"
#include "eval/eval_rules.h"
#include "ir/build.h"
#include "ir/error.h"
#include "nabla/transform.h"
#include "print/print.h"
#include "simplify/simplify.h"

namespace nabla::detail {

// A traced function: its own graph, the argument variables, the simplified outputs, and the
// nodes they need in evaluation order (children first), so one sweep computes every output and
// shares the subexpressions the value and the derivatives have in common.
class Plan {
 public:
  std::shared_ptr<Graph> graph;
  std::vector<int64_t> arg_symbols;
  std::vector<std::pair<int, int>> shapes;
  std::vector<Id> outputs;
  std::vector<Id> order;
};

namespace {

// Makes `g` the current graph while a trace runs, restoring the previous one afterwards.
class GraphScope {
 public:
  explicit GraphScope(std::shared_ptr<Graph> g) : saved_(api::current_graph()) {
    api::current_graph() = std::move(g);
  }
  ~GraphScope() { api::current_graph() = saved_; }
  GraphScope(const GraphScope&) = delete;
  GraphScope& operator=(const GraphScope&) = delete;

 private:
  std::shared_ptr<Graph> saved_;
};

const char* transform_name(Transform t) {
  switch (t) {
    case Transform::Value:
      return "jit";
    case Transform::Grad:
      return "grad";
    case Transform::ValueAndGrad:
      return "value_and_grad";
    case Transform::Jacobian:
      return "jacobian";
    case Transform::Hessian:
      return "hessian";
  }
  return "?";
}

}  // namespace

std::shared_ptr<const Plan> trace(const std::vector<std::pair<int, int>>& shapes,
                                  const std::function<Expr(const std::vector<Expr>&)>& body,
                                  Transform transform, const std::vector<int>& wrt) {
  auto plan = std::make_shared<Plan>();
  plan->graph = std::make_shared<Graph>();
  plan->shapes = shapes;
  Graph& g = *plan->graph;
  std::vector<Expr> args;
  for (size_t i = 0; i < shapes.size(); ++i) {
    auto [r, c] = shapes[i];
    if (r <= 0 || c <= 0)
      throw Error(ErrorKind::Value, "argument " + std::to_string(i) + " is empty (" +
                                        std::to_string(r) + "x" + std::to_string(c) + ")");
    int32_t sym =
        g.declare_variable("x" + std::to_string(i), Shape::matrix(Dim::fixed(r), Dim::fixed(c)));
    plan->arg_symbols.push_back(sym);
    args.emplace_back(plan->graph, variable(g, sym));
  }
  Expr out = [&] {
    GraphScope scope(plan->graph);
    return body(args);
  }();
  Id value;
  if (out.is_literal())
    value = api::literal_node(g, out.literal());
  else if (out.graph() != plan->graph)
    throw Error(ErrorKind::Usage,
                std::string(transform_name(transform)) +
                    ": the function returned an expression of another graph",
                "build the result only from the function's arguments and constants");
  else
    value = out.id();

  const char* name = transform_name(transform);
  if ((transform == Transform::Grad || transform == Transform::ValueAndGrad ||
       transform == Transform::Hessian) &&
      !g[value].shape.is_scalar())
    throw Error(ErrorKind::Shape,
                std::string(name) + ": the function's value must be a scalar, not " +
                    g.dims.to_string(g[value].shape),
                "use nabla::jacobian for vector-valued functions");
  if (transform == Transform::Value || transform == Transform::ValueAndGrad)
    plan->outputs.push_back(simplify(g, value));
  for (int k : wrt) {
    if (k < 0 || static_cast<size_t>(k) >= args.size())
      throw Error(ErrorKind::Usage,
                  std::string(name) + ": argnum " + std::to_string(k) + " out of range");
    Id var = args[static_cast<size_t>(k)].id();
    Id d = kNoId;
    switch (transform) {
      case Transform::Grad:
      case Transform::ValueAndGrad:
        d = grad(g, value, var);
        break;
      case Transform::Jacobian:
        d = jacobian(g, value, var);
        break;
      case Transform::Hessian:
        d = hessian(g, value, var);
        break;
      case Transform::Value:
        break;
    }
    if (d != kNoId) plan->outputs.push_back(simplify(g, d));
  }
  std::vector<char> needed(g.size(), 0);
  for (Id root : plan->outputs)
    for (Id id : reachable(g, root)) needed[static_cast<size_t>(id)] = 1;
  for (size_t id = 0; id < needed.size(); ++id)
    if (needed[id]) plan->order.push_back(static_cast<Id>(id));
  return plan;
}

std::vector<Eigen::MatrixXd> run(const Plan& plan, const std::vector<Eigen::MatrixXd>& args) {
  if (args.size() != plan.arg_symbols.size())
    throw Error(ErrorKind::Usage, "wrong number of arguments");
  Bindings b;
  for (size_t i = 0; i < args.size(); ++i) b.values[plan.arg_symbols[i]] = args[i];
  const Graph& g = *plan.graph;
  std::vector<Matrix> values(g.size());
  for (Id id : plan.order) {
    const Node& node = g[id];
    EvalContext ctx{g, b, values, id, node};
    values[static_cast<size_t>(id)] = eval_rule(node.op)(ctx);
  }
  std::vector<Eigen::MatrixXd> out;
  for (Id root : plan.outputs) out.push_back(values[static_cast<size_t>(root)]);
  return out;
}

std::string describe(const Plan& plan) {
  std::string s;
  for (Id root : plan.outputs) s += to_text(*plan.graph, root) + "\n";
  return s;
}

}  // namespace nabla::detail
