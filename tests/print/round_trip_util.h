#pragma once
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>

#include "eval/evaluate.h"
#include "ir/build.h"
#include "ir/graph.h"
#include "parse/frontend.h"
#include "print/print.h"

namespace nabla::print_testing {

inline bool is_query(Op op) {
  return op == Op::Grad || op == Op::Jacobian || op == Op::Hessian || op == Op::Derivative ||
         op == Op::Simplify;
}

// Random values for every variable and dimension under root: entries in [0.5, 1.5] (log and
// sqrt stay defined), square matrices diagonally dominant (inv, det, logdet stay defined),
// Sym(n) matrices symmetric, abstract functions smooth stand-ins (x -> sin of entries sums).
inline Bindings random_bindings(const Graph& g, Id root, std::mt19937& rng) {
  Bindings b;
  std::uniform_int_distribution<int> size(2, 4);
  std::uniform_real_distribution<double> entry(0.5, 1.5);
  for (size_t i = 0; i < g.dims.size(); ++i)  // derived sizes (n+m, n*m) follow from the atoms
    if (!g.dims.is_derived(Dim::symbol(static_cast<int32_t>(i))))
      b.dims[static_cast<int32_t>(i)] = size(rng);
  for (Id id : reachable(g, root)) {
    const Node& n = g[id];
    if (n.op != Op::Var || b.values.count(n.a)) continue;
    const Symbol& s = g.symbol(n.a);
    int rows = dim_size(g, s.shape.rows, b), cols = dim_size(g, s.shape.cols, b);
    Matrix m(rows, cols);
    for (int r = 0; r < rows; ++r)
      for (int c = 0; c < cols; ++c) m(r, c) = entry(rng) / (rows == cols && rows > 1 ? rows : 1);
    if (s.symmetric) m = (m + m.transpose()).eval() / 2;
    if (rows == cols && rows > 1) m += 2 * Matrix::Identity(rows, cols);
    b.values[n.a] = m;
  }
  return b;
}

// Relative agreement of two values, entry by entry.
inline ::testing::AssertionResult close(const Matrix& p, const Matrix& q) {
  if (p.rows() != q.rows() || p.cols() != q.cols())
    return ::testing::AssertionFailure() << "shapes differ";
  for (Eigen::Index i = 0; i < p.size(); ++i) {
    double x = p.data()[i], y = q.data()[i];
    if (x == y || (std::isnan(x) && std::isnan(y))) continue;  // also equal infinities
    if (!(std::fabs(x - y) <= 1e-9 * std::max({1.0, std::fabs(x), std::fabs(y)})))
      return ::testing::AssertionFailure() << "entry " << i << ": " << x << " vs " << y;
  }
  return ::testing::AssertionSuccess();
}

// The same node, or the same query op over equivalent operands, or equal values at random
// points (the parser may canonicalize differently from the builders).
inline ::testing::AssertionResult equivalent(const Graph& g, Id p, Id q, std::mt19937& rng) {
  if (p == q) return ::testing::AssertionSuccess();
  if (!(g[p].shape == g[q].shape)) return ::testing::AssertionFailure() << "shapes differ";
  if (is_query(g[p].op) || is_query(g[q].op)) {
    if (g[p].op != g[q].op || g[p].kids.size() != g[q].kids.size())
      return ::testing::AssertionFailure() << "different queries";
    for (size_t i = 0; i < g[p].kids.size(); ++i) {
      auto r = equivalent(g, g[p].kids[i], g[q].kids[i], rng);
      if (!r) return r;
    }
    return ::testing::AssertionSuccess();
  }
  for (int trial = 0; trial < 3; ++trial) {
    Bindings b = random_bindings(g, p, rng);
    Bindings bq = random_bindings(g, q, rng);
    for (auto& [k, v] : bq.values) b.values.emplace(k, v);
    auto r = close(evaluate(g, p, b), evaluate(g, q, b));
    if (!r) return r;
  }
  return ::testing::AssertionSuccess();
}

}  // namespace nabla::print_testing
