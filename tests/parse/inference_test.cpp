#include <gtest/gtest.h>

#include "test_util.h"

namespace nabla {
namespace {
using testing::Parsed;
using testing::shape_of;

// Shape of each listed variable after parsing `expr` with nothing declared.
std::string shapes(const std::string& expr, const std::string& vars) {
  Graph g;
  Frontend f(g);
  f.parse_expression(expr);
  std::string out;
  for (Id v : f.parse_variables(vars)) out += (out.empty() ? "" : ",") + shape_of(g, v);
  return out;
}

TEST(Inference, KindFromSpelling) {
  EXPECT_EQ(shapes("x + x", "x"), "n");
  EXPECT_EQ(shapes("A + A", "A"), "n×m");
  EXPECT_EQ(shapes("alpha + beta + λ + sigma2", "alpha, beta, λ, sigma2"),
            "scalar,scalar,scalar,scalar");
}

TEST(Inference, DimensionsUnifyByUse) {
  EXPECT_EQ(shapes("x'*A*x", "x, A"), "n,n×n");
  EXPECT_EQ(shapes("A*x", "A, x"), "n×m,m");
  EXPECT_EQ(shapes("tr(A*B)", "A, B"), "n×m,m×n");
  EXPECT_EQ(shapes("<a, x>", "a, x"), "n,n");
  EXPECT_EQ(shapes("X*w - y", "X, w, y"), "n×m,m,n");
  EXPECT_EQ(shapes("x .* y", "x, y"), "n,n");
}

TEST(Inference, OpenVectorLengthMayBeOne) {
  EXPECT_EQ(shapes("x^2", "x"), "scalar");
  EXPECT_EQ(shapes("x^2*y^3*z", "x, y, z"), "scalar,scalar,n");
  EXPECT_EQ(shapes("exp(t)/t", "t"), "scalar");
  EXPECT_EQ(shapes("c*A", "c, A"), "scalar,n×m");
}

TEST(Inference, DeclaredDimensionsPropagate) {
  Graph g;
  Frontend f(g);
  f.run_script("A in R^(n x m)");
  f.parse_expression("y'*A*x");
  EXPECT_EQ(shape_of(g, f.parse_variables("x")[0]), "m");
  EXPECT_EQ(shape_of(g, f.parse_variables("y")[0]), "n");
  // Fresh names avoid the ones in scope.
  f.parse_expression("u + u");
  EXPECT_EQ(shape_of(g, f.parse_variables("u")[0]), "k");
}

TEST(Inference, InferredNamesLiveForOneStatement) {
  Parsed p("x^2; x'*x");
  ASSERT_EQ(p.queries.size(), 2u);
  EXPECT_NE(p.g[p.queries[0].expr].kids[0], p.g[p.queries[1].expr].kids[1]);
  EXPECT_EQ(testing::shape_of(p.g, p.g[p.queries[1].expr].kids[1]), "n");
  // The same text infers the same symbol, so it builds the same node.
  Parsed q("x^2; x^2");
  EXPECT_EQ(q.queries[0].expr, q.queries[1].expr);
}

TEST(Inference, QueriesConstrainShapes) {
  Parsed p("grad(x^2 + y'*y, y)");
  EXPECT_EQ(testing::shape_of(p.g, p.last().wrt[0]), "n");
  Parsed h("hessian(sum(exp(A*w)), w)");
  EXPECT_EQ(testing::shape_of(h.g, h.last().wrt[0]), "m");
}

TEST(Inference, ExerciseSheetQuestions) {
  Parsed a("f : R^d -> R^n; g : R^d -> R^n; grad(f(x)'*g(x), x)");
  EXPECT_EQ(a.last().kind, QueryKind::Grad);
  EXPECT_EQ(testing::shape_of(a.g, a.last().wrt[0]), "d");
  Parsed c("L : R x R x R -> R; x, y, z : R^p -> R; grad(L(x(w), y(w), z(w)), w)");
  EXPECT_EQ(testing::shape_of(c.g, c.last().wrt[0]), "p");
  EXPECT_EQ(c.expr(), "Call[L,0](Call[x,0](Var(w)), Call[y,0](Var(w)), Call[z,0](Var(w)))");
  Parsed b("f : R^m -> R^k; g : R^k -> R; grad(g(f(x)), x)");
  EXPECT_EQ(testing::shape_of(b.g, b.last().wrt[0]), "m");
  Parsed h("h1, h2 : R -> R; f : R^d -> R; grad(h2(h1(f(x))), x)");
  EXPECT_EQ(testing::shape_of(h.g, h.last().wrt[0]), "d");
  Parsed x4("x, w in R^d; grad(log(1 + exp(-w'*x)), w)");
  EXPECT_EQ(testing::shape_of(x4.g, x4.last().wrt[0]), "d");
  Parsed b4("x in R^d; grad(1/2*norm2(x)^2, x)");
  EXPECT_EQ(b4.shape(), "scalar");
}

}  // namespace
}  // namespace nabla
