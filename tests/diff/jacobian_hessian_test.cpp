// Jacobians, Hessians, forward derivatives and query expansion, checked numerically against
// reference forms and central differences (tolerance 1e-6 relative to 1 + max|reference|).
#include "diff_test_util.h"

namespace nabla {
namespace {

using namespace difftest;

class Matrices : public ::testing::Test {
 protected:
  World w{777};
  Dim n = Dim::fixed(4), m = Dim::fixed(3);
  Id x, A, W, X, wv, a, P, y;
  void SetUp() override {
    x = w.var("x", Shape::vector(m));
    y = w.var("y", Shape::vector(m));
    A = w.var("A", Shape::matrix(n, m));
    W = w.var("W", Shape::matrix(n, m));
    X = w.var("X", Shape::matrix(Dim::fixed(5), m));
    wv = w.var("w", Shape::vector(m));
    a = w.var("a", Shape::scalar());
    P = w.wellcond("P", 3);
  }
  Matrix ev(Id id) { return evaluate(w.g, id, w.b); }
};

TEST_F(Matrices, JacobianOfLinearMapIsTheMatrix) {
  Graph& g = w.g;
  Id J = jacobian(g, matmul(g, A, x), x);
  EXPECT_LT(rel_err(ev(J), ev(A)), 1e-12);
  EXPECT_EQ(J, A);  // no leftover identity factor
}

TEST_F(Matrices, JacobianOfSigmoidLayer) {
  Graph& g = w.g;
  Id s = unary(g, Op::Sigmoid, matmul(g, W, x));
  Id J = jacobian(g, s, x);
  Id ref = matmul(g, unary(g, Op::Diag, hadamard(g, s, sub(g, ones(g, g[s].shape), s))), W);
  EXPECT_LT(rel_err(ev(J), ev(ref)), 1e-12) << show(g, J);
  EXPECT_LT(rel_err(ev(J), fd_jacobian(g, s, g[x].a, w.b)), 1e-6);
}

TEST_F(Matrices, JacobianOfSoftmax) {
  Graph& g = w.g;
  Id s = unary(g, Op::Softmax, x);
  Id J = jacobian(g, s, x);
  Id ref = sub(g, unary(g, Op::Diag, s), matmul(g, s, transpose(g, s)));
  EXPECT_LT(rel_err(ev(J), ev(ref)), 1e-12) << show(g, J);
  EXPECT_LT(rel_err(ev(J), fd_jacobian(g, s, g[x].a, w.b)), 1e-6);
}

TEST_F(Matrices, JacobiansOfAssortedVectorExpressionsMatchCentralDifferences) {
  Graph& g = w.g;
  Functions fn;
  fn.declare(w);
  std::vector<Id> es = {
      hadamard(g, x, unary(g, Op::Exp, y)),
      scale(g, inner(g, x, y), unary(g, Op::Tanh, x)),
      transpose(g, matmul(g, transpose(g, x), matmul(g, transpose(g, W), W))),
      matmul(g, unary(g, Op::Inv, P), x),
      stack(g, {inner(g, x, x), unary(g, Op::Sum, x), a}),
      call(g, fn.f, kCallValue, {x}),
      call(g, fn.c, kCallValue, {inner(g, x, y)}),
      scale(g, call(g, fn.gs, kCallValue, {x}), y),
      power(g, unary(g, Op::Softplus, x), constant(g, Rational{3, 2})),
      power(g, unary(g, Op::Exp, y), unary(g, Op::Sum, x)),
      scale(g, unary(g, Op::LogDet, add(g, P, matmul(g, x, transpose(g, x)))), y),
      scale(g, unary(g, Op::Norm2, x), unary(g, Op::Softmax, x)),
      scale(g, unary(g, Op::LogSumExp, x), x),
      inner(g, x, x),
      scale(g, unary(g, Op::Det, add(g, P, unary(g, Op::Diag, x))), x),
      scale(g, unary(g, Op::Trace, matmul(g, x, transpose(g, y))), x),
      unary(g, Op::Vec, matmul(g, x, transpose(g, x))),
      unary(g, Op::Sin, matmul(g, A, x)),
  };
  for (Id e : es) {
    Id J;
    try {
      J = jacobian(g, e, x);
    } catch (const Error& err) {
      ADD_FAILURE() << show(g, e) << " threw " << err.what();
      continue;
    }
    EXPECT_LT(rel_err(ev(J), fd_jacobian(g, e, g[x].a, w.b)), 1e-6)
        << show(g, e) << "\n  J = " << show(g, J);
  }
}

TEST_F(Matrices, JacobianOfMatrixProductInKroneckerForm) {
  Graph& g = w.g;
  Id B = w.var("B", Shape::matrix(Dim::fixed(3), Dim::fixed(2)));
  Id Xm = w.var("Xm", Shape::matrix(Dim::fixed(3), Dim::fixed(3)));
  Id Am = w.var("Am", Shape::matrix(Dim::fixed(2), Dim::fixed(3)));
  // jacobian(vec(A X B), vec(X)) = kron(B', A)
  Id F = unary(g, Op::Vec, matmul(g, matmul(g, Am, Xm), B));
  Id J = jacobian(g, F, unary(g, Op::Vec, Xm));
  EXPECT_LT(rel_err(ev(J), ev(kron(g, transpose(g, B), Am))), 1e-12) << show(g, J);
  // jacobian(vec(X), vec(X)) = I
  Id Jx = jacobian(g, unary(g, Op::Vec, Xm), unary(g, Op::Vec, Xm));
  EXPECT_LT(rel_err(ev(Jx), Matrix::Identity(9, 9)), 1e-12);
  // a transpose of a matrix that depends on the variable: the commutation matrix K(3, 3)
  Id Jt = jacobian(g, unary(g, Op::Vec, transpose(g, Xm)), unary(g, Op::Vec, Xm));
  EXPECT_EQ(Jt, commutation(g, Dim::fixed(3), Dim::fixed(3))) << show(g, Jt);
  EXPECT_LT(rel_err(ev(Jt), fd_jacobian(g, transpose(g, Xm), g[Xm].a, w.b)), 1e-9);
  // w.r.t. a bare matrix: the same as w.r.t. vec(X), also for a matrix-valued F
  EXPECT_EQ(jacobian(g, unary(g, Op::Vec, Xm), Xm), jacobian(g, Xm, Xm));
  Id J2 = jacobian(g, matmul(g, matmul(g, Am, Xm), B), Xm);
  EXPECT_LT(rel_err(ev(J2), ev(kron(g, transpose(g, B), Am))), 1e-12) << show(g, J2);
}

TEST_F(Matrices, HessianOfQuadraticForm) {
  Graph& g = w.g;
  Id Sq = w.var("S", Shape::matrix(m, m));
  Id e = matmul(g, matmul(g, transpose(g, x), Sq), x);
  Id H = hessian(g, e, x);
  EXPECT_LT(rel_err(ev(H), ev(add(g, Sq, transpose(g, Sq)))), 1e-10) << show(g, H);
}

TEST_F(Matrices, HessianOfLogisticLoss) {
  Graph& g = w.g;
  Id Xw = matmul(g, X, wv);
  Id e = unary(g, Op::Sum, unary(g, Op::Log, add(g, ones(g, g[Xw].shape), unary(g, Op::Exp, Xw))));
  Id H = hessian(g, e, wv);
  Id s = unary(g, Op::Sigmoid, Xw);
  Id ref = matmul(g, transpose(g, X),
                  matmul(g, unary(g, Op::Diag, hadamard(g, s, sub(g, ones(g, g[s].shape), s))), X));
  EXPECT_LT(rel_err(ev(H), ev(ref)), 1e-10) << show(g, H);
  // and the Hessian is the Jacobian of the gradient numerically
  Id gr = grad(g, e, wv);
  EXPECT_LT(rel_err(ev(H), fd_jacobian(g, gr, g[wv].a, w.b)), 1e-6);
}

TEST_F(Matrices, ForwardDerivativesMatchCentralDifferences) {
  Graph& g = w.g;
  Id S = w.var("S3", Shape::matrix(Dim::fixed(3), Dim::fixed(3)));
  Id aP = add(g, P, scale(g, a, S));
  std::vector<Id> es = {
      matmul(g, scale(g, a, A), x),
      unary(g, Op::Inv, aP),
      unary(g, Op::Det, aP),
      unary(g, Op::LogDet, aP),
      unary(g, Op::Exp, scale(g, a, S)),
      hadamard(g, unary(g, Op::Sin, scale(g, a, x)),
               unary(g, Op::Log1p, power(g, scale(g, a, x), integer(g, 2)))),
      unary(g, Op::Softmax, scale(g, a, x)),
      unary(g, Op::LogSumExp, scale(g, a, x)),
      unary(g, Op::Norm2, scale(g, a, x)),
      unary(g, Op::Trace, matmul(g, aP, aP)),
      unary(g, Op::Diag, scale(g, a, x)),
      unary(g, Op::DiagPart, aP),
      unary(g, Op::Vec, aP),
      stack(g, {a, unary(g, Op::Tanh, a)}),
      transpose(g, matmul(g, aP, x)),
      power(g, unary(g, Op::Sigmoid, a), a),
      kron(g, aP, scale(g, a, x)),
      unary(g, Op::Sum, aP),
  };
  for (Id e : es) {
    Id d = derivative(g, e, a);
    ASSERT_EQ(g[d].shape, g[e].shape) << show(g, e);
    Matrix got = ev(d);
    got.resize(got.size(), 1);
    EXPECT_LT(rel_err(got, fd_jacobian(g, e, g[a].a, w.b)), 1e-6)
        << show(g, e) << "\n  d = " << show(g, d);
  }
  Id dz = derivative(g, matmul(g, A, x), a);
  EXPECT_EQ(ev(dz).cwiseAbs().maxCoeff(), 0.0);
}

TEST_F(Matrices, ExpandQueriesReplacesInnermostFirst) {
  Graph& g = w.g;
  Id Sq = w.var("S", Shape::matrix(m, m));
  Id quad = matmul(g, matmul(g, transpose(g, x), Sq), x);
  Id root = add(g, grad_query(g, quad, {x}), x);
  Id out = expand_queries(g, root);
  Id ref = add(g, matmul(g, add(g, Sq, transpose(g, Sq)), x), x);
  EXPECT_LT(rel_err(ev(out), ev(ref)), 1e-10) << show(g, out);
  // nested: hessian of a gradient's inner product, simplify around it
  Id inner_grad = grad_query(g, quad, {x});
  Id nested = simplify_query(g, query(g, Op::Jacobian, inner_grad, x));
  Id out2 = expand_queries(g, nested);
  EXPECT_LT(rel_err(ev(out2), ev(add(g, Sq, transpose(g, Sq)))), 1e-10) << show(g, out2);
  // several scalar variables: a stacked vector of partial derivatives
  Id b = w.var("b", Shape::scalar());
  Id e = product(g, product(g, a, a), b);
  Id out3 = expand_queries(g, grad_query(g, e, {a, b}));
  Matrix want(2, 1);
  double av = w.b.values[g[a].a](0, 0), bv = w.b.values[g[b].a](0, 0);
  want << 2 * av * bv, av * av;
  EXPECT_LT(rel_err(ev(out3), want), 1e-12);
  // derivative query; no queries: root unchanged
  Id out4 = expand_queries(g, query(g, Op::Derivative, product(g, a, x), a));
  EXPECT_LT(rel_err(ev(out4), ev(x)), 1e-12);
  EXPECT_EQ(expand_queries(g, quad), quad);
  // hessian query
  Id out5 = expand_queries(g, query(g, Op::Hessian, quad, x));
  EXPECT_LT(rel_err(ev(out5), ev(add(g, Sq, transpose(g, Sq)))), 1e-10);
}

}  // namespace
}  // namespace nabla
