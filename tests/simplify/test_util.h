#pragma once
// Helpers shared by the simplifier tests: parse in a scope, simplify, evaluate at random points.
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "eval/evaluate.h"
#include "ir/graph.h"
#include "parse/frontend.h"
#include "print/print.h"
#include "simplify/simplify.h"

namespace nabla::testing {

// Random values for every variable symbol of g; symbolic dimensions get `size`.
inline Bindings random_bindings(const Graph& g, std::mt19937& rng, int32_t size = 3) {
  Bindings b;
  for (size_t d = 0; d < g.dims.size(); ++d) b.dims[static_cast<int32_t>(d)] = size;
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  auto dim = [&](Dim d) { return d.is_fixed() ? d.size() : size; };
  for (size_t s = 0; s < g.symbol_count(); ++s) {
    const Symbol& sym = g.symbol(static_cast<int64_t>(s));
    if (sym.kind != SymbolKind::Variable) continue;
    Matrix m(dim(sym.shape.rows), dim(sym.shape.cols));
    for (Eigen::Index i = 0; i < m.size(); ++i) m.data()[i] = u(rng);
    if (sym.symmetric) m = (m + m.transpose()).eval() / 2;
    if (m.rows() == m.cols() && m.rows() > 1) m += 3.0 * Matrix::Identity(m.rows(), m.cols());
    b.values[static_cast<int64_t>(s)] = m;
  }
  return b;
}

// Largest entry-wise |a - b| / max(1, |a|, |b|); infinity when shapes differ.
inline double relative_error(const Matrix& a, const Matrix& b) {
  if (a.rows() != b.rows() || a.cols() != b.cols()) return INFINITY;
  double worst = 0;
  for (Eigen::Index i = 0; i < a.size(); ++i) {
    double x = a.data()[i], y = b.data()[i];
    double err = std::fabs(x - y) / std::max({1.0, std::fabs(x), std::fabs(y)});
    worst = std::max(worst, err);
  }
  return worst;
}

inline bool all_finite(const Matrix& m) {
  return m.allFinite();
}

// A graph with a front end, for tests written in the nabla language.
struct Scope {
  Graph g;
  Frontend fe{g};
  explicit Scope(const std::string& decls) {
    if (!decls.empty()) fe.run_script(decls);
  }
  Id parse(const std::string& text) { return fe.parse_expression(text); }
  Id simp(const std::string& text, SimplifyReport* report = nullptr, StepLog* steps = nullptr) {
    return simplify(g, parse(text), {}, report, steps);
  }
  std::string text(Id id) { return to_text(g, id); }
};

}  // namespace nabla::testing
