#pragma once
// Structural recognizers for spellings that overflow when evaluated literally
// (log(1 + exp(u)), (1 + exp(u))^-1, exp(u)/(1 + exp(u)), log(softmax(u))). The interpreter
// (eval_rules.cpp), the compiled plans (plan_kernels.cpp) and both code generators evaluate them
// through the stable kernels of eval/kernels.h.
#include "ir/graph.h"

namespace nabla {

// A Const whose value is v.
bool is_const(const Graph& g, Id id, double v);
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

// The stable kernel that computes the Log node `log_node` from u, where its argument's spelling
// calls for one: log(1 + e^u) = softplus(u), log((1 + e^u)^-1) = -softplus(u),
// log(sigmoid(u)) = log_sigmoid(u) = -softplus(-u), log(1 + u) = log1p(u),
// log(softmax(u)) = log_softmax(u) (a 1/e or 1*e around the argument counts as e).
struct StableLog {
  enum Kind { None, Softplus, NegSoftplus, LogSigmoid, Log1p, LogSoftmax } kind = None;
  Id u = kNoId;
};
StableLog stable_log(const Graph& g, Id log_node);

// The sigmoid that a Scale, Hadamard or Power node spells: e^u (1 + e^u)^-1 = sigmoid(u),
// (1 + e^u)^-1 = sigmoid(-u).
struct StableSigmoid {
  enum Kind { None, Sigmoid, SigmoidNeg } kind = None;
  Id u = kNoId;
};
StableSigmoid stable_sigmoid(const Graph& g, Id id);

}  // namespace nabla
