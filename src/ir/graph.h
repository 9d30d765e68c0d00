#pragma once
#include <array>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "ir/op.h"
#include "ir/shape.h"

namespace nabla {

// Index of a node in a Graph. Children always have smaller ids than their parents,
// so increasing id order is a topological order.
using Id = int32_t;
inline constexpr Id kNoId = -1;

// One operation with its children; plain data, compared and hashed by value.
struct Node {
  Op op = Op::Const;
  Shape shape = Shape::scalar();
  std::vector<Id> kids;
  int64_t a = 0;  // Const: numerator; Var: symbol; Call: function symbol
  int64_t b = 0;  // Const: denominator (0 = the double in f); Call: derivative marker
  double f = 0;   // Const with b == 0: the value
  friend bool operator==(const Node&, const Node&) = default;
};

// Derivative markers of Op::Call (Node::b).
inline constexpr int64_t kCallValue = 0;        // f(x)
inline constexpr int64_t kCallDerivative = -1;  // J(f)(x), grad(g)(u), h'(t)
// k > 0: partial(L, k)(...)
inline constexpr int64_t kCallSecond = -2;  // h''(t), hessian(g)(u)
// partial(L, i, j)(...), the mixed second partial (i <= j: Schwarz), 1-based argument indices.
inline constexpr int64_t kCallPartial2Base = -16;
inline constexpr int64_t kCallPartial2Stride = int64_t{1} << 20;
inline int64_t call_partial2(int64_t i, int64_t j) {
  if (j < i) std::swap(i, j);
  return kCallPartial2Base - (i * kCallPartial2Stride + j);
}
inline bool is_call_partial2(int64_t b) {
  return b <= kCallPartial2Base;
}
inline int64_t call_partial2_first(int64_t b) {
  return (kCallPartial2Base - b) / kCallPartial2Stride;
}
inline int64_t call_partial2_second(int64_t b) {
  return (kCallPartial2Base - b) % kCallPartial2Stride;
}

enum class SymbolKind { Variable, Function };

// What a pass keeps beside a graph between its calls: facts about node ids, which never change
// meaning once added (the simplifier's structural keys and rewrites, say). Dropped with the graph.
struct PassCache {
  virtual ~PassCache() = default;
};
enum class CacheSlot { Simplify, Count };

// A declared (or inferred) name.
struct Symbol {
  std::string name;
  SymbolKind kind = SymbolKind::Variable;
  Shape shape = Shape::scalar();  // Variable: its shape; Function: its result shape
  bool symmetric = false;         // declared Sym(n)
  // Variable: what it was declared as (R^1 is a vector, R^(2 x 1) a matrix); kind_of_shape
  // for one declared without a kind (an undeclared name, a C++ API variable).
  ValueKind value_kind = ValueKind::Scalar;
  std::vector<Shape> params;  // Function: the argument shapes
};

class Graph {
 public:
  // Adds a node, or returns the id of the identical node already present (hash-consing).
  Id add(const Node& node);
  Id add(Node&& node);
  const Node& operator[](Id id) const { return nodes_[static_cast<size_t>(id)]; }
  const Node& node(Id id) const { return nodes_[static_cast<size_t>(id)]; }
  size_t size() const { return nodes_.size(); }

  int32_t add_symbol(Symbol symbol);
  int32_t declare_variable(std::string name, Shape shape, bool symmetric = false);
  // A variable of a declared kind (which must fit the shape: kind_fits).
  int32_t declare_variable(std::string name, Shape shape, ValueKind kind, bool symmetric = false);
  int32_t declare_function(std::string name, std::vector<Shape> params, Shape result);
  const Symbol& symbol(int64_t index) const { return symbols_.at(static_cast<size_t>(index)); }
  size_t symbol_count() const { return symbols_.size(); }

  // Interning a derived dimension (the size of vec(A), say) while computing a shape is
  // memoization, so a const Graph may do it.
  mutable DimTable dims;

  // The cache of a pass (nullptr until the pass sets one). Memoization, so a const Graph keeps it.
  PassCache* cache(CacheSlot slot) const { return caches_[static_cast<size_t>(slot)].get(); }
  void set_cache(CacheSlot slot, std::unique_ptr<PassCache> c) const {
    caches_[static_cast<size_t>(slot)] = std::move(c);
  }

 private:
  static size_t hash(const Node& n);
  // Slot of `node` in the open-addressing table: where it is, or the empty slot to fill.
  size_t find_slot(const Node& node, size_t h) const;
  void grow();

  // A deque: adding a node never moves the others, so a `const Node&` taken before an add
  // stays valid (passes hold such references while they build).
  std::deque<Node> nodes_;
  std::vector<size_t> hashes_;  // hash of each node, kept for rehashing
  std::vector<Id> table_;       // open addressing, linear probing; kNoId marks an empty slot
  std::vector<Symbol> symbols_;
  mutable std::array<std::unique_ptr<PassCache>, static_cast<size_t>(CacheSlot::Count)> caches_;
};

// Number of distinct nodes reachable from root (the size of its DAG).
size_t dag_size(const Graph& g, Id root);
// Ids reachable from root in increasing (topological) order.
std::vector<Id> reachable(const Graph& g, Id root);
// True when node `id` depends on variable symbol `var`.
bool depends_on(const Graph& g, Id id, int64_t var);

}  // namespace nabla
