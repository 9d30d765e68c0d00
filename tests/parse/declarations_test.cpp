#include <gtest/gtest.h>

#include "test_util.h"

namespace nabla {
namespace {
using testing::shape_of;

struct Declared {
  Graph g;
  Frontend f{g};
  explicit Declared(const std::string& decls) { EXPECT_TRUE(f.run_script(decls).empty()); }
  const Symbol& var(const std::string& name) {
    return g.symbol(g[f.parse_variables(name).at(0)].a);
  }
  std::string shape(const std::string& name) { return g.dims.to_string(var(name).shape); }
};

TEST(Declarations, VariableForms) {
  Declared d(
      "x, y in R\nw in R^d\nv in R^3\nA in R^(n x m)\nB in R^{n x m}\nC in R^(n,m)\n"
      "D ∈ ℝ^(n×m)\nS in Sym(n)\nr in R^(1 x k)\nu ∈ ℝ^d; s ∈ ℝ");
  EXPECT_EQ(d.shape("x"), "scalar");
  EXPECT_EQ(d.shape("y"), "scalar");
  EXPECT_EQ(d.shape("w"), "d");
  EXPECT_EQ(d.shape("v"), "3");
  EXPECT_EQ(d.shape("A"), "n×m");
  EXPECT_EQ(d.shape("B"), "n×m");
  EXPECT_EQ(d.shape("C"), "n×m");
  EXPECT_EQ(d.shape("D"), "n×m");
  EXPECT_EQ(d.shape("S"), "n×n");
  EXPECT_TRUE(d.var("S").symmetric);
  EXPECT_FALSE(d.var("A").symmetric);
  EXPECT_EQ(d.shape("r"), "1×k");
  EXPECT_EQ(d.shape("u"), "d");
  EXPECT_EQ(d.shape("s"), "scalar");
}

TEST(Declarations, FunctionForms) {
  Graph g;
  Frontend f(g);
  f.run_script(
      "f, g : R^d -> R^n\nh1, h2 : R -> R\nL : R x R x R -> R\nM : ℝ×ℝ×ℝ → ℝ\n"
      "N : R^n x R -> R\nx, y, z : R^p -> R\nF : R^(n x m) -> R");
  auto sig = [&](const std::string& call) { return shape_of(g, f.parse_expression(call)); };
  EXPECT_EQ(sig("f(w)"), "n");
  EXPECT_EQ(sig("g(w)"), "n");
  EXPECT_EQ(sig("h2(h1(t))"), "scalar");
  EXPECT_EQ(sig("L(a, b, c)"), "scalar");
  EXPECT_EQ(sig("M(a, b, c)"), "scalar");
  EXPECT_EQ(sig("N(v, c)"), "scalar");
  EXPECT_EQ(sig("x(w) + y(w) + z(w)"), "scalar");
  EXPECT_EQ(sig("F(X)"), "scalar");
  // The argument shapes drive inference of undeclared arguments.
  EXPECT_EQ(shape_of(g, f.parse_variables("X")[0]), "n×m");
  f.parse_expression("x(w)");
  EXPECT_EQ(shape_of(g, f.parse_variables("w")[0]), "p");
  Id call = f.parse_expression("N(v, c)");
  EXPECT_EQ(shape_of(g, g[call].kids[0]), "n");
  EXPECT_EQ(shape_of(g, g[call].kids[1]), "scalar");
}

TEST(Declarations, RedeclarationReplacesFromThatStatementOn) {
  Graph g;
  Frontend f(g);
  auto q = f.run_script("x in R^n; x'*x; x in R^(n x n); x'*x; x in R; x*x");
  ASSERT_EQ(q.size(), 3u);
  EXPECT_EQ(shape_of(g, q[0].expr), "scalar");
  EXPECT_EQ(shape_of(g, q[1].expr), "n×n");
  EXPECT_EQ(shape_of(g, q[2].expr), "scalar");
  // Three distinct symbols, all named x.
  int64_t a = g[g[q[0].expr].kids[1]].a, b = g[g[q[1].expr].kids[1]].a;
  EXPECT_NE(a, b);
  EXPECT_EQ(g.symbol(a).name, g.symbol(b).name);
}

TEST(Declarations, DefinitionsUseDeclarationsInScope) {
  Graph g;
  Frontend f(g);
  auto q =
      f.run_script("x, y, z in R\nf(x, y, z) = 1/2*x^2 + y*z - log(1 + exp(x^2*y^3*z))\ngrad f");
  ASSERT_EQ(q.size(), 1u);
  EXPECT_EQ(q[0].kind, QueryKind::Grad);
  ASSERT_EQ(q[0].wrt.size(), 3u);
  EXPECT_EQ(q[0].wrt[0], f.parse_variables("x")[0]);
  EXPECT_EQ(q[0].wrt[2], f.parse_variables("z")[0]);
  EXPECT_EQ(shape_of(g, q[0].expr), "scalar");
}

TEST(Declarations, DefinitionParametersInferredFromSpelling) {
  Graph g;
  Frontend f(g);
  auto q = f.run_script("h(w, A) = w'*A*w; grad h");
  ASSERT_EQ(q.size(), 1u);
  ASSERT_EQ(q[0].wrt.size(), 2u);
  EXPECT_EQ(shape_of(g, q[0].wrt[0]), "n");
  EXPECT_EQ(shape_of(g, q[0].wrt[1]), "n×n");
}

}  // namespace
}  // namespace nabla
