#include "explain/rewrite.h"

#include <algorithm>

#include "diff/diff.h"
#include "ir/build.h"
#include "simplify/simplify.h"

namespace nabla::explain {

Id replace_nodes(Graph& g, Id root, const std::unordered_map<Id, Id>& map) {
  if (auto it = map.find(root); it != map.end()) return it->second;
  std::unordered_map<Id, Id> done;
  for (Id id : reachable(g, root)) {
    if (auto it = map.find(id); it != map.end()) {
      done[id] = it->second;
      continue;
    }
    Node n = g[id];
    bool changed = false;
    for (Id& k : n.kids) {
      auto it = done.find(k);
      if (it != done.end() && it->second != k) {
        k = it->second;
        changed = true;
      }
    }
    done[id] = changed ? g.add(std::move(n)) : id;
  }
  return done[root];
}

Id tidy(Graph& g, Id root) {
  std::unordered_map<Id, Id> done;
  for (Id id : reachable(g, root)) {
    Node n = g[id];
    if (is_query_op(n.op)) {  // inside a query nothing is touched
      done[id] = id;
      continue;
    }
    for (Id& k : n.kids) k = done.at(k);
    Id out = kNoId;
    if (n.op == Op::Transpose) {
      const Node& k = g[n.kids[0]];
      if (k.op == Op::Transpose)
        out = k.kids[0];
      else if (k.op == Op::Identity || k.shape.is_scalar())
        out = n.kids[0];
    } else if (n.op == Op::Scale && is_one(g, n.kids[0])) {
      out = n.kids[1];
    } else if (n.op == Op::Scale && is_one(g, n.kids[1])) {
      out = n.kids[0];
    }
    done[id] = out != kNoId ? out : g.add(std::move(n));
  }
  return done.at(root);
}

namespace {

// Flattens a product of scalars (and a Scale chain) into its numeric coefficient, its other
// factors and the one non-scalar base (kNoId when everything is scalar).
void gather(const Graph& g, Id id, Rational& coef, std::vector<Id>& factors, Id& base) {
  const Node& n = g[id];
  if (n.op == Op::Scale) {
    gather(g, n.kids[0], coef, factors, base);
    gather(g, n.kids[1], coef, factors, base);
    return;
  }
  if (n.op == Op::MatMul && n.shape.is_scalar() && g[n.kids[0]].shape.is_scalar() &&
      g[n.kids[1]].shape.is_scalar()) {
    gather(g, n.kids[0], coef, factors, base);
    gather(g, n.kids[1], coef, factors, base);
    return;
  }
  if (is_rational_const(g, id)) {
    auto product = mul(coef, rational_value(g, id));
    if (product) {
      coef = *product;
      return;
    }
  }
  if (!n.shape.is_scalar() && base == kNoId) {
    base = id;
    return;
  }
  factors.push_back(id);
}

bool is_reciprocal(const Graph& g, Id id) {
  const Node& n = g[id];
  return n.op == Op::Power && is_rational_const(g, n.kids[1]) &&
         less(rational_value(g, n.kids[1]), Rational{});
}

}  // namespace

Id collect_scalar_factors(Graph& g, Id root) {
  std::unordered_map<Id, Id> done;
  for (Id id : reachable(g, root)) {
    Node n = g[id];
    if (is_query_op(n.op)) {
      done[id] = id;
      continue;
    }
    for (Id& k : n.kids) k = done.at(k);
    Id rebuilt = g.add(n);
    if (n.op != Op::Scale) {
      done[id] = rebuilt;
      continue;
    }
    Rational coef{1, 1};
    std::vector<Id> factors;
    Id base = kNoId;
    gather(g, rebuilt, coef, factors, base);
    // coefficient and numerators first, then each denominator: -exp(u)/(1 + exp(u))
    Id s = coef.is_one() ? kNoId : constant(g, coef);
    for (Id f : factors)
      if (!is_reciprocal(g, f)) s = s == kNoId ? f : scale(g, s, f);
    if (s == kNoId) s = constant(g, coef);
    for (Id f : factors)
      if (is_reciprocal(g, f)) s = scale(g, f, s);
    Id out = base == kNoId ? s : scale(g, s, base);
    done[id] = g[out].shape == n.shape ? out : rebuilt;
  }
  return done.at(root);
}

Id simplify_named(Graph& g, Id e, std::vector<std::string>* rule_names) {
  StepLog log;
  Id out = simplify(g, e, {}, nullptr, rule_names ? &log : nullptr);
  if (rule_names) {
    for (std::string line : log.lines) {
      const std::string prefix = "simplify: ";
      if (line.rfind(prefix, 0) == 0) line = line.substr(prefix.size());
      if (std::find(rule_names->begin(), rule_names->end(), line) == rule_names->end())
        rule_names->push_back(line);
    }
  }
  return out;
}

Id engine_answer(Graph& g, Id query_node, std::vector<std::string>* rule_names) {
  return simplify_named(g, expand_queries(g, query_node), rule_names);
}

bool has_query(const Graph& g, Id root) {
  for (Id id : reachable(g, root))
    if (is_query_op(g[id].op)) return true;
  return false;
}

std::vector<Id> innermost_queries(const Graph& g, Id root) {
  std::vector<Id> out;
  for (Id id : reachable(g, root)) {
    if (!is_query_op(g[id].op)) continue;
    bool inner = true;
    for (Id k : g[id].kids) inner = inner && !has_query(g, k);
    if (inner) out.push_back(id);
  }
  return out;
}

int degree_in(const Graph& g, Id e, int64_t var) {
  // by node, children first (a DAG may hold exponentially many paths)
  std::unordered_map<Id, int> degree;
  for (Id id : reachable(g, e)) {
    const Node& n = g[id];
    int d = 0;
    if (n.op == Op::Var) {
      d = n.a == var ? 1 : 0;
    } else if (!n.kids.empty()) {
      int top = 0, sum = 0;
      for (Id k : n.kids) {
        int dk = degree.at(k);
        top = std::max(top, dk);
        sum += dk;
      }
      switch (n.op) {
        case Op::Add:
        case Op::Stack:
        case Op::Transpose:
        case Op::Sum:
        case Op::Trace:
        case Op::Vec:
        case Op::Diag:
        case Op::DiagPart:
          d = top;
          break;
        case Op::Scale:
        case Op::MatMul:
        case Op::Hadamard:
        case Op::Kron:
          d = std::min(sum, 2);
          break;
#include "ir/leaf_cases.inc"
#include "ir/matrix_function_cases.inc"
#include "ir/piecewise_cases.inc"
        case Op::Power:
#include "ir/function_cases.inc"
        case Op::Norm2:
        case Op::NormInf:
        case Op::Det:
        case Op::LogDet:
        case Op::LogSumExp:
        case Op::Prod:
        case Op::Call:
#include "ir/query_cases.inc"
          d = top == 0 ? 0 : 2;
      }
    }
    degree[id] = d;
  }
  return degree.at(e);
}

std::vector<std::string> names_used(const Graph& g, Id root) {
  std::vector<std::string> out;
  for (Id id : reachable(g, root)) {
    const Node& n = g[id];
    if (n.op == Op::Var || n.op == Op::Call) out.push_back(g.symbol(n.a).name);
  }
  return out;
}

}  // namespace nabla::explain
