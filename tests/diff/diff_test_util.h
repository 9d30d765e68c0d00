#pragma once
// Helpers for the differentiation tests: random bindings, abstract-function stand-ins, central
// finite differences, and printing an expression for failure messages.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <sstream>
#include <string>

#include "diff/diff.h"
#include "eval/evaluate.h"
#include "ir/build.h"
#include "ir/error.h"
#include "ir/graph.h"
#include "print/print.h"

namespace nabla::difftest {

// The expression as text; a node listing when the printer cannot print it.
inline std::string show(const Graph& g, Id id) {
  try {
    return to_text(g, id);
  } catch (const std::exception&) {
  }
  std::ostringstream out;
  for (Id k : reachable(g, id)) {
    const Node& n = g[k];
    out << "%" << k << " = " << op_name(n.op);
    if (n.op == Op::Const) out << " " << const_value(g, k);
    if (n.op == Op::Var || n.op == Op::Call) out << " " << g.symbol(n.a).name;
    for (Id c : n.kids) out << " %" << c;
    out << "; ";
  }
  return out.str();
}

// Largest entry-wise difference relative to the size of the reference.
inline double rel_err(const Matrix& got, const Matrix& want) {
  if (got.rows() != want.rows() || got.cols() != want.cols()) return INFINITY;
  double scale = 1.0 + want.cwiseAbs().maxCoeff();
  return (got - want).cwiseAbs().maxCoeff() / scale;
}

// Central differences of scalar e w.r.t. variable `sym`: (e(x + h) - e(x - h)) / 2h entry-wise.
inline Matrix fd_grad(const Graph& g, Id e, int64_t sym, Bindings b, double h = 1e-5) {
  Matrix x0 = b.values.at(sym);
  Matrix out(x0.rows(), x0.cols());
  for (Eigen::Index i = 0; i < x0.size(); ++i) {
    Matrix xp = x0, xm = x0;
    xp(i) += h;
    xm(i) -= h;
    b.values[sym] = xp;
    double fp = evaluate(g, e, b)(0, 0);
    b.values[sym] = xm;
    double fm = evaluate(g, e, b)(0, 0);
    out(i) = (fp - fm) / (2 * h);
  }
  return out;
}

// Central differences of vector e w.r.t. vector variable `sym`: column j = d e / d x_j.
inline Matrix fd_jacobian(const Graph& g, Id e, int64_t sym, Bindings b, double h = 1e-5) {
  Matrix x0 = b.values.at(sym);
  Matrix out;
  for (Eigen::Index j = 0; j < x0.size(); ++j) {
    Matrix xp = x0, xm = x0;
    xp(j) += h;
    xm(j) -= h;
    b.values[sym] = xp;
    Matrix fp = evaluate(g, e, b);
    b.values[sym] = xm;
    Matrix fm = evaluate(g, e, b);
    Matrix col = (fp - fm) / (2 * h);
    col.resize(col.size(), 1);  // vec, column-major
    if (j == 0) out.resize(col.size(), x0.size());
    out.col(j) = col;
  }
  return out;
}

// A graph with a fixed cast of variables and abstract functions, all bound to random values.
struct World {
  Graph g;
  Bindings b;
  std::mt19937_64 rng;
  std::vector<Id> vars;  // every declared variable's Var node

  explicit World(uint64_t seed = 1) : rng(seed) {}

  Matrix random(Shape s, double lo, double hi) {
    std::uniform_real_distribution<double> u(lo, hi);
    Matrix m(s.rows.size(), s.cols.size());
    for (Eigen::Index i = 0; i < m.size(); ++i) m(i) = u(rng);
    return m;
  }
  Id var(const std::string& name, Shape s, double lo = -1, double hi = 1) {
    int32_t sym = g.declare_variable(name, s);
    b.values[sym] = random(s, lo, hi);
    Id v = variable(g, sym);
    vars.push_back(v);
    return v;
  }
  // A well-conditioned square matrix: k I + small noise.
  Id wellcond(const std::string& name, int n, double k = 3) {
    Id v = var(name, Shape::matrix(Dim::fixed(n), Dim::fixed(n)), -0.5, 0.5);
    b.values[g[v].a] += k * Matrix::Identity(n, n);
    return v;
  }
  void rebind() {
    for (Id v : vars) {
      Matrix& m = b.values[g[v].a];
      m += random(g[v].shape, -0.05, 0.05);
    }
  }
};

// Abstract functions with concrete stand-ins (value and derivative markers).
struct Functions {
  int32_t f = -1;   // f: R^3 -> R^3, f(u) = tanh(M u) + u
  int32_t gs = -1;  // gs: R^3 -> R, gs(u) = sum(sin(u)) + u'u/2
  int32_t h = -1;   // h: R -> R, h(t) = sin(t) + t^2
  int32_t L = -1;   // L: R x R x R -> R, L(a, b, c) = a b + sin(c) a + c^2
  int32_t c = -1;   // c: R -> R^3, c(t) = [sin t; cos t; t^2]
  Matrix M;

  void declare(World& w) {
    Graph& g = w.g;
    Shape s = Shape::scalar(), v3 = Shape::vector(Dim::fixed(3));
    f = g.declare_function("f", {v3}, v3);
    gs = g.declare_function("g", {v3}, s);
    h = g.declare_function("h", {s}, s);
    L = g.declare_function("L", {s, s, s}, s);
    c = g.declare_function("c", {s}, v3);
    M = Matrix(3, 3);
    M << 0.5, -0.3, 0.2, 0.1, 0.4, -0.6, -0.2, 0.3, 0.7;
    Matrix Mc = M;
    w.b.functions[f] = [Mc](int64_t d, const std::vector<Matrix>& a) -> Matrix {
      Matrix t = (Mc * a[0]).array().tanh().matrix();
      if (d == kCallValue) return t + a[0];
      Matrix dt = (1 - t.array().square()).matrix();
      return Matrix(dt.asDiagonal() * Mc) + Matrix::Identity(3, 3);
    };
    w.b.functions[gs] = [](int64_t d, const std::vector<Matrix>& a) -> Matrix {
      if (d == kCallValue)
        return Matrix::Constant(1, 1, a[0].array().sin().sum() + 0.5 * a[0].squaredNorm());
      if (d == kCallSecond)  // hessian(g)(u) = I - diag(sin(u))
        return Matrix(Matrix::Identity(3, 3) - Matrix(a[0].array().sin().matrix().asDiagonal()));
      return (a[0].array().cos().matrix() + a[0]).eval();
    };
    w.b.functions[h] = [](int64_t d, const std::vector<Matrix>& a) -> Matrix {
      double t = a[0](0, 0);
      if (d == kCallSecond) return Matrix::Constant(1, 1, 2 - std::sin(t));
      return Matrix::Constant(1, 1, d == kCallValue ? std::sin(t) + t * t : std::cos(t) + 2 * t);
    };
    w.b.functions[L] = [](int64_t d, const std::vector<Matrix>& a) -> Matrix {
      double x = a[0](0, 0), y = a[1](0, 0), z = a[2](0, 0);
      double v = 0;
      if (d == kCallValue) v = x * y + std::sin(z) * x + z * z;
      if (d == 1) v = y + std::sin(z);
      if (d == 2) v = x;
      if (d == 3) v = std::cos(z) * x + 2 * z;
      if (d == call_partial2(1, 2)) v = 1;
      if (d == call_partial2(1, 3)) v = std::cos(z);
      if (d == call_partial2(3, 3)) v = 2 - std::sin(z) * x;  // L11, L22, L23: 0
      return Matrix::Constant(1, 1, v);
    };
    w.b.functions[c] = [](int64_t d, const std::vector<Matrix>& a) -> Matrix {
      double t = a[0](0, 0);
      Matrix r(3, 1);
      if (d == kCallValue)
        r << std::sin(t), std::cos(t), t * t;
      else
        r << std::cos(t), -std::sin(t), 2 * t;
      return r;
    };
  }
};

// Checks grad(e, v) against central differences; returns an empty string or a failure message.
inline std::string check_grad(Graph& g, const Bindings& b, Id e, Id v, double tol) {
  Id gr = grad(g, e, v);
  Matrix got = evaluate(g, gr, b);
  Matrix want = fd_grad(g, e, g[v].a, b);
  double err = rel_err(got, want);
  if (!(err <= tol)) {
    std::ostringstream out;
    out << "grad w.r.t. " << g.symbol(g[v].a).name << " of " << show(g, e)
        << "\n  symbolic: " << show(g, gr) << "\n  error " << err << "\n  got\n"
        << got << "\n  want\n"
        << want;
    return out.str();
  }
  return {};
}

}  // namespace nabla::difftest
