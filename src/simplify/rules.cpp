// The simplifier's rules: named data with guards, one function each, each stating its math.
// Every rule is an identity valid for all shapes and values where both sides are defined.
#include "simplify/rules.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "ir/error.h"
#include "ir/functions.h"
#include "simplify/normal_form.h"

namespace nabla::simp {
namespace {

const Num kOne = Num::integer(1);

bool const_is(const Graph& g, Id id, int64_t v) {
  Num n;
  return as_num(g, id, &n) && same(n, Num::integer(v));
}

// ============================================================================ leaves

// zeros(1x1) = 0
Id scalar_zeros(Ctx& c, Id id) {
  return c.g[id].shape.is_scalar() ? integer(c.g, 0) : kNoId;
}
// ones(1x1) = 1
Id scalar_ones(Ctx& c, Id id) {
  return c.g[id].shape.is_scalar() ? integer(c.g, 1) : kNoId;
}
// I (1x1) = 1
Id scalar_identity(Ctx& c, Id id) {
  return c.g[id].shape.is_scalar() ? integer(c.g, 1) : kNoId;
}

// ============================================================================ sums

// a + b + a = 2*a + b, x + 0 = x, c*(a + b) = c*a + c*b; terms in canonical order
Id collect_sum(Ctx& c, Id id) {
  return build_sum(c, flatten_sum(c, id), c.g[id].shape);
}

// k - k*sigmoid(u) = k*sigmoid(-u)
Id one_minus_sigmoid(Ctx& c, Id id) {
  Graph& g = c.g;
  std::vector<Term> terms = flatten_sum(c, id);
  for (size_t i = 0; i < terms.size(); ++i) {
    if (!is_ones(g, terms[i].term)) continue;
    for (size_t j = 0; j < terms.size(); ++j) {
      c.tick();
      if (g[terms[j].term].op != Op::Sigmoid || !same(terms[j].coeff, -terms[i].coeff)) continue;
      Id u = g[terms[j].term].kids[0];
      terms[i].term = unary(g, Op::Sigmoid, negate(g, u));
      terms.erase(terms.begin() + static_cast<std::ptrdiff_t>(j));
      return build_sum(c, terms, g[id].shape);
    }
  }
  return kNoId;
}

// A factored candidate replaces id only when it prints strictly shorter: x - 2*x*s stays, as
// x*(1 - 2*s) is no shorter; A*x + B*x = (A + B)*x is.
bool shorter(Ctx& c, Id candidate, Id id) {
  return c.tokens(candidate) < c.tokens(id);
}

// The sum of a factored form, with 1 - sigmoid(u) = sigmoid(-u) already applied.
Id inner_sum(Ctx& c, const std::vector<Term>& terms, Shape shape) {
  Id sum = build_sum(c, terms, shape);
  if (c.g[sum].op != Op::Add) return sum;
  Id tidy = one_minus_sigmoid(c, sum);
  return tidy == kNoId ? sum : tidy;
}

// Splits a term into (scalar multiplier or kNoId, matrix-product chain).
struct ChainTerm {
  Id scalar = kNoId;
  std::vector<Id> chain;
};
ChainTerm chain_of(Ctx& c, Id term) {
  Graph& g = c.g;
  ChainTerm out;
  Id core = term;
  if (g[term].op == Op::Scale && g[g[term].kids[1]].op == Op::MatMul) {
    out.scalar = g[term].kids[0];
    core = g[term].kids[1];
  }
  if (g[core].op == Op::MatMul) out.chain = flatten_chain(c, core);
  return out;
}

Id chain_part(Graph& g, const ChainTerm& t, size_t begin, size_t end) {
  std::vector<Id> part(t.chain.begin() + static_cast<std::ptrdiff_t>(begin),
                       t.chain.begin() + static_cast<std::ptrdiff_t>(end));
  Id out = build_chain(g, part);
  return t.scalar == kNoId ? out : scale(g, t.scalar, out);
}

// Factors a shared first (left == true) or last factor out of two or more terms, when that
// prints shorter.
Id factor_chains(Ctx& c, Id id, bool left) {
  Graph& g = c.g;
  std::vector<Term> terms = flatten_sum(c, id);
  std::vector<ChainTerm> chains;
  std::map<Id, std::vector<size_t>> groups;
  for (size_t i = 0; i < terms.size(); ++i) {
    c.tick();
    chains.push_back(chain_of(c, terms[i].term));
    const auto& ch = chains.back().chain;
    if (ch.size() >= 2) groups[left ? ch.front() : ch.back()].push_back(i);
  }
  for (const auto& [shared, members] : groups) {
    if (members.size() < 2) continue;
    std::vector<Term> inner;
    for (size_t i : members) {
      c.tick();
      const ChainTerm& t = chains[i];
      Id rest =
          left ? chain_part(g, t, 1, t.chain.size()) : chain_part(g, t, 0, t.chain.size() - 1);
      inner.push_back({terms[i].coeff, rest});
    }
    Shape inner_shape = g[inner.front().term].shape;
    Id sum = inner_sum(c, inner, inner_shape);
    Id factored = left ? matmul(g, shared, sum) : matmul(g, sum, shared);
    std::vector<Term> out;
    std::vector<bool> member(terms.size(), false);
    for (size_t i : members) member[i] = true;
    for (size_t i = 0; i < terms.size(); ++i) {
      c.tick();
      if (!member[i]) out.push_back(terms[i]);
    }
    out.push_back({kOne, factored});
    Id result = build_sum(c, out, g[id].shape);
    if (shorter(c, result, id)) return result;
  }
  return kNoId;
}

// A*x + B*x = (A + B)*x
Id factor_right(Ctx& c, Id id) {
  return factor_chains(c, id, false);
}
// A*x + A*y = A*(x + y)
Id factor_left(Ctx& c, Id id) {
  return factor_chains(c, id, true);
}

// s*X + t*X + k*X = (s + t + k)*X  and  s*X + s*Y = s*(X + Y), for scalar s, t, when that
// prints shorter
Id factor_scalar(Ctx& c, Id id) {
  Graph& g = c.g;
  std::vector<Term> terms = flatten_sum(c, id);
  for (int side = 1; side >= 0; --side) {
    // side 1: group Scale(s, X) by X; side 0: group by s
    std::map<Id, std::vector<size_t>> groups;
    for (size_t i = 0; i < terms.size(); ++i) {
      c.tick();
      const Node& n = g[terms[i].term];
      Num k;
      if (n.op == Op::Scale && !as_num(g, n.kids[0], &k))
        groups[n.kids[static_cast<size_t>(side)]].push_back(i);
    }
    for (const auto& [shared, members] : groups) {
      std::vector<size_t> used = members;
      std::vector<Term> inner;
      for (size_t i : members) {
        c.tick();
        inner.push_back({terms[i].coeff, g[terms[i].term].kids[static_cast<size_t>(1 - side)]});
      }
      if (side == 1)
        for (size_t i = 0; i < terms.size(); ++i) {
          c.tick();
          if (terms[i].term == shared) {
            inner.push_back({terms[i].coeff, integer(g, 1)});  // X = 1*X
            used.push_back(i);
          }
        }
      if (used.size() < 2) continue;
      Id sum = inner_sum(c, inner, g[inner.front().term].shape);
      Id factored = side == 1 ? scale(g, sum, shared) : scale(g, shared, sum);
      std::vector<bool> is_used(terms.size(), false);
      for (size_t i : used) is_used[i] = true;
      std::vector<Term> out;
      for (size_t i = 0; i < terms.size(); ++i) {
        c.tick();
        if (!is_used[i]) out.push_back(terms[i]);
      }
      out.push_back({kOne, factored});
      Id result = build_sum(c, out, g[id].shape);
      if (shorter(c, result, id)) return result;
    }
  }
  return kNoId;
}

// A' + B' = (A + B)' when that is shorter
Id fold_sum_transpose(Ctx& c, Id id) {
  Graph& g = c.g;
  if (g[id].shape.is_scalar()) return kNoId;
  std::vector<Term> terms = flatten_sum(c, id);
  int cost = 0;
  for (const Term& t : terms) cost += c.transpose_cost(t.term);
  if (1 + cost >= 0) return kNoId;
  for (Term& t : terms) t.term = transpose_of(c, t.term);
  return transpose(g, build_sum(c, terms, g[id].shape.transposed()));
}

// ============================================================================ scaling

// If x is a sum whose coefficients share a constant g, returns g and x/g.
bool sum_content_of(Ctx& c, Id x, Num* content, Id* rest) {
  Graph& g = c.g;
  if (g[x].op != Op::Add) return false;
  std::vector<Term> terms = flatten_sum(c, x);
  Num k = sum_content(c, terms);
  if (k.is_one()) return false;
  Num inv = Num::of(*reciprocal(k.r));
  for (Term& t : terms) t.coeff = t.coeff * inv;
  *content = k;
  *rest = build_sum(c, terms, g[x].shape);
  return true;
}

// s*(t*X) = (s t)*X; 1*X = X; 0*X = 0; c1*(c2*X) = (c1 c2)*X; x^a*x^b = x^(a+b);
// exp(u)/(1 + exp(u)) = sigmoid(u); exp(x)/sum(exp(x)) = softmax(x)
Id scale_normal_form(Ctx& c, Id id) {
  Graph& g = c.g;
  Monomial m = flatten_scale(c, id);
  if (recognize_sigmoid(c, m.factors)) combine_factors(c, m.factors);
  if (m.core != kNoId && g[m.core].op == Op::Exp && g[m.core].shape.is_column()) {
    Id total = unary(g, Op::Sum, m.core);
    auto it = std::find_if(m.factors.begin(), m.factors.end(), [&](const Factor& f) {
      return f.base == total && same(f.exp, Num::integer(-1));
    });
    if (it != m.factors.end()) {
      m.factors.erase(it);
      m.core = unary(g, Op::Softmax, g[m.core].kids[0]);
    }
  }
  return build_monomial(c, m, g[id].shape);
}

// s*(g*a + g*b) = (g s)*(a + b) for a constant g
Id scale_sum_content(Ctx& c, Id id) {
  Graph& g = c.g;
  Num k;
  Id rest;
  if (!sum_content_of(c, g[id].kids[1], &k, &rest)) return kNoId;
  return scaled(g, k, scale(g, g[id].kids[0], rest));
}

// s*(a + b) = s*a + s*b (likewise (a + b)*X) when that prints no longer: x*(1 - 2*t) = x - 2*x*t
Id scale_distribute(Ctx& c, Id id) {
  Graph& g = c.g;
  Id s = g[id].kids[0], x = g[id].kids[1];
  Num k;
  if (as_num(g, s, &k)) return kNoId;  // constants are distributed by collect like terms
  bool sum_right = g[x].op == Op::Add;
  if (!sum_right && g[s].op != Op::Add) return kNoId;
  Id other = sum_right ? s : x;
  std::vector<Term> terms = flatten_sum(c, sum_right ? x : s);
  std::vector<Term> out;
  for (const Term& t : terms) {
    Id prod = sum_right ? scale(g, other, t.term) : scale(g, t.term, other);
    Monomial m = flatten_scale(c, prod);
    if (m.zero || m.coeff.is_zero()) continue;
    Num coeff = t.coeff * m.coeff;
    m.coeff = kOne;
    out.push_back({coeff, build_monomial(c, m, g[prod].shape)});
  }
  combine_like_terms(out);
  Id result = build_sum(c, out, g[id].shape);
  return c.tokens(result) <= c.tokens(id) ? result : kNoId;
}

// ============================================================================ matrix products

// 0*A = A*0 = 0
Id matmul_zero(Ctx& c, Id id) {
  Graph& g = c.g;
  const Node& n = g[id];
  return is_zero(g, n.kids[0]) || is_zero(g, n.kids[1]) ? zeros(g, n.shape) : kNoId;
}

// I*A = A*I = A
Id matmul_identity(Ctx& c, Id id) {
  Graph& g = c.g;
  const Node& n = g[id];
  if (g[n.kids[0]].op == Op::Identity) return n.kids[1];
  if (g[n.kids[1]].op == Op::Identity) return n.kids[0];
  return kNoId;
}

// (s A)*B = A*(s B) = s (A*B)
Id matmul_scalar_out(Ctx& c, Id id) {
  Graph& g = c.g;
  Id a = g[id].kids[0], b = g[id].kids[1];
  if (g[a].op == Op::Scale) return scale(g, g[a].kids[0], matmul(g, g[a].kids[1], b));
  if (g[b].op == Op::Scale) return scale(g, g[b].kids[0], matmul(g, a, g[b].kids[1]));
  return kNoId;
}

// (k a + k b)*C = k (a + b)*C, likewise on the right
Id matmul_sum_content(Ctx& c, Id id) {
  Graph& g = c.g;
  Id a = g[id].kids[0], b = g[id].kids[1];
  Num k;
  Id rest;
  if (sum_content_of(c, a, &k, &rest)) return scaled(g, k, matmul(g, rest, b));
  if (sum_content_of(c, b, &k, &rest)) return scaled(g, k, matmul(g, a, rest));
  return kNoId;
}

// A*(B*C) = (A*B)*C: one left-associated chain
Id matmul_associate(Ctx& c, Id id) {
  return build_chain(c.g, flatten_chain(c, id));
}

std::vector<Id> transposed_chain(Ctx& c, const std::vector<Id>& chain) {
  std::vector<Id> out;
  for (auto it = chain.rbegin(); it != chain.rend(); ++it) out.push_back(transpose_of(c, *it));
  return out;
}

// B1'*B2'*...*Bk' = (Bk*...*B1)' when that is shorter
Id matmul_fold_transpose(Ctx& c, Id id) {
  Graph& g = c.g;
  if (g[id].shape.is_scalar()) return kNoId;
  std::vector<Id> chain = flatten_chain(c, id);
  int cost = 0;
  for (Id f : chain) cost += c.transpose_cost(f);
  if (1 + cost >= 0) return kNoId;
  return transpose(g, build_chain(g, transposed_chain(c, chain)));
}

// u'*v = (u'*v)' = v'*u for a 1x1 product: the shorter, then the structurally smaller, of the two;
// for two vector variables the orientation written in the input, if only one was
Id matmul_scalar_orientation(Ctx& c, Id id) {
  Graph& g = c.g;
  if (!g[id].shape.is_scalar()) return kNoId;
  int64_t u, v;
  if (plain_vector_product(g, id, &u, &v)) {
    if (c.written(u, v)) return kNoId;
    if (c.written(v, u)) return matmul(g, transpose(g, g[id].kids[1]), g[g[id].kids[0]].kids[0]);
  }
  std::vector<Id> chain = flatten_chain(c, id);
  int cost = 0;
  for (Id f : chain) cost += c.transpose_cost(f);
  if (cost > 0) return kNoId;
  std::vector<Id> alt = transposed_chain(c, chain);
  if (cost == 0) {
    int cmp = 0;
    for (size_t i = 0; i < chain.size() && cmp == 0; ++i) cmp = c.compare(alt[i], chain[i]);
    if (cmp >= 0) return kNoId;
  }
  return build_chain(g, alt);
}

// ============================================================================ entry-wise products

// 0 .* A = 0
Id hadamard_zero(Ctx& c, Id id) {
  Graph& g = c.g;
  const Node& n = g[id];
  return is_zero(g, n.kids[0]) || is_zero(g, n.kids[1]) ? zeros(g, n.shape) : kNoId;
}

// (s A) .* B = A .* (s B) = s (A .* B)
Id hadamard_scalar_out(Ctx& c, Id id) {
  Graph& g = c.g;
  Id a = g[id].kids[0], b = g[id].kids[1];
  if (g[a].op == Op::Scale) return scale(g, g[a].kids[0], hadamard(g, g[a].kids[1], b));
  if (g[b].op == Op::Scale) return scale(g, g[b].kids[0], hadamard(g, a, g[b].kids[1]));
  return kNoId;
}

// ones .* A = A; A .* A = A.^2; exp(u) .* (1 + exp(u)).^-1 = sigmoid(u); canonical order
Id hadamard_normal_form(Ctx& c, Id id) {
  Monomial m = flatten_hadamard(c, id);
  if (recognize_sigmoid(c, m.factors)) combine_factors(c, m.factors);
  return build_hadamard(c, m, c.g[id].shape);
}

// ============================================================================ transposes

// s' = s for a scalar; S' = S for symmetric S; I' = I; diag(v)' = diag(v)
Id transpose_self(Ctx& c, Id id) {
  Id x = c.g[id].kids[0];
  return self_transposed(c.g, x) ? x : kNoId;
}

// (A')' = A; zeros(n, m)' = zeros(m, n); ones likewise
Id transpose_leaf(Ctx& c, Id id) {
  Graph& g = c.g;
  Id x = g[id].kids[0];
  Op op = g[x].op;
  if (op == Op::Transpose || op == Op::Zeros || op == Op::Ones) return transpose_of(c, x);
  return kNoId;
}

// (s A)' = s A'
Id transpose_scale(Ctx& c, Id id) {
  Graph& g = c.g;
  Id x = g[id].kids[0];
  if (g[x].op != Op::Scale) return kNoId;
  return scale(g, g[x].kids[0], transpose(g, g[x].kids[1]));
}

// (A*B)' = B'*A' unless the transposed product is longer
Id transpose_product(Ctx& c, Id id) {
  Graph& g = c.g;
  Id x = g[id].kids[0];
  if (g[x].op != Op::MatMul) return kNoId;
  std::vector<Id> chain = flatten_chain(c, x);
  int cost = 0;
  for (Id f : chain) cost += c.transpose_cost(f);
  if (cost > 1) return kNoId;
  return build_chain(g, transposed_chain(c, chain));
}

// (A + B)' = A' + B' unless that is longer
Id transpose_sum(Ctx& c, Id id) {
  Graph& g = c.g;
  Id x = g[id].kids[0];
  if (g[x].op != Op::Add) return kNoId;
  std::vector<Term> terms = flatten_sum(c, x);
  int cost = 0;
  for (const Term& t : terms) cost += c.transpose_cost(t.term);
  if (cost > 1) return kNoId;
  for (Term& t : terms) t.term = transpose_of(c, t.term);
  return build_sum(c, terms, g[id].shape);
}

// f(A')' = f(A) for an entry-wise f
Id transpose_entrywise(Ctx& c, Id id) {
  Graph& g = c.g;
  Id x = g[id].kids[0];
  if (!is_elementwise_function(g[x].op)) return kNoId;
  Id y = g[x].kids[0];
  if (c.transpose_cost(y) >= 0) return kNoId;
  return unary(g, g[x].op, transpose_of(c, y));
}

// ============================================================================ powers

// x^1 = x
Id power_one(Ctx& c, Id id) {
  return const_is(c.g, c.g[id].kids[1], 1) ? c.g[id].kids[0] : kNoId;
}

// x^0 = 1
Id power_zero(Ctx& c, Id id) {
  return const_is(c.g, c.g[id].kids[1], 0) ? one_of(c.g, c.g[id].shape) : kNoId;
}

// (x^a)^k = x^(a k), (x y)^k = x^k y^k for integer k; c^k folded exactly; ones.^p = ones;
// (1 + exp(v))^-k = sigmoid(-v)^k
Id power_normal_form(Ctx& c, Id id) {
  Graph& g = c.g;
  const Node& n = g[id];
  Num p;
  if (!as_num(g, n.kids[1], &p) || !p.exact) return kNoId;
  Monomial m;
  if (!n.shape.is_scalar()) {
    // (A .* B).^k = A.^k .* B.^k, (A.^q).^k = A.^(q k) for integer k
    if (!p.is_integer()) return kNoId;
    m = flatten_hadamard(c, n.kids[0]);
    // A zero base stays zero only under a positive power: 0.^-1 is inf, not 0 (pipeline
    // fuzzer finding: x./zeros simplified to zeros).
    if (m.zero && (p.negative() || p.is_zero())) return kNoId;
    for (Factor& f : m.factors) f.exp = f.exp * p;
    if (recognize_sigmoid(c, m.factors)) combine_factors(c, m.factors);
    return build_hadamard(c, m, n.shape);
  }
  multiply_scalar(c, m, id, kOne);
  combine_factors(c, m.factors);
  if (recognize_sigmoid(c, m.factors)) combine_factors(c, m.factors);
  return build_monomial(c, m, n.shape);
}

// sqrt(x'*x) = norm2(x); sqrt(sum(x.^2)) = norm2(x); sqrt(norm2(x)^2) = norm2(x)
Id power_norm(Ctx& c, Id id) {
  Graph& g = c.g;
  Num p;
  if (!as_num(g, g[id].kids[1], &p) || !same(p, Num::of(Rational{1, 2}))) return kNoId;
  Id x = g[id].kids[0];
  const Node& n = g[x];
  if (n.op == Op::MatMul && g[n.kids[0]].op == Op::Transpose && g[n.kids[0]].kids[0] == n.kids[1] &&
      g[n.kids[1]].shape.is_column())
    return unary(g, Op::Norm2, n.kids[1]);
  if (n.op == Op::Sum && g[n.kids[0]].op == Op::Power && const_is(g, g[n.kids[0]].kids[1], 2))
    return unary(g, Op::Norm2, g[n.kids[0]].kids[0]);
  if (n.op == Op::Power && g[n.kids[0]].op == Op::Norm2 && const_is(g, n.kids[1], 2))
    return n.kids[0];
  return kNoId;
}

// ============================================================================ entry-wise functions

// log(exp(x)) = x
Id log_exp(Ctx& c, Id id) {
  Id x = c.g[id].kids[0];
  return c.g[x].op == Op::Exp ? c.g[x].kids[0] : kNoId;
}

// exp(log(x)) = x (where log x is defined)
Id exp_log(Ctx& c, Id id) {
  Id x = c.g[id].kids[0];
  return c.g[x].op == Op::Log ? c.g[x].kids[0] : kNoId;
}

// log(1 + exp(u)) = softplus(u);  log(1 + u) = log1p(u)
Id log_one_plus(Ctx& c, Id id) {
  Graph& g = c.g;
  Id x = g[id].kids[0];
  if (g[x].op != Op::Add) return kNoId;
  std::vector<Term> terms = flatten_sum(c, x);
  if (terms.size() != 2) return kNoId;
  for (size_t i = 0; i < 2; ++i) {
    const Term& one = terms[i];
    const Term& u = terms[1 - i];
    if (!is_ones(g, one.term) || !one.coeff.is_one()) continue;
    if (g[u.term].op == Op::Exp && u.coeff.is_one())
      return unary(g, Op::Softplus, g[u.term].kids[0]);
    if (g[u.term].op == Op::Exp) return kNoId;
    return unary(g, Op::Log1p, scaled(g, u.coeff, u.term));
  }
  return kNoId;
}

// log(sum(exp(x))) = logsumexp(x)
Id log_sum_exp(Ctx& c, Id id) {
  Graph& g = c.g;
  Id x = g[id].kids[0];
  if (g[x].op != Op::Sum || g[g[x].kids[0]].op != Op::Exp) return kNoId;
  Id v = g[g[x].kids[0]].kids[0];
  if (!g[v].shape.is_column()) return kNoId;
  return unary(g, Op::LogSumExp, v);
}

// f(0) for entry-wise f: the at_zero column of functions.def (sin 0 = 0, exp 0 = cos 0 = 1,
// sigmoid 0 = 1/2, ...); relu 0 = 0
Id function_at_zero(Ctx& c, Id id) {
  Graph& g = c.g;
  const Node& n = g[id];
  if (!is_zero(g, n.kids[0])) return kNoId;
  FunctionAtZero v = n.op == Op::Relu ? FunctionAtZero::Zero : function_facts(n.op).at_zero;
  switch (v) {
    case FunctionAtZero::One:
      return one_of(g, n.shape);
    case FunctionAtZero::Half:
      return scaled(g, Num::of(Rational{1, 2}), one_of(g, n.shape));
    case FunctionAtZero::Zero:
      return zero_of(g, n.shape);
    case FunctionAtZero::None:
      return kNoId;
  }
  return kNoId;
}

// log(1) = 0
Id log_one(Ctx& c, Id id) {
  Graph& g = c.g;
  return is_ones(g, g[id].kids[0]) ? zero_of(g, g[id].shape) : kNoId;
}

// ============================================================================ reductions

// sum(s) = tr(s) = det(s) = s; diag(s) = s; softmax... for a 1x1 argument
Id reduce_scalar(Ctx& c, Id id) {
  Graph& g = c.g;
  const Node& n = g[id];
  Id x = n.kids[0];
  if (!g[x].shape.is_scalar()) return kNoId;
  switch (n.op) {
    case Op::Sum:
    case Op::Trace:
    case Op::Det:
    case Op::Diag:
    case Op::DiagPart:
    case Op::Vec:
    case Op::LogSumExp:
      return x;
    case Op::Norm2:
      return unary(g, Op::Abs, x);  // norm2(s) = |s|
    case Op::Softmax:
      return integer(g, 1);  // softmax(s) = 1
    case Op::Inv:
      return power(g, x, integer(g, -1));  // inv(s) = s^-1
    case Op::LogDet:
      return unary(g, Op::Log, x);  // logdet(s) = log(s)
#include "ir/arithmetic_cases.inc"
#include "ir/function_cases.inc"
#include "ir/leaf_cases.inc"
#include "ir/piecewise_cases.inc"
    case Op::NormInf:
    case Op::Prod:
    case Op::ProdOthers:
    case Op::Kron:
    case Op::Stack:
    case Op::Call:
#include "ir/query_cases.inc"
      return kNoId;
  }
  throw Error(ErrorKind::Internal, "not an op");
}

// sum(A') = sum(A); tr(A') = tr(A); det(A') = det(A); logdet(A') = logdet(A);
// norm2(A') = norm2(A)
Id reduce_transpose(Ctx& c, Id id) {
  Graph& g = c.g;
  Id x = g[id].kids[0];
  if (g[x].op != Op::Transpose) return kNoId;
  return unary(g, g[id].op, g[x].kids[0]);
}

// sum(s A) = s sum(A); tr(s A) = s tr(A)
Id reduce_scale(Ctx& c, Id id) {
  Graph& g = c.g;
  Id x = g[id].kids[0];
  if (g[x].op != Op::Scale) return kNoId;
  return scale(g, g[x].kids[0], unary(g, g[id].op, g[x].kids[1]));
}

// norm2(c A) = |c| norm2(A) for a constant c
Id norm_scale(Ctx& c, Id id) {
  Graph& g = c.g;
  Id x = g[id].kids[0];
  Num k;
  if (g[x].op != Op::Scale || !as_num(g, g[x].kids[0], &k)) return kNoId;
  return scaled(g, k.negative() ? -k : k, unary(g, Op::Norm2, g[x].kids[1]));
}

// sum(0) = tr(0) = norm2(0) = 0
Id reduce_zero(Ctx& c, Id id) {
  Graph& g = c.g;
  return is_zero(g, g[id].kids[0]) ? integer(g, 0) : kNoId;
}

// sum(ones(n, m)) = n m; tr(I_n) = n for fixed sizes; sum(diag(v)) = tr(diag(v)) = sum(v)
Id reduce_constant(Ctx& c, Id id) {
  Graph& g = c.g;
  const Node& n = g[id];
  const Node& x = g[n.kids[0]];
  Shape s = x.shape;
  if (n.op == Op::Sum && x.op == Op::Ones && s.rows.is_fixed() && s.cols.is_fixed())
    return integer(g, int64_t{s.rows.size()} * s.cols.size());
  if (n.op == Op::Trace && x.op == Op::Identity && s.rows.is_fixed())
    return integer(g, s.rows.size());
  if (x.op == Op::Diag) return unary(g, Op::Sum, x.kids[0]);
  return kNoId;
}

// tr(u*v) = v*u when u has one column or v has one row (cyclic rotation to a 1x1 product)
Id trace_rotate(Ctx& c, Id id) {
  Graph& g = c.g;
  Id x = g[id].kids[0];
  if (g[x].op != Op::MatMul) return kNoId;
  std::vector<Id> chain = flatten_chain(c, x);
  if (g[chain.front()].shape.cols.is_one()) {
    std::rotate(chain.begin(), chain.begin() + 1, chain.end());
    return build_chain(g, chain);
  }
  if (g[chain.back()].shape.rows.is_one()) {
    std::rotate(chain.rbegin(), chain.rbegin() + 1, chain.rend());
    return build_chain(g, chain);
  }
  return kNoId;
}

// det(I) = 1; logdet(I) = 0; det(inv(A)) = det(A)^-1; logdet(inv(A)) = -logdet(A)
Id det_rules(Ctx& c, Id id) {
  Graph& g = c.g;
  const Node& n = g[id];
  Id x = n.kids[0];
  if (g[x].op == Op::Identity) return integer(g, n.op == Op::Det ? 1 : 0);
  if (g[x].op == Op::Inv) {
    Id d = unary(g, n.op, g[x].kids[0]);
    return n.op == Op::Det ? power(g, d, integer(g, -1)) : negate(g, d);
  }
  return kNoId;
}

// inv(inv(A)) = A; inv(I) = I; inv(A') = inv(A)'; inv(c A) = c^-1 inv(A) for a constant c
Id inv_rules(Ctx& c, Id id) {
  Graph& g = c.g;
  Id x = g[id].kids[0];
  const Node& n = g[x];
  if (n.op == Op::Inv) return n.kids[0];
  if (n.op == Op::Identity) return x;
  if (n.op == Op::Transpose) return transpose(g, unary(g, Op::Inv, n.kids[0]));
  Num k;
  if (n.op == Op::Scale && as_num(g, n.kids[0], &k) && k.exact && !k.is_zero())
    return scaled(g, Num::of(*reciprocal(k.r)), unary(g, Op::Inv, n.kids[1]));
  return kNoId;
}

// diag(diag(v)) = v (vector of the diagonal of a diagonal matrix)
Id diag_part_of_diag(Ctx& c, Id id) {
  Id x = c.g[id].kids[0];
  return c.g[x].op == Op::Diag ? c.g[x].kids[0] : kNoId;
}

// diag(ones(n)) = I(n): the identity, never written as a diagonal of ones
Id diag_of_ones(Ctx& c, Id id) {
  Id x = c.g[id].kids[0];
  if (c.g[x].op != Op::Ones || !c.g[x].shape.cols.is_one()) return kNoId;
  return identity(c.g, c.g[x].shape.rows);
}

// vec(v) = v for a column vector
Id vec_column(Ctx& c, Id id) {
  Id x = c.g[id].kids[0];
  return c.g[x].shape.cols.is_one() ? x : kNoId;
}

// ============================================================================ the table

std::vector<Rule> make_table() {
  std::vector<Rule> t = {
      {"zeros of a scalar", Op::Zeros, scalar_zeros},
      {"ones of a scalar", Op::Ones, scalar_ones},
      {"identity of size 1", Op::Identity, scalar_identity},

      {"collect like terms", Op::Add, collect_sum},
      {"1 - sigmoid(u) = sigmoid(-u)", Op::Add, one_minus_sigmoid},
      {"factor common scalar", Op::Add, factor_scalar},
      {"factor common right factor", Op::Add, factor_right},
      {"factor common left factor", Op::Add, factor_left},
      {"transpose out of sum", Op::Add, fold_sum_transpose},

      {"collect scalar factors", Op::Scale, scale_normal_form},
      {"constant out of sum", Op::Scale, scale_sum_content},
      {"distribute over sum", Op::Scale, scale_distribute},

      {"product with zero", Op::MatMul, matmul_zero},
      {"product with identity", Op::MatMul, matmul_identity},
      {"scalar out of product", Op::MatMul, matmul_scalar_out},
      {"constant out of sum", Op::MatMul, matmul_sum_content},
      {"associate product", Op::MatMul, matmul_associate},
      {"transpose out of product", Op::MatMul, matmul_fold_transpose},
      {"orient scalar product", Op::MatMul, matmul_scalar_orientation},

      {"entry-wise product with zero", Op::Hadamard, hadamard_zero},
      {"scalar out of entry-wise product", Op::Hadamard, hadamard_scalar_out},
      {"collect entry-wise factors", Op::Hadamard, hadamard_normal_form},

      {"self-transposed", Op::Transpose, transpose_self},
      {"double transpose", Op::Transpose, transpose_leaf},
      {"scalar out of transpose", Op::Transpose, transpose_scale},
      {"transpose of product", Op::Transpose, transpose_product},
      {"transpose of sum", Op::Transpose, transpose_sum},
      {"transpose of entry-wise function", Op::Transpose, transpose_entrywise},

      {"power one", Op::Power, power_one},
      {"power zero", Op::Power, power_zero},
      {"norm from square root", Op::Power, power_norm},
      {"collect powers", Op::Power, power_normal_form},

      {"log of exp", Op::Log, log_exp},
      {"exp of log", Op::Exp, exp_log},
      {"stable log(1 + u)", Op::Log, log_one_plus},
      {"log-sum-exp", Op::Log, log_sum_exp},
      {"log of one", Op::Log, log_one},

      {"trace of product rotation", Op::Trace, trace_rotate},
      {"inverse rules", Op::Inv, inv_rules},
      {"determinant rules", Op::Det, det_rules},
      {"determinant rules", Op::LogDet, det_rules},
      {"diagonal of diagonal matrix", Op::DiagPart, diag_part_of_diag},
      {"diagonal of ones", Op::Diag, diag_of_ones},
      {"vec of a vector", Op::Vec, vec_column},
      {"norm of scaled", Op::Norm2, norm_scale},
  };
  for (Op op : kAllOps)
    if (op == Op::Relu ||
        (is_elementwise_function(op) && function_facts(op).at_zero != FunctionAtZero::None))
      t.push_back({"function at zero", op, function_at_zero});
  for (Op op : {Op::Sum, Op::Trace, Op::Det, Op::Diag, Op::DiagPart, Op::Vec, Op::LogSumExp,
                Op::Norm2, Op::Softmax, Op::Inv, Op::LogDet})
    t.push_back({"reduction of a scalar", op, reduce_scalar});
  for (Op op : {Op::Sum, Op::Trace, Op::Det, Op::LogDet, Op::Norm2})
    t.push_back({"reduction of a transpose", op, reduce_transpose});
  for (Op op : {Op::Sum, Op::Trace}) {
    t.push_back({"scalar out of reduction", op, reduce_scale});
    t.push_back({"reduction of a constant", op, reduce_constant});
  }
  for (Op op : {Op::Sum, Op::Trace, Op::Norm2}) t.push_back({"reduction of zero", op, reduce_zero});
  return t;
}

}  // namespace

const std::vector<Rule>& rule_table() {
  static const std::vector<Rule> table = make_table();
  return table;
}

}  // namespace nabla::simp
