#pragma once
// Shared machinery of the simplifier: exact numbers, the structural order of terms, and small
// constructors that keep shapes right. Internal to src/simplify.
#include <chrono>
#include <cstdint>
#include <set>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "ir/build.h"
#include "ir/graph.h"
#include "ir/rational.h"

namespace nabla::simp {

// A numeric constant: an exact rational while it can be, else a double.
struct Num {
  bool exact = true;
  Rational r{0, 1};
  double d = 0;

  static Num of(Rational q);
  static Num of(double v);
  static Num integer(int64_t v) { return of(Rational{v, 1}); }
  double value() const { return exact ? r.to_double() : d; }
  bool is_zero() const { return exact ? r.num == 0 : d == 0; }
  bool is_one() const { return exact ? r.is_one() : d == 1; }
  bool is_integer() const { return exact && r.den == 1; }
  bool negative() const { return value() < 0; }
};
Num operator+(Num a, Num b);
Num operator*(Num a, Num b);
Num operator-(Num a);
bool same(Num a, Num b);
// a^k for integer k (exact where possible).
Num power(Num a, int64_t k);

// The value of a scalar Const node.
bool as_num(const Graph& g, Id id, Num* out);
Id num_node(Graph& g, Num n);

// Structural facts about a node, computed once per node, independent of node ids.
struct Key {
  int64_t first_var = -1;  // symbol of the first variable in pre-order, -1 for constants
  uint64_t size = 1;       // tree size (saturating)
  uint64_t hash = 0;       // structural hash
};

// Thrown from inside a rule when the simplify call's work budget is spent; the engine catches it
// and keeps the result of its last complete pass.
struct OutOfBudget {
  const char* reason;  // "node limit", "time limit"
};

// What the simplifier keeps beside a graph between its calls (Graph::cache): facts that depend
// only on node ids, so a later call (the next query of a script, the Hessian's second
// derivative, re-simplifying a result) starts from what earlier calls learned. Calls on one
// graph must not nest (no rule calls simplify): a nested call with other written orientations
// would clear the rewrites the outer call is filling.
struct Memo : PassCache {
  std::vector<Key> keys;
  std::vector<char> has_key;  // per node id: keys holds its key
  std::vector<uint64_t> tokens;
  std::unordered_map<Id, int> transpose_cost;
  std::unordered_map<uint64_t, int> compare;  // compare_structure of large pairs
  // The rewrite of each node id (kNoId: not known yet), valid for the written orientations
  // `rewrites_written` (the only input besides the node that rules read).
  std::set<std::pair<int64_t, int64_t>> rewrites_written;
  std::vector<Id> rewrites;
  // Results of simplify calls (for the same written orientations): simplifying one again
  // returns it, as the saturation step may keep a form the passes alone would rewrite.
  std::unordered_set<Id> results;
};
// The graph's simplifier memo, made on first use.
Memo& memo_of(Graph& g);

class Ctx {
 public:
  using Clock = std::chrono::steady_clock;
  explicit Ctx(Graph& graph)
      : g(graph),
        memo(memo_of(graph)),
        start_nodes_(graph.size()),
        compare_memo_(memo.compare),
        keys_(memo.keys),
        has_key_(memo.has_key),
        tcost_(memo.transpose_cost),
        tokens_(memo.tokens) {}
  Graph& g;
  Memo& memo;

  // The work budget of one simplify call: nodes added to the graph since the Ctx was made, and a
  // deadline. Rules spend it in loops whose length the input decides (flattening a shared DAG as
  // a tree, grouping thousands of terms, comparing deep structures) and call tick() there.
  void set_budget(size_t max_new_nodes, Clock::time_point deadline) {
    max_new_nodes_ = max_new_nodes;
    deadline_ = deadline;
  }
  // Throws OutOfBudget when the node or time budget is spent.
  void check_budget();
  // One unit of work: cheap; every kTickPeriod units checks the budget.
  void tick() {
    if (++ticks_ % kTickPeriod == 0) check_budget();
  }
  // Terms (or factors) one flattening may produce before it gives up: a sum shared in a DAG
  // flattens to a tree, which can be exponentially larger than the DAG.
  static constexpr size_t kMaxFlatTerms = size_t{1} << 21;

  const Key& key(Id id);
  // Deterministic structural order (not by id): constants first, then by the first variable in
  // declaration order, then smaller trees first, then by op, then node by node (constants by
  // value, functions and partials by declaration order and index), children left to right (s*X:
  // X first).
  int compare(Id a, Id b);
  bool less(Id a, Id b) { return compare(a, b) < 0; }
  // How many more printed tokens `id'` takes than `id` in its best form: -1 when id is a
  // transpose, 0 when id is its own transpose (scalars, symmetric, I, diag), else up to 1.
  int transpose_cost(Id id, int depth = 0);
  // Printed tokens of id in text form, approximately as the printer writes it: names, numbers,
  // operators (a unary minus and ' included), function names; no brackets or commas.
  uint64_t tokens(Id id);

  // Records the scalar products u'*v of two vector variables written in the input (the nodes of
  // `dag`, reachable(g, root)) in one orientation only (not also as v'*u): the simplifier keeps
  // that orientation instead of the canonical one.
  void note_written_orientations(const std::vector<Id>& dag);
  // True when u'*v (u, v vector variable symbols) was written that way.
  bool written(int64_t u, int64_t v) const { return written_.count({u, v}) > 0; }
  const std::set<std::pair<int64_t, int64_t>>& written_set() const { return written_; }

 private:
  int compare_structure(Id a, Id b, int depth);

  static constexpr uint64_t kTickPeriod = 1024;
  size_t start_nodes_;
  size_t max_new_nodes_ = SIZE_MAX;
  Clock::time_point deadline_ = Clock::time_point::max();
  uint64_t ticks_ = 0;
  // compare_structure results of pairs of large nodes (a DAG compared as a tree is exponential).
  std::unordered_map<uint64_t, int>& compare_memo_;

  std::vector<Key>& keys_;
  std::vector<char>& has_key_;  // per node id: keys_ holds its key
  std::unordered_map<Id, int>& tcost_;
  static constexpr uint64_t kNoTokens = ~uint64_t{0};  // not computed yet (counts saturate at 2^60)
  std::vector<uint64_t>& tokens_;
  std::set<std::pair<int64_t, int64_t>> written_;
};

// u'*v for column-vector variables u and v: sets their symbols.
bool plain_vector_product(const Graph& g, Id id, int64_t* u, int64_t* v);

// Zero/one of a shape: Const for scalars, Zeros/Ones otherwise.
Id zero_of(Graph& g, Shape s);
Id one_of(Graph& g, Shape s);
bool is_zero(const Graph& g, Id id);  // Zeros or Const 0
// x' in its cheapest form: strips a transpose, keeps scalars and self-transposed nodes.
Id transpose_of(Ctx& c, Id id);
// True when x' = x for every value of x.
bool self_transposed(const Graph& g, Id id);
// -x: strips a factor -1 if there is one.
Id negate(Graph& g, Id id);
// c*x with the constant folded in when c is 1.
Id scaled(Graph& g, Num c, Id x);

}  // namespace nabla::simp
