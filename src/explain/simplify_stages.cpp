// The simplification of a derivation's last expansion line, as the identities a reader would
// name: one line per stage, never the simplifier's pass names. Bookkeeping (double transposes,
// I*M = M, reordering) is folded into the line it serves.
#include <algorithm>
#include <map>

#include "explain/rewrite.h"
#include "explain/rule_method.h"
#include "print/print.h"

namespace nabla::explain {

namespace {

// The simplifier's rule names (simplify/rules.cpp) as a reader names the identity; "" for
// bookkeeping that is folded into the line it serves.
std::string reader_name(const std::string& rule) {
  static const std::map<std::string, std::string> names{
      {"factor common left factor", "common factor"},
      {"factor common right factor", "common factor"},
      {"factor common scalar", "common factor"},
      {"collect like terms", "collect like terms"},
      {"collect powers", "u^a*u^b = u^(a + b)"},
      {"collect scalar factors", ""},
      {"distribute over sum", "distribute"},
      {"trace of product rotation", "tr(A*B) = tr(B*A)"},
      {"transpose of product", "(A*B)' = B'*A'"},
      {"transpose of sum", "(A + B)' = A' + B'"},
      {"exp of log", "exp(log(u)) = u"},
      {"log of exp", "log(exp(u)) = u"},
      {"log of one", "log(1) = 0"},
      {"norm from square root", "sqrt(x'*x) = norm2(x)"},
      {"determinant rules", "det(A*B) = det(A)*det(B)"},
      {"inverse rules", "inv(A)*A = I"},
      {"product with zero", ""},
      {"product with identity", ""},
      {"double transpose", ""},
      {"associate product", ""},
      {"orient scalar product", ""},
      {"scalar out of product", ""},
      {"scalar out of transpose", ""},
      {"scalar out of reduction", ""},
      {"transpose out of product", ""},
      {"transpose out of sum", ""},
      {"power one", ""},
      {"power zero", ""},
      {"constant out of sum", ""},
  };
  auto it = names.find(rule);
  return it == names.end() ? rule : it->second;
}

size_t count_op(const Graph& g, Id root, Op op) {
  size_t n = 0;
  for (Id id : reachable(g, root)) n += g[id].op == op;
  return n;
}

void push_unique(std::vector<std::string>& v, const std::string& s) {
  if (!s.empty() && std::find(v.begin(), v.end(), s) == v.end()) v.push_back(s);
}

// The identities that lead from `before` to `after`, as the reader names them.
std::string stage_name(const Graph& g, Id before, Id after, const std::vector<std::string>& rules,
                       bool all) {
  std::vector<std::string> out;
  if (count_op(g, after, Op::Sigmoid) > count_op(g, before, Op::Sigmoid))
    push_unique(out, "the logistic function");
  if (count_op(g, after, Op::Softplus) > count_op(g, before, Op::Softplus))
    push_unique(out, "log(1 + exp(u)) = softplus(u)");
  // a recognized function says it all; otherwise the identities used
  if (out.empty() || all)
    for (const std::string& r : rules) push_unique(out, all ? r : reader_name(r));
  if (out.empty()) return "simplify";
  std::string s;
  for (const std::string& r : out) s += (s.empty() ? "" : ", ") + r;
  return s;
}

}  // namespace

void simplify_stages(Graph& g, Derivation& d, bool all) {
  Id last = d.lines.empty() ? d.query : d.lines.back().expr;
  if (last == d.result) return;
  Id collected = collect_scalar_factors(g, last);
  std::vector<std::string> rules;
  simplify_named(g, collected, &rules);
  const std::string last_text = to_text(g, last);
  // shown when it makes the line shorter (numbers multiplied, the sign in front); a mere
  // reordering is not a step
  if (collected != last && collected != d.result &&
      to_text(g, collected).size() <= last_text.size()) {
    ChainLine line;
    line.expr = collected;
    line.rule = "collect the scalar factors";
    d.lines.push_back(std::move(line));
    last = collected;
  }
  if (to_text(g, d.result) == to_text(g, last)) return;  // the same line, reordered inside
  ChainLine line;
  line.expr = d.result;
  line.rule = stage_name(g, last, d.result, rules, all);
  if (line.rule.rfind("the logistic function", 0) == 0) {
    Fact f;
    f.shown = {"exp(-u)/(1 + exp(-u)) = sigmoid(-u)", "e⁻ᵘ/(1 + e⁻ᵘ) = σ(−u)",
               "\\frac{e^{-u}}{1 + e^{-u}} = \\sigma(-u)"};
    line.facts.push_back(f);
  }
  d.lines.push_back(std::move(line));
}

}  // namespace nabla::explain
