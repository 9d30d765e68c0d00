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
  if (!steps) return false;
  if (shown < kMaxRuleLines) return true;
  ++hidden;
  return false;
}

void DiffSweep::step(const std::string& line) {
  if (!steps || logged.count(line)) return;
  if (!wants_step()) return;
  logged.insert(line);
  ++shown;
  steps->add(line);
}

void DiffSweep::site(const std::string& rule, Id y, const std::string& detail) {
  if (!steps || !wants_step()) return;
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

void VjpContext::accum(Id kid, Id contribution) {
  std::ptrdiff_t i = dependent_position(kid);
  if (i < 0) return;
  auto& slot = cot[static_cast<size_t>(i)];
  slot = diffalg::plus(g, slot, contribution);
}

int64_t variable_symbol(const Graph& g, Id var, const char* what) {
  if (var < 0 || static_cast<size_t>(var) >= g.size() || g[var].op != Op::Var)
    throw Error(ErrorKind::Usage, std::string(what) + " needs a variable to differentiate by");
  return g[var].a;
}

bool has_vjp_rule(Op op) {
  return vjp_table()[static_cast<size_t>(op)] != nullptr;
}
bool has_jvp_rule(Op op) {
  return jvp_table()[static_cast<size_t>(op)] != nullptr;
}
bool has_jacobian_rule(Op op) {
  return jacobian_table()[static_cast<size_t>(op)] != nullptr;
}
VjpRule vjp_rule(Op op) {
  return rule_of(vjp_table(), op, "reverse-mode");
}
JvpRule jvp_rule(Op op) {
  return rule_of(jvp_table(), op, "forward-mode");
}
JacobianRule jacobian_rule(Op op) {
  return rule_of(jacobian_table(), op, "Jacobian");
}

void no_rule(const char* mode, Op op) {
  throw Error(ErrorKind::Internal,
              std::string("no ") + mode + " rule for " + std::string(op_name(op)) +
                  (is_query_op(op) ? " (queries are expanded before differentiation)" : ""));
}

}  // namespace nabla
