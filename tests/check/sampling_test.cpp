// The draws behind check: dimensions, values with their needs, and random abstract functions
// whose analytic derivatives must match finite differences.
#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "check/counterexample.h"
#include "check/random_functions.h"
#include "check/sampling.h"
#include "ir/build.h"
#include "ir/error.h"

namespace nabla {
namespace {

TEST(Rng, DeterministicAndRoughlyStandardNormal) {
  Rng a(7), b(7);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(a.next(), b.next());
  Rng r(1);
  double sum = 0, sq = 0;
  const int count = 20000;
  for (int i = 0; i < count; ++i) {
    double v = r.normal();
    sum += v;
    sq += v * v;
  }
  EXPECT_NEAR(sum / count, 0.0, 0.05);
  EXPECT_NEAR(sq / count, 1.0, 0.05);
}

TEST(Sampling, DimensionDrawsVaryAndStartDistinct) {
  Graph g;
  Dim n = g.dims.intern("n"), m = g.dims.intern("m"), k = g.dims.intern("k");
  Id A = variable(g, g.declare_variable("A", Shape::matrix(n, m)));
  Id B = variable(g, g.declare_variable("B", Shape::matrix(m, k)));
  Id e = matmul(g, A, B);
  SampleSpace space = analyze(g, {e});
  ASSERT_EQ(space.free_dims.size(), 3u);
  for (uint64_t seed = 0; seed < 50; ++seed) {
    Rng rng(seed);
    auto draws = draw_dimensions(space, 3, rng);
    ASSERT_EQ(draws.size(), 3u);
    std::set<int32_t> first;
    for (auto [dim, size] : draws[0]) {
      EXPECT_GE(size, 2);
      EXPECT_LE(size, 6);
      first.insert(size);
    }
    EXPECT_EQ(first.size(), 3u) << "first draw gives distinct sizes";
    EXPECT_TRUE(draws[0].at(space.free_dims[0]) == 3 || draws[0].at(space.free_dims[0]) == 4);
    for (int32_t dim : space.free_dims) {
      std::set<int32_t> seen;
      for (const auto& d : draws) {
        EXPECT_GE(d.at(dim), 1);
        EXPECT_LE(d.at(dim), 6);
        seen.insert(d.at(dim));
      }
      EXPECT_GE(seen.size(), 2u);
    }
  }
}

TEST(Sampling, DerivedDimensionsFollowTheirParts) {
  Graph g;
  Dim n = g.dims.intern("n"), m = g.dims.intern("m");
  Id X = variable(g, g.declare_variable("X", Shape::matrix(n, m)));
  Id x = variable(g, g.declare_variable("x", Shape::vector(n)));
  Id v = unary(g, Op::Vec, X);
  Id s = stack(g, {v, x, integer(g, 1)});
  SampleSpace space = analyze(g, {s});
  EXPECT_EQ(space.free_dims.size(), 2u);
  EXPECT_EQ(space.derived_dims.size(), 2u);
  Bindings b;
  bind_dimensions(g, space, {{n.symbol_index(), 3}, {m.symbol_index(), 5}}, b);
  EXPECT_EQ(concrete_size(g, g[v].shape.rows, b), 15);
  EXPECT_EQ(concrete_size(g, g[s].shape.rows, b), 15 + 3 + 1);
}

TEST(Sampling, ValueNeedsFromTheExpression) {
  Graph g;
  Dim n = g.dims.intern("n");
  Id x = variable(g, g.declare_variable("x", Shape::vector(n)));
  Id t = variable(g, g.declare_variable("t", Shape::scalar()));
  Id X = variable(g, g.declare_variable("X", Shape::matrix(n, n)));
  Id Y = variable(g, g.declare_variable("Y", Shape::matrix(n, n)));
  Id S = variable(g, g.declare_variable("S", Shape::matrix(n, n), true));
  Id w = variable(g, g.declare_variable("w", Shape::vector(n)));
  Id e = add(g, unary(g, Op::Sum, unary(g, Op::Log, x)), power(g, t, integer(g, -1)));
  e = add(g, e, unary(g, Op::LogDet, X));
  e = add(g, e, unary(g, Op::Det, Y));
  e = add(g, e, unary(g, Op::Trace, unary(g, Op::Inv, S)));
  e = add(g, e, unary(g, Op::Sum, unary(g, Op::Log, unary(g, Op::Exp, w))));  // w free in sign
  SampleSpace space = analyze(g, {e});
  auto need = [&](Id var) { return space.needs[g[var].a]; };
  EXPECT_TRUE(need(x).positive);
  EXPECT_TRUE(need(t).nonzero);
  EXPECT_TRUE(need(X).spd);
  EXPECT_TRUE(need(Y).invertible);
  EXPECT_TRUE(need(S).invertible);
  EXPECT_FALSE(need(w).positive);

  Bindings b;
  bind_dimensions(g, space, {{n.symbol_index(), 5}}, b);
  Rng rng(3);
  for (int trial = 0; trial < 20; ++trial) {
    Matrix xv = draw_value(g, g[x].a, need(x), b, rng);
    EXPECT_GT(xv.minCoeff(), 0.0);
    Matrix tv = draw_value(g, g[t].a, need(t), b, rng);
    EXPECT_GE(std::fabs(tv(0, 0)), 0.5);
    Matrix Xv = draw_value(g, g[X].a, need(X), b, rng);
    EXPECT_GT(Xv.determinant(), 0.0);
    EXPECT_GT((Xv - Xv.transpose()).norm(), 1e-3) << "not symmetric unless declared Sym(n)";
    Matrix Yv = draw_value(g, g[Y].a, need(Y), b, rng);
    Eigen::JacobiSVD<Matrix> svd(Yv);
    EXPECT_LT(svd.singularValues()(0) / svd.singularValues()(4), 20.0) << "well conditioned";
    Matrix Sv = draw_value(g, g[S].a, need(S), b, rng);
    EXPECT_LT((Sv - Sv.transpose()).norm(), 1e-12);
  }
}

// Central differences of a RandomFunction against its analytic derivatives.
class RandomFunctionTest : public ::testing::Test {
 protected:
  Graph g;
  Dim n = g.dims.intern("n");
  Dim d = g.dims.intern("d");
  Bindings b;
  Rng rng{11};

  void SetUp() override {
    b.dims[n.symbol_index()] = 3;
    b.dims[d.symbol_index()] = 4;
  }

  // d/d(arg i) of the value, column j of the Jacobian of vec(result) w.r.t. vec(arg i).
  Matrix numeric_jacobian(const RandomFunction& f, std::vector<Matrix> args, size_t i) {
    Matrix value = f(kCallValue, args);
    Matrix jac(value.size(), args[i].size());
    const double h = 1e-6;
    for (Eigen::Index j = 0; j < args[i].size(); ++j) {
      std::vector<Matrix> plus = args, minus = args;
      plus[i].data()[j] += h;
      minus[i].data()[j] -= h;
      Matrix diff = (f(kCallValue, plus) - f(kCallValue, minus)) / (2 * h);
      jac.col(j) = diff.reshaped(diff.size(), 1);
    }
    return jac;
  }
};

TEST_F(RandomFunctionTest, VectorFunctionJacobian) {
  int32_t f = g.declare_function("f", {Shape::vector(d)}, Shape::vector(n));
  RandomFunction fn(g, f, b, rng);
  Matrix x = rng.normal_matrix(4, 1);
  Matrix J = fn(kCallDerivative, {x});
  ASSERT_EQ(J.rows(), 3);
  ASSERT_EQ(J.cols(), 4);
  EXPECT_LT((J - numeric_jacobian(fn, {x}, 0)).norm(), 1e-6);
  EXPECT_NE(fn.describe().find("f(x1) := A*tanh(B1*x1 + c) + D1*x1 with A = ["), std::string::npos)
      << fn.describe();
}

TEST_F(RandomFunctionTest, ScalarFunctionGradientAndCurve) {
  int32_t gs = g.declare_function("g", {Shape::vector(d)}, Shape::scalar());
  RandomFunction gf(g, gs, b, rng);
  Matrix u = rng.normal_matrix(4, 1);
  Matrix grad = gf(kCallDerivative, {u});
  ASSERT_EQ(grad.rows(), 4);
  ASSERT_EQ(grad.cols(), 1);
  EXPECT_LT((grad.transpose() - numeric_jacobian(gf, {u}, 0)).norm(), 1e-6);

  int32_t h = g.declare_function("h", {Shape::scalar()}, Shape::scalar());
  RandomFunction hf(g, h, b, rng);
  Matrix t = Matrix::Constant(1, 1, 0.7);
  EXPECT_NEAR(hf(kCallDerivative, {t})(0, 0), numeric_jacobian(hf, {t}, 0)(0, 0), 1e-6);
  EXPECT_GT(std::fabs(hf(kCallDerivative, {t})(0, 0)), 1e-6);

  int32_t c = g.declare_function("c", {Shape::scalar()}, Shape::vector(n));
  RandomFunction cf(g, c, b, rng);
  Matrix dc = cf(kCallDerivative, {t});
  ASSERT_EQ(dc.rows(), 3);
  EXPECT_LT((dc - numeric_jacobian(cf, {t}, 0)).norm(), 1e-6);
}

TEST_F(RandomFunctionTest, MatrixArgumentGradientHasItsShape) {
  int32_t G = g.declare_function("G", {Shape::matrix(n, d)}, Shape::scalar());
  RandomFunction gf(g, G, b, rng);
  Matrix X = rng.normal_matrix(3, 4);
  Matrix grad = gf(kCallDerivative, {X});
  ASSERT_EQ(grad.rows(), 3);
  ASSERT_EQ(grad.cols(), 4);
  Matrix num = numeric_jacobian(gf, {X}, 0);  // 1 x 12, column-major vec
  EXPECT_LT((grad.reshaped(1, 12) - num).norm(), 1e-6);
}

TEST_F(RandomFunctionTest, PartialsOfSeveralArguments) {
  int32_t L = g.declare_function("L", {Shape::scalar(), Shape::vector(n), Shape::matrix(n, d)},
                                 Shape::scalar());
  RandomFunction lf(g, L, b, rng);
  std::vector<Matrix> args{Matrix::Constant(1, 1, -0.4), rng.normal_matrix(3, 1),
                           rng.normal_matrix(3, 4)};
  for (size_t i = 0; i < 3; ++i) {
    Matrix p = lf(static_cast<int64_t>(i + 1), args);
    ASSERT_EQ(p.rows(), args[i].rows());
    ASSERT_EQ(p.cols(), args[i].cols());
    Matrix num = numeric_jacobian(lf, args, i);
    EXPECT_LT((p.reshaped(1, p.size()) - num).norm(), 1e-6) << "partial " << i + 1;
  }
  // The coupling makes partial 1 depend on the other arguments.
  std::vector<Matrix> moved = args;
  moved[1] += Matrix::Constant(3, 1, 0.5);
  EXPECT_GT(std::fabs(lf(1, args)(0, 0) - lf(1, moved)(0, 0)), 1e-6);
}

TEST_F(RandomFunctionTest, VectorValuedSeveralArgumentsHasAValueOnly) {
  int32_t F = g.declare_function("F", {Shape::vector(n), Shape::scalar()}, Shape::vector(d));
  RandomFunction ff(g, F, b, rng);
  std::vector<Matrix> args{rng.normal_matrix(3, 1), Matrix::Constant(1, 1, 2.0)};
  EXPECT_EQ(ff(kCallValue, args).rows(), 4);
  try {
    ff(1, args);
    FAIL() << "expected Error(Unsupported)";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Unsupported);
  }
}

TEST(Counterexample, FormatsValues) {
  EXPECT_EQ(format_value(Matrix::Constant(1, 1, 1.5)), "1.5");
  Matrix v(2, 1);
  v << 1.23456789, -0.3;
  EXPECT_EQ(format_value(v), "[1.23457; -0.3]");
  Matrix m(2, 2);
  m << 1, 2, 3, 4;
  EXPECT_EQ(format_value(m), "[1, 2; 3, 4]");
  Matrix r(1, 2);
  r << 1, std::nan("");
  EXPECT_EQ(format_value(r), "[1, nan]");
}

}  // namespace
}  // namespace nabla
