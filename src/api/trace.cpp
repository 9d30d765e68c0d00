// Tracing of generic callables (nabla::grad(f) and friends) and their compiled plans.
#include <mutex>
#include <sstream>

#include "api/context.h"
#include "diff/diff.h"
#include "eval/plan.h"
#include "ir/build.h"
#include "ir/error.h"
#include "nabla/transform.h"
#include "print/print.h"
#include "simplify/simplify.h"

namespace nabla::detail {

// A traced function: its own graph, the argument variables, the simplified outputs, and the
// compiled evaluation plans (eval/plan.h) of those outputs: one plan computes every output and
// shares what the value and the derivatives have in common. A compiled plan keeps its buffers
// between runs, so each thread running the function at once takes its own from the pool.
class TracedFunction {
 public:
  std::shared_ptr<Graph> graph;
  std::vector<int64_t> arg_symbols;
  std::vector<std::pair<int, int>> shapes;
  std::vector<Id> outputs;
  std::vector<std::pair<int, int>> output_shapes;
  // A compiled plan with the views it is run with (kept, so that a run allocates nothing).
  struct Compiled {
    std::unique_ptr<::nabla::Plan> plan;
    std::vector<ArgumentView> args;
    std::vector<OutputView> outs;
  };
  std::unique_ptr<Compiled> compile() const {
    auto c = std::make_unique<Compiled>();
    c->plan = std::make_unique<::nabla::Plan>(*graph, outputs);
    c->args.resize(arg_symbols.size());
    for (size_t i = 0; i < arg_symbols.size(); ++i) c->args[i].symbol = arg_symbols[i];
    c->outs.resize(outputs.size());
    return c;
  }
  mutable std::mutex pool_mutex;
  mutable std::vector<std::unique_ptr<Compiled>> pool;  // compiled, not in use
  const Bindings empty;  // traced shapes are fixed: no dimensions to bind
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

std::shared_ptr<const TracedFunction> trace(
    const std::vector<std::pair<int, int>>& shapes,
    const std::function<Expr(const std::vector<Expr>&)>& body, Transform transform,
    const std::vector<int>& wrt) {
  auto plan = std::make_shared<TracedFunction>();
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
  for (Id o : plan->outputs) {
    const Shape s = g[o].shape;
    plan->output_shapes.emplace_back(static_cast<int>(s.rows.size()),
                                     static_cast<int>(s.cols.size()));
  }
  plan->pool.reserve(4);
  plan->pool.push_back(plan->compile());
  return plan;
}

const std::vector<std::pair<int, int>>& output_shapes(const TracedFunction& plan) {
  return plan.output_shapes;
}

void run(const TracedFunction& plan, const ArgData* args, size_t nargs, const OutData* outs,
         size_t nouts) {
  if (nargs != plan.arg_symbols.size()) throw Error(ErrorKind::Usage, "wrong number of arguments");
  if (nouts != plan.outputs.size()) throw Error(ErrorKind::Usage, "wrong number of outputs");
  std::unique_ptr<TracedFunction::Compiled> compiled;
  {
    std::lock_guard<std::mutex> lock(plan.pool_mutex);
    if (!plan.pool.empty()) {
      compiled = std::move(plan.pool.back());
      plan.pool.pop_back();
    }
  }
  if (!compiled) compiled = plan.compile();  // another thread runs the plan at the same time
  for (size_t i = 0; i < nargs; ++i)
    compiled->args[i] = {plan.arg_symbols[i], args[i].data, args[i].rows, args[i].cols};
  for (size_t i = 0; i < nouts; ++i) compiled->outs[i] = {outs[i].data, outs[i].rows, outs[i].cols};
  auto give_back = [&] {
    std::lock_guard<std::mutex> lock(plan.pool_mutex);
    plan.pool.push_back(std::move(compiled));
  };
  try {
    compiled->plan->run(plan.empty, compiled->args, compiled->outs);
  } catch (...) {
    give_back();
    throw;
  }
  give_back();
}

std::vector<const double*> bound_addresses(const TracedFunction& plan) {
  std::lock_guard<std::mutex> lock(plan.pool_mutex);
  std::vector<const double*> out;
  if (plan.pool.empty()) return out;
  for (int64_t sym : plan.arg_symbols) out.push_back(plan.pool.back()->plan->bound_data(sym));
  return out;
}

std::string describe(const TracedFunction& plan) {
  std::string s;
  for (Id root : plan.outputs) s += to_text(*plan.graph, root) + "\n";
  return s;
}

}  // namespace nabla::detail
