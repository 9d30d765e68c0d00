// JAX-style transformations of generic lambdas: traced gradients agree with finite differences.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "fd.h"
#include "nabla/nabla.h"

namespace nabla {
namespace {

using testing::expect_grad_matches_fd;
using testing::random_matrix;
using testing::random_spd_like;
using testing::random_vector;

const Eigen::VectorXd x4 = random_vector(4, 1);
const Eigen::VectorXd a4 = random_vector(4, 2);
const Eigen::VectorXd b3 = random_vector(3, 3);
const Eigen::MatrixXd A4 = random_matrix(4, 4, 4);
const Eigen::MatrixXd W34 = random_matrix(3, 4, 5);
const Eigen::MatrixXd S4 = random_spd_like(4, 6);

TEST(Traced, Sheet3cQuadraticForm) {
  auto df = nabla::grad([](auto x, auto A) { return dot(x, A * x); });
  Eigen::VectorXd g = df(x4, A4);
  EXPECT_TRUE(g.isApprox((A4 + A4.transpose()) * x4));
  expect_grad_matches_fd(
      "x'Ax", [](auto x, auto A) { return dot(x, A * x); }, {0, 1}, x4, A4);
}

// The sheet's 4a: f(x, y, z) = 1/2 x^2 + y z - log(1 + exp(x^2 y^3 z)).
auto sheet_4a = [](auto x, auto y, auto z) {
  return 0.5 * x * x + y * z - log(1 + exp(x * x * pow(y, 3) * z));
};

TEST(Traced, Sheet4aAllArgumentsAsTuple) {
  auto df = nabla::grad<0, 1, 2>(sheet_4a);
  double x = 0.7, y = -0.4, z = 1.3;
  auto [gx, gy, gz] = df(x, y, z);
  double u = x * x * y * y * y * z, s = 1 / (1 + std::exp(-u));
  EXPECT_NEAR(gx, x - 2 * x * y * y * y * z * s, 1e-12);
  EXPECT_NEAR(gy, z - 3 * y * y * x * x * z * s, 1e-12);
  EXPECT_NEAR(gz, y - x * x * y * y * y * s, 1e-12);
  expect_grad_matches_fd("4a", sheet_4a, {0, 1, 2}, x, y, z);
}

TEST(Traced, LoopsAreUnrolledAtTraceTime) {
  // sum_{k=1..4} <w, x>^k / k: the loop runs while tracing; only its result is differentiated.
  auto series = [](auto w, auto x) {
    Expr s = 0;
    for (int k = 1; k <= 4; ++k) s = s + pow(dot(w, x), k) / k;
    return s;
  };
  expect_grad_matches_fd("series", series, {0, 1}, Eigen::VectorXd(0.3 * x4), a4);
  // Three tanh layers with shared weights.
  auto layers = [](auto W, auto x) {
    Expr h = x;
    for (int i = 0; i < 3; ++i) h = tanh(W * h);
    return sum(h);
  };
  expect_grad_matches_fd("layers", layers, {0, 1}, Eigen::MatrixXd(0.5 * A4), x4);
  // Horner's rule with captured C++ coefficients.
  std::vector<double> c{0.5, -1.0, 2.0, 0.25};
  auto horner = [c](auto t) {
    Expr p = c.back();
    for (int i = static_cast<int>(c.size()) - 2; i >= 0; --i) p = p * t + c[i];
    return p;
  };
  auto dp = nabla::grad(horner);
  double t = 0.8;
  EXPECT_NEAR(dp(t), -1.0 + 4.0 * t + 0.75 * t * t, 1e-12);
  expect_grad_matches_fd("horner", horner, {0}, t);
}

TEST(Traced, IfsOnShapesAreTracedAway) {
  auto f = [](auto x) { return x.rows() > 3 ? norm2(x) : sum(exp(x)); };
  auto df = nabla::grad(f);
  Eigen::VectorXd g4 = df(x4);
  EXPECT_TRUE(g4.isApprox(x4 / x4.norm()));
  Eigen::VectorXd g3 = df(b3);  // a second trace for the new shape
  EXPECT_TRUE(g3.isApprox(b3.array().exp().matrix()));
  expect_grad_matches_fd("if 4", f, {0}, x4);
  expect_grad_matches_fd("if 3", f, {0}, b3);
}

TEST(Traced, ManyFunctionsAgreeWithFiniteDifferences) {
  expect_grad_matches_fd(
      "logsumexp", [](auto x) { return logsumexp(x); }, {0}, x4);
  expect_grad_matches_fd(
      "least squares", [](auto A, auto x, auto b) { return 0.5 * pow(norm2(A * x - b), 2); },
      {0, 1, 2}, W34, x4, b3);
  expect_grad_matches_fd(
      "logistic", [](auto w, auto X, auto y) { return sum(softplus(-hadamard(y, X * w))); }, {0, 1},
      x4, W34, b3);
  expect_grad_matches_fd(
      "tr(X'BX)", [](auto X, auto B) { return tr(X.t() * B * X); }, {0, 1},
      Eigen::MatrixXd(W34.transpose()), A4);
  expect_grad_matches_fd(
      "logdet", [](auto S) { return logdet(S); }, {0}, S4);
  expect_grad_matches_fd(
      "det", [](auto S) { return det(S); }, {0}, S4);
  expect_grad_matches_fd(
      "a'inv(X)b", [](auto a, auto X, auto b) { return dot(a, inv(X) * b); }, {0, 1, 2}, a4, S4,
      x4);
  expect_grad_matches_fd(
      "sigmoid layer", [](auto W, auto x) { return sum(sigmoid(W * x)); }, {0, 1}, W34, x4);
  expect_grad_matches_fd(
      "sin cos", [](auto x) { return dot(sin(x), cos(x)); }, {0}, x4);
  expect_grad_matches_fd(
      "sqrt", [](auto x) { return sqrt(dot(x, x) + 1); }, {0}, x4);
  expect_grad_matches_fd(
      "direction", [](auto a, auto x) { return dot(a, x / norm2(x)); }, {0, 1}, a4, x4);
  expect_grad_matches_fd(
      "softmax", [](auto a, auto x) { return dot(a, softmax(x)); }, {0, 1}, a4, x4);
  expect_grad_matches_fd(
      "./", [](auto x) { return sum(elementwise_divide(x, exp(x) + 2)); }, {0}, x4);
  double c = 1.7;
  expect_grad_matches_fd(
      "closure", [c](auto t) { return c * t * t + sin(t); }, {0}, 0.4);
  expect_grad_matches_fd(
      "A^3", [](auto A) { return tr(matrix_power(A, 3)); }, {0}, A4);
  expect_grad_matches_fd(
      "frobenius", [](auto X, auto U, auto V) { return pow(norm2(X - U * V.t()), 2); }, {1, 2},
      random_matrix(4, 3, 7), random_matrix(4, 2, 8), random_matrix(3, 2, 9));
  expect_grad_matches_fd(
      "mixed scalar", [](auto s, auto x) { return s * sum(tanh(s * x)); }, {0, 1}, 0.6, x4);
  expect_grad_matches_fd(
      "log1p expm1", [](auto x) { return sum(log1p(hadamard(expm1(x), x) + 3)); }, {0}, x4);
  expect_grad_matches_fd(
      "sinh cosh arctan", [](auto x) { return dot(sinh(x), cosh(x)) + sum(arctan(x)); }, {0}, x4);
  expect_grad_matches_fd(
      "arcsin arccos", [](auto x) { return sum(arcsin(tanh(x) / 2) + arccos(sigmoid(x))); }, {0},
      x4);
  expect_grad_matches_fd(
      "log2 log10", [](auto x) { return sum(log2(exp(x) + 1) + log10(hadamard(x, x) + 1)); }, {0},
      x4);
  expect_grad_matches_fd(
      "prod", [](auto x) { return prod(x) + prod(sin(x)); }, {0}, x4);
}

TEST(Traced, ValueAndGradJacobianHessian) {
  auto f = [](auto x, auto A) { return dot(x, A * x); };
  auto [v, g] = nabla::value_and_grad(f)(x4, A4);
  EXPECT_NEAR(v, x4.dot(A4 * x4), 1e-12);
  EXPECT_TRUE(g.isApprox((A4 + A4.transpose()) * x4));
  Eigen::MatrixXd H = nabla::hessian(f)(x4, A4);
  EXPECT_TRUE(H.isApprox(A4 + A4.transpose()));
  auto layer = [](auto W, auto x) { return tanh(W * x); };
  Eigen::MatrixXd J = nabla::jacobian<1>(layer)(W34, x4);
  Eigen::ArrayXd t = (W34 * x4).array().tanh();
  EXPECT_TRUE(J.isApprox(((1 - t * t).matrix().asDiagonal() * W34).eval()));
  // Runtime argnums: the value, then one gradient per argument.
  std::vector<Eigen::MatrixXd> vg = nabla::value_and_grad(f, nabla::argnums{0, 1})(x4, A4);
  ASSERT_EQ(vg.size(), 3u);
  EXPECT_TRUE(vg[2].isApprox(x4 * x4.transpose()));
  // Typed tuples for compile-time argnums.
  auto [gx, gA] = nabla::grad<0, 1>(f)(x4, A4);
  static_assert(std::is_same_v<decltype(gx), Eigen::VectorXd>);
  static_assert(std::is_same_v<decltype(gA), Eigen::MatrixXd>);
  EXPECT_TRUE(gA.isApprox(x4 * x4.transpose()));
}

TEST(Traced, TracesOncePerShapeSignature) {
  int traces = 0;
  auto df = nabla::grad([&traces](auto x) {
    ++traces;
    return dot(x, x);
  });
  df(x4);
  df(a4);
  EXPECT_EQ(traces, 1);
  df(b3);
  EXPECT_EQ(traces, 2);
  auto copy = df;  // copies share the cache
  copy(b3);
  EXPECT_EQ(traces, 2);
}

TEST(Traced, Errors) {
  auto vector_valued = nabla::grad([](auto x) { return exp(x); });
  EXPECT_THROW(vector_valued(x4), std::runtime_error);
  auto bad_shapes = nabla::grad([](auto x, auto A) { return dot(x, A * x); });
  EXPECT_THROW(bad_shapes(b3, A4), std::runtime_error);
}

}  // namespace
}  // namespace nabla
