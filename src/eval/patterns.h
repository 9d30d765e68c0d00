#pragma once
// Structural recognizers for spellings that overflow when evaluated literally
// (log(1 + exp(u)), (1 + exp(u))^-1, exp(u)/(1 + exp(u))). The interpreter (eval_rules.cpp)
// and the compiled plans (plan.cpp) both evaluate them through the stable forms.
#include "ir/graph.h"

namespace nabla {

// A Const whose value is v.
bool is_const(const Graph& g, Id id, double v);
// 1 (the constant) or a ones(...) node.
bool is_one(const Graph& g, Id id);
// 1 * e or e * 1 (what `1/e` builds: Scale(e^-1, 1)) is e; anything else is itself.
Id strip_unit_scale(const Graph& g, Id id);
// 1 + e or e + 1: sets *rest = e.
bool match_one_plus(const Graph& g, Id id, Id* rest);
// 1 + exp(u) in either order: sets *u.
bool match_one_plus_exp(const Graph& g, Id id, Id* u);
// (1 + exp(u))^-1: sets *u.
bool match_inverse_one_plus_exp(const Graph& g, Id id, Id* u);
// e^u (1 + e^u)^-1 with the factors in either order (Scale or Hadamard node n): sets *u.
bool match_exp_over_one_plus_exp(const Graph& g, const Node& n, Id* u);

}  // namespace nabla
