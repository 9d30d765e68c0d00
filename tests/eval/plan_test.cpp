// Compiled plans agree with evaluate() (the per-node interpreter) on many expressions, and a
// plan reused at several points gives the same as a fresh evaluation at each.
#include "eval/plan.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "eval/evaluate.h"
#include "parse/frontend.h"

namespace nabla {
namespace {

constexpr const char* kDecls =
    "a, b in R; x, y, z, u in R^n; w in R^d; X, B in R^(n x d); A, C in R^(n x n); "
    "S in Sym(n); U in R^(n x k); V in R^(d x k)";

struct Fixture {
  Graph store;
  Frontend fe{store};
  Graph& g = fe.graph();  // the graph the frontend builds into
  Fixture() { fe.run_script(kDecls); }
  Bindings values(unsigned seed) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<double> unif(-1.0, 1.0);
    Bindings b;
    const int n = 7, d = 4, k = 3;
    auto set = [&](const char* name, int r, int c) {
      Id v = fe.parse_expression(name);
      Matrix m(r, c);
      for (Eigen::Index i = 0; i < m.size(); ++i) m.data()[i] = unif(rng);
      b.values[g[v].a] = m;
    };
    for (const char* s : {"a", "b"}) set(s, 1, 1);
    for (const char* s : {"x", "y", "z", "u"}) set(s, n, 1);
    set("w", d, 1);
    set("X", n, d);
    set("B", n, d);
    set("A", n, n);
    set("C", n, n);
    set("U", n, k);
    set("V", d, k);
    Id s = fe.parse_expression("S");
    Matrix r = Matrix::Random(n, n);
    b.values[g[s].a] = r * r.transpose() + n * Matrix::Identity(n, n);  // SPD
    b.dims[g.dims.intern("n").symbol_index()] = n;
    b.dims[g.dims.intern("d").symbol_index()] = d;
    b.dims[g.dims.intern("k").symbol_index()] = k;
    return b;
  }
};

double rel_diff(const Matrix& a, const Matrix& b) {
  if (a.rows() != b.rows() || a.cols() != b.cols()) return 1e300;
  double scale = std::max(1.0, b.cwiseAbs().maxCoeff());
  return (a - b).cwiseAbs().maxCoeff() / scale;
}

const std::vector<std::string> kExprs = {
    "sum(log(1 + exp(-y .* (X*w))))",
    "X'*(sigmoid(-X*w .* y) .* y)",
    "-X'*(sigmoid(-X*w .* y) .* y)",
    "1/2*norm2(X*w - y)^2",
    "X'*(X*w - y)",
    "x'*A*x",
    "(A + A')*x",
    "(A + C)*x + A'*x",
    "norm2(X - U*V')^2",
    "-2*(X - U*V')*V",
    "-2*(X - U*V')'*U",
    "sum(softplus(-y .* (tanh(X*B')*x)))",
    "-logdet(S) + tr(C*S)",
    "inv(S) + C'",
    "sum(1/2*x.^2 + y.*z - log(1 + exp(x.^2 .* y.^3 .* z)))",
    "2*x .* (1/2*ones - exp(x.^2 .* y.^3 .* z) .* sigmoid(-x.^2 .* y.^3 .* z) .* y.^3 .* z)",
    "X'*diag(sigmoid(X*w) .* sigmoid(-X*w))*X",
    "diag(x)*A + A*diag(y) + diag(x)*diag(y)",
    "exp(x) .* (1 + exp(x)).^-1 + log((1 + exp(y)).^-1) + log(sigmoid(z)) + log(1 + x.^2)",
    "sin(x) + cos(y) .* tan(z/4) + tanh(u) + expm1(x) + log1p(y.^2) + abs(z) + sign(u)",
    "sqrt(x.^2 + 1) + (x.^2 + 2).^(1/3) + (y.^2 + 1).^a.^2",
    "a*x + b*y - (a + b)^2*z",
    "sum(x) + sum(A) + sum(a*x)",
    "x'",
    "A'",
    "x'*y*a + b",
    "tr(A*C) + det(A) + logsumexp(x) + sum(softmax(y))",
    "[x; y; w]",
    "vec(X) + vec(B)",
    "diag(A) + A*x",
    "A*A*x + (A*A)'*y",
    "exp(A) * exp(-A')",
    "a",
    "x",
    "2",
    "ones'*x",
    "I*x + (I + A)*x",
};

TEST(Plan, AgreesWithEvaluateOnManyExpressions) {
  for (const std::string& text : kExprs) {
    Fixture f;
    Id e = f.fe.parse_expression(text);
    Plan plan(f.g, {e});
    for (unsigned seed : {1u, 2u, 3u}) {
      Bindings b = f.values(seed);
      Matrix want = evaluate(f.g, e, b);
      const Matrix got = plan.run(b)[0];
      EXPECT_LT(rel_diff(got, want), 1e-12) << text << " seed " << seed;
    }
  }
}

TEST(Plan, SeveralOutputsShareOnePlan) {
  Fixture f;
  std::vector<Id> outs;
  for (const std::string& text : kExprs) outs.push_back(f.fe.parse_expression(text));
  outs.push_back(outs[0]);  // an output repeated
  Plan plan(f.g, outs);
  Bindings b = f.values(9);
  const std::vector<Matrix>& got = plan.run(b);
  ASSERT_EQ(got.size(), outs.size());
  for (size_t i = 0; i < outs.size(); ++i)
    EXPECT_LT(rel_diff(got[i], evaluate(f.g, outs[i], b)), 1e-12) << i;
  EXPECT_LT(plan.buffer_count(), plan.instruction_count());  // buffers are reused
}

TEST(Plan, ValueAndGradSharesTheValue) {
  Fixture f;
  Id fn = f.fe.parse_expression("sum(log(1 + exp(-y .* (X*w))))");
  Id gr = f.fe.parse_expression("-X'*(sigmoid(-X*w .* y) .* y)");
  ValueAndGrad vg(f.g, fn, {gr});
  for (unsigned seed : {4u, 5u}) {
    Bindings b = f.values(seed);
    const ValueAndGradResult& r = vg.run(b);
    EXPECT_NEAR(r.value, evaluate(f.g, fn, b)(0, 0), 1e-12 * std::abs(r.value) + 1e-12);
    ASSERT_EQ(r.grads.size(), 1u);
    EXPECT_LT(rel_diff(r.grads[0], evaluate(f.g, gr, b)), 1e-12);
  }
}

TEST(Plan, ErrorsLikeEvaluate) {
  Fixture f;
  Id e = f.fe.parse_expression("X*w + x");
  Plan plan(f.g, {e});
  Bindings b = f.values(1);
  b.values.erase(f.g[f.fe.parse_expression("w")].a);
  EXPECT_THROW(plan.run(b), Error);
  Bindings c = f.values(1);
  c.values[f.g[f.fe.parse_expression("w")].a] = Matrix::Zero(3, 1);  // wrong size
  EXPECT_THROW(plan.run(c), Error);
}

}  // namespace
}  // namespace nabla
