// Overflow-prone inputs, domain edges, errors and limits of the evaluator.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

#include "eval/evaluate.h"
#include "ir/build.h"
#include "ir/error.h"

namespace nabla {
namespace {

Matrix scalar(double v) {
  return Matrix::Constant(1, 1, v);
}

class Stability : public ::testing::Test {
 protected:
  Id var(const std::string& name, Shape shape, Matrix value, bool sym = false) {
    int32_t symbol = g.declare_variable(name, shape, sym);
    b.values[symbol] = std::move(value);
    return variable(g, symbol);
  }
  double eval1(Id e) {
    Matrix v = evaluate(g, e, b);
    EXPECT_EQ(v.size(), 1);
    return v(0, 0);
  }
  // Runs f, expecting Error(kind) whose message contains `part`.
  template <typename F>
  void expect_error(F f, ErrorKind kind, const std::string& part) {
    try {
      f();
      ADD_FAILURE() << "expected an error containing '" << part << "'";
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), kind) << e.what();
      EXPECT_NE(std::string(e.what()).find(part), std::string::npos) << e.what();
    }
  }
  Id one() { return integer(g, 1); }
  Id exp(Id u) { return unary(g, Op::Exp, u); }
  Id log(Id u) { return unary(g, Op::Log, u); }

  Graph g;
  Bindings b;
};

TEST_F(Stability, SoftplusAtPlusAndMinus1000) {
  Id u = var("u", Shape::scalar(), scalar(1000));
  Id v = var("v", Shape::scalar(), scalar(-1000));
  EXPECT_EQ(eval1(unary(g, Op::Softplus, u)), 1000.0);
  double low = eval1(unary(g, Op::Softplus, v));
  EXPECT_TRUE(std::isfinite(low));
  EXPECT_GE(low, 0.0);
  EXPECT_LT(low, 1e-300);
}

TEST_F(Stability, LogOnePlusExpIsSoftplusInEitherOrder) {
  Id u = var("u", Shape::scalar(), scalar(1000));
  Id v = var("v", Shape::scalar(), scalar(-1000));
  EXPECT_EQ(eval1(log(add(g, one(), exp(u)))), 1000.0);
  EXPECT_EQ(eval1(log(add(g, exp(u), one()))), 1000.0);
  double low = eval1(log(add(g, one(), exp(v))));
  EXPECT_TRUE(std::isfinite(low));
  EXPECT_LT(low, 1e-300);
  // log(1 + exp(-u)) at u = -1000 is 1000.
  EXPECT_EQ(eval1(log(add(g, one(), exp(neg(g, v))))), 1000.0);
  // The literal computation would overflow: exp(1000) is inf.
  EXPECT_TRUE(std::isinf(eval1(exp(u))));
}

TEST_F(Stability, LogOnePlusExpOfAVector) {
  Dim n = g.dims.intern("n");
  b.dims[n.symbol_index()] = 3;
  Id x = var("x", Shape::vector(n), Matrix(Eigen::VectorXd{{1000, -1000, 0.5}}));
  Matrix got = evaluate(g, log(add(g, ones(g, Shape::vector(n)), exp(x))), b);
  EXPECT_EQ(got(0), 1000.0);
  EXPECT_TRUE(std::isfinite(got(1)));
  EXPECT_NEAR(got(2), std::log(1 + std::exp(0.5)), 1e-15);
}

TEST_F(Stability, SigmoidAtPlusAndMinus1000) {
  Id u = var("u", Shape::scalar(), scalar(1000));
  Id v = var("v", Shape::scalar(), scalar(-1000));
  double low = eval1(unary(g, Op::Sigmoid, v));
  EXPECT_FALSE(std::isnan(low));
  EXPECT_EQ(low, 0.0);
  EXPECT_EQ(eval1(unary(g, Op::Sigmoid, u)), 1.0);
  // 1 / (1 + exp(-v)) at v = -1000.
  Id spelled = divide(g, one(), add(g, one(), exp(neg(g, v))));
  EXPECT_EQ(eval1(spelled), 0.0);
  // (1 + exp(-u))^-1 at u = 1000.
  EXPECT_EQ(eval1(power(g, add(g, one(), exp(neg(g, u))), integer(g, -1))), 1.0);
  // exp(u) / (1 + exp(u)) at u = 1000: literally inf / inf.
  EXPECT_EQ(eval1(divide(g, exp(u), add(g, one(), exp(u)))), 1.0);
  // log(sigmoid(v)) = -softplus(-v) = -1000, not log(0).
  EXPECT_EQ(eval1(log(unary(g, Op::Sigmoid, v))), -1000.0);
  // log(1 / (1 + exp(-v))) likewise.
  EXPECT_EQ(eval1(log(divide(g, one(), add(g, one(), exp(neg(g, v)))))), -1000.0);
}

TEST_F(Stability, Log1pSpelling) {
  Id e = var("e", Shape::scalar(), scalar(1e-18));
  // log(1 + 1e-18) computed literally is 0.
  EXPECT_DOUBLE_EQ(eval1(log(add(g, one(), e))), 1e-18);
  EXPECT_DOUBLE_EQ(eval1(unary(g, Op::Log1p, e)), 1e-18);
  EXPECT_DOUBLE_EQ(eval1(unary(g, Op::Expm1, e)), 1e-18);
}

TEST_F(Stability, LogSumExpAndSoftmaxOfLargeEntries) {
  Id x = var("x", Shape::vector(Dim::fixed(2)), Matrix(Eigen::VectorXd{{1000, 1000}}));
  EXPECT_DOUBLE_EQ(eval1(unary(g, Op::LogSumExp, x)), 1000 + std::log(2.0));
  Id y = var("y", Shape::vector(Dim::fixed(3)), Matrix(Eigen::VectorXd{{1000, 1000, 999}}));
  Matrix sm = evaluate(g, unary(g, Op::Softmax, y), b);
  ASSERT_TRUE(sm.allFinite());
  double e = std::exp(1.0);
  EXPECT_NEAR(sm(0), e / (2 * e + 1), 1e-15);
  EXPECT_NEAR(sm(1), e / (2 * e + 1), 1e-15);
  EXPECT_NEAR(sm(2), 1 / (2 * e + 1), 1e-15);
  EXPECT_NEAR(sm.sum(), 1.0, 1e-15);
  Id w = var("w", Shape::vector(Dim::fixed(2)), Matrix(Eigen::VectorXd{{-1000, -1001}}));
  EXPECT_DOUBLE_EQ(eval1(unary(g, Op::LogSumExp, w)), -1000 + std::log1p(std::exp(-1.0)));
}

TEST_F(Stability, LogDetOfA200x200MatrixWhoseDetOverflows) {
  const int n = 200;
  Matrix m(n, n);
  for (int i = 0; i < n; ++i)
    for (int k = 0; k < n; ++k) m(i, k) = std::sin(0.37 * i + 1.3 * k) + std::cos(0.11 * i * k);
  Matrix spd = m * m.transpose() + 100.0 * Matrix::Identity(n, n);  // det > 100^200 = 1e400
  Dim d = g.dims.intern("d");
  b.dims[d.symbol_index()] = n;
  Id S = var("S", Shape::matrix(d, d), spd, true);
  EXPECT_TRUE(std::isinf(eval1(unary(g, Op::Det, S))));
  Eigen::LLT<Matrix> llt(spd);
  ASSERT_EQ(llt.info(), Eigen::Success);
  Matrix L = llt.matrixL();
  double want = 2 * L.diagonal().array().log().sum();
  double got = eval1(unary(g, Op::LogDet, S));
  EXPECT_GT(want, 400 * std::log(10.0));
  EXPECT_NEAR(got, want, 1e-12 * std::fabs(want));
}

TEST_F(Stability, LogDetIsNaNWhenDetIsNotPositive) {
  Id A = var("A", Shape::matrix(Dim::fixed(2), Dim::fixed(2)), Matrix{{0.0, 1.0}, {1.0, 0.0}});
  EXPECT_TRUE(std::isnan(eval1(unary(g, Op::LogDet, A))));  // det = -1
  Id Z = var("Z", Shape::matrix(Dim::fixed(2), Dim::fixed(2)), Matrix{{1.0, 2.0}, {2.0, 4.0}});
  EXPECT_TRUE(std::isnan(eval1(unary(g, Op::LogDet, Z))));  // det = 0
  Id N = var("N", Shape::matrix(Dim::fixed(2), Dim::fixed(2)), Matrix{{-2.0, 0.0}, {0.0, -3.0}});
  EXPECT_NEAR(eval1(unary(g, Op::LogDet, N)), std::log(6.0), 1e-15);  // det = 6 > 0
}

TEST_F(Stability, Norm2DoesNotOverflow) {
  Id x = var("x", Shape::vector(Dim::fixed(2)), Matrix(Eigen::VectorXd{{3e200, 4e200}}));
  EXPECT_NEAR(eval1(unary(g, Op::Norm2, x)), 5e200, 1e-12 * 5e200);
  Id y = var("y", Shape::vector(Dim::fixed(2)), Matrix(Eigen::VectorXd{{3e-200, 4e-200}}));
  EXPECT_NEAR(eval1(unary(g, Op::Norm2, y)), 5e-200, 1e-12 * 5e-200);
}

TEST_F(Stability, PowersOfNegativeBases) {
  Id t = var("t", Shape::scalar(), scalar(-2.0));
  EXPECT_EQ(eval1(power(g, t, integer(g, 3))), -8.0);
  EXPECT_EQ(eval1(power(g, t, integer(g, -3))), -0.125);
  EXPECT_EQ(eval1(power(g, t, integer(g, 2))), 4.0);
  EXPECT_TRUE(std::isnan(eval1(power(g, t, constant(g, Rational{1, 2})))));
  EXPECT_TRUE(std::isnan(eval1(power(g, t, constant(g, Rational{1, 3})))));
  EXPECT_TRUE(std::isnan(eval1(power(g, t, constant(g, 0.7)))));
  // A computed integer exponent also multiplies exactly.
  Id k = var("k", Shape::scalar(), scalar(5.0));
  EXPECT_EQ(eval1(power(g, t, k)), -32.0);
}

TEST_F(Stability, SingularInverseIsAValueError) {
  Id A = var("A", Shape::matrix(Dim::fixed(2), Dim::fixed(2)), Matrix{{1.0, 2.0}, {2.0, 4.0}});
  expect_error([&] { evaluate(g, unary(g, Op::Inv, A), b); }, ErrorKind::Value,
               "matrix is singular");
  Id Z = var("Z", Shape::matrix(Dim::fixed(2), Dim::fixed(2)), Matrix::Zero(2, 2));
  expect_error([&] { evaluate(g, unary(g, Op::Inv, Z), b); }, ErrorKind::Value,
               "matrix is singular");
  Id N =
      var("N", Shape::matrix(Dim::fixed(2), Dim::fixed(2)), Matrix{{1.0, 1.0}, {1.0, 1.0 + 4e-16}});
  expect_error([&] { evaluate(g, unary(g, Op::Inv, N), b); }, ErrorKind::Value,
               "matrix is singular");
  // A badly scaled but well-conditioned matrix is fine.
  Id D =
      var("D", Shape::matrix(Dim::fixed(2), Dim::fixed(2)), Matrix{{1e-200, 0.0}, {0.0, 2e-200}});
  Matrix inv = evaluate(g, unary(g, Op::Inv, D), b);
  EXPECT_NEAR(inv(0, 0), 1e200, 1e188);
  EXPECT_NEAR(inv(1, 1), 0.5e200, 1e188);
}

TEST_F(Stability, SizesAbove1e8EntriesAreRefusedBeforeAllocating) {
  Dim n = g.dims.intern("n");
  b.dims[n.symbol_index()] = 20000;
  expect_error([&] { evaluate(g, identity(g, n), b); }, ErrorKind::Limit, "10^8");
  expect_error([&] { evaluate(g, ones(g, Shape::matrix(n, n)), b); }, ErrorKind::Limit, "10^8");
  Id x = var("x", Shape::vector(n), Matrix::Ones(20000, 1));
  expect_error([&] { evaluate(g, matmul(g, x, transpose(g, x)), b); }, ErrorKind::Limit, "10^8");
  expect_error([&] { evaluate(g, unary(g, Op::Diag, x), b); }, ErrorKind::Limit, "10^8");
  expect_error([&] { evaluate(g, kron(g, x, transpose(g, x)), b); }, ErrorKind::Limit, "10^8");
  // The vector itself and its inner product are fine.
  EXPECT_EQ(eval1(inner(g, x, x)), 20000.0);
}

TEST_F(Stability, MissingOrMisshapenBindingsAreValueErrors) {
  Dim n = g.dims.intern("n");
  int32_t x = g.declare_variable("x", Shape::vector(n));
  expect_error([&] { evaluate(g, variable(g, x), b); }, ErrorKind::Value, "no value for 'x'");
  b.values[x] = Matrix::Ones(3, 1);
  expect_error([&] { evaluate(g, variable(g, x), b); }, ErrorKind::Value,
               "cannot tell the size of dimension n");
  b.dims[n.symbol_index()] = 4;
  expect_error([&] { evaluate(g, variable(g, x), b); }, ErrorKind::Value, "'x' is 3×1");
  b.dims[n.symbol_index()] = 3;
  EXPECT_EQ(evaluate(g, variable(g, x), b).rows(), 3);
  int32_t f = g.declare_function("f", {Shape::vector(n)}, Shape::scalar());
  Id fx = call(g, f, kCallValue, {variable(g, x)});
  expect_error([&] { evaluate(g, fx, b); }, ErrorKind::Value, "'f'");
  b.functions[f] = [](int64_t, const std::vector<Matrix>& a) -> Matrix { return a[0]; };
  expect_error([&] { evaluate(g, fx, b); }, ErrorKind::Value, "returned 3×1");
}

TEST_F(Stability, QueriesMustBeExpandedFirst) {
  Id s = var("s", Shape::scalar(), scalar(2.0));
  Id sq = power(g, s, integer(g, 2));
  expect_error([&] { evaluate(g, grad_query(g, sq, {s}), b); }, ErrorKind::Internal,
               "expand queries");
  expect_error([&] { evaluate(g, query(g, Op::Derivative, sq, s), b); }, ErrorKind::Internal,
               "expand queries");
  expect_error([&] { evaluate(g, add(g, simplify_query(g, sq), s), b); }, ErrorKind::Internal,
               "expand queries");
}

}  // namespace
}  // namespace nabla
