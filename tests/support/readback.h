#pragma once
// Read-back of printed results, shared by every test that prints one (the random read-back and
// golden tests, the random gradient tests, the codegen tests): print a result as text or
// Unicode, parse it back in the same scope, and compare shape, kind (a vector of length 1 is
// no scalar) and value at given points.
#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "eval/evaluate.h"
#include "ir/error.h"
#include "ir/graph.h"
#include "ir/value_kind.h"
#include "parse/frontend.h"
#include "print/print.h"

namespace nabla::testing {

// Random sizes (1..3 for every atom, so size-1 dimensions occur) and entries in [-1, 1]
// (symmetric for Sym(n)) for every variable of the graph.
inline Bindings random_point(const Graph& g, std::mt19937& rng) {
  Bindings b;
  std::uniform_int_distribution<int> size(1, 3);
  std::uniform_real_distribution<double> entry(-1, 1);
  for (size_t i = 0; i < g.dims.size(); ++i) {
    Dim d = Dim::symbol(static_cast<int32_t>(i));
    if (!g.dims.is_derived(d)) b.dims[static_cast<int32_t>(i)] = size(rng);
  }
  for (size_t s = 0; s < g.symbol_count(); ++s) {
    const Symbol& sym = g.symbol(static_cast<int32_t>(s));
    if (sym.kind != SymbolKind::Variable) continue;
    int rows = dim_size(g, sym.shape.rows, b), cols = dim_size(g, sym.shape.cols, b);
    Matrix m(rows, cols);
    for (int i = 0; i < m.size(); ++i) m.data()[i] = entry(rng);
    if (sym.symmetric) m = ((m + m.transpose()) / 2).eval();
    b.values[static_cast<int64_t>(s)] = m;
  }
  return b;
}

// Equal shapes and entries equal to `tolerance` relative (NaN equals NaN, inf equals inf).
inline bool close_values(const Matrix& p, const Matrix& q, double tolerance = 1e-8) {
  if (p.rows() != q.rows() || p.cols() != q.cols()) return false;
  for (Eigen::Index i = 0; i < p.size(); ++i) {
    double x = p.data()[i], y = q.data()[i];
    if (x == y || (std::isnan(x) && std::isnan(y))) continue;
    if (!(std::fabs(x - y) <= tolerance * std::max({1.0, std::fabs(x), std::fabs(y)})))
      return false;
  }
  return true;
}

struct ReadBack {
  enum class Outcome { Ok, NotPrinted, NoParse, WrongShape, WrongKind, WrongValue };
  Outcome outcome = Outcome::Ok;
  std::string printed;  // the text that was parsed back
  std::string why;      // what went wrong, for a failure message
  Id back = kNoId;
  bool ok() const { return outcome == Outcome::Ok; }
};

// Prints `result` in `format`, parses it back with `front` (whose scope names the result's
// variables and functions), and compares it with `result`: the same shape and kind, and the
// same value at each of `points`. A print stopped at a clean limit is NotPrinted; any other
// error of the printer is thrown.
inline ReadBack read_back(Frontend& front, Graph& g, Id result, Format format,
                          const std::vector<Bindings>& points, double tolerance = 1e-8) {
  ReadBack r;
  try {
    r.printed = print(g, result, format);
  } catch (const Error& e) {
    if (e.kind() != ErrorKind::Limit) throw;  // only a clean limit may stop printing
    r.outcome = ReadBack::Outcome::NotPrinted;
    r.why = e.what();
    return r;
  }
  try {
    r.back = front.parse_expression(r.printed);
  } catch (const Error& e) {
    r.outcome = ReadBack::Outcome::NoParse;
    r.why = std::string("does not parse back: ") + e.what();
    return r;
  }
  if (!(g[r.back].shape == g[result].shape)) {
    r.outcome = ReadBack::Outcome::WrongShape;
    r.why = "reads back as " + g.dims.to_string(g[r.back].shape) + ", not " +
            g.dims.to_string(g[result].shape);
    return r;
  }
  ValueKind want = value_kind(g, result), got = value_kind(g, r.back);
  if (want != got) {
    r.outcome = ReadBack::Outcome::WrongKind;
    r.why = std::string("reads back as a ") + kind_name(got) + ", not a " + kind_name(want);
    return r;
  }
  for (const Bindings& point : points) {
    Matrix p, q;
    try {
      p = evaluate(g, result, point);
      q = evaluate(g, r.back, point);
    } catch (const Error& e) {
      r.outcome = ReadBack::Outcome::WrongValue;
      r.why = std::string("does not evaluate: ") + e.what();
      return r;
    }
    if (!close_values(p, q, tolerance)) {
      r.outcome = ReadBack::Outcome::WrongValue;
      r.why = "reads back to a different value";
      return r;
    }
  }
  return r;
}

}  // namespace nabla::testing
