// Every operator and built-in evaluated on fixed values, each compared with a value computed
// here directly with Eigen / <cmath>, to 1e-12 relative (in the Frobenius norm).
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <numbers>
#include <set>
#include <string>
#include <vector>

#include "eval/evaluate.h"
#include "ir/build.h"
#include "ir/error.h"

namespace nabla {
namespace {

using Eigen::VectorXd;

Matrix scalar(double v) {
  return Matrix::Constant(1, 1, v);
}

// Entry-wise f applied to m, computed without nabla.
Matrix apply(const Matrix& m, const std::function<double(double)>& f) {
  Matrix out(m.rows(), m.cols());
  for (Eigen::Index i = 0; i < m.rows(); ++i)
    for (Eigen::Index k = 0; k < m.cols(); ++k) out(i, k) = f(m(i, k));
  return out;
}

struct Case {
  std::string name;
  Id expr;
  Matrix want;
};

class Expressions : public ::testing::Test {
 protected:
  Expressions() {
    n = g.dims.intern("n");
    m = g.dims.intern("m");
    b.dims[n.symbol_index()] = 3;
    b.dims[m.symbol_index()] = 4;
    s = var("s", Shape::scalar(), scalar(0.7));
    t = var("t", Shape::scalar(), scalar(-1.3));
    sv = 0.7;
    tv = -1.3;
    xv = VectorXd{{0.5, -1.2, 2.0}};
    yv = VectorXd{{1.5, 0.3, -0.7}};
    pv = VectorXd{{0.4, 1.3, 2.5}};
    zv = VectorXd{{0.2, -0.4, 0.9, 1.1}};
    Av = Matrix{{2.0, -1.0, 0.5}, {0.3, 1.7, -0.8}, {1.1, 0.4, 3.0}};
    Bv = Matrix{{0.6, 0.2, -1.4}, {-0.5, 2.2, 0.1}, {0.9, -0.3, 1.2}};
    Cv = Matrix{{1.0, 0.5, -0.2, 0.3}, {-0.7, 0.8, 1.9, -1.1}, {0.4, -0.6, 0.25, 2.0}};
    Sv = Av * Av.transpose() + 3 * Matrix::Identity(3, 3);
    x = var("x", Shape::vector(n), xv);
    y = var("y", Shape::vector(n), yv);
    p = var("p", Shape::vector(n), pv);
    z = var("z", Shape::vector(m), zv);
    A = var("A", Shape::matrix(n, n), Av);
    B = var("B", Shape::matrix(n, n), Bv);
    C = var("C", Shape::matrix(n, m), Cv);
    S = var("S", Shape::matrix(n, n), Sv, true);
  }

  Id var(const std::string& name, Shape shape, Matrix value, bool sym = false) {
    int32_t symbol = g.declare_variable(name, shape, sym);
    b.values[symbol] = std::move(value);
    return variable(g, symbol);
  }

  Id c(int64_t k) { return integer(g, k); }
  Id half() { return constant(g, Rational{1, 2}); }

  Graph g;
  Bindings b;
  Dim n, m;
  Id s, t, x, y, p, z, A, B, C, S;
  double sv, tv;
  VectorXd xv, yv, pv, zv;
  Matrix Av, Bv, Cv, Sv;
};

void expect_close(const Matrix& got, const Matrix& want, const std::string& name) {
  ASSERT_EQ(got.rows(), want.rows()) << name;
  ASSERT_EQ(got.cols(), want.cols()) << name;
  ASSERT_TRUE(got.allFinite()) << name << "\n" << got;
  double err = (got - want).norm(), scale = want.norm();
  EXPECT_LE(err, 1e-12 * scale) << name << ": got\n" << got << "\nwant\n" << want;
  if (scale == 0) {
    EXPECT_EQ(err, 0.0) << name;
  }
}

TEST_F(Expressions, EveryOperatorMatchesADirectComputation) {
  std::vector<Case> cases;
  auto add_case = [&](std::string name, Id e, Matrix want) {
    cases.push_back({std::move(name), e, std::move(want)});
  };
  const Matrix I3 = Matrix::Identity(3, 3);
  const double pi_v = std::numbers::pi;

  // Leaves.
  add_case("1/3", constant(g, Rational{1, 3}), scalar(1.0 / 3.0));
  add_case("0.25 (double)", constant(g, 0.25), scalar(0.25));
  add_case("pi", pi(g), scalar(pi_v));
  add_case("s", s, scalar(sv));
  add_case("x", x, xv);
  add_case("A", A, Av);
  add_case("I", identity(g, n), I3);
  add_case("ones(n x m)", ones(g, Shape::matrix(n, m)), Matrix::Ones(3, 4));
  add_case("zeros(n) + x", add(g, zeros(g, Shape::vector(n)), x), xv);
  // Linear structure.
  add_case("x + y", add(g, x, y), xv + yv);
  add_case("A + B", add(g, A, B), Av + Bv);
  add_case("s * x", product(g, s, x), sv * xv);
  add_case("-x", neg(g, x), -xv);
  add_case("x - y", sub(g, x, y), xv - yv);
  add_case("A * x", matmul(g, A, x), Av * xv);
  add_case("x' * A * x", matmul(g, matmul(g, transpose(g, x), A), x), scalar(xv.dot(Av * xv)));
  add_case("A * B'", matmul(g, A, transpose(g, B)), Av * Bv.transpose());
  add_case("C' * A", matmul(g, transpose(g, C), A), Cv.transpose() * Av);
  add_case("x .* y", hadamard(g, x, y), xv.cwiseProduct(yv));
  add_case("A .* B", hadamard(g, A, B), Av.cwiseProduct(Bv));
  add_case("A'", transpose(g, A), Av.transpose());
  add_case("x'", transpose(g, x), xv.transpose());
  // Powers.
  add_case("s^2", power(g, s, c(2)), scalar(sv * sv));
  add_case("t^3", power(g, t, c(3)), scalar(std::pow(tv, 3)));
  add_case("t^-2", power(g, t, c(-2)), scalar(std::pow(tv, -2)));
  add_case("x.^3", power(g, x, c(3)), apply(xv, [](double v) { return std::pow(v, 3); }));
  add_case("p.^(1/2)", power(g, p, half()), apply(pv, [](double v) { return std::sqrt(v); }));
  add_case("s^0.3", power(g, s, constant(g, 0.3)), scalar(std::pow(sv, 0.3)));
  add_case("p.^(-1/2)", power(g, p, constant(g, Rational{-1, 2})),
           apply(pv, [](double v) { return std::pow(v, -0.5); }));
  add_case("s^0", power(g, s, c(0)), scalar(1.0));
  // Entry-wise functions.
  add_case("exp(x)", unary(g, Op::Exp, x), apply(xv, [](double v) { return std::exp(v); }));
  add_case("log(p)", unary(g, Op::Log, p), apply(pv, [](double v) { return std::log(v); }));
  add_case("sin(x)", unary(g, Op::Sin, x), apply(xv, [](double v) { return std::sin(v); }));
  add_case("cos(A)", unary(g, Op::Cos, A), apply(Av, [](double v) { return std::cos(v); }));
  add_case("tan(x)", unary(g, Op::Tan, x), apply(xv, [](double v) { return std::tan(v); }));
  add_case("tanh(x)", unary(g, Op::Tanh, x), apply(xv, [](double v) { return std::tanh(v); }));
  add_case("sigmoid(x)", unary(g, Op::Sigmoid, x),
           apply(xv, [](double v) { return 1.0 / (1.0 + std::exp(-v)); }));
  add_case("softplus(x)", unary(g, Op::Softplus, x),
           apply(xv, [](double v) { return std::log(1.0 + std::exp(v)); }));
  add_case("log1p(p)", unary(g, Op::Log1p, p), apply(pv, [](double v) { return std::log1p(v); }));
  add_case("expm1(x)", unary(g, Op::Expm1, x), apply(xv, [](double v) { return std::expm1(v); }));
  add_case("sinh(x)", unary(g, Op::Sinh, x), apply(xv, [](double v) { return std::sinh(v); }));
  add_case("cosh(x)", unary(g, Op::Cosh, x), apply(xv, [](double v) { return std::cosh(v); }));
  add_case("arcsin(tanh(x))", unary(g, Op::Arcsin, unary(g, Op::Tanh, x)),
           apply(xv, [](double v) { return std::asin(std::tanh(v)); }));
  add_case("arccos(tanh(x))", unary(g, Op::Arccos, unary(g, Op::Tanh, x)),
           apply(xv, [](double v) { return std::acos(std::tanh(v)); }));
  add_case("arctan(x)", unary(g, Op::Arctan, x), apply(xv, [](double v) { return std::atan(v); }));
  add_case("prod(x)", unary(g, Op::Prod, x), scalar(xv.prod()));
  add_case("prod_others(x)", unary(g, Op::ProdOthers, x),
           Matrix(VectorXd{{xv(1) * xv(2), xv(0) * xv(2), xv(0) * xv(1)}}));
  add_case("abs(x)", unary(g, Op::Abs, x), apply(xv, [](double v) { return std::fabs(v); }));
  add_case("sign(x)", unary(g, Op::Sign, x), Matrix(VectorXd{{1.0, -1.0, 1.0}}));
  add_case("sign(s - s)", unary(g, Op::Sign, sub(g, s, s)), scalar(0.0));
  add_case("tanh(C)", unary(g, Op::Tanh, C), apply(Cv, [](double v) { return std::tanh(v); }));
  add_case("relu(x)", unary(g, Op::Relu, x), Matrix(VectorXd{{0.5, 0.0, 2.0}}));
  {
    auto binary = [&](Op op, Id a, Id b2) {
      Node k;
      k.op = op;
      k.kids = {a, b2};
      k.shape = result_shape(g, op, k.kids);
      return g.add(k);
    };
    add_case("max(x, y)", binary(Op::Max, x, y), Matrix(xv.cwiseMax(yv)));
    add_case("min(s, x)", binary(Op::Min, s, x), Matrix(xv.cwiseMin(sv)));
  }
  add_case("norm(x, inf)", unary(g, Op::NormInf, x), scalar(2.0));
  {
    // K(n, m) vec(C) = vec(C') for the n x m matrix C
    Matrix ct = Cv.transpose();
    add_case("K(n, m)*vec(C)", matmul(g, commutation(g, n, m), unary(g, Op::Vec, C)),
             Matrix(ct.reshaped(ct.size(), 1)));
  }
  // Reductions and matrix functions.
  add_case("sum(x)", unary(g, Op::Sum, x), scalar(xv.sum()));
  add_case("sum(C)", unary(g, Op::Sum, C), scalar(Cv.sum()));
  add_case("norm2(x)", unary(g, Op::Norm2, x), scalar(std::sqrt(xv.dot(xv))));
  add_case("norm2(C)", unary(g, Op::Norm2, C), scalar(std::sqrt((Cv.array() * Cv.array()).sum())));
  add_case("tr(A)", unary(g, Op::Trace, A), scalar(Av(0, 0) + Av(1, 1) + Av(2, 2)));
  add_case("det(A)", unary(g, Op::Det, A), scalar(Av.determinant()));
  {
    Eigen::LLT<Matrix> llt(Sv);
    Matrix L = llt.matrixL();
    add_case("logdet(S)", unary(g, Op::LogDet, S), scalar(2 * L.diagonal().array().log().sum()));
  }
  add_case("inv(A)", unary(g, Op::Inv, A), Av.inverse());
  add_case("diag(x)", unary(g, Op::Diag, x), Matrix(xv.asDiagonal()));
  add_case("diag(A)", unary(g, Op::Diag, A), Matrix(VectorXd{{Av(0, 0), Av(1, 1), Av(2, 2)}}));
  {
    VectorXd e = apply(xv, [](double v) { return std::exp(v); });
    add_case("softmax(x)", unary(g, Op::Softmax, x), e / e.sum());
    add_case("logsumexp(x)", unary(g, Op::LogSumExp, x), scalar(std::log(e.sum())));
  }
  add_case("logsumexp(C)", unary(g, Op::LogSumExp, C),
           scalar(std::log(apply(Cv, [](double v) { return std::exp(v); }).sum())));
  {
    VectorXd want(12);
    for (int k = 0; k < 4; ++k)
      for (int i = 0; i < 3; ++i) want(3 * k + i) = Cv(i, k);
    add_case("vec(C)", unary(g, Op::Vec, C), want);
    add_case("vec(C) + zeros(n*m)",
             add(g, unary(g, Op::Vec, C), zeros(g, g[unary(g, Op::Vec, C)].shape)), want);
  }
  {
    Matrix want(9, 12);
    for (int i = 0; i < 3; ++i)
      for (int j = 0; j < 3; ++j)
        for (int k = 0; k < 3; ++k)
          for (int l = 0; l < 4; ++l) want(3 * i + k, 4 * j + l) = Av(i, j) * Cv(k, l);
    add_case("kron(A, C)", kron(g, A, C), want);
  }
  add_case("kron(x, y')", kron(g, x, transpose(g, y)), xv * yv.transpose());
  // Structure.
  {
    VectorXd want(7);
    want << xv, zv;
    add_case("[x; z]", stack(g, {x, z}), want);
  }
  add_case("[s; t; s*t]", stack(g, {s, t, product(g, s, t)}), Matrix(VectorXd{{sv, tv, sv * tv}}));
  {
    Matrix want(7, 3);
    want << Av, Cv.transpose();
    add_case("[A; C']", stack(g, {A, transpose(g, C)}), want);
  }
  {
    int32_t f = g.declare_function("f", {Shape::vector(n)}, Shape::scalar());
    b.functions[f] = [](int64_t deriv, const std::vector<Matrix>& args) -> Matrix {
      if (deriv == kCallValue) return scalar(args[0].squaredNorm());
      return 2 * args[0];  // grad f
    };
    add_case("f(x)", call(g, f, kCallValue, {x}), scalar(xv.dot(xv)));
    add_case("grad(f)(y)", call(g, f, kCallDerivative, {y}), 2 * yv);
    int32_t h = g.declare_function("h", {Shape::vector(n)}, Shape::vector(n));
    b.functions[h] = [](int64_t deriv, const std::vector<Matrix>& args) -> Matrix {
      Matrix s = apply(args[0], [](double v) { return std::sin(v); });
      if (deriv == kCallValue) return s;
      return apply(args[0], [](double v) { return std::cos(v); }).col(0).asDiagonal();
    };
    add_case("h(x)", call(g, h, kCallValue, {x}), apply(xv, [](double v) { return std::sin(v); }));
    add_case("J(h)(x)", call(g, h, kCallDerivative, {x}),
             Matrix(apply(xv, [](double v) { return std::cos(v); }).asDiagonal()));
    int32_t L = g.declare_function("L", {Shape::scalar(), Shape::scalar()}, Shape::scalar());
    b.functions[L] = [](int64_t deriv, const std::vector<Matrix>& args) -> Matrix {
      double u = args[0](0, 0), v = args[1](0, 0);
      if (deriv == 1) return scalar(v);
      if (deriv == 2) return scalar(u + 2 * v);
      return scalar(u * v + v * v);
    };
    add_case("L(s, t)", call(g, L, kCallValue, {s, t}), scalar(sv * tv + tv * tv));
    add_case("partial(L, 2)(s, t)", call(g, L, 2, {s, t}), scalar(sv + 2 * tv));
  }
  // Compositions and sugar.
  add_case("x' * inv(A) * y", matmul(g, matmul(g, transpose(g, x), unary(g, Op::Inv, A)), y),
           scalar(xv.dot(Av.inverse() * yv)));
  add_case("tr(A * B')", unary(g, Op::Trace, matmul(g, A, transpose(g, B))),
           scalar((Av * Bv.transpose()).trace()));
  {
    Eigen::LLT<Matrix> llt(Sv + I3);
    Matrix L = llt.matrixL();
    add_case("logdet(S + I)", unary(g, Op::LogDet, add(g, S, identity(g, n))),
             scalar(2 * L.diagonal().array().log().sum()));
  }
  add_case("det(S)", unary(g, Op::Det, S), scalar(Sv.determinant()));
  add_case("exp(-s) * x", product(g, unary(g, Op::Exp, neg(g, s)), x), std::exp(-sv) * xv);
  add_case("(x' * y)^2", power(g, inner(g, x, y), c(2)), scalar(std::pow(xv.dot(yv), 2)));
  add_case("norm2(A * x - y)", unary(g, Op::Norm2, sub(g, matmul(g, A, x), y)),
           scalar((Av * xv - yv).norm()));
  {
    VectorXd e = apply(Av * xv, [](double v) { return std::exp(v); });
    add_case("softmax(A * x)", unary(g, Op::Softmax, matmul(g, A, x)), e / e.sum());
    VectorXd sm = e / e.sum();
    Id smx = unary(g, Op::Softmax, matmul(g, A, x));
    add_case("diag(softmax) - softmax softmax'",
             sub(g, unary(g, Op::Diag, smx), matmul(g, smx, transpose(g, smx))),
             Matrix(sm.asDiagonal()) - sm * sm.transpose());
  }
  add_case("sigmoid(x' * y)", unary(g, Op::Sigmoid, inner(g, x, y)),
           scalar(1.0 / (1.0 + std::exp(-xv.dot(yv)))));
  add_case("I * x + ones(n)", add(g, matmul(g, identity(g, n), x), ones(g, Shape::vector(n))),
           (xv.array() + 1.0).matrix());
  add_case("pi * s", product(g, pi(g), s), scalar(pi_v * sv));
  add_case("x / s", divide(g, x, s), xv / sv);
  add_case("x ./ p", elementwise_divide(g, x, p), xv.cwiseQuotient(pv));
  add_case("A^2", matrix_power(g, A, 2), Av * Av);
  add_case("A^-2", matrix_power(g, A, -2), Av.inverse() * Av.inverse());
  add_case("A^0", matrix_power(g, A, 0), I3);
  add_case("<A, B>", inner(g, A, B), scalar((Av.array() * Bv.array()).sum()));
  add_case("<x, y>", inner(g, x, y), scalar(xv.dot(yv)));
  add_case("ones(1 x n) * x", matmul(g, ones(g, Shape::matrix(Dim::fixed(1), n)), x),
           scalar(xv.sum()));
  add_case("log(1 + exp(x))",
           unary(g, Op::Log, add(g, ones(g, Shape::vector(n)), unary(g, Op::Exp, x))),
           apply(xv, [](double v) { return std::log(1.0 + std::exp(v)); }));
  add_case("log(1 + s)", unary(g, Op::Log, add(g, c(1), s)), scalar(std::log(1.0 + sv)));
  add_case("1 / (1 + exp(-t))", divide(g, c(1), add(g, c(1), unary(g, Op::Exp, neg(g, t)))),
           scalar(1.0 / (1.0 + std::exp(-tv))));
  add_case("exp(t) / (1 + exp(t))",
           divide(g, unary(g, Op::Exp, t), add(g, c(1), unary(g, Op::Exp, t))),
           scalar(std::exp(tv) / (1.0 + std::exp(tv))));
  add_case("log(sigmoid(t))", unary(g, Op::Log, unary(g, Op::Sigmoid, t)),
           scalar(std::log(1.0 / (1.0 + std::exp(-tv)))));
  add_case(
      "1/2 * x' * S * x - <z, C' * x>",
      sub(g, product(g, constant(g, Rational{1, 2}), matmul(g, matmul(g, transpose(g, x), S), x)),
          inner(g, z, matmul(g, transpose(g, C), x))),
      scalar(0.5 * xv.dot(Sv * xv) - zv.dot(Cv.transpose() * xv)));

  EXPECT_GE(cases.size(), 60u);
  std::set<Op> seen;
  for (const Case& k : cases) {
    for (Id id : reachable(g, k.expr)) seen.insert(g[id].op);
    Matrix got;
    try {
      got = evaluate(g, k.expr, b);
    } catch (const Error& e) {
      ADD_FAILURE() << k.name << " threw: " << e.what();
      continue;
    }
    expect_close(got, k.want, k.name);
  }
  // Every op except the query ops appears in some case.
  for (int i = 0; i < kOpCount; ++i) {
    Op op = static_cast<Op>(i);
    bool query = is_query_op(op);
    EXPECT_EQ(seen.count(op), query ? 0u : 1u) << op_name(op);
  }
}

}  // namespace
}  // namespace nabla
