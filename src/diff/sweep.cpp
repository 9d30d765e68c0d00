#include "diff/rules.h"

#include <algorithm>

#include "diff/algebra.h"
#include "ir/build.h"
#include "ir/error.h"
#include "print/print.h"

namespace nabla {

DiffSweep::DiffSweep(Graph& graph, Id root, int64_t var_symbol, StepLog* log)
    : g(graph), var(var_symbol), order(reachable(graph, root)), dep(order.size(), 0), steps(log) {
  // One ascending pass propagates the dependency (children precede parents).
  for (size_t i = 0; i < order.size(); ++i) {
    const Node& n = g[order[i]];
    if (n.op == Op::Var) {
      dep[i] = n.a == var;
      continue;
    }
    for (Id k : n.kids)
      if (depends(k)) {
        dep[i] = 1;
        break;
      }
  }
}

std::ptrdiff_t DiffSweep::position(Id id) const {
  auto it = std::lower_bound(order.begin(), order.end(), id);
  return it != order.end() && *it == id ? it - order.begin() : -1;
}

bool DiffSweep::wants_step() {
  if (!steps || silent) return false;
  if (shown < kMaxRuleLines) return true;
  ++hidden;
  return false;
}

void DiffSweep::step(const std::string& line) {
  if (!steps || silent || logged.count(line)) return;
  if (!wants_step()) return;
  logged.insert(line);
  ++shown;
  steps->add(line);
}

void DiffSweep::site(const std::string& rule, Id y, const std::string& detail) {
  if (!steps || quiet.count(y) || !wants_step()) return;
  step(rule + " on " + text(y) + (detail.empty() ? "" : ": " + detail));
}

std::string DiffSweep::text(Id id) const {
  constexpr size_t kMaxChars = 80;
  std::string s = to_text(g, id);
  if (s.size() > kMaxChars) s = s.substr(0, kMaxChars - 3) + "...";
  return s;
}

void DiffSweep::finish() {
  if (steps && hidden > 0) steps->add("... " + std::to_string(hidden) + " more rule applications");
  hidden = 0;
}

void TransposeContext::accum(Id kid, Id contribution) {
  std::ptrdiff_t i = dependent_position(kid);
  if (i < 0) return;
  auto& slot = cot[static_cast<size_t>(i)];
  slot = diffalg::plus(g, slot, contribution);
}

Id placeholder_tangent(Graph& g, int64_t sym) {
  const Symbol& x = g.symbol(sym);
  const std::string name = "d" + x.name + "#" + std::to_string(sym);
  for (size_t i = g.symbol_count(); i-- > 0;) {
    const Symbol& s = g.symbol(static_cast<int64_t>(i));
    if (s.name == name && s.kind == SymbolKind::Variable && s.shape == x.shape)
      return variable(g, static_cast<int32_t>(i));
  }
  const Shape shape = x.shape;  // declare_variable may move the symbols
  return variable(g, g.declare_variable(name, shape));
}

void one_tangent_side(const DiffSweep& c, Id y) {
  const Node& n = c.g[y];
  if (c.depends(n.kids[0]) && c.depends(n.kids[1]))
    throw Error(ErrorKind::Internal, "the differential is not linear: " +
                                         std::string(op_name(n.op)) + " of two tangents");
}

int64_t variable_symbol(const Graph& g, Id var, const char* what) {
  if (var < 0 || static_cast<size_t>(var) >= g.size() || g[var].op != Op::Var)
    throw Error(ErrorKind::Usage, std::string(what) + " needs a variable to differentiate by");
  return g[var].a;
}

bool has_transpose_rule(Op op) {
  return transpose_table()[static_cast<size_t>(op)] != nullptr;
}
bool has_jvp_rule(Op op) {
  return jvp_table()[static_cast<size_t>(op)] != nullptr;
}
bool has_jacobian_rule(Op op) {
  return jacobian_table()[static_cast<size_t>(op)] != nullptr;
}
TransposeRule transpose_rule(Op op) {
  return rule_of(transpose_table(), op, "transpose");
}
JvpRule jvp_rule(Op op) {
  return rule_of(jvp_table(), op, "forward-mode");
}
JacobianRule jacobian_rule(Op op) {
  return rule_of(jacobian_table(), op, "vectorize");
}

void no_rule(const char* mode, Op op) {
  throw Error(ErrorKind::Internal,
              std::string("no ") + mode + " rule for " + std::string(op_name(op)) +
                  (is_query_op(op) ? " (queries are expanded before differentiation)" : ""));
}

}  // namespace nabla
