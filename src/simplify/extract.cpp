// Extraction: the cheapest term of each e-class by printed tokens, found by relaxing costs to a
// fixpoint (a class's cost is the least cost of its nodes over its children's least costs).
// The cost of a node is the token count of the text printer (names, numbers, operators; no
// brackets or commas), including its sugar: (-1)*x prints -x, s^-1*x prints x/s,
// x^(1/2) prints sqrt(x), a + (-2)*b prints a - 2*b, a .* b.^-1 prints a ./ b.
#include <algorithm>
#include <array>
#include <limits>

#include "ir/error.h"
#include "simplify/saturate.h"

namespace nabla::eg {
namespace {

constexpr uint64_t kInf = std::numeric_limits<uint64_t>::max() / 4;

// A node's cost with the forms its children print in: a child may print through one of its
// class's nodes other than the class's cheapest (s^-1 beside x prints x/s even where 1/s alone
// is not the cheapest form of s^-1), so the choice names that node.
struct Choice {
  uint64_t cost = kInf;
  std::array<size_t, kMaxKids> forced{SIZE_MAX, SIZE_MAX, SIZE_MAX};
};

struct Costs {
  std::vector<uint64_t> cost;  // per class id (canonical ones used)
  std::vector<size_t> best;    // per class: node index
};

class Extractor {
 public:
  explicit Extractor(EGraph& eg) : eg_(eg) {
    costs_.cost.assign(eg.class_count(), kInf);
    costs_.best.assign(eg.class_count(), SIZE_MAX);
  }

  void relax() {
    for (int round = 0; round < 200; ++round) {
      bool changed = false;
      for (size_t i = 0; i < eg_.node_count(); ++i) {
        const ENode& n = eg_.enode(i);
        uint64_t c = node_cost(n).cost;
        if (c >= kInf) continue;
        size_t cls = static_cast<size_t>(eg_.find(class_of(i)));
        if (c < costs_.cost[cls]) {
          costs_.cost[cls] = c;
          costs_.best[cls] = i;
          changed = true;
        }
      }
      if (!changed) break;
    }
  }

  uint64_t cost(ClassId c) const { return costs_.cost[static_cast<size_t>(eg_.find(c))]; }

  // Builds the best term of c in the graph (kNoId on a cycle, which costs cannot produce).
  Id build(ClassId c, const std::vector<Rewrite>& rules, std::vector<std::string>& names,
           size_t forced = SIZE_MAX) {
    c = eg_.find(c);
    if (forced == SIZE_MAX) {
      auto it = built_.find(c);
      if (it != built_.end()) return it->second;
    }
    if (costs_.best[static_cast<size_t>(c)] == SIZE_MAX || on_path_.count(c)) return kNoId;
    on_path_.insert(c);
    size_t ni = forced != SIZE_MAX ? forced : costs_.best[static_cast<size_t>(c)];
    const ENode en = eg_.enode(ni);
    const Choice choice = node_cost(en);
    Node n;
    n.op = en.op;
    n.shape = en.shape;
    n.a = en.a;
    n.b = en.b;
    n.f = en.f;
    for (size_t k = 0; k < en.kids.size(); ++k) {
      Id kid = build(en.kids[k], rules, names, choice.forced[k]);
      if (kid == kNoId) return kNoId;
      n.kids.push_back(kid);
    }
    on_path_.erase(c);
    auto cite = [&](int rule) {
      const std::string& name = rules[static_cast<size_t>(rule)].name;
      if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
    };
    // A class of the input printed through another node was rewritten: the rules that
    // rewrote a node of the input's op there (S' = S turns inv(S)' into inv(S)).
    const EClass& cls = eg_.eclass(c);
    for (int r : cls.merged_by) {
      const Pattern& lhs = rules[static_cast<size_t>(r)].lhs;
      const Op from = lhs.items[static_cast<size_t>(lhs.root)].op;
      if (from != en.op && (cls.input_ops >> static_cast<int>(from) & 1)) cite(r);
    }
    int origin = eg_.origin(ni);
    if (origin >= 0) cite(origin);
    Id id = eg_.graph().add(std::move(n));
    if (forced == SIZE_MAX) built_[c] = id;
    return id;
  }

 private:
  ClassId class_of(size_t node) {
    if (node_class_.size() != eg_.node_count()) {
      node_class_.assign(eg_.node_count(), kNoClass);
      for (ClassId c : eg_.classes())
        for (size_t i : eg_.eclass(c).nodes) node_class_[i] = c;
    }
    return node_class_[node];
  }

  const ENode* best_node(ClassId c) const {
    size_t b = costs_.best[static_cast<size_t>(eg_.find(c))];
    return b == SIZE_MAX ? nullptr : &eg_.enode(b);
  }
  bool best_is_num(ClassId c, int64_t num, int64_t den) const {
    const ENode* n = best_node(c);
    return n && n->op == Op::Const && n->b == den && n->a == num;
  }
  // The cheapest node of class c printed as x^-1, with x's cost (SIZE_MAX: none).
  std::pair<size_t, uint64_t> reciprocal(ClassId c) const {
    std::pair<size_t, uint64_t> best{SIZE_MAX, kInf};
    for (size_t i : eg_.eclass(c).nodes) {
      const ENode& n = eg_.enode(i);
      if (n.op != Op::Power || !best_is_num(n.kids[1], -1, 1)) continue;
      uint64_t b = cost(n.kids[0]);
      if (b < best.second) best = {i, b};
    }
    return best;
  }
  // The cheapest node of class c printed with a leading minus, -k*y or -y, and the cost of what
  // follows the minus (SIZE_MAX: none).
  std::pair<size_t, uint64_t> negated(ClassId c) const {
    std::pair<size_t, uint64_t> best{SIZE_MAX, kInf};
    for (size_t i : eg_.eclass(c).nodes) {
      const ENode& n = eg_.enode(i);
      simp::Num k;
      if (n.op != Op::Scale || !eg_.num_of(n.kids[0], &k) || !k.negative()) continue;
      const ENode* kn = best_node(n.kids[0]);
      if (!kn || kn->op != Op::Const) continue;
      uint64_t rest = cost(n.kids[1]);
      if (rest >= kInf) continue;
      if (!(k.is_integer() && k.r.num == -1)) rest += cost(n.kids[0]);  // |k|*y: |k| and *
      if (rest < best.second) best = {i, rest};
    }
    if (best_node(c) && best_node(c)->op == Op::Const && leading_minus_const(*best_node(c)))
      if (cost(c) - 1 < best.second)
        best = {costs_.best[static_cast<size_t>(eg_.find(c))], cost(c) - 1};
    return best;
  }
  static bool leading_minus_const(const ENode& n) {
    return n.op == Op::Const && (n.b == 0 ? n.f < 0 : n.a < 0);
  }

  Choice node_cost(const ENode& n) const {
    Choice ch;
    uint64_t sum = 0;
    for (ClassId k : n.kids) {
      uint64_t c = cost(k);
      if (c >= kInf) return ch;
      sum += c;
    }
    auto kc = [&](size_t i) { return cost(n.kids[i]); };
    auto plain = [&](uint64_t v) {
      ch.cost = v;
      return ch;
    };
    switch (n.op) {
      case Op::Const:
        if (n.b == 0) return plain(n.f < 0 ? 2 : 1);
        return plain(1 + (n.a < 0 ? 1 : 0) + (n.b != 1 ? 2 : 0));
      case Op::Ones:
      case Op::Zeros:
        if (n.shape.is_scalar()) return plain(1);
        return plain(n.shape.is_column() ? 2 : 3);
      case Op::Pi:
      case Op::Var:
      case Op::Identity:
      case Op::Commutation:
        return plain(1);
      case Op::Add: {
        ch.cost = sum + 1;
        auto [node, rest] = negated(n.kids[1]);  // a - b
        if (node != SIZE_MAX && kc(0) + 1 + rest < ch.cost) {
          ch.cost = kc(0) + 1 + rest;
          ch.forced[1] = node;
        }
        return ch;
      }
      case Op::Scale: {
        if (best_is_num(n.kids[0], -1, 1)) return plain(1 + kc(1));
        ch.cost = sum + 1;
        auto [node, base] = reciprocal(n.kids[0]);  // x/s
        if (node != SIZE_MAX && base + 1 + kc(1) < ch.cost) {
          ch.cost = base + 1 + kc(1);
          ch.forced[0] = node;
        }
        return ch;
      }
      case Op::Hadamard: {
        ch.cost = sum + 1;
        auto [node, base] = reciprocal(n.kids[1]);  // a ./ b
        if (node != SIZE_MAX && kc(0) + 1 + base < ch.cost) {
          ch.cost = kc(0) + 1 + base;
          ch.forced[1] = node;
        }
        return ch;
      }
      case Op::Power:
        if (best_is_num(n.kids[1], 1, 2)) return plain(1 + kc(0));  // sqrt(x)
        if (n.shape.is_scalar() && best_is_num(n.kids[1], -1, 1)) return plain(2 + kc(0));  // 1/x
        return plain(sum + 1);
      case Op::Call:
        return plain(sum + (n.b == kCallValue ? 1 : n.b == kCallDerivative ? 2 : 3));
      case Op::Stack:
        return plain(sum);
      case Op::NormInf:
        return plain(sum + 2);  // norm(x, inf)
#include "ir/matrix_function_cases.inc"
#include "ir/piecewise_cases.inc"
      case Op::MatMul:
      case Op::Transpose:
#include "ir/function_cases.inc"
      case Op::Sum:
      case Op::Norm2:
      case Op::Trace:
      case Op::Det:
      case Op::LogDet:
      case Op::Diag:
      case Op::DiagPart:
      case Op::LogSumExp:
      case Op::Prod:
      case Op::Vec:
      case Op::Kron:
#include "ir/query_cases.inc"
        return plain(sum + 1);
    }
    throw Error(ErrorKind::Internal, "not an op");
  }

  EGraph& eg_;
  Costs costs_;
  std::vector<ClassId> node_class_;
  std::unordered_map<ClassId, Id> built_;
  struct PathSet {
    std::vector<ClassId> v;
    size_t count(ClassId c) const { return std::count(v.begin(), v.end(), c) ? 1 : 0; }
    void insert(ClassId c) { v.push_back(c); }
    void erase(ClassId c) { v.erase(std::find(v.begin(), v.end(), c)); }
  } on_path_;
};

}  // namespace

Extraction extract(EGraph& eg, ClassId root, const std::vector<Rewrite>& rules) {
  Extractor x(eg);
  x.relax();
  Extraction out;
  out.cost = x.cost(root);
  if (out.cost >= kInf) return out;
  out.term = x.build(root, rules, out.rules);
  return out;
}

}  // namespace nabla::eg
