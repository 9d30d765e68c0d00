// Symbolic transformations, printing, checking and evaluation of nabla::Expr.
#include "api/context.h"
#include "check/check.h"
#include "diff/diff.h"
#include "eval/evaluate.h"
#include "ir/error.h"
#include "nabla/evaluate.h"
#include "print/print.h"
#include "simplify/simplify.h"

namespace nabla {
namespace {

// The graph of e and var together, and var's node, which must be a variable.
std::shared_ptr<Graph> graph_and_var(const Expr& e, const Expr& var, const char* what) {
  if (var.is_literal() || var.graph()->node(var.id()).op != Op::Var)
    throw Error(ErrorKind::Usage, std::string(what) + ": the second argument must be a variable",
                "declare it with nabla::scalar, nabla::vector or nabla::matrix");
  return api::common_graph({&e, &var});
}

using Transform = Id (*)(Graph&, Id, Id, StepLog*);

Expr transform(const Expr& e, const Expr& var, Transform t, const char* what) {
  auto g = graph_and_var(e, var, what);
  Id root = api::node_of(*g, g, e);
  Id raw = t(*g, root, var.id(), nullptr);
  return Expr(g, nabla::simplify(*g, raw));
}

}  // namespace

Expr grad(const Expr& e, const Expr& var) {
  return transform(e, var, static_cast<Transform>(&nabla::grad), "grad");
}
std::vector<Expr> grad(const Expr& e, const std::vector<Expr>& vars) {
  std::vector<Expr> out;
  for (const Expr& v : vars) out.push_back(grad(e, v));
  return out;
}
Expr jacobian(const Expr& e, const Expr& var) {
  return transform(e, var, static_cast<Transform>(&nabla::jacobian), "jacobian");
}
Expr hessian(const Expr& e, const Expr& var) {
  return transform(e, var, static_cast<Transform>(&nabla::hessian), "hessian");
}
Expr derivative(const Expr& e, const Expr& var) {
  return transform(e, var, static_cast<Transform>(&nabla::derivative), "derivative");
}
Expr simplify(const Expr& e) {
  auto g = api::common_graph({&e});
  return Expr(g, nabla::simplify(*g, api::node_of(*g, g, e)));
}

std::string to_string(const Expr& e) {
  auto g = api::common_graph({&e});
  return to_text(*g, api::node_of(*g, g, e));
}
std::string to_unicode(const Expr& e) {
  auto g = api::common_graph({&e});
  return nabla::to_unicode(*g, api::node_of(*g, g, e));
}
std::string to_latex(const Expr& e) {
  auto g = api::common_graph({&e});
  return nabla::to_latex(*g, api::node_of(*g, g, e));
}

CheckReport check(const Expr& lhs, const Expr& rhs) {
  auto g = api::common_graph({&lhs, &rhs});
  CheckResult r = check_equal(*g, api::node_of(*g, g, lhs), api::node_of(*g, g, rhs));
  CheckReport out;
  out.holds = r.holds;
  out.trials = r.trials;
  out.max_error = r.max_error;
  out.counterexample = r.counterexample;
  return out;
}

Eigen::MatrixXd eval(const Expr& e, const Values& values) {
  std::vector<const Expr*> all{&e};
  auto g = api::common_graph({&e});
  Bindings b;
  for (const auto& [var, value] : values) {
    if (var.is_literal() || var.graph() != g || g->node(var.id()).op != Op::Var)
      throw Error(ErrorKind::Value, "eval: every key must be a variable of the expression's graph");
    const Node& n = g->node(var.id());
    b.values[n.a] = value;
    // Symbolic dimensions are read off the values.
    auto bind = [&](Dim d, Eigen::Index size, const char* which) {
      if (!d.is_symbol()) {
        if (d.size() != size)
          throw Error(ErrorKind::Value, "eval: " + g->symbol(n.a).name + " has " +
                                            std::to_string(size) + " " + which + ", expected " +
                                            std::to_string(d.size()));
        return;
      }
      auto [it, fresh] = b.dims.emplace(d.symbol_index(), static_cast<int32_t>(size));
      if (!fresh && it->second != size)
        throw Error(ErrorKind::Value, "eval: dimension " + g->dims.name(d) + " is both " +
                                          std::to_string(it->second) + " and " +
                                          std::to_string(size));
    };
    bind(n.shape.rows, value.rows(), "rows");
    bind(n.shape.cols, value.cols(), "columns");
  }
  return evaluate(*g, api::node_of(*g, g, e), b);
}

double eval_scalar(const Expr& e, const Values& values) {
  Eigen::MatrixXd m = eval(e, values);
  if (m.size() != 1) throw Error(ErrorKind::Value, "eval_scalar: the value is not a scalar");
  return m(0, 0);
}

}  // namespace nabla
