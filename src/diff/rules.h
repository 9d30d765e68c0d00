#pragma once
#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#include "ir/build.h"
#include "ir/graph.h"
#include "ir/steps.h"

namespace nabla {

// State shared by every sweep: the graph, the variable, the nodes reachable from the root and
// which of them depend on the variable (computed once, forward over ids) and the step log (each
// distinct rule line is logged once, in order). Per-node state is kept by position in `order`,
// so a sweep costs what the root's DAG holds, not the whole graph below the root's id.
struct DiffSweep {
  DiffSweep(Graph& graph, Id root, int64_t var_symbol, StepLog* log);
  Graph& g;
  int64_t var;
  std::vector<Id> order;  // the nodes reachable from the root, in increasing id order
  std::vector<char> dep;  // dep[i]: order[i] depends on the variable
  StepLog* steps;
  std::unordered_set<std::string> logged;

  // --steps: at most kMaxRuleLines rule lines per sweep; finish() reports how many were left out.
  static constexpr size_t kMaxRuleLines = 40;
  size_t shown = 0;
  size_t hidden = 0;

  // Position of id in order, or -1 when the root does not reach it.
  std::ptrdiff_t position(Id id) const;
  // Position of id in order when it depends on the variable, else -1.
  std::ptrdiff_t dependent_position(Id id) const {
    std::ptrdiff_t i = position(id);
    return i >= 0 && dep[static_cast<size_t>(i)] ? i : -1;
  }
  bool depends(Id id) const { return dependent_position(id) >= 0; }
  // True when a step line would be printed (someone listens and the cap is not reached); counts
  // the line as hidden otherwise. Lets rules skip building text nobody reads.
  bool wants_step();
  void step(const std::string& line);
  // One rule application site: "RULE on TEXT(y): DETAIL", y printed with to_text.
  void site(const std::string& rule, Id y, const std::string& detail);
  // to_text of a node, shortened to about 80 characters.
  std::string text(Id id) const;
  // Adds "... N more rule applications" when the cap hid some.
  void finish();
  // Logs a site line, building the detail text only when it will be shown.
  template <class F>
  void note(const std::string& rule, Id y, F detail) {
    if (wants_step()) site(rule, y, detail());
  }
  // Nodes whose rule line an enclosing line already covers (inner sums, tr(X*A)'s product).
  std::unordered_set<Id> quiet;

  // grad's step lines read from the root down, as a reverse sweep applies the rules: the
  // forward sweep runs silent (no line, no text built), then re-runs the rules of the nodes
  // root first until kMaxRuleLines lines are shown (hash-consing makes the re-run build
  // nothing new); a rule may quieten its children before they run again.
  bool root_first = false;
  bool silent = false;
};

// Whether id depends on the sweep's variable (a plain function, for diff/differentials.h).
inline bool depends_on_variable(const DiffSweep& c, Id id) {
  return c.depends(id);
}

// A rule table with `leaf` (nothing to propagate) for every leaf op of ops.def.
template <class Rule>
std::array<Rule, kOpCount> leaf_table(Rule leaf) {
  std::array<Rule, kOpCount> t{};
  for (Op op : kAllOps)
    if (is_leaf_op(op)) t[static_cast<size_t>(op)] = leaf;
  return t;
}

// A rule table filled once by Make.
template <class Rule, std::array<Rule, kOpCount> (*Make)()>
const std::array<Rule, kOpCount>& cached_table() {
  static const std::array<Rule, kOpCount> t = Make();
  return t;
}

// The rule of op in a table indexed by Op; throws Error(Internal) naming the mode when there is
// none (queries: "expanded before differentiation").
[[noreturn]] void no_rule(const char* mode, Op op);
template <class Rule, size_t N>
Rule rule_of(const std::array<Rule, N>& table, Op op, const char* mode) {
  Rule r = table[static_cast<size_t>(op)];
  if (!r) no_rule(mode, op);
  return r;
}

// a + b with an absent summand meaning zero.
inline std::optional<Id> sum_opt(Graph& g, std::optional<Id> a, std::optional<Id> b) {
  if (!a) return b;
  if (!b) return a;
  return add(g, *a, *b);
}

// A differential's sum over its terms (diff/differentials.h): for each term
// whose argument has a tangent d, term(t, d).
template <class Context, class Terms, class Term>
std::optional<Id> sum_of_terms(Context& c, Id y, const Terms& terms, Term term) {
  std::optional<Id> r;
  for (const auto& t : terms)
    if (std::optional<Id> d = c.t(c.g[y].kids[t.arg])) r = sum_opt(c.g, r, term(t, *d));
  return r;
}

// A bilinear op (Scale, MatMul, Hadamard, Kron) in a linear expression has one tangent side, the
// other being a coefficient; throws Error(Internal) when both sides depend on the tangent.
void one_tangent_side(const DiffSweep& c, Id y);

// The transpose sweep (diff/grad.cpp): over the DAG of a linear expression dy(dX) (the JVP of
// e with the placeholder tangent dX as its variable), in decreasing id order, G is the cotangent
// of node y (same shape as y); a rule adds each child's contribution with accum(). Only the
// linear ops (Linear and Bilinear in ops.def, the latter with one tangent side) have a rule.
struct TransposeContext : DiffSweep {
  using DiffSweep::DiffSweep;
  std::vector<std::optional<Id>> cot;  // by position in order: the cotangent; absent means zero
  void accum(Id kid, Id contribution);
};
using TransposeRule = void (*)(TransposeContext& c, Id y, Id G);
const std::array<TransposeRule, kOpCount>& transpose_table();  // transpose_rules.cpp
bool has_transpose_rule(Op op);
TransposeRule transpose_rule(Op op);  // throws Error(Internal) for ops that are not linear

// State of a forward sweep: the tangent of each node (by position in order; absent means zero),
// filled children first by sweep_forward().
struct ForwardSweep : DiffSweep {
  using DiffSweep::DiffSweep;
  std::vector<std::optional<Id>> tan;
  std::optional<Id> t(Id id) const {
    std::ptrdiff_t i = dependent_position(id);
    return i >= 0 ? tan[static_cast<size_t>(i)] : std::nullopt;
  }
  // One pass in increasing id order: the variable's tangent is `seed`; a node none of whose
  // children has a tangent has none; every other node's comes from rule(op)(*this, id).
  // Returns the root's tangent (absent: zero).
  template <class Context, class RuleOf>
  static std::optional<Id> sweep_forward(Context& c, Id seed, RuleOf rule) {
    c.tan.assign(c.order.size(), std::nullopt);
    c.silent = c.root_first && c.steps;
    for (size_t i = 0; i < c.order.size(); ++i) {
      if (!c.dep[i]) continue;
      const Id id = c.order[i];
      const Node& n = c.g[id];
      if (n.op == Op::Var) {
        c.tan[i] = seed;
        continue;
      }
      bool any = false;
      for (Id k : n.kids) any = any || c.t(k).has_value();
      if (any) c.tan[i] = rule(n.op)(c, id);
    }
    if (c.silent) {
      c.silent = false;
      for (size_t i = c.order.size(); i-- > 0;) {
        if (!c.dep[i] || !c.tan[i] || c.g[c.order[i]].op == Op::Var) continue;
        if (c.shown >= kMaxRuleLines)
          ++c.hidden;
        else
          rule(c.g[c.order[i]].op)(c, c.order[i]);
      }
    }
    c.finish();
    return c.tan.empty() ? std::nullopt : c.tan.back();  // the root is last in its own order
  }
};

// The differential dy of each node (diff/jvp_rules.cpp), the tangent having the node's shape:
// w.r.t. a scalar t (derivative) or, for grad, w.r.t. the placeholder dX (the tangent is then a
// linear expression in dX, transposed by the transpose sweep).
struct JvpContext : ForwardSweep {
  using ForwardSweep::ForwardSweep;
  // How the differential will be read. Where it has two written forms, the rule picks the one
  // that identification reads naturally: as a linear map of dX (grad transposes it, jacobian
  // vectorizes it), a scalar-valued op's differential is <D, dX>, whose transpose is D and whose
  // Jacobian is vec(D)', instead of its textbook form (tr(inv(X) dX)), and a weight follows the
  // tangent (du .* w: transposed, the cotangent comes first, G .* w); vectorized, softmax's is
  // its matrix form (diag(s) - s*s') du, whose Jacobian is the matrix.
  enum class Reading { Applied, Transposed, Vectorized };
  Reading reading = Reading::Applied;
  bool as_linear_map() const { return reading != Reading::Applied; }
};
using JvpRule = std::optional<Id> (*)(JvpContext& c, Id y);
const std::array<JvpRule, kOpCount>& jvp_table();  // jvp_rules.cpp
bool has_jvp_rule(Op op);
JvpRule jvp_rule(Op op);

// The vectorize sweep (diff/jacobian.cpp): forward over the DAG of a linear expression dy(dX),
// node y gets J(y) = d vec(y)/d vec(dX)', len(vec(y)) x n, for a placeholder dX with n entries
// (vec(dX) of a matrix). Only the linear ops have a rule (vectorize_rules.cpp).
struct JacobianContext : ForwardSweep {
  using ForwardSweep::ForwardSweep;
  Dim n = Dim::fixed(1);
};
using JacobianRule = std::optional<Id> (*)(JacobianContext& c, Id y);
const std::array<JacobianRule, kOpCount>& jacobian_table();  // vectorize_rules.cpp
bool has_jacobian_rule(Op op);
JacobianRule jacobian_rule(Op op);  // throws Error(Internal) for ops that are not linear

// The placeholder tangent dX of variable symbol `sym`: a variable of its shape whose name no user
// can write, declared once per graph and variable.
Id placeholder_tangent(Graph& g, int64_t sym);

// The variable symbol of a Var node (throws Error(Usage) for anything else).
int64_t variable_symbol(const Graph& g, Id var, const char* what);

}  // namespace nabla
