#pragma once
// An e-graph (Willsey et al., "egg: Fast and Extensible Equality Saturation", POPL 2021) over
// nabla's ops: hash-consed e-nodes whose children are e-classes, a union-find over the classes,
// and rebuild() restoring congruence (equal children make equal nodes). Each class carries the
// structural facts of its value (symmetric, diagonal, positive, a constant), the analysis
// rules read as guards. Internal to src/simplify.
#include <array>
#include <cstdint>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "ir/graph.h"
#include "simplify/context.h"

namespace nabla::eg {

using ClassId = int32_t;
inline constexpr ClassId kNoClass = -1;

// The children of an e-node, kept inline (no allocation): ops take at most kMaxKids (an
// expression with a wider stack or call is not put in an e-graph).
inline constexpr size_t kMaxKids = 3;
static_assert(kOpCount <= 64, "EClass::input_ops is a 64-bit mask of ops");
struct Kids {
  std::array<ClassId, kMaxKids> v{kNoClass, kNoClass, kNoClass};
  uint8_t n = 0;
  size_t size() const { return n; }
  bool empty() const { return n == 0; }
  void push_back(ClassId c) { v[n++] = c; }
  ClassId& operator[](size_t i) { return v[i]; }
  ClassId operator[](size_t i) const { return v[i]; }
  ClassId* begin() { return v.data(); }
  ClassId* end() { return v.data() + n; }
  const ClassId* begin() const { return v.data(); }
  const ClassId* end() const { return v.data() + n; }
  friend bool operator==(const Kids&, const Kids&) = default;
};

// One operation whose children are e-classes. Leaves keep their payload (a, b, f) and shape.
struct ENode {
  Op op = Op::Const;
  Shape shape = Shape::scalar();
  Kids kids;
  int64_t a = 0, b = 0;
  double f = 0;
  friend bool operator==(const ENode&, const ENode&) = default;
};

struct ENodeHash {
  size_t operator()(const ENode& n) const;
};

// What every value of a class satisfies. Facts only grow: a class is symmetric when any of its
// nodes proves it.
struct Facts {
  bool symmetric = false;  // X' = X (scalars, I, diag(v), Sym variables, X'*X, A + A', ...)
  bool diagonal = false;   // zero off the diagonal (I, diag(v), products and sums of those)
  bool positive = false;   // every entry > 0 where defined (exp, sigmoid, softplus, norms, squares)
  bool has_num = false;    // a scalar constant of value num
  simp::Num num;
};

struct EClass {
  std::vector<size_t> nodes;  // indices into EGraph::node_ (canonical after rebuild)
  Shape shape;
  Facts facts;
  uint64_t ops = 0;            // bit op: the class holds a node of that op (matching skips others)
  uint64_t input_ops = 0;      // bit op: the class holds a node of the input expression of that op
  std::vector<int> merged_by;  // rules whose unions made this class (for explanations; capped)
};

// Where an e-node came from: the input, a rule (index into the rule list) or constant folding.
inline constexpr int kFromInput = -1;
inline constexpr int kFromFolding = -2;

class EGraph {
 public:
  explicit EGraph(Graph& g) : g_(g) {}

  // Adds the DAG below root (children first, left to right, so class ids depend only on the
  // expression, not on graph ids) and returns the class of root; kNoClass when a node has more
  // than kMaxKids children.
  ClassId add_term(Id root);
  // Adds one e-node (its children canonicalized); returns its class. `origin` names the rule.
  ClassId add(ENode n, int origin = kFromInput);
  ClassId find(ClassId c) const;
  // Unions two classes (rule: the rule that proved them equal); true when they were different.
  // Call rebuild() before matching again.
  bool merge(ClassId a, ClassId b, int rule = kFromInput);
  // Restores congruence and the invariants (canonical children, one class per node, facts).
  void rebuild();

  // The class of an e-node when it is present (children canonicalized), else kNoClass.
  ClassId lookup(ENode n) const;

  const EClass& eclass(ClassId c) const { return classes_[static_cast<size_t>(find(c))]; }
  const ENode& enode(size_t i) const { return nodes_[i]; }
  int origin(size_t i) const { return origins_[i]; }
  size_t node_count() const { return nodes_.size(); }
  size_t class_count() const { return classes_.size(); }
  // Canonical class ids, increasing.
  std::vector<ClassId> classes() const;
  Graph& graph() { return g_; }
  const Graph& graph() const { return g_; }

  // Predicates the rule guards use.
  bool is_symmetric(ClassId c) const { return eclass(c).facts.symmetric; }
  bool is_diagonal(ClassId c) const { return eclass(c).facts.diagonal; }
  bool is_positive(ClassId c) const { return eclass(c).facts.positive; }
  bool num_of(ClassId c, simp::Num* out) const;
  bool contains_op(ClassId c, Op op) const;

 private:
  ENode canonical(ENode n) const;
  // Facts of one e-node from its children's facts.
  Facts node_facts(const ENode& n) const;
  // True when class t holds x' for class x.
  bool holds_transpose_of(ClassId t, ClassId x) const;
  bool analyse();  // one sweep of the facts; true when something changed

  Graph& g_;
  std::vector<ENode> nodes_;
  std::vector<int> origins_;
  std::vector<ClassId> node_class_;  // class of each node (maybe not canonical)
  std::vector<EClass> classes_;
  mutable std::vector<ClassId> parent_;  // union-find
  std::unordered_map<ENode, ClassId, ENodeHash> memo_;
  std::unordered_map<Id, ClassId> imported_;
  std::unordered_map<ENode, size_t, ENodeHash> first_;  // rebuild's scratch table
  bool dirty_ = false;
};

}  // namespace nabla::eg
