// check_equal on expressions built with the IR builders: identities that hold, deliberately
// wrong ones that must fail with a counterexample, and the draws behind them.
#include <gtest/gtest.h>

#include <string>

#include "check/check.h"
#include "ir/build.h"
#include "ir/error.h"
#include "ir/graph.h"

namespace nabla {
namespace {

class CheckBuilt : public ::testing::Test {
 protected:
  Graph g;
  Dim n = g.dims.intern("n");
  Dim m = g.dims.intern("m");
  Dim k = g.dims.intern("k");
  Dim d = g.dims.intern("d");

  Id var(const std::string& name, Shape s, bool symmetric = false) {
    return variable(g, g.declare_variable(name, s, symmetric));
  }
  Id scalar(const std::string& name) { return var(name, Shape::scalar()); }
  Id vec(const std::string& name, Dim dim) { return var(name, Shape::vector(dim)); }
  Id mat(const std::string& name, Dim r, Dim c) { return var(name, Shape::matrix(r, c)); }
  Id num(int64_t v) { return integer(g, v); }
  Id frac(int64_t a, int64_t b) { return constant(g, Rational{a, b}); }
  Id T(Id x) { return transpose(g, x); }
  Id mul(Id a, Id b) { return product(g, a, b); }
  Id mul(Id a, Id b, Id c) { return product(g, product(g, a, b), c); }
  Id plus(Id a, Id b) { return add(g, a, b); }
  Id minus(Id a, Id b) { return sub(g, a, b); }
  Id f1(Op op, Id x) { return unary(g, op, x); }
  Id pw(Id x, Id p) { return power(g, x, p); }

  CheckResult holds(Id l, Id r) {
    CheckResult res = check_equal(g, l, r);
    EXPECT_TRUE(res.holds) << res.counterexample;
    EXPECT_EQ(res.trials, 6);
    EXPECT_LE(res.max_error, 1e-7);
    return res;
  }
  // A wrong identity: fails, and the counterexample shows the point and both sides.
  CheckResult fails(Id l, Id r) {
    CheckResult res = check_equal(g, l, r);
    EXPECT_FALSE(res.holds);
    EXPECT_GE(res.trials, 1);
    EXPECT_GT(res.max_error, 1e-7);
    const std::string& c = res.counterexample;
    EXPECT_NE(c.find("\nlhs = "), std::string::npos) << c;
    EXPECT_NE(c.find("\nrhs = "), std::string::npos) << c;
    EXPECT_NE(c.find("\nlhs - rhs = "), std::string::npos) << c;
    EXPECT_NE(c.find("relative error"), std::string::npos) << c;
    for (Id v : reachable(g, l)) {
      if (g[v].op != Op::Var) continue;
      EXPECT_NE(c.find(g.symbol(g[v].a).name + " = "), std::string::npos) << c;
    }
    return res;
  }
};

// --- identities that hold ----------------------------------------------------------------------

TEST_F(CheckBuilt, TransposeOfProduct) {
  Id A = mat("A", n, m), B = mat("B", m, k);
  holds(T(mul(A, B)), mul(T(B), T(A)));
}

TEST_F(CheckBuilt, TraceIsCyclicForRectangularFactors) {
  Id A = mat("A", n, m), B = mat("B", m, n);
  holds(f1(Op::Trace, mul(A, B)), f1(Op::Trace, mul(B, A)));
}

TEST_F(CheckBuilt, LogOfDetIsLogdet) {
  Id X = mat("X", n, n);
  holds(f1(Op::Log, f1(Op::Det, X)), f1(Op::LogDet, X));
}

TEST_F(CheckBuilt, QuadraticFormOfTranspose) {
  Id x = vec("x", n), A = mat("A", n, n);
  holds(mul(T(x), A, x), mul(T(x), T(A), x));
}

TEST_F(CheckBuilt, SigmoidIsLogisticEntrywise) {
  Id u = vec("u", n);
  // sigmoid(u) == (1 + exp(-u)).^-1
  Id rhs = pw(plus(ones(g, Shape::vector(n)), f1(Op::Exp, mul(num(-1), u))), num(-1));
  holds(f1(Op::Sigmoid, u), rhs);
}

TEST_F(CheckBuilt, InverseTimesMatrixIsIdentity) {
  Id X = mat("X", n, n);
  holds(mul(f1(Op::Inv, X), X), identity(g, n));
}

TEST_F(CheckBuilt, SymmetricBilinearForm) {
  Id S = var("S", Shape::matrix(n, n), true), x = vec("x", n), y = vec("y", n);
  holds(mul(T(x), S, y), mul(T(y), S, x));
}

TEST_F(CheckBuilt, LogOfProductNeedsPositiveDraws) {
  Id x = vec("x", n), y = vec("y", n);
  holds(f1(Op::Log, hadamard(g, x, y)), plus(f1(Op::Log, x), f1(Op::Log, y)));
  Id z = vec("z", m);
  holds(pw(hadamard(g, z, z), frac(1, 2)), z);  // sqrt(z .* z) == z needs z > 0
}

TEST_F(CheckBuilt, DerivedDimensionsOfVecKronAndStack) {
  // vec(C X D) = kron(D', C) vec(X): sizes "k*m" and "m*k" are equal only numerically.
  Id C = mat("C", k, n), X = mat("X", n, n), D = mat("D", n, m);
  holds(f1(Op::Vec, mul(C, X, D)), mul(kron(g, T(D), C), f1(Op::Vec, X)));
  Id x = vec("x", n), y = vec("y", m);
  Id s = stack(g, {x, y, num(2)});
  holds(mul(T(s), s), plus(plus(mul(T(x), x), mul(T(y), y)), num(4)));
}

TEST_F(CheckBuilt, DetTimesInverseAgreesWithItself) {
  Id X = mat("X", n, n);
  Id e = mul(f1(Op::Det, X), f1(Op::Inv, X));
  holds(e, mul(f1(Op::Inv, X), f1(Op::Det, X)));
}

TEST_F(CheckBuilt, AbstractFunctionsProductRearranged) {
  int32_t f = g.declare_function("f", {Shape::vector(d)}, Shape::vector(n));
  int32_t gg = g.declare_function("g", {Shape::vector(d)}, Shape::vector(n));
  Id x = vec("x", d);
  Id Jf = call(g, f, kCallDerivative, {x}), Jg = call(g, gg, kCallDerivative, {x});
  Id fx = call(g, f, kCallValue, {x}), gx = call(g, gg, kCallValue, {x});
  // J(f)(x)'*g(x) + J(g)(x)'*f(x) == (g(x)'*J(f)(x))' + (f(x)'*J(g)(x))'
  holds(plus(mul(T(Jf), gx), mul(T(Jg), fx)), plus(T(mul(T(gx), Jf)), T(mul(T(fx), Jg))));
}

TEST_F(CheckBuilt, AbstractFunctionsOfScalarsMatricesAndSeveralArguments) {
  int32_t h = g.declare_function("h", {Shape::scalar()}, Shape::scalar());
  int32_t c = g.declare_function("c", {Shape::scalar()}, Shape::vector(n));
  int32_t G = g.declare_function("G", {Shape::matrix(n, m)}, Shape::scalar());
  int32_t L = g.declare_function("L", {Shape::scalar(), Shape::vector(n), Shape::matrix(n, m)},
                                 Shape::scalar());
  Id t = scalar("t"), x = vec("x", n), X = mat("X", n, m);
  Id dh = call(g, h, kCallDerivative, {t});
  holds(mul(dh, t), mul(t, dh));
  Id dc = call(g, c, kCallDerivative, {t});
  holds(mul(T(x), dc), mul(T(dc), x));
  Id gG = call(g, G, kCallDerivative, {X});
  holds(f1(Op::Trace, mul(T(gG), X)), f1(Op::Sum, hadamard(g, gG, X)));
  Id p2 = call(g, L, 2, {t, x, X}), p3 = call(g, L, 3, {t, x, X}), p1 = call(g, L, 1, {t, x, X});
  holds(plus(mul(T(p2), x), mul(p1, t)), plus(mul(t, p1), mul(T(x), p2)));
  holds(mul(T(p3), X), T(mul(T(X), p3)));
}

TEST_F(CheckBuilt, ResultCountsEveryTrial) {
  Id x = scalar("x");
  CheckOptions o;
  o.dimension_draws = 4;
  o.points_per_draw = 3;
  CheckResult r = check_equal(g, plus(x, x), mul(num(2), x), o);
  EXPECT_TRUE(r.holds);
  EXPECT_EQ(r.trials, 12);
  EXPECT_TRUE(r.counterexample.empty());
}

// --- deliberately wrong identities -------------------------------------------------------------

TEST_F(CheckBuilt, WrongTransposeOfProduct) {
  Id A = mat("A", n, n), B = mat("B", n, n);
  fails(T(mul(A, B)), mul(T(A), T(B)));
}

TEST_F(CheckBuilt, WrongMissingTransposeInQuadraticGradient) {
  Id x = vec("x", n), A = mat("A", n, n);
  fails(mul(plus(A, T(A)), x), mul(num(2), mul(A, x)));
}

TEST_F(CheckBuilt, WrongSignFlipped) {
  Id x = vec("x", n), w = vec("w", n);
  Id s = f1(Op::Sigmoid, mul(num(-1), mul(T(w), x)));
  fails(mul(num(-1), mul(s, x)), mul(s, x));
}

TEST_F(CheckBuilt, WrongDroppedFactor) {
  Id X = mat("X", n, m);
  fails(mul(num(2), X), X);
}

TEST_F(CheckBuilt, WrongConstant) {
  Id x = vec("x", n);
  fails(mul(frac(1, 2), mul(T(x), x)), mul(T(x), x));
}

TEST_F(CheckBuilt, WrongSoftmaxIsNotExp) {
  Id x = vec("x", n);
  fails(f1(Op::Softmax, x), f1(Op::Exp, x));
}

TEST_F(CheckBuilt, WrongDetTimesInverseTransposed) {
  Id X = mat("X", n, n);
  fails(mul(f1(Op::Det, X), f1(Op::Inv, X)), mul(f1(Op::Det, X), T(f1(Op::Inv, X))));
}

TEST_F(CheckBuilt, WrongLogdetGradientWithoutTranspose) {
  // X also appears under logdet: the draw is positive definite but not symmetric.
  Id X = mat("X", n, n);
  Id ld = f1(Op::LogDet, X);
  fails(mul(ld, T(f1(Op::Inv, X))), mul(ld, f1(Op::Inv, X)));
}

TEST_F(CheckBuilt, WrongJacobianNotTransposed) {
  int32_t f = g.declare_function("f", {Shape::vector(n)}, Shape::vector(n));
  int32_t gg = g.declare_function("g", {Shape::vector(n)}, Shape::vector(n));
  Id x = vec("x", n);
  Id Jf = call(g, f, kCallDerivative, {x}), gx = call(g, gg, kCallValue, {x});
  CheckResult r = fails(mul(Jf, gx), mul(T(Jf), gx));
  EXPECT_NE(r.counterexample.find("f(x1) := A*tanh("), std::string::npos) << r.counterexample;
  EXPECT_NE(r.counterexample.find("g(x1) := "), std::string::npos) << r.counterexample;
}

TEST_F(CheckBuilt, WrongPartialIndex) {
  int32_t L = g.declare_function("L", {Shape::vector(n), Shape::vector(n)}, Shape::scalar());
  Id x = vec("x", n), y = vec("y", n);
  fails(call(g, L, 1, {x, y}), call(g, L, 2, {x, y}));
}

TEST_F(CheckBuilt, WrongGradientSign) {
  int32_t G = g.declare_function("g", {Shape::vector(d)}, Shape::scalar());
  Id u = vec("u", d);
  Id gr = call(g, G, kCallDerivative, {u});
  fails(gr, mul(num(-1), gr));
}

TEST_F(CheckBuilt, WrongChainRuleForScalarFunction) {
  // d/dt h(t^2) = 2 t h'(t^2), not h'(t^2)
  int32_t h = g.declare_function("h", {Shape::scalar()}, Shape::scalar());
  Id t = scalar("t");
  Id inner = pw(t, num(2));
  Id dh = call(g, h, kCallDerivative, {inner});
  fails(mul(mul(num(2), t), dh), dh);
}

TEST_F(CheckBuilt, WrongTraceOfProduct) {
  Id A = mat("A", n, n), B = mat("B", n, n);
  fails(f1(Op::Trace, mul(A, B)), mul(f1(Op::Trace, A), f1(Op::Trace, B)));
}

TEST_F(CheckBuilt, WrongSigmoidArgumentSign) {
  Id u = scalar("u");
  fails(f1(Op::Sigmoid, u), divide(g, num(1), plus(num(1), f1(Op::Exp, u))));
}

TEST_F(CheckBuilt, WrongNormIsNotSquaredNorm) {
  Id x = vec("x", n);
  fails(f1(Op::Norm2, x), mul(T(x), x));
}

TEST_F(CheckBuilt, WrongStackOrder) {
  Id x = vec("x", n), y = vec("y", n);
  fails(stack(g, {x, y}), stack(g, {y, x}));
}

TEST_F(CheckBuilt, WrongKronOrder) {
  Id A = mat("A", n, m), B = mat("B", k, d);
  fails(kron(g, A, B), kron(g, B, A));
}

TEST_F(CheckBuilt, WrongVecOfTranspose) {
  // Both are vectors of n*m entries ("n*m" and "m*n"): the sizes agree, the orders do not.
  Id A = mat("A", n, m);
  fails(f1(Op::Vec, A), f1(Op::Vec, T(A)));
}

TEST_F(CheckBuilt, WrongExpOfSum) {
  Id x = scalar("x"), y = scalar("y");
  fails(f1(Op::Exp, plus(x, y)), plus(f1(Op::Exp, x), f1(Op::Exp, y)));
}

TEST_F(CheckBuilt, WrongSquareIsNotAbsTimesValue) {
  // x .^ 2 == x .* abs(x) only for x >= 0: values must not be drawn positive here.
  Id x = vec("x", n);
  fails(pw(x, num(2)), hadamard(g, x, f1(Op::Abs, x)));
}

TEST_F(CheckBuilt, WrongInverseOfProductOrder) {
  Id A = mat("A", n, n), B = mat("B", n, n);
  fails(f1(Op::Inv, mul(A, B)), mul(f1(Op::Inv, A), f1(Op::Inv, B)));
}

TEST_F(CheckBuilt, WrongSymmetricMatricesDoNotCommute) {
  Id S = var("S", Shape::matrix(n, n), true), A = mat("A", n, n);
  fails(mul(S, A), mul(A, S));
}

TEST_F(CheckBuilt, WrongSheetAnswer4a) {
  // x - 2 x y^3 z / (1 + exp(x^2 y^3 z))  vs  x - 2 x y^3 z sigmoid(x^2 y^3 z)
  Id x = scalar("x"), y = scalar("y"), z = scalar("z");
  Id xy3z = mul(mul(x, pw(y, num(3))), z);
  Id common = mul(mul(num(2), x), mul(pw(y, num(3)), z));
  Id arg = mul(mul(pw(x, num(2)), pw(y, num(3))), z);
  (void)xy3z;
  Id wrong = minus(x, divide(g, common, plus(num(1), f1(Op::Exp, arg))));
  Id right = minus(x, mul(common, f1(Op::Sigmoid, arg)));
  fails(wrong, right);
}

TEST_F(CheckBuilt, WrongDimensionsConfusedInRectangularCase) {
  // A' B with A, B both n x m vs B' A: equal only for n == m or special values.
  Id A = mat("A", n, m), B = mat("B", n, m);
  fails(mul(T(A), B), mul(T(B), A));
}

TEST_F(CheckBuilt, WrongShapesDiffer) {
  Id x = vec("x", n);
  CheckResult r = check_equal(g, mul(x, T(x)), mul(T(x), x));
  EXPECT_FALSE(r.holds);
  EXPECT_NE(r.counterexample.find("shapes differ: n×n vs scalar"), std::string::npos)
      << r.counterexample;
  Id A = mat("A", n, n);
  r = check_equal(g, A, f1(Op::DiagPart, A));
  EXPECT_NE(r.counterexample.find("shapes differ: n×n vs n"), std::string::npos);
}

TEST_F(CheckBuilt, WrongOnlyOneSideIsDefined) {
  // log(-x) is NaN where log(x) is finite (x is drawn positive).
  Id x = vec("x", n);
  fails(f1(Op::Log, x), f1(Op::Log, mul(num(-1), x)));
}

// --- the machinery -----------------------------------------------------------------------------

TEST_F(CheckBuilt, CounterexampleListsDimsValuesAndSides) {
  Id x = vec("x", n), A = mat("A", n, m), t = scalar("t");
  CheckResult r = check_equal(g, mul(t, mul(T(A), x)), mul(T(A), x));
  ASSERT_FALSE(r.holds);
  const std::string& c = r.counterexample;
  EXPECT_NE(c.find("n = "), std::string::npos) << c;
  EXPECT_NE(c.find("m = "), std::string::npos) << c;
  EXPECT_NE(c.find("x = ["), std::string::npos) << c;
  EXPECT_NE(c.find("A = ["), std::string::npos) << c;
  EXPECT_NE(c.find("t = "), std::string::npos) << c;
  EXPECT_EQ(c.find("t = ["), std::string::npos) << c;  // scalars plain
  EXPECT_NE(c.find("\nlhs = "), std::string::npos) << c;
  EXPECT_NE(c.find("\nrhs = "), std::string::npos) << c;
  EXPECT_NE(c.find("\nlhs - rhs = "), std::string::npos) << c;
}

TEST_F(CheckBuilt, DeterministicForASeed) {
  Id A = mat("A", n, m), B = mat("B", m, n);
  Id l = mul(A, B), r = T(mul(A, B));
  CheckOptions o;
  o.seed = 42;
  CheckResult a = check_equal(g, l, r, o), b = check_equal(g, l, r, o);
  EXPECT_FALSE(a.holds);
  EXPECT_EQ(a.counterexample, b.counterexample);
  EXPECT_EQ(a.max_error, b.max_error);
  o.seed = 43;
  CheckResult c = check_equal(g, l, r, o);
  EXPECT_NE(a.counterexample, c.counterexample);
}

TEST_F(CheckBuilt, SingularEverywhereIsAValueError) {
  // x x' with x in R^3 is never invertible.
  Id x = vec("x", Dim::fixed(3));
  Id e = f1(Op::Inv, mul(x, T(x)));
  try {
    check_equal(g, e, e);
    FAIL() << "expected Error(Value)";
  } catch (const Error& err) {
    EXPECT_EQ(err.kind(), ErrorKind::Value);
  }
}

}  // namespace
}  // namespace nabla
