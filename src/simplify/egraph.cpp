// The e-graph: hash-consing, union-find, rebuild (congruence closure) and the facts analysis.
#include "simplify/egraph.h"

#include <algorithm>
#include <functional>

#include "ir/error.h"
#include "ir/functions.h"

namespace nabla::eg {
namespace {

size_t mix(size_t h, size_t v) {
  return h ^ (v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2));
}

// Entry-wise functions with f(0) = 0 (functions.def's at_zero column; relu): they keep a
// diagonal matrix diagonal.
bool keeps_zero(Op op) {
  if (op == Op::Relu) return true;
  return is_elementwise_function(op) && function_facts(op).at_zero == FunctionAtZero::Zero;
}

// Entry-wise functions whose values are >= 0 (functions.def's positive column; relu).
bool nonnegative_function(Op op) {
  if (op == Op::Relu) return true;
  return is_elementwise_function(op) && function_facts(op).positive;
}

}  // namespace

size_t ENodeHash::operator()(const ENode& n) const {
  size_t h = std::hash<int>()(static_cast<int>(n.op));
  h = mix(h, static_cast<size_t>(n.shape.rows.v));
  h = mix(h, static_cast<size_t>(n.shape.cols.v));
  for (ClassId k : n.kids) h = mix(h, static_cast<size_t>(k));
  h = mix(h, static_cast<size_t>(n.a));
  h = mix(h, static_cast<size_t>(n.b));
  h = mix(h, std::hash<double>()(n.f));
  return h;
}

ClassId EGraph::find(ClassId c) const {
  ClassId root = c;
  while (parent_[static_cast<size_t>(root)] != root) root = parent_[static_cast<size_t>(root)];
  while (parent_[static_cast<size_t>(c)] != root) {  // path compression
    ClassId next = parent_[static_cast<size_t>(c)];
    parent_[static_cast<size_t>(c)] = root;
    c = next;
  }
  return root;
}

ENode EGraph::canonical(ENode n) const {
  for (ClassId& k : n.kids) k = find(k);
  return n;
}

ClassId EGraph::lookup(ENode n) const {
  auto it = memo_.find(canonical(std::move(n)));
  return it == memo_.end() ? kNoClass : find(it->second);
}

ClassId EGraph::add(ENode n, int origin) {
  n = canonical(std::move(n));
  auto it = memo_.find(n);
  if (it != memo_.end()) return find(it->second);
  const ClassId c = static_cast<ClassId>(classes_.size());
  parent_.push_back(c);
  EClass cls;
  cls.shape = n.shape;
  cls.ops = uint64_t{1} << static_cast<int>(n.op);
  cls.nodes.push_back(nodes_.size());
  classes_.push_back(std::move(cls));
  node_class_.push_back(c);
  origins_.push_back(origin);
  nodes_.push_back(n);
  memo_.emplace(std::move(n), c);
  classes_[static_cast<size_t>(c)].facts = node_facts(nodes_.back());
  return c;
}

ClassId EGraph::add_term(Id root) {
  auto known = imported_.find(root);
  if (known != imported_.end()) return find(known->second);
  // Post-order, children left to right: the order of new classes follows the expression.
  std::vector<std::pair<Id, bool>> todo{{root, false}};
  while (!todo.empty()) {
    auto [id, expanded] = todo.back();
    todo.pop_back();
    if (imported_.count(id)) continue;
    const Node& node = g_[id];
    if (node.kids.size() > kMaxKids) return kNoClass;
    if (!expanded) {
      todo.push_back({id, true});
      for (size_t i = node.kids.size(); i-- > 0;)
        if (!imported_.count(node.kids[i])) todo.push_back({node.kids[i], false});
      continue;
    }
    ENode e;
    e.op = node.op;
    e.shape = node.shape;
    e.a = node.a;
    e.b = node.b;
    e.f = node.f;
    for (Id k : node.kids) e.kids.push_back(imported_.at(k));
    const Op op = e.op;
    ClassId c = add(std::move(e));
    imported_[id] = c;
    classes_[static_cast<size_t>(find(c))].input_ops |= uint64_t{1} << static_cast<int>(op);
  }
  return find(imported_.at(root));
}

bool EGraph::merge(ClassId a, ClassId b, int rule) {
  a = find(a);
  b = find(b);
  if (a == b) return false;
  if (b < a) std::swap(a, b);  // the smaller id stays the root: deterministic
  parent_[static_cast<size_t>(b)] = a;
  EClass& ca = classes_[static_cast<size_t>(a)];
  EClass& cb = classes_[static_cast<size_t>(b)];
  ca.input_ops |= cb.input_ops;
  ca.ops |= cb.ops;
  constexpr size_t kMaxReasons = 16;
  for (int r : cb.merged_by)
    if (ca.merged_by.size() < kMaxReasons) ca.merged_by.push_back(r);
  if (rule >= 0 && ca.merged_by.size() < kMaxReasons) ca.merged_by.push_back(rule);
  Facts& fa = classes_[static_cast<size_t>(a)].facts;
  const Facts& fb = classes_[static_cast<size_t>(b)].facts;
  fa.symmetric = fa.symmetric || fb.symmetric;
  fa.diagonal = fa.diagonal || fb.diagonal;
  fa.positive = fa.positive || fb.positive;
  if (!fa.has_num && fb.has_num) {
    fa.has_num = true;
    fa.num = fb.num;
  }
  dirty_ = true;
  return true;
}

std::vector<ClassId> EGraph::classes() const {
  std::vector<ClassId> out;
  for (size_t i = 0; i < classes_.size(); ++i)
    if (find(static_cast<ClassId>(i)) == static_cast<ClassId>(i))
      out.push_back(static_cast<ClassId>(i));
  return out;
}

bool EGraph::num_of(ClassId c, simp::Num* out) const {
  const Facts& f = eclass(c).facts;
  if (!f.has_num) return false;
  *out = f.num;
  return true;
}

bool EGraph::contains_op(ClassId c, Op op) const {
  for (size_t i : eclass(c).nodes)
    if (nodes_[i].op == op) return true;
  return false;
}

bool EGraph::holds_transpose_of(ClassId t, ClassId x) const {
  ENode n;
  n.op = Op::Transpose;
  n.shape = eclass(x).shape.transposed();
  n.kids = Kids{};
  n.kids.push_back(x);
  ClassId c = lookup(n);
  if (c != kNoClass && c == find(t)) return true;
  // x = t' works as well
  n.shape = eclass(t).shape.transposed();
  n.kids = Kids{};
  n.kids.push_back(t);
  c = lookup(n);
  return c != kNoClass && c == find(x);
}

Facts EGraph::node_facts(const ENode& n) const {
  Facts f;
  auto kf = [&](size_t i) -> const Facts& { return eclass(n.kids[i]).facts; };
  const bool scalar = n.shape.is_scalar();
  f.symmetric = scalar;
  f.diagonal = scalar;
  switch (n.op) {
    case Op::Const:
      f.has_num = true;
      f.num = n.b == 0 ? simp::Num::of(n.f) : simp::Num::of(Rational{n.a, n.b});
      f.positive = f.num.value() >= 0;
      break;
    case Op::Pi:
      f.positive = true;
      break;
    case Op::Var:
      f.symmetric = f.symmetric || g_.symbol(n.a).symmetric;
      break;
    case Op::Identity:
      f.symmetric = f.diagonal = true;
      break;
    case Op::Ones:
      f.symmetric = f.symmetric || n.shape.is_square();
      f.positive = true;
      break;
    case Op::Zeros:
      f.symmetric = f.symmetric || n.shape.is_square();
      f.diagonal = f.diagonal || n.shape.is_square();
      f.positive = true;
      break;
    case Op::Add:
      // A + B with both symmetric, or A + A'
      f.symmetric = f.symmetric || (kf(0).symmetric && kf(1).symmetric) ||
                    holds_transpose_of(n.kids[0], n.kids[1]);
      f.diagonal = f.diagonal || (kf(0).diagonal && kf(1).diagonal);
      f.positive = kf(0).positive && kf(1).positive;
      break;
    case Op::Scale:
      f.symmetric = f.symmetric || kf(1).symmetric;
      f.diagonal = f.diagonal || kf(1).diagonal;
      f.positive = kf(0).positive && kf(1).positive;
      break;
    case Op::MatMul: {
      const ClassId l = n.kids[0], r = n.kids[1];
      bool sym = holds_transpose_of(l, r);  // X'*X, X*X'
      bool gram = sym;
      // X'*S*X for symmetric S, associated either way
      for (size_t i : eclass(l).nodes) {
        if (sym) break;
        const ENode& ln = nodes_[i];
        if (ln.op == Op::MatMul && eclass(ln.kids[1]).facts.symmetric &&
            holds_transpose_of(ln.kids[0], r))
          sym = true;
      }
      for (size_t i : eclass(r).nodes) {
        if (sym) break;
        const ENode& rn = nodes_[i];
        if (rn.op == Op::MatMul && eclass(rn.kids[0]).facts.symmetric &&
            holds_transpose_of(l, rn.kids[1]))
          sym = true;
      }
      f.symmetric = f.symmetric || sym || (kf(0).diagonal && kf(1).diagonal);
      f.diagonal = f.diagonal || (kf(0).diagonal && kf(1).diagonal);
      f.positive = scalar && gram;  // x'*x >= 0
      break;
    }
    case Op::Hadamard:
      f.symmetric = f.symmetric || (kf(0).symmetric && kf(1).symmetric);
      f.diagonal = f.diagonal || kf(0).diagonal || kf(1).diagonal;
      f.positive = kf(0).positive && kf(1).positive;
      break;
    case Op::Transpose:
      f.symmetric = f.symmetric || kf(0).symmetric;
      f.diagonal = f.diagonal || kf(0).diagonal;
      f.positive = kf(0).positive;
      break;
    case Op::Power: {
      simp::Num p;
      bool even = false;
      if (num_of(n.kids[1], &p) && p.is_integer() && p.r.num % 2 == 0) even = true;
      f.symmetric = f.symmetric || kf(0).symmetric;
      f.positive = kf(0).positive || even;
      break;
    }
    case Op::Inv:
      f.symmetric = f.symmetric || kf(0).symmetric;
      f.diagonal = f.diagonal || kf(0).diagonal;
      break;
    case Op::Diag:
      f.symmetric = f.diagonal = true;
      f.positive = kf(0).positive;
      break;
    case Op::DiagPart:
    case Op::Sum:
      f.positive = kf(0).positive;
      break;
    case Op::Norm2:
    case Op::NormInf:
    case Op::Softmax:
      f.positive = true;
      break;
    case Op::Kron:
      f.symmetric = f.symmetric || (kf(0).symmetric && kf(1).symmetric);
      f.diagonal = f.diagonal || (kf(0).diagonal && kf(1).diagonal);
      f.positive = kf(0).positive && kf(1).positive;
      break;
#include "ir/piecewise_cases.inc"
    case Op::Commutation:
#include "ir/function_cases.inc"
    case Op::Trace:
    case Op::Det:
    case Op::LogDet:
    case Op::LogSumExp:
    case Op::Prod:
    case Op::ProdOthers:
    case Op::Vec:
    case Op::Stack:
    case Op::Call:
#include "ir/query_cases.inc"
      if (is_elementwise_function(n.op) && n.kids.size() == 1) {
        f.symmetric = f.symmetric || kf(0).symmetric;
        f.diagonal = f.diagonal || (keeps_zero(n.op) && kf(0).diagonal);
        f.positive = nonnegative_function(n.op);
      }
      break;
  }
  return f;
}

bool EGraph::analyse() {
  bool changed = false;
  for (size_t i = 0; i < nodes_.size(); ++i) {
    Facts nf = node_facts(nodes_[i]);
    Facts& cf = classes_[static_cast<size_t>(find(node_class_[i]))].facts;
    if (nf.symmetric && !cf.symmetric) cf.symmetric = changed = true;
    if (nf.diagonal && !cf.diagonal) cf.diagonal = changed = true;
    if (nf.positive && !cf.positive) cf.positive = changed = true;
    if (nf.has_num && !cf.has_num) {
      cf.has_num = changed = true;
      cf.num = nf.num;
    }
  }
  return changed;
}

namespace {

// The constant value of an op over constant children, when it is exact or cheap to state.
bool fold(Op op, const std::vector<simp::Num>& k, simp::Num* out) {
  switch (op) {
    case Op::Add:
      *out = k[0] + k[1];
      return true;
    case Op::Scale:
    case Op::Hadamard:
      *out = k[0] * k[1];
      return true;
    case Op::Transpose:
      *out = k[0];
      return true;
    case Op::Power:
      if (!k[1].is_integer() || (k[0].is_zero() && k[1].negative())) return false;
      if (k[1].r.num > 64 || k[1].r.num < -64) return false;
      *out = simp::power(k[0], k[1].r.num);
      return true;
#include "ir/leaf_cases.inc"
#include "ir/matrix_function_cases.inc"
#include "ir/piecewise_cases.inc"
#include "ir/reduction_cases.inc"
#include "ir/structure_cases.inc"
    case Op::MatMul:
#include "ir/function_cases.inc"
    case Op::Call:
#include "ir/query_cases.inc"
      return false;
  }
  throw Error(ErrorKind::Internal, "not an op");
}

ENode const_node(const simp::Num& v) {
  ENode n;
  n.op = Op::Const;
  if (v.exact) {
    n.a = v.r.num;
    n.b = v.r.den;
  } else {
    n.b = 0;
    n.f = v.d;
  }
  return n;
}

}  // namespace

void EGraph::rebuild() {
  for (int round = 0; round < 64; ++round) {
    // Canonicalize every node and merge the classes of nodes that became equal (congruence).
    bool merged = false;
    std::unordered_map<ENode, size_t, ENodeHash>& first = first_;
    first.clear();
    first.reserve(nodes_.size());
    std::vector<ENode> nodes;
    nodes.reserve(nodes_.size());
    std::vector<int> origins;
    std::vector<ClassId> node_class;
    memo_.clear();
    memo_.reserve(nodes_.size());
    for (size_t i = 0; i < nodes_.size(); ++i) {
      ENode n = canonical(nodes_[i]);
      ClassId c = find(node_class_[i]);
      auto [it, fresh] = first.emplace(n, nodes.size());
      if (!fresh) {
        merged = merge(node_class[it->second], c) || merged;
        continue;
      }
      nodes.push_back(n);
      origins.push_back(origins_[i]);
      node_class.push_back(c);
    }
    nodes_ = std::move(nodes);
    origins_ = std::move(origins);
    node_class_ = std::move(node_class);
    if (merged) continue;
    for (EClass& c : classes_) {
      c.nodes.clear();
      c.ops = 0;
    }
    for (size_t i = 0; i < nodes_.size(); ++i) {
      ClassId c = find(node_class_[i]);
      node_class_[i] = c;
      classes_[static_cast<size_t>(c)].nodes.push_back(i);
      classes_[static_cast<size_t>(c)].ops |= uint64_t{1} << static_cast<int>(nodes_[i].op);
      memo_.emplace(nodes_[i], c);
    }
    for (int sweep = 0; sweep < 16 && analyse(); ++sweep) {
    }
    // Constant folding: a class whose value is a constant holds that Const node.
    size_t before = nodes_.size();
    std::vector<std::pair<ENode, ClassId>> folded;
    for (size_t i = 0; i < before; ++i) {
      const ENode& n = nodes_[i];
      if (n.op == Op::Const || n.kids.empty() || !n.shape.is_scalar()) continue;
      ClassId c = find(node_class_[i]);
      if (contains_op(c, Op::Const)) continue;
      std::vector<simp::Num> k;
      for (ClassId kid : n.kids) {
        simp::Num v;
        if (!num_of(kid, &v)) break;
        k.push_back(v);
      }
      simp::Num v;
      if (k.size() != n.kids.size() || !fold(n.op, k, &v)) continue;
      folded.push_back({const_node(v), c});
    }
    bool changed = false;
    for (auto& [n, c] : folded) {
      ClassId k = add(n, kFromFolding);
      changed = merge(k, c) || changed;
    }
    if (!changed && nodes_.size() == before) break;
  }
  dirty_ = false;
}

}  // namespace nabla::eg
