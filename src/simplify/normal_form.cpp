#include "simplify/normal_form.h"

#include <algorithm>
#include <cstdlib>
#include <numeric>
#include <unordered_map>

namespace nabla::simp {

// ---------------------------------------------------------------------------------------------
// Sums

std::vector<Term> flatten_sum(Ctx& c, Id root) {
  Graph& g = c.g;
  std::vector<Term> out;
  std::vector<std::pair<Id, Num>> stack{{root, Num::integer(1)}};
  while (!stack.empty()) {
    c.tick();
    if (out.size() + stack.size() > Ctx::kMaxFlatTerms) throw OutOfBudget{"node limit"};
    auto [id, k] = stack.back();
    stack.pop_back();
    const Node& n = g[id];
    Num v;
    if (n.op == Op::Add) {
      // a + b: both terms, in order.
      stack.push_back({n.kids[1], k});
      stack.push_back({n.kids[0], k});
    } else if (n.op == Op::Scale && as_num(g, n.kids[0], &v)) {
      // c*(a + b) = c*a + c*b
      stack.push_back({n.kids[1], k * v});
    } else if (is_zero(g, id)) {
      // x + 0 = x
    } else if (as_num(g, id, &v)) {
      out.push_back({k * v, integer(g, 1)});
    } else {
      out.push_back({k, id});
    }
  }
  combine_like_terms(out);
  return out;
}

void combine_like_terms(std::vector<Term>& terms) {
  // a*t + b*t = (a + b)*t
  std::unordered_map<Id, size_t> where;
  std::vector<Term> out;
  for (const Term& t : terms) {
    auto it = where.find(t.term);
    if (it == where.end()) {
      where.emplace(t.term, out.size());
      out.push_back(t);
    } else {
      out[it->second].coeff = out[it->second].coeff + t.coeff;
    }
  }
  std::erase_if(out, [](const Term& t) { return t.coeff.is_zero(); });
  terms = std::move(out);
}

namespace {
void order_terms(Ctx& c, std::vector<Term>& terms) {
  std::stable_sort(terms.begin(), terms.end(),
                   [&](const Term& a, const Term& b) { return c.less(a.term, b.term); });
  auto pos =
      std::find_if(terms.begin(), terms.end(), [](const Term& t) { return !t.coeff.negative(); });
  if (pos != terms.end()) std::rotate(terms.begin(), pos, pos + 1);
}
}  // namespace

Id build_sum(Ctx& c, std::vector<Term> terms, Shape shape) {
  Graph& g = c.g;
  order_terms(c, terms);
  Id sum = kNoId;
  for (const Term& t : terms) {
    c.tick();
    Num one;
    Id part = as_num(g, t.term, &one) ? num_node(g, t.coeff * one) : scaled(g, t.coeff, t.term);
    sum = sum == kNoId ? part : add(g, sum, part);
  }
  return sum == kNoId ? zero_of(g, shape) : sum;
}

Num sum_content(Ctx& c, const std::vector<Term>& terms) {
  Num one = Num::integer(1);
  if (terms.empty()) return one;
  __int128 num = 0, den = 1;
  bool all_negative = true;
  for (const Term& t : terms) {
    if (!t.coeff.exact) return one;
    if (!t.coeff.negative()) all_negative = false;
    num = std::gcd(static_cast<int64_t>(num), std::llabs(t.coeff.r.num));
    __int128 l = den / std::gcd(static_cast<int64_t>(den), t.coeff.r.den) * t.coeff.r.den;
    if (l > INT64_MAX) return one;
    den = l;
  }
  (void)c;
  auto q = Rational::make(static_cast<int64_t>(num), static_cast<int64_t>(den));
  if (!q) return one;
  Num g = Num::of(*q);
  return all_negative ? -g : g;
}

// ---------------------------------------------------------------------------------------------
// Monomials

namespace {
void multiply(Ctx& c, Monomial& m, Id node, Num e, bool entrywise) {
  c.tick();
  if (m.factors.size() > Ctx::kMaxFlatTerms) throw OutOfBudget{"node limit"};
  Graph& g = c.g;
  const Node& n = g[node];
  Num v;
  if (as_num(g, node, &v)) {
    if (v.is_zero() && !e.negative()) {
      m.zero = true;  // 0^e = 0 for e > 0
    } else if (e.is_integer() && !v.is_zero() && (!v.exact || pow(v.r, e.r.num))) {
      m.coeff = m.coeff * power(v, e.r.num);  // c^k folded (exactly when c is exact)
    } else {
      m.factors.push_back({node, e});
    }
    return;
  }
  if (n.op == Op::Zeros && !e.negative()) {
    m.zero = true;
    return;
  }
  if (n.op == Op::Ones && entrywise) return;  // 1^e = 1
  if (e.is_integer()) {
    if (!entrywise && n.op == Op::Scale) {
      // (a b)^k = a^k b^k for scalars a, b and integer k
      multiply(c, m, n.kids[0], e, entrywise);
      multiply(c, m, n.kids[1], e, entrywise);
      return;
    }
    if (entrywise && n.op == Op::Hadamard) {
      // (a .* b).^k = a.^k .* b.^k
      multiply(c, m, n.kids[0], e, entrywise);
      multiply(c, m, n.kids[1], e, entrywise);
      return;
    }
    Num p;
    if (n.op == Op::Power && as_num(g, n.kids[1], &p) && p.exact) {
      // (x^p)^k = x^(p k) for integer k
      multiply(c, m, n.kids[0], p * e, entrywise);
      return;
    }
  }
  m.factors.push_back({node, e});
}
}  // namespace

void multiply_scalar(Ctx& c, Monomial& m, Id node, Num e) {
  multiply(c, m, node, e, false);
}

Monomial flatten_scale(Ctx& c, Id root) {
  Graph& g = c.g;
  Monomial m;
  Id cur = root;
  // s*(t*X) = (s t)*X
  while (g[cur].op == Op::Scale && !g[cur].shape.is_scalar()) {
    multiply(c, m, g[cur].kids[0], Num::integer(1), false);
    cur = g[cur].kids[1];
  }
  if (g[cur].shape.is_scalar()) {
    multiply(c, m, cur, Num::integer(1), false);
  } else if (g[cur].op == Op::Zeros) {
    m.zero = true;
  } else {
    m.core = cur;
  }
  combine_factors(c, m.factors);
  return m;
}

Monomial flatten_hadamard(Ctx& c, Id root) {
  Monomial m;
  multiply(c, m, root, Num::integer(1), true);
  combine_factors(c, m.factors);
  return m;
}

void combine_factors(Ctx& c, std::vector<Factor>& factors) {
  // x^a * x^b = x^(a + b) where both sides are defined
  std::unordered_map<Id, size_t> where;
  std::vector<Factor> out;
  for (const Factor& f : factors) {
    c.tick();
    auto it = where.find(f.base);
    if (it == where.end()) {
      where.emplace(f.base, out.size());
      out.push_back(f);
    } else {
      out[it->second].exp = out[it->second].exp + f.exp;
    }
  }
  std::erase_if(out, [](const Factor& f) { return f.exp.is_zero(); });
  factors = std::move(out);
}

namespace {
// 1 + exp(v): returns the Exp node, or kNoId.
Id one_plus_exp(Ctx& c, Id id) {
  Graph& g = c.g;
  if (g[id].op != Op::Add) return kNoId;
  std::vector<Term> terms = flatten_sum(c, id);
  if (terms.size() != 2) return kNoId;
  Id unit = kNoId, ex = kNoId;
  for (const Term& t : terms) {
    if (!t.coeff.is_one()) return kNoId;
    if (is_ones(g, t.term)) unit = t.term;
    if (g[t.term].op == Op::Exp) ex = t.term;
  }
  return unit != kNoId ? ex : kNoId;
}
}  // namespace

bool recognize_sigmoid(Ctx& c, std::vector<Factor>& factors) {
  Graph& g = c.g;
  for (size_t i = 0; i < factors.size(); ++i) {
    c.tick();
    if (!factors[i].exp.negative()) continue;
    Id ex = one_plus_exp(c, factors[i].base);
    if (ex == kNoId) continue;
    Id v = g[ex].kids[0];
    Num k = -factors[i].exp;
    auto j = std::find_if(factors.begin(), factors.end(),
                          [&](const Factor& f) { return f.base == ex && same(f.exp, k); });
    if (j != factors.end()) {
      // exp(v)^k / (1 + exp(v))^k = sigmoid(v)^k
      factors[i] = {unary(g, Op::Sigmoid, v), k};
      factors.erase(j);
    } else {
      // 1 / (1 + exp(v))^k = sigmoid(-v)^k
      factors[i] = {unary(g, Op::Sigmoid, negate(g, v)), k};
    }
    return true;
  }
  for (size_t i = 0; i < factors.size(); ++i) {
    if (g[factors[i].base].op != Op::Exp) continue;
    Id v = g[factors[i].base].kids[0];
    Id minus_v = negate(g, v);
    for (size_t j = 0; j < factors.size(); ++j) {
      c.tick();
      const Node& s = g[factors[j].base];
      if (s.op != Op::Sigmoid || !same(factors[i].exp, factors[j].exp)) continue;
      Id w = s.kids[0];
      if (w != minus_v && negate(g, w) != v) continue;
      // exp(v) sigmoid(-v) = exp(v) / (1 + exp(v)) = sigmoid(v), to any common power
      factors[j].base = unary(g, Op::Sigmoid, v);
      factors.erase(factors.begin() + static_cast<std::ptrdiff_t>(i));
      return true;
    }
  }
  return false;
}

namespace {
// A variable, a constant, or a power of one: x, y^3, 2.
bool atomic_factor(const Graph& g, Id id) {
  const Node& n = g[id];
  if (n.op == Op::Power) return atomic_factor(g, n.kids[0]);
  return n.op == Op::Var || n.op == Op::Const || n.op == Op::Pi;
}

// Tree size, not counting a constant multiplier of a function's argument: sigmoid(-u) weighs as
// much as sigmoid(u).
uint64_t weight(Ctx& c, Id id) {
  const Graph& g = c.g;
  uint64_t size = c.key(id).size;
  const Node& n = g[id];
  if (n.kids.size() == 1 && is_elementwise_function(n.op)) {
    const Node& arg = g[n.kids[0]];
    if (arg.op == Op::Scale && g[arg.kids[0]].op == Op::Const) size -= 2;
  }
  return size;
}

// Factor order of a printed product: atoms (variables and their powers) first in declaration
// order, then compound factors largest first, so the chain rule reads outside-in:
// x*y^3*z*sigmoid(x^2*y^3*z), h2'(h1(f(x)))*h1'(f(x)); sigmoid(u) .* sigmoid(-u).
bool factor_before(Ctx& c, Id a, Id b) {
  bool atom_a = atomic_factor(c.g, a), atom_b = atomic_factor(c.g, b);
  if (atom_a != atom_b) return atom_a;
  if (!atom_a) {
    uint64_t sa = weight(c, a), sb = weight(c, b);
    if (sa != sb) return sa > sb;
  }
  return c.less(a, b);
}

std::vector<Id> factor_nodes(Ctx& c, std::vector<Factor> factors) {
  Graph& g = c.g;
  std::stable_sort(factors.begin(), factors.end(), [&](const Factor& a, const Factor& b) {
    return factor_before(c, a.base, b.base);
  });
  std::vector<Id> out;
  for (const Factor& f : factors)
    out.push_back(f.exp.is_one() ? f.base : power(g, f.base, num_node(g, f.exp)));
  return out;
}
}  // namespace

Id build_monomial(Ctx& c, Monomial m, Shape shape) {
  Graph& g = c.g;
  if (m.zero || m.coeff.is_zero()) return zero_of(g, shape);
  Id mono = kNoId;
  for (Id f : factor_nodes(c, m.factors)) mono = mono == kNoId ? f : scale(g, mono, f);
  Id rest = m.core;
  if (mono != kNoId) rest = rest == kNoId ? mono : scale(g, mono, rest);
  if (rest == kNoId) return num_node(g, m.coeff);
  return scaled(g, m.coeff, rest);
}

Id build_hadamard(Ctx& c, Monomial m, Shape shape) {
  Graph& g = c.g;
  if (m.zero || m.coeff.is_zero()) return zero_of(g, shape);
  Id prod = kNoId;
  for (Id f : factor_nodes(c, m.factors)) prod = prod == kNoId ? f : hadamard(g, prod, f);
  if (prod == kNoId) prod = one_of(g, shape);
  return scaled(g, m.coeff, prod);
}

// ---------------------------------------------------------------------------------------------
// Chains

std::vector<Id> flatten_chain(Ctx& c, Id root) {
  const Graph& g = c.g;
  std::vector<Id> out, stack{root};
  while (!stack.empty()) {
    c.tick();
    if (out.size() + stack.size() > Ctx::kMaxFlatTerms) throw OutOfBudget{"node limit"};
    Id id = stack.back();
    stack.pop_back();
    if (g[id].op == Op::MatMul) {
      // (A B) C = A (B C): one list of factors
      stack.push_back(g[id].kids[1]);
      stack.push_back(g[id].kids[0]);
    } else {
      out.push_back(id);
    }
  }
  return out;
}

Id build_chain(Graph& g, const std::vector<Id>& factors) {
  Id out = factors.front();
  for (size_t i = 1; i < factors.size(); ++i) out = matmul(g, out, factors[i]);
  return out;
}

}  // namespace nabla::simp
