#include <gtest/gtest.h>

#include "test_util.h"

namespace nabla {
namespace {
using testing::dump;
using testing::Parsed;

std::string structure(const std::string& script) {
  return Parsed(script).expr();
}

TEST(Expressions, PrecedenceOfSumsAndProducts) {
  EXPECT_EQ(structure("a, b, c in R; a + b*c"), "Add(Var(a), Scale(Var(b), Var(c)))");
  EXPECT_EQ(structure("a, b, c in R; (a + b)*c"), "Scale(Add(Var(a), Var(b)), Var(c))");
  EXPECT_EQ(structure("a, b, c in R; a - b - c"),
            "Add(Add(Var(a), Scale(Const(-1), Var(b))), Scale(Const(-1), Var(c)))");
}

TEST(Expressions, UnaryMinusBindsLooserThanPower) {
  EXPECT_EQ(structure("x in R; -x^2"), "Scale(Const(-1), Power(Var(x), Const(2)))");
  EXPECT_EQ(structure("x in R; (-x)^2"), "Power(Scale(Const(-1), Var(x)), Const(2))");
  EXPECT_EQ(structure("x in R; x^-1"), "Power(Var(x), Const(-1))");
}

TEST(Expressions, PowerIsRightAssociative) {
  EXPECT_EQ(structure("x, y, z in R; x^y^z"), "Power(Var(x), Power(Var(y), Var(z)))");
}

TEST(Expressions, TransposeBindsTighterThanPowerAndProduct) {
  EXPECT_EQ(structure("x in R^n; A in R^(n x n); x'*A*x"),
            "MatMul(MatMul(Transpose(Var(x)), Var(A)), Var(x))");
  EXPECT_EQ(structure("A in R^(n x n); A'^2"), "MatMul(Transpose(Var(A)), Transpose(Var(A)))");
  EXPECT_EQ(structure("x in R^n; x^T*x"), "MatMul(Transpose(Var(x)), Var(x))");
}

TEST(Expressions, EntrywiseOperators) {
  EXPECT_EQ(structure("x, y in R^n; x .* y"), "Hadamard(Var(x), Var(y))");
  EXPECT_EQ(structure("x, y in R^n; x ./ y"), "Hadamard(Var(x), Power(Var(y), Const(-1)))");
  EXPECT_EQ(structure("x in R^n; x.^3"), "Power(Var(x), Const(3))");
}

TEST(Expressions, ConstantsFoldExactly) {
  EXPECT_EQ(structure("1/2"), "Const(1/2)");
  EXPECT_EQ(structure("2^3"), "Const(8)");
  EXPECT_EQ(structure("-3"), "Const(-3)");
  EXPECT_EQ(structure("2^-2"), "Const(1/4)");
  EXPECT_EQ(structure("1 + 2*3 - 4/8"), "Const(13/2)");
  EXPECT_EQ(structure("0.25"), "Const(1/4)");
  EXPECT_EQ(structure("1e-3"), "Const(1/1000)");
  EXPECT_EQ(structure("2.5e2"), "Const(250)");
  EXPECT_EQ(structure("x in R^n; x/2"), "Scale(Const(1/2), Var(x))");
  EXPECT_EQ(structure("x in R; 1/2*x^2"), "Scale(Const(1/2), Power(Var(x), Const(2)))");
  // Too large for int64: a double.
  Parsed p("1e30");
  EXPECT_EQ(p.g[p.last().expr].b, 0);
  EXPECT_DOUBLE_EQ(p.g[p.last().expr].f, 1e30);
}

TEST(Expressions, Sugar) {
  EXPECT_EQ(structure("a, x in R^n; <a, x>"), "MatMul(Transpose(Var(a)), Var(x))");
  EXPECT_EQ(structure("x in R; sqrt(x)"), "Power(Var(x), Const(1/2))");
  EXPECT_EQ(structure("x in R^n; ‖x‖"), "Norm2(Var(x))");
  EXPECT_EQ(structure("x in R; y in R; z in R; [x; y; z]"), "Stack(Var(x), Var(y), Var(z))");
  EXPECT_EQ(structure("A in R^(n x n); A^3"), "MatMul(MatMul(Var(A), Var(A)), Var(A))");
  EXPECT_EQ(structure("A in R^(n x n); A^-1"), "Inv(Var(A))");
  EXPECT_EQ(structure("A in R^(n x n); A^0"), "Identity");
}

TEST(Expressions, BuiltinsAndAliases) {
  EXPECT_EQ(structure("x in R^n; ln(x)"), structure("x in R^n; log(x)"));
  EXPECT_EQ(structure("A in R^(n x n); trace(A)"), "Trace(Var(A))");
  EXPECT_EQ(structure("x in R^n; σ(x)"), "Sigmoid(Var(x))");
  EXPECT_EQ(structure("x in R^n; diag(x)"), "Diag(Var(x))");
  EXPECT_EQ(structure("A in R^(n x n); diag(A)"), "DiagPart(Var(A))");
  for (const char* f : {"exp", "log", "sin", "cos", "tan", "tanh", "sigmoid", "softplus", "log1p",
                        "expm1", "abs", "sign", "sum", "norm2", "softmax", "logsumexp", "vec"}) {
    Parsed p(std::string("x in R^n; ") + f + "(x)");
    EXPECT_EQ(op_spelling(p.g[p.last().expr].op), f) << f;
  }
  EXPECT_EQ(structure("X in R^(n x n); det(X) + logdet(X) + tr(inv(X))"),
            "Add(Add(Det(Var(X)), LogDet(Var(X))), Trace(Inv(Var(X))))");
}

TEST(Expressions, ConstantsTakeTheirShapeFromContext) {
  Parsed p("A in R^(n x n); A + I");
  EXPECT_EQ(p.expr(), "Add(Var(A), Identity)");
  EXPECT_EQ(p.shape(), "n×n");
  Parsed q("x in R^d; x - ones");
  EXPECT_EQ(q.expr(), "Add(Var(x), Scale(Const(-1), Ones))");
  EXPECT_EQ(testing::shape_of(q.g, q.g[q.g[q.last().expr].kids[1]].kids[1]), "d");
  EXPECT_EQ(structure("x in R^d; x + zeros"), "Add(Var(x), Zeros)");
  EXPECT_EQ(structure("pi"), "Pi");
  // A constant scalar added to a vector is broadcast.
  EXPECT_EQ(structure("x in R^n; 1 - x"), "Add(Ones, Scale(Const(-1), Var(x)))");
  EXPECT_EQ(structure("x in R^n; x + 2"), "Add(Var(x), Scale(Const(2), Ones))");
}

TEST(Expressions, UnicodeSpellingsBuildTheSameNodes) {
  const char* pairs[][2] = {
      {"x'*A*x", "xᵀ*A*x"},   {"x .* y", "x ⊙ y"},
      {"<x, y>", "⟨x, y⟩"},   {"norm2(x)", "‖x‖"},
      {"sigmoid(x)", "σ(x)"}, {"x - y", "x − y"},
      {"x'*y", "x′*y"},       {"grad(x'*A*x, x)", "∇_x xᵀ*A*x"},
  };
  for (auto& [ascii, uni] : pairs) {
    Graph g;
    Frontend f(g);
    f.run_script("x, y in R^n; A in R^(n x n)");
    Id a = f.parse_expression(ascii);
    Id u = f.parse_expression(uni);
    EXPECT_EQ(a, u) << ascii << " vs " << uni;
  }
  // Declarations too.
  Graph g;
  Frontend f(g);
  f.run_script("x ∈ ℝ^n; A ∈ ℝ^(n×m); h: ℝ → ℝ; L: ℝ×ℝ×ℝ → ℝ");
  EXPECT_EQ(testing::shape_of(g, f.parse_expression("A'*x")), "m");
  EXPECT_EQ(f.parse_expression("h′(1)"), f.parse_expression("h'(1)"));
  EXPECT_EQ(f.parse_expression("∂₂L(1, 2, 3)"), f.parse_expression("partial(L, 2)(1, 2, 3)"));
}

TEST(Expressions, GreekNamesAndSubscripts) {
  // A Greek letter is its ASCII name (so printed Unicode reads back as the same variable).
  EXPECT_EQ(structure("α*λ + lambda"), "Add(Scale(Var(alpha), Var(lambda)), Var(lambda))");
  EXPECT_EQ(structure("σ₂ + sigma2"), "Add(Var(sigma2), Var(sigma2))");
  EXPECT_EQ(structure("x₁ in R; x₁ + x1"), "Add(Var(x1), Var(x1))");
}

TEST(Expressions, CommentsAndSeparators) {
  Parsed p("# a comment\nx in R^n  # trailing\n\n; ; x'*x # done\n");
  ASSERT_EQ(p.queries.size(), 1u);
  EXPECT_EQ(p.last().text, "x'*x");
  // Newlines inside brackets do not end a statement.
  Parsed q("x, y in R\n[x;\n y] + (\n[y; x])");
  ASSERT_EQ(q.queries.size(), 1u);
  EXPECT_EQ(q.last().text, "[x; y] + ( [y; x])");
}

TEST(Expressions, DerivativeFormsAsInput) {
  Parsed p(
      "f : R^d -> R^n; g : R^d -> R; h : R -> R; L : R x R x R -> R\n"
      "J(f)(x); J_f(x); grad(g)(x); ∇g(x); h'(t); h′(t); partial(L, 2)(a, b, c); ∂₂L(a, b, c)");
  ASSERT_EQ(p.queries.size(), 8u);
  const Graph& g = p.g;
  auto call = [&](size_t i) { return g[p.queries[i].expr]; };
  EXPECT_EQ(p.queries[0].expr, p.queries[1].expr);
  EXPECT_EQ(call(0).op, Op::Call);
  EXPECT_EQ(call(0).b, kCallDerivative);
  EXPECT_EQ(testing::shape_of(g, p.queries[0].expr), "n×d");
  EXPECT_EQ(p.queries[2].expr, p.queries[3].expr);
  EXPECT_EQ(testing::shape_of(g, p.queries[2].expr), "d");
  EXPECT_EQ(p.queries[4].expr, p.queries[5].expr);
  EXPECT_EQ(call(4).b, kCallDerivative);
  EXPECT_EQ(p.queries[6].expr, p.queries[7].expr);
  EXPECT_EQ(call(6).b, 2);
  EXPECT_EQ(call(6).kids.size(), 3u);
}

TEST(Expressions, DefinedFunctionsSubstituteArguments) {
  Parsed p("x, y in R; a, b in R; f(x, y) = x*y^2; f(a, b + 1)");
  EXPECT_EQ(p.expr(), "Scale(Var(a), Power(Add(Var(b), Const(1)), Const(2)))");
  Parsed q("x, y in R; f(x, y) = x*y^2; f(x, y)");
  EXPECT_EQ(q.expr(), "Scale(Var(x), Power(Var(y), Const(2)))");
}

TEST(Expressions, NamedExpressions) {
  Parsed p("x in R^n; A in R^(n x n); loss = x'*A*x; loss + 1");
  EXPECT_EQ(p.expr(), "Add(MatMul(MatMul(Transpose(Var(x)), Var(A)), Var(x)), Const(1))");
}

}  // namespace
}  // namespace nabla
