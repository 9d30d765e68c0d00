#include "simplify/context.h"

#include <algorithm>
#include <bit>
#include <cmath>

#include "ir/error.h"

namespace nabla::simp {

Num Num::of(Rational q) {
  Num n;
  n.exact = true;
  n.r = q;
  n.d = q.to_double();
  return n;
}

Num Num::of(double v) {
  Num n;
  n.exact = false;
  n.d = v;
  return n;
}

Num operator+(Num a, Num b) {
  if (a.exact && b.exact)
    if (auto s = add(a.r, b.r)) return Num::of(*s);
  return Num::of(a.value() + b.value());
}

Num operator*(Num a, Num b) {
  if (a.exact && b.exact)
    if (auto s = mul(a.r, b.r)) return Num::of(*s);
  return Num::of(a.value() * b.value());
}

Num operator-(Num a) {
  return a * Num::integer(-1);
}

bool same(Num a, Num b) {
  if (a.exact != b.exact) return false;
  return a.exact ? a.r == b.r : a.d == b.d;
}

Num power(Num a, int64_t k) {
  if (a.exact)
    if (auto p = pow(a.r, k)) return Num::of(*p);
  return Num::of(std::pow(a.value(), static_cast<double>(k)));
}

bool as_num(const Graph& g, Id id, Num* out) {
  const Node& n = g[id];
  if (n.op != Op::Const) return false;
  *out = n.b != 0 ? Num::of(Rational{n.a, n.b}) : Num::of(n.f);
  return true;
}

Id num_node(Graph& g, Num n) {
  return n.exact ? constant(g, n.r) : constant(g, n.d);
}

Memo& memo_of(Graph& g) {
  if (!g.cache(CacheSlot::Simplify)) g.set_cache(CacheSlot::Simplify, std::make_unique<Memo>());
  return static_cast<Memo&>(*g.cache(CacheSlot::Simplify));
}

namespace {
uint64_t mix(uint64_t h, uint64_t v) {
  h ^= v + 0x9E3779B97F4A7C15ull + (h << 6) + (h >> 2);
  return h * 0xBF58476D1CE4E5B9ull;
}
}  // namespace

const Key& Ctx::key(Id id) {
  // Keys depend only on children: computed on demand for id and the nodes below it that have
  // none yet (children first, with an explicit stack), never for the rest of the graph. A
  // script's graph holds every earlier query; filling it all in on each simplify call made
  // every call cost the whole graph.
  if (keys_.size() < g.size()) {
    keys_.resize(g.size());
    has_key_.resize(g.size(), 0);
  }
  if (has_key_[static_cast<size_t>(id)]) return keys_[static_cast<size_t>(id)];
  std::vector<Id> todo{id};
  while (!todo.empty()) {
    Id cur = todo.back();
    if (has_key_[static_cast<size_t>(cur)]) {
      todo.pop_back();
      continue;
    }
    const Node& n = g[cur];
    bool ready = true;
    for (Id kid : n.kids)
      if (!has_key_[static_cast<size_t>(kid)]) {
        todo.push_back(kid);
        ready = false;
      }
    if (!ready) continue;
    todo.pop_back();
    Key k;
    k.first_var = n.op == Op::Var ? n.a : -1;
    uint64_t h = mix(0x1234567ull, static_cast<uint64_t>(n.op));
    h = mix(h, static_cast<uint32_t>(n.shape.rows.v));
    h = mix(h, static_cast<uint32_t>(n.shape.cols.v));
    h = mix(h, static_cast<uint64_t>(n.a));
    h = mix(h, static_cast<uint64_t>(n.b));
    h = mix(h, std::bit_cast<uint64_t>(n.f));
    for (Id kid : n.kids) {
      const Key& kk = keys_[static_cast<size_t>(kid)];
      if (k.first_var < 0) k.first_var = kk.first_var;
      k.size = std::min<uint64_t>(k.size + kk.size, uint64_t{1} << 60);
      h = mix(h, kk.hash);
    }
    k.hash = h;
    keys_[static_cast<size_t>(cur)] = k;
    has_key_[static_cast<size_t>(cur)] = 1;
  }
  return keys_[static_cast<size_t>(id)];
}

void Ctx::check_budget() {
  if (g.size() - start_nodes_ > max_new_nodes_) throw OutOfBudget{"node limit"};
  if (Clock::now() > deadline_) throw OutOfBudget{"time limit"};
}

int Ctx::compare(Id a, Id b) {
  if (a == b) return 0;
  tick();
  const Key ka = key(a);
  const Key kb = key(b);
  if (ka.first_var != kb.first_var) return ka.first_var < kb.first_var ? -1 : 1;
  if (ka.size != kb.size) return ka.size < kb.size ? -1 : 1;
  Op oa = g[a].op, ob = g[b].op;
  if (oa != ob) return static_cast<int>(oa) < static_cast<int>(ob) ? -1 : 1;
  if (int s = compare_structure(a, b, 0); s != 0) return s;
  if (ka.hash != kb.hash) return ka.hash < kb.hash ? -1 : 1;
  return a < b ? -1 : 1;  // a hash collision: practically never
}

namespace {
int sign_of(bool less, bool differ) {
  return differ ? (less ? -1 : 1) : 0;
}
// Call derivative markers in the order value, derivative, partial 1, partial 2, ...
int64_t marker_rank(int64_t b) {
  return b == kCallValue ? -2 : b;
}
}  // namespace

int Ctx::compare_structure(Id a, Id b, int depth) {
  if (a == b) return 0;
  const Node& na = g[a];
  const Node& nb = g[b];
  if (na.op != nb.op) return sign_of(na.op < nb.op, true);
  switch (na.op) {
    case Op::Const: {
      double x = const_value(g, a), y = const_value(g, b);
      if (x != y) return sign_of(x < y, true);
      break;
    }
    case Op::Call:
      if (na.a != nb.a) return sign_of(na.a < nb.a, true);
      if (na.b != nb.b) return sign_of(marker_rank(na.b) < marker_rank(nb.b), true);
      break;
#include "ir/arithmetic_cases.inc"
#include "ir/matrix_function_cases.inc"
#include "ir/piecewise_cases.inc"
#include "ir/reduction_cases.inc"
#include "ir/structure_cases.inc"
    case Op::Pi:
    case Op::Var:
    case Op::Identity:
    case Op::Ones:
    case Op::Zeros:
    case Op::Commutation:
#include "ir/function_cases.inc"
#include "ir/query_cases.inc"
      if (na.a != nb.a) return sign_of(na.a < nb.a, true);
      if (na.b != nb.b) return sign_of(na.b < nb.b, true);
      break;
  }
  if (na.kids.size() != nb.kids.size()) return sign_of(na.kids.size() < nb.kids.size(), true);
  if (depth > 200) {  // very deep: the hash decides
    uint64_t ha = key(a).hash, hb = key(b).hash;
    return sign_of(ha < hb, ha != hb);
  }
  tick();
  // Large pairs are remembered: shared sub-DAGs are then compared once, not once per path.
  const bool memo = key(std::max(a, b)).size > 32;
  const uint64_t pair =
      (static_cast<uint64_t>(static_cast<uint32_t>(a)) << 32) | static_cast<uint32_t>(b);
  if (memo) {
    auto it = compare_memo_.find(pair);
    if (it != compare_memo_.end()) return it->second;
  }
  int result = 0;
  // s*X: by X first, so terms are ordered by their matrix part, then by the scalar multiplier
  bool core_first = na.op == Op::Scale && !na.shape.is_scalar();
  for (size_t j = 0; j < na.kids.size(); ++j) {
    size_t i = core_first ? na.kids.size() - 1 - j : j;
    Id x = na.kids[i], y = nb.kids[i];
    if (x == y) continue;
    const Key k1 = key(x);
    const Key k2 = key(y);
    if (k1.first_var != k2.first_var || k1.size != k2.size) {
      result = k1.first_var != k2.first_var ? sign_of(k1.first_var < k2.first_var, true)
                                            : sign_of(k1.size < k2.size, true);
      break;
    }
    if (int s = compare_structure(x, y, depth + 1); s != 0) {
      result = s;
      break;
    }
  }
  if (memo) {
    if (compare_memo_.size() > (size_t{1} << 22)) compare_memo_.clear();  // bounded memory
    compare_memo_[pair] = result;
  }
  return result;
}

uint64_t Ctx::tokens(Id id) {
  // Like keys, computed on demand for id and the nodes below it (children first).
  if (tokens_.size() < g.size()) tokens_.resize(g.size(), kNoTokens);
  if (tokens_[static_cast<size_t>(id)] != kNoTokens) return tokens_[static_cast<size_t>(id)];
  std::vector<Id> todo{id};
  while (!todo.empty()) {
    Id cur = todo.back();
    if (tokens_[static_cast<size_t>(cur)] != kNoTokens) {
      todo.pop_back();
      continue;
    }
    const Node& n = g[cur];
    bool ready = true;
    for (Id kid : n.kids)
      if (tokens_[static_cast<size_t>(kid)] == kNoTokens) {
        todo.push_back(kid);
        ready = false;
      }
    if (!ready) continue;
    todo.pop_back();
    auto t = [&](size_t i) { return tokens_[static_cast<size_t>(n.kids[i])]; };
    // A term printed with a leading minus: -x, -2*x, -x'*y.
    auto leading_minus = [&](Id k) {
      Num c;
      if (as_num(g, k, &c)) return c.negative();
      return g[k].op == Op::Scale && as_num(g, g[k].kids[0], &c) && c.negative();
    };
    uint64_t total = 0;
    Num c;
    switch (n.op) {
      case Op::Const:
        total = 1;
        if (as_num(g, cur, &c)) {
          if (c.negative()) total += 1;             // -2
          if (c.exact && c.r.den != 1) total += 2;  // 1/2
        }
        break;
      case Op::Pi:
      case Op::Var:
      case Op::Identity:
      case Op::Ones:
      case Op::Zeros:
      case Op::Commutation:
        total = 1;
        break;
      case Op::Add:
        // a + b, a - b: the minus of b becomes the binary operator
        total = t(0) + t(1) + (leading_minus(n.kids[1]) ? 0 : 1);
        break;
      case Op::Scale:
        if (as_num(g, n.kids[0], &c) && same(c, Num::integer(-1))) {
          total = 1 + t(1);  // -x
        } else if (g[n.kids[0]].op == Op::Power && as_num(g, g[n.kids[0]].kids[1], &c) &&
                   same(c, Num::integer(-1))) {
          total = tokens_[static_cast<size_t>(g[n.kids[0]].kids[0])] + 1 + t(1);  // x/s
        } else {
          total = t(0) + 1 + t(1);
        }
        break;
      case Op::Power:
        if (as_num(g, n.kids[1], &c) && same(c, Num::of(Rational{1, 2})))
          total = 1 + t(0);  // sqrt(x)
        else
          total = t(0) + 1 + t(1);
        break;
      case Op::MatMul:
      case Op::Hadamard:
        total = t(0) + 1 + t(1);
        break;
      case Op::Transpose:
        total = t(0) + 1;
        break;
      case Op::Call:
        // f(x), grad(f)(x) / J(f)(x) / h'(t), partial(L, k)(x, y)
        total = n.b == kCallValue ? 1 : n.b == kCallDerivative ? 2 : 3;
        for (size_t i = 0; i < n.kids.size(); ++i) total += t(i);
        break;
      case Op::Stack:
        for (size_t i = 0; i < n.kids.size(); ++i) total += t(i);
        break;
#include "ir/function_cases.inc"
#include "ir/matrix_function_cases.inc"
#include "ir/piecewise_cases.inc"
#include "ir/reduction_cases.inc"
      case Op::Diag:
      case Op::DiagPart:
      case Op::Vec:
      case Op::Kron:
#include "ir/query_cases.inc"
        // exp(x), tr(A), kron(A, B), grad(e, x)
        total = 1;
        for (size_t i = 0; i < n.kids.size(); ++i) total += t(i);
        break;
    }
    tokens_[static_cast<size_t>(cur)] = std::min<uint64_t>(total, uint64_t{1} << 60);
  }
  return tokens_[static_cast<size_t>(id)];
}

bool plain_vector_product(const Graph& g, Id id, int64_t* u, int64_t* v) {
  const Node& n = g[id];
  if (n.op != Op::MatMul || !n.shape.is_scalar()) return false;
  const Node& l = g[n.kids[0]];
  const Node& r = g[n.kids[1]];
  if (l.op != Op::Transpose || g[l.kids[0]].op != Op::Var || r.op != Op::Var) return false;
  if (!r.shape.is_column()) return false;
  *u = g[l.kids[0]].a;
  *v = r.a;
  return *u != *v;
}

void Ctx::note_written_orientations(const std::vector<Id>& dag) {
  written_.clear();
  std::set<std::pair<int64_t, int64_t>> seen;
  for (Id id : dag) {
    int64_t u, v;
    if (plain_vector_product(g, id, &u, &v)) seen.insert({u, v});
  }
  for (const auto& [u, v] : seen)
    if (!seen.count({v, u})) written_.insert({u, v});
}

bool self_transposed(const Graph& g, Id id) {
  const Node& n = g[id];
  if (n.shape.is_scalar()) return true;
  switch (n.op) {
    case Op::Var:
      return g.symbol(n.a).symmetric;
    case Op::Identity:
    case Op::Diag:
      return true;
    case Op::Zeros:
    case Op::Ones:
      return n.shape.rows == n.shape.cols;
#include "ir/arithmetic_cases.inc"
#include "ir/matrix_function_cases.inc"
#include "ir/piecewise_cases.inc"
#include "ir/reduction_cases.inc"
    case Op::Const:
    case Op::Pi:
    case Op::Commutation:
#include "ir/function_cases.inc"
    case Op::DiagPart:
    case Op::Vec:
    case Op::Kron:
    case Op::Stack:
    case Op::Call:
#include "ir/query_cases.inc"
      return false;
  }
  throw Error(ErrorKind::Internal, "not an op");
}

int Ctx::transpose_cost(Id id, int depth) {
  const Node& n = g[id];
  if (self_transposed(g, id)) return 0;
  if (n.op == Op::Transpose) return -1;
  if (n.op == Op::Zeros || n.op == Op::Ones) return 0;
  if (depth > 64) return 1;
  auto it = tcost_.find(id);
  if (it != tcost_.end()) return it->second;
  int cost = 1;
  switch (n.op) {
    case Op::Scale:
      cost = transpose_cost(n.kids[1], depth + 1);
      break;
    case Op::Add:
    case Op::MatMul:
    case Op::Hadamard:
      cost =
          std::min(1, transpose_cost(n.kids[0], depth + 1) + transpose_cost(n.kids[1], depth + 1));
      break;
#include "ir/leaf_cases.inc"
#include "ir/matrix_function_cases.inc"
#include "ir/piecewise_cases.inc"
#include "ir/reduction_cases.inc"
#include "ir/structure_cases.inc"
    case Op::Transpose:
    case Op::Power:
#include "ir/function_cases.inc"
    case Op::Call:
#include "ir/query_cases.inc"
      break;
  }
  tcost_[id] = cost;
  return cost;
}

Id zero_of(Graph& g, Shape s) {
  return s.is_scalar() ? integer(g, 0) : zeros(g, s);
}
Id one_of(Graph& g, Shape s) {
  return s.is_scalar() ? integer(g, 1) : ones(g, s);
}

bool is_zero(const Graph& g, Id id) {
  const Node& n = g[id];
  if (n.op == Op::Zeros) return true;
  Num v;
  return as_num(g, id, &v) && v.is_zero();
}

Id transpose_of(Ctx& c, Id id) {
  Graph& g = c.g;
  const Node& n = g[id];
  if (self_transposed(g, id)) return id;
  if (n.op == Op::Transpose) return n.kids[0];
  if (n.op == Op::Zeros) return zeros(g, n.shape.transposed());
  if (n.op == Op::Ones) return ones(g, n.shape.transposed());
  return transpose(g, id);
}

Id negate(Graph& g, Id id) {
  const Node& n = g[id];
  Num c;
  if (n.op == Op::Scale && as_num(g, n.kids[0], &c)) {
    Num m = -c;
    Id rest = n.kids[1];
    return m.is_one() ? rest : scale(g, num_node(g, m), rest);
  }
  if (as_num(g, id, &c)) return num_node(g, -c);
  return scale(g, integer(g, -1), id);
}

Id scaled(Graph& g, Num c, Id x) {
  if (c.is_one()) return x;
  if (c.is_zero()) return zero_of(g, g[x].shape);
  Num v;
  if (as_num(g, x, &v)) return num_node(g, c * v);
  return scale(g, num_node(g, c), x);
}

}  // namespace nabla::simp
