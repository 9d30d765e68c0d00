// Golden tests: each rule's input simplifies to the expected structure (both sides simplified,
// compared as hash-consed node ids), and keeps its value at random points.
#include <gtest/gtest.h>

#include "ir/build.h"
#include "test_util.h"

namespace nabla {
namespace {

using testing::Scope;

class Golden : public ::testing::Test {
 protected:
  Golden()
      : scope_(
            "a, b, c, x, y, z, w in R^n; s, t, u in R; A, B, C, X, Y in R^(n x n); "
            "S in Sym(n); M in R^(n x m); v in R^m") {}

  // input simplifies to exactly the node that `expected` simplifies to, and to the same value.
  void expect(const std::string& input, const std::string& expected) {
    SCOPED_TRACE(input + "  ->  " + expected);
    SimplifyReport report;
    Id in = scope_.parse(input);
    Id got = simplify(scope_.g, in, {}, &report);
    EXPECT_EQ(report.stop_reason, "fixpoint");
    Id want = scope_.simp(expected);
    EXPECT_EQ(got, want) << "got " << scope_.text(got) << ", want " << scope_.text(want);
    expect_same_value(in, got);
  }
  // The printed result, exactly.
  void expect_text(const std::string& input, const std::string& text) {
    SCOPED_TRACE(input);
    Id in = scope_.parse(input);
    Id got = simplify(scope_.g, in);
    EXPECT_EQ(scope_.text(got), text);
    expect_same_value(in, got);
  }
  void expect_same_value(Id before, Id after) {
    std::mt19937 rng(7);
    for (int trial = 0; trial < 3; ++trial) {
      Bindings b = testing::random_bindings(scope_.g, rng);
      Matrix x = evaluate(scope_.g, before, b);
      if (!x.allFinite()) continue;
      Matrix y = evaluate(scope_.g, after, b);
      EXPECT_LE(testing::relative_error(x, y), 1e-9) << "before:\n" << x << "\nafter:\n" << y;
    }
  }
  Scope scope_;
};

TEST_F(Golden, ConstantsFoldExactly) {
  expect_text("1/2 + 1/3", "5/6");
  expect_text("2^10", "1024");
  expect_text("(2/3)^-2", "9/4");
  expect("3*(2*x)", "6*x");
  expect("1*x", "x");
  expect("0*x + y", "y");
}

TEST_F(Golden, LikeTermsCombine) {
  expect("x + x", "2*x");
  expect("1/2*x + 1/2*x", "x");
  expect("A*x - A*x + y", "y");
  expect("x - x", "0*x");
  expect("X' + X'", "2*X'");
  expect("s + t - s", "t");
  expect("2*(x + y) - 2*y", "2*x");
}

TEST_F(Golden, CanonicalOrderOfTerms) {
  expect("y + x", "x + y");
  expect("A' + A", "A + A'");
  expect("-a + x", "x - a");
  expect("(y + x) + (z + w)", "x + y + z + w");
}

TEST_F(Golden, ScalarProducts) {
  expect("s*t*s", "s^2*t");
  expect("s^2*s^-2*t", "t");
  expect("(s^2)^3", "s^6");
  expect("(s*t)^2", "s^2*t^2");
  expect("s*(2*(t*x))", "2*s*t*x");
  expect("-(-x)", "x");
  expect_text("(s^2)^(1/2)", "abs(s)");  // sqrt(s^2) = |s| (saturation); not s
}

TEST_F(Golden, Powers) {
  expect("s^1", "s");
  expect("s^0 + t", "1 + t");
  expect("x .* x", "x.^2");
  expect("(x.^2).^3", "x.^6");
  // A zero base stays zero only under a positive power: x./zeros is not zeros.
  expect_text("x ./ zeros", "x ./ zeros");
  expect_text("zeros.^(-2)", "1 ./ zeros(k).^2");
  expect_text("zeros.^2", "zeros(k)");
}

TEST_F(Golden, Transposes) {
  expect("(A')'", "A");
  expect("((x')')'*y", "x'*y");
  expect("S'", "S");
  expect("(s*A)'", "s*A'");
  expect("(A*B)'", "B'*A'");
  expect("(b*a')'", "a*b'");
  expect("(x*x')'", "x*x'");
  expect("(A + A')'", "A + A'");
  expect("A'*B'*C'", "(C*B*A)'");
  expect_text("(x'*a)'", "x'*a");  // the orientation as written
  expect_text("(A*x)'*a", "a'*A*x");
}

TEST_F(Golden, ScalarProductOrientation) {
  // One orientation per expression: a'*x and x'*a combine
  expect_text("a'*x + x'*a", "2*a'*x");
  expect_text("x'*a - a'*x + s", "s");
  EXPECT_EQ(scope_.simp("a'*A*x"), scope_.simp("x'*A'*a"));
  // Two vector variables written in one orientation only keep it
  expect_text("a'*x", "a'*x");
  expect_text("x'*a", "x'*a");
  expect_text("-w'*x", "-w'*x");
  // ... and both orientations written: the canonical one throughout
  expect_text("sigmoid(-w'*x) + x'*w", "x'*w + sigmoid(-x'*w)");
}

TEST_F(Golden, Identity) {
  expect("I*A", "A");
  expect("A*I", "A");
  expect("inv(inv(A))", "A");
  expect("inv(A')", "inv(A)'");
  expect("inv(2*A)", "1/2*inv(A)");
}

TEST_F(Golden, Reductions) {
  expect("tr(A')", "tr(A)");
  expect("tr(a*b')", "a'*b");
  expect("tr(2*A)", "2*tr(A)");
  expect("det(A')", "det(A)");
  expect("logdet(A')", "logdet(A)");
  expect("sum(x')", "sum(x)");
  expect("diag(diag(x))", "x");
  expect("norm2(-2*x)", "2*norm2(x)");
}

TEST_F(Golden, EntryWise) {
  expect("exp(log(x))", "x");
  expect("log(exp(x))", "x");
  expect("log(1 + exp(s))", "softplus(s)");
  expect("log(1 + s^2)", "log1p(s^2)");
  expect("exp(s)/(1 + exp(s))", "sigmoid(s)");
  expect("1/(1 + exp(-s))", "sigmoid(s)");
  expect("exp(-s)/(1 + exp(-s))", "sigmoid(-s)");
  expect("1 - sigmoid(s)", "sigmoid(-s)");
  expect("exp(x)/sum(exp(x))", "softmax(x)");
  expect("log(sum(exp(x)))", "logsumexp(x)");
  expect("sqrt(x'*x)", "norm2(x)");
  expect("exp(x) .* (1 + exp(x)).^-1", "sigmoid(x)");
}

TEST_F(Golden, Factoring) {
  expect("A*x + A'*x", "(A + A')*x");
  expect("a*b' + c*b'", "(a + c)*b'");
  expect("A*x + A*y", "A*(x + y)");
  expect("s*x + t*x", "(s + t)*x");
  expect("s*x + s*y", "s*(x + y)");
  expect("X*c*b' + X*b*c'", "X*(b*c' + c*b')");
  expect("2*A*x - 2*B*x", "2*(A - B)*x");
}

TEST_F(Golden, DifferentiatorRawForms) {
  expect_text("(x')'*1", "x");
  expect_text("1/2*x + (1/2*x')'", "x");
  expect_text("A'*x + A*x", "(A + A')*x");
  expect_text("X' + X'", "2*X'");
  expect_text("-inv(X)'*A'*B'*inv(X)'", "-(inv(X)*B*A*inv(X))'");
  expect_text("1/2*2*X'*norm2(X*w - y)*(X*w - y)/norm2(X*w - y)", "X'*(X*w - y)");
  expect_text("-2*norm2(X - A*B')*(X - A*B')/norm2(X - A*B')*B", "2*(A*B' - X)*B");
  expect_text("A'*(A*X*B + C + A*X*B + C)*B'", "2*A'*(A*X*B + C)*B'");
  expect_text("(x'*B)' + (x'*B')'", "(B + B')*x");
  expect_text("det(X)*inv(X)'", "det(X)*inv(X)'");
  expect("(-exp(-w'*x)/(1 + exp(-w'*x))*x')'", "-sigmoid(-w'*x)*x");
}

TEST_F(Golden, SigmoidFromExp) {
  expect("exp(s)*sigmoid(-s)", "sigmoid(s)");
  expect("exp(-s)*sigmoid(s)", "sigmoid(-s)");
  expect_text("exp(s^2*t)*sigmoid(-s^2*t)*t", "t*sigmoid(s^2*t)");
  expect_text("exp(x) .* sigmoid(-x)", "sigmoid(x)");
  expect_text("exp(s)^2/(1 + exp(s))^2", "sigmoid(s)^2");
  expect_text("(1 + exp(s))^-2", "sigmoid(-s)^2");
}

TEST_F(Golden, FactorOnlyWhenShorter) {
  // same length: the expanded form
  expect_text("s*(1 - 2*t*sigmoid(s))", "s - 2*s*t*sigmoid(s)");
  expect_text("s - 2*s*t", "s - 2*s*t");
  expect_text("s*t + s", "s + s*t");
  // shorter: factored
  expect_text("s*x + s*y", "s*(x + y)");
  expect_text("s*(x + y)", "s*(x + y)");
  expect_text("-(x + y)", "-(x + y)");
  expect_text("x - x*sigmoid(s)", "sigmoid(-s)*x");
}

TEST_F(Golden, FactorOrder) {
  // variables and their powers first, in declaration order, then compound factors largest first
  expect_text("sigmoid(s)*t*s", "s*t*sigmoid(s)");
  expect_text("sin(s)*cos(s^2)", "cos(s^2)*sin(s)");
  expect_text("t^3*sigmoid(s^2*t)*s^2", "s^2*t^3*sigmoid(s^2*t)");
  // f(u) before f(-u)
  expect_text("sigmoid(-x) .* sigmoid(x)", "sigmoid(x) .* sigmoid(-x)");
  expect_text("sigmoid(-A*x) .* y", "y .* sigmoid(-A*x)");
}

TEST(TermOrder, ChainRuleAndPartials) {
  testing::Scope sc("L : R x R x R -> R; h1, h2 : R -> R; f : R^n -> R; t in R");
  auto text = [&](const std::string& e) { return sc.text(sc.simp(e)); };
  // ascending partial index
  EXPECT_EQ(text("partial(L, 3)(t, t, t) + partial(L, 1)(t, t, t) + partial(L, 2)(t, t, t)"),
            "partial(L, 1)(t, t, t) + partial(L, 2)(t, t, t) + partial(L, 3)(t, t, t)");
  // outer derivative first
  EXPECT_EQ(text("h1'(t)*h2'(h1(t))"), "h2'(h1(t))*h1'(t)");
  EXPECT_EQ(text("h1'(f(x))*grad(f)(x)*h2'(h1(f(x)))"), "h2'(h1(f(x)))*h1'(f(x))*grad(f)(x)");
  // terms ordered by their vector part: grad(f) before grad(g)-like parts
  testing::Scope sc2("f, g : R^n -> R");
  EXPECT_EQ(sc2.text(sc2.simp("f(x)*grad(g)(x) + g(x)*grad(f)(x)")),
            "g(x)*grad(f)(x) + f(x)*grad(g)(x)");
}

TEST_F(Golden, ZerosOnes) {
  Graph& g = scope_.g;
  Shape vec = g[scope_.parse("x")].shape;
  Id x = scope_.parse("x");
  EXPECT_EQ(simplify(g, add(g, x, zeros(g, vec))), x);
  EXPECT_EQ(simplify(g, hadamard(g, x, ones(g, vec))), x);
  EXPECT_EQ(simplify(g, scale(g, integer(g, 0), x)), zeros(g, vec));
  EXPECT_EQ(simplify(g, sub(g, x, x)), zeros(g, vec));
  EXPECT_EQ(simplify(g, zeros(g, Shape::scalar())), integer(g, 0));
}

TEST_F(Golden, StepsNameRules) {
  StepLog steps;
  scope_.simp("x + x", nullptr, &steps);
  ASSERT_FALSE(steps.lines.empty());
  EXPECT_EQ(steps.lines.front(), "simplify: collect like terms");
  for (size_t i = 1; i < steps.lines.size(); ++i) EXPECT_NE(steps.lines[i], steps.lines[i - 1]);
}

TEST_F(Golden, SharedSubexpressionsStayShared) {
  Id e = scope_.simp("exp(x'*A*x + x'*A*x) + exp(x'*A*x + x'*A*x)");
  // one exp node under one scale: the DAG stays small
  EXPECT_LE(dag_size(scope_.g, e), 10u);
}

}  // namespace
}  // namespace nabla

namespace nabla {
namespace {
TEST(RuleTable, NamesAreDistinctAndNonEmpty) {
  std::vector<std::string> names = simplify_rule_names();
  EXPECT_GE(names.size(), 30u);
  for (const std::string& n : names) EXPECT_FALSE(n.empty());
}
}  // namespace
}  // namespace nabla
