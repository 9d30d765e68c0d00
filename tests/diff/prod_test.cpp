// prod(X) and its gradient prod_others(X): exact at zero entries (where prod(X)./X is 0/0), in
// every derivative mode, against central differences.
#include "diff/diff.h"
#include "diff_test_util.h"
#include "print/print.h"

namespace nabla {
namespace {

using difftest::fd_grad;

struct ProdCase {
  const char* name;
  Matrix value;
};

std::vector<ProdCase> cases() {
  return {
      {"no zero", (Matrix(4, 1) << 0.5, -1.5, 2.0, 0.75).finished()},
      {"one zero", (Matrix(4, 1) << 0.5, 0.0, 2.0, -3.0).finished()},
      {"two zeros", (Matrix(4, 1) << 0.0, 1.5, 0.0, -2.0).finished()},
      {"all zero", Matrix::Zero(4, 1)},
  };
}

TEST(Prod, GradientIsProdOthers) {
  Graph g;
  Id x = variable(g, g.declare_variable("x", Shape::vector(Dim::fixed(4))));
  Id d = grad(g, unary(g, Op::Prod, x), x);
  EXPECT_EQ(to_text(g, d), "prod_others(x)");
}

TEST(Prod, GradientMatchesCentralDifferencesAtZeros) {
  for (const ProdCase& c : cases()) {
    SCOPED_TRACE(c.name);
    Graph g;
    int64_t sym = g.declare_variable("x", Shape::vector(Dim::fixed(4)));
    Id x = variable(g, static_cast<int32_t>(sym));
    Id e = unary(g, Op::Prod, hadamard(g, x, x));  // prod(x.^2): a zero entry is a double root
    Id e1 = unary(g, Op::Prod, x);
    Bindings b;
    b.values[sym] = c.value;
    for (Id f : {e, e1}) {
      Matrix want = fd_grad(g, f, sym, b);
      Matrix got = evaluate(g, grad(g, f, x), b);
      EXPECT_LT((got - want).cwiseAbs().maxCoeff(), 1e-7) << got.transpose();
      Matrix fwd = evaluate(g, jacobian(g, f, x), b).transpose();
      EXPECT_LT((fwd - want).cwiseAbs().maxCoeff(), 1e-7) << fwd.transpose();
    }
    // Exact, not approximately: entry i of the gradient of prod(x) is the product of the others.
    Matrix g1 = evaluate(g, grad(g, e1, x), b);
    for (int i = 0; i < 4; ++i) {
      double p = 1;
      for (int j = 0; j < 4; ++j)
        if (j != i) p *= c.value(j);
      EXPECT_EQ(g1(i), p) << "entry " << i;
    }
  }
}

TEST(Prod, MatrixArgumentAndForwardMode) {
  Graph g;
  int64_t sx = g.declare_variable("X", Shape::matrix(Dim::fixed(2), Dim::fixed(3)));
  int64_t st = g.declare_variable("t", Shape::scalar());
  Id X = variable(g, static_cast<int32_t>(sx)), t = variable(g, static_cast<int32_t>(st));
  Id e = unary(g, Op::Prod, add(g, X, scale(g, t, ones(g, g[X].shape))));  // prod(X + t)
  Bindings b;
  b.values[sx] = (Matrix(2, 3) << 1, 0, 2, -1, 3, 0.5).finished();
  b.values[st] = Matrix::Constant(1, 1, 0.0);
  Matrix want = fd_grad(g, e, sx, b);
  EXPECT_LT((evaluate(g, grad(g, e, X), b) - want).cwiseAbs().maxCoeff(), 1e-7);
  Matrix dt = fd_grad(g, e, st, b);
  EXPECT_LT(std::abs(evaluate(g, derivative(g, e, t), b)(0, 0) - dt(0, 0)), 1e-7);
}

TEST(Prod, SecondDerivativesAreDeclined) {
  Graph g;
  Id x = variable(g, g.declare_variable("x", Shape::vector(Dim::fixed(3))));
  try {
    hessian(g, unary(g, Op::Prod, x), x);
    ADD_FAILURE() << "hessian(prod(x), x) should be Unsupported";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Unsupported) << e.what();
  }
}

}  // namespace
}  // namespace nabla
