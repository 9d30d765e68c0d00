#include "eval/patterns.h"

#include "ir/build.h"

namespace nabla {

bool is_const(const Graph& g, Id id, double v) {
  return g[id].op == Op::Const && const_value(g, id) == v;
}

Id strip_unit_scale(const Graph& g, Id id) {
  const Node& n = g[id];
  if (n.op != Op::Scale) return id;
  if (is_one(g, n.kids[0])) return n.kids[1];
  if (is_one(g, n.kids[1])) return n.kids[0];
  return id;
}

bool match_one_plus(const Graph& g, Id id, Id* rest) {
  const Node& n = g[id];
  if (n.op != Op::Add) return false;
  for (size_t i = 0; i < 2; ++i)
    if (is_ones(g, n.kids[i])) {
      *rest = n.kids[1 - i];
      return true;
    }
  return false;
}

bool match_one_plus_exp(const Graph& g, Id id, Id* u) {
  Id rest;
  if (!match_one_plus(g, id, &rest) || g[rest].op != Op::Exp) return false;
  *u = g[rest].kids[0];
  return true;
}

bool match_inverse_one_plus_exp(const Graph& g, Id id, Id* u) {
  const Node& n = g[id];
  return n.op == Op::Power && is_const(g, n.kids[1], -1.0) && match_one_plus_exp(g, n.kids[0], u);
}

bool match_exp_over_one_plus_exp(const Graph& g, const Node& n, Id* u) {
  for (size_t i = 0; i < 2; ++i) {
    Id e = n.kids[i], r = n.kids[1 - i];
    if (g[e].op == Op::Exp && match_inverse_one_plus_exp(g, r, u) && *u == g[e].kids[0])
      return true;
  }
  return false;
}

StableLog stable_log(const Graph& g, Id log_node) {
  Id kid = strip_unit_scale(g, g[log_node].kids[0]), u;
  if (match_one_plus_exp(g, kid, &u)) return {StableLog::Softplus, u};
  if (match_inverse_one_plus_exp(g, kid, &u)) return {StableLog::NegSoftplus, u};
  if (g[kid].op == Op::Sigmoid) return {StableLog::LogSigmoid, g[kid].kids[0]};
  if (g[kid].op == Op::Softmax) return {StableLog::LogSoftmax, g[kid].kids[0]};
  if (match_one_plus(g, kid, &u)) return {StableLog::Log1p, u};
  return {};
}

StableSigmoid stable_sigmoid(const Graph& g, Id id) {
  const Node& n = g[id];
  Id u;
  if ((n.op == Op::Scale || n.op == Op::Hadamard) && match_exp_over_one_plus_exp(g, n, &u))
    return {StableSigmoid::Sigmoid, u};
  if (match_inverse_one_plus_exp(g, id, &u)) return {StableSigmoid::SigmoidNeg, u};
  return {};
}

}  // namespace nabla
