// Compiled plans agree with evaluate() (the per-node interpreter) on many expressions, and a
// plan reused at several points gives the same as a fresh evaluation at each.
#include "eval/plan.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <tuple>
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
  Bindings values(unsigned seed, int n = 7, int d = 4, int k = 3) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<double> unif(-1.0, 1.0);
    Bindings b;
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
    // SPD: r r' + n I, or for large n (where r r' costs n^3) a diagonally dominant (r + r')/2 + n
    // I.
    b.values[g[s].a] = (n <= 50 ? Matrix(r * r.transpose()) : Matrix((r + r.transpose()) / 2)) +
                       n * Matrix::Identity(n, n);
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
    "log(1 + exp(x .* y)) + (1 + exp(x .* y)).^-1 + softplus(1000*z) .* sigmoid(1000*z)",
    "sum(softplus(-1000*x)) + sum(sigmoid(-1000*x))",
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

// Value and gradients that the plan computes in one pass over the rows of a tall matrix (the
// row loop), at sizes that take several blocks of rows and a partial last block. Each group is
// one plan (several outputs), as compile_value_and_grad builds it.
TEST(Plan, RowLoopAgreesWithEvaluateOverManyBlocks) {
  const std::vector<std::vector<std::string>> groups = {
      {"sum(log(1 + exp(-y .* (X*w))))", "-X'*(y .* sigmoid(-y .* (X*w)))"},
      {"1/2*norm2(X*w - y)^2", "X'*(X*w - y)"},
      {"norm2(X - U*V')^2", "-2*(X - U*V')*V", "-2*(X - U*V')'*U"},
      {"sum(softplus(-y .* (tanh(X*V)*V'*w)))",
       "-X'*(y .* sigmoid(-y .* (tanh(X*V)*V'*w))*(V'*w)' .* (1 - tanh(X*V).^2))",
       "-tanh(X*V)'*(y .* sigmoid(-y .* (tanh(X*V)*V'*w)))"},
      {"X*w", "sum(exp(X*w) .* x)", "X'*x + X'*(X*w)"},
      {"norm2(X*w)", "(X*w)'*X"},
  };
  for (const auto& group : groups) {
    Fixture f;
    std::vector<Id> outs;
    for (const std::string& text : group) outs.push_back(f.fe.parse_expression(text));
    Plan plan(f.g, outs);
    EXPECT_GT(plan.row_loop_steps(), 0u) << group[0];
    for (auto [n, d, k] : {std::tuple{1000, 70, 5}, std::tuple{1, 3, 2}, std::tuple{700, 2, 1}}) {
      Bindings b = f.values(11, n, d, k);
      const std::vector<Matrix>& got = plan.run(b);
      for (size_t i = 0; i < outs.size(); ++i)
        EXPECT_LT(rel_diff(got[i], evaluate(f.g, outs[i], b)), 1e-11)
            << group[i] << " n=" << n << " d=" << d;
    }
  }
}

// The shortcuts that skip work: tr(A B) without the product, X' diag(d) X by one triangle,
// one factorization for logdet(S) and inv(S); transposed outputs; each agrees with evaluate().
TEST(Plan, ShortcutsAgreeWithEvaluate) {
  Fixture f;
  std::vector<Id> outs;
  for (const char* text :
       {"x'*A*x", "(A + A')*x", "(A' + A)*y", "(C + C')*x + x'*C*y*x",
        "tr(A*C) + tr(A'*C) + tr(A*C') + tr(A'*C')", "X'*diag(x)*X", "X'*(diag(x)*X)",
        "-logdet(S) + tr(C*S)", "inv(S)", "det(S)", "logdet(A*A' + I) + det(A) + sum(inv(A)*x)",
        "norm2(1e200*x) + norm2(1e-200*y)", "(X - 2*X)'", "(C - inv(S))'"})
    outs.push_back(f.fe.parse_expression(text));
  Plan plan(f.g, outs);
  for (unsigned seed : {1u, 2u}) {
    Bindings b = f.values(seed, seed == 1 ? 30 : 70, 6, 2);
    const std::vector<Matrix>& got = plan.run(b);
    for (size_t i = 0; i < outs.size(); ++i)
      EXPECT_LT(rel_diff(got[i], evaluate(f.g, outs[i], b)), 1e-11) << i;
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
