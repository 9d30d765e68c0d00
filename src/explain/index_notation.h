#pragma once
// Expressions in index notation: sums over named indices of products of entries (x_k, A_kl),
// Kronecker deltas and entry-wise functions, as the index method writes them.
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "eval/evaluate.h"
#include "ir/graph.h"
#include "ir/rational.h"

namespace nabla::explain {

struct IndexSum;

struct IndexFactor {
  enum class Kind { Entry, Delta, Func, Pow };
  Kind kind = Kind::Entry;
  int32_t symbol = 0;             // Entry: the variable
  std::vector<int> indices;       // Entry: 0 to 2 index ids; Delta: 2
  Op op = Op::Exp;                // Func
  std::shared_ptr<IndexSum> arg;  // Func, Pow
  Rational power{1, 1};           // Pow
};

struct IndexTerm {
  Rational coef{1, 1};
  std::vector<int> sums;  // summation indices
  std::vector<IndexFactor> factors;
};

struct IndexSum {
  std::vector<IndexTerm> terms;
};

// An index: its letter and range.
struct IndexName {
  std::string letter;
  Dim range;
};

class IndexForm {
 public:
  IndexForm(std::shared_ptr<const std::vector<IndexName>> names, IndexSum sum,
            std::vector<int> free)
      : names_(std::move(names)), sum_(std::move(sum)), free_(std::move(free)) {}
  // The first line of a chain writes the function itself (before the derivative is taken):
  // it equals the expression, not its derivative.
  bool before_derivative = false;
  const IndexSum& sum() const { return sum_; }
  const std::vector<int>& free() const { return free_; }
  // text 0, Unicode 1, LaTeX 2
  std::string render(const Graph& g, int format) const;
  // The value at the free indices' values (0-based), with variables' values by symbol and
  // the size of each dimension.
  double evaluate(const std::unordered_map<int32_t, Matrix>& values,
                  const std::vector<int64_t>& free_values,
                  const std::function<int64_t(Dim)>& size) const;

 private:
  std::shared_ptr<const std::vector<IndexName>> names_;
  IndexSum sum_;
  std::vector<int> free_;
};

// Builds index forms of one derivation (all share the index names).
class IndexBuilder {
 public:
  explicit IndexBuilder(const Graph& g)
      : g_(g), names_(std::make_shared<std::vector<IndexName>>()) {}
  int new_index(Dim range, const std::string& letter = "");
  // e's entry (row, col), -1 for a dimension of size 1. Error(Unsupported) for what index
  // notation does not write (det, inv, ...).
  IndexSum entry(Id e, int row, int col);
  // d sum / d X_(row, col) of the variable symbol X (indices -1 where X has size 1).
  IndexSum differentiate(const IndexSum& s, int32_t var, int row, int col) const;
  // Sums over an index that a delta ties to another index are taken: the delta picks it.
  IndexSum contract(const IndexSum& s) const;
  std::shared_ptr<IndexForm> form(IndexSum s, std::vector<int> free) const {
    return std::make_shared<IndexForm>(names_, std::move(s), std::move(free));
  }
  const std::vector<IndexName>& names() const { return *names_; }

 private:
  // s with every summation index of its terms renamed to a new one (so that a product of
  // two sums never sums twice over the same index).
  IndexSum freshen(const IndexSum& s) const;
  int fresh_index(int like) const;
  const Graph& g_;
  std::shared_ptr<std::vector<IndexName>> names_;
  size_t calls_ = 0;  // entry() calls: a DAG may hold exponentially many paths
};

}  // namespace nabla::explain
