#include <gtest/gtest.h>

#include "ir/value_kind.h"
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

// Sizes mean what they say: R^1 is a vector of length 1, R^(1 x 1) and R^(n x 1) are matrices,
// only R is a scalar. The kind is kept beside the shape, which alone cannot tell them apart.
TEST(Declarations, KindsOfSizeOne) {
  Declared d(
      "a in R\nz in R^1\nv in R^(1)\nE in R^(1 x 1)\nN in R^(2 x 1)\nM in R^(n x 1)\n"
      "t in R^2\nr in R^(1 x k)\nS in Sym(1)\nw ∈ ℝ^1");
  EXPECT_EQ(d.var("a").value_kind, ValueKind::Scalar);
  EXPECT_EQ(d.var("z").value_kind, ValueKind::Vector);
  EXPECT_EQ(d.var("v").value_kind, ValueKind::Vector);
  EXPECT_EQ(d.var("w").value_kind, ValueKind::Vector);
  EXPECT_EQ(d.var("t").value_kind, ValueKind::Vector);
  for (const char* matrix : {"E", "N", "M", "r", "S"})
    EXPECT_EQ(d.var(matrix).value_kind, ValueKind::Matrix) << matrix;
  // The shapes are as before (a 1-vector is 1 x 1 like a scalar); the kind tells them apart.
  EXPECT_EQ(d.shape("z"), "scalar");
  auto described = [&](const std::string& name) {
    return d.g.dims.to_string(d.var(name).shape, d.var(name).value_kind);
  };
  EXPECT_EQ(described("a"), "scalar");
  EXPECT_EQ(described("z"), "1");
  EXPECT_EQ(described("E"), "1×1");
  EXPECT_EQ(described("N"), "2×1");
  EXPECT_EQ(described("M"), "n×1");
  EXPECT_EQ(described("t"), "2");
  // Expressions have the kinds their variables give them.
  auto kind = [&](const std::string& e) { return value_kind(d.g, d.f.parse_expression(e)); };
  EXPECT_EQ(kind("z"), ValueKind::Vector);
  EXPECT_EQ(kind("2*z"), ValueKind::Vector);
  EXPECT_EQ(kind("exp(z)"), ValueKind::Vector);
  EXPECT_EQ(kind("z'"), ValueKind::Row);
  EXPECT_EQ(kind("z'*z"), ValueKind::Scalar);
  EXPECT_EQ(kind("z*z'"), ValueKind::Scalar);  // a product of 1 x 1 values
  EXPECT_EQ(kind("E*z"), ValueKind::Scalar);
  EXPECT_EQ(kind("z'*E*z"), ValueKind::Scalar);
  EXPECT_EQ(kind("-z/2"), ValueKind::Vector);
  EXPECT_EQ(kind("z.^2"), ValueKind::Vector);
  EXPECT_EQ(kind("a*z"), ValueKind::Scalar);
  EXPECT_EQ(kind("3*E"), ValueKind::Matrix);
  EXPECT_EQ(kind("z + a"), ValueKind::Scalar);
  EXPECT_EQ(kind("sum(z)"), ValueKind::Scalar);
  EXPECT_EQ(kind("tr(E)"), ValueKind::Scalar);
  EXPECT_EQ(kind("exp(N)"), ValueKind::Matrix);
  EXPECT_EQ(kind("N'"), ValueKind::Matrix);
  EXPECT_EQ(kind("t"), ValueKind::Vector);
  EXPECT_EQ(kind("grad(z'*z, z)"), ValueKind::Vector);
  EXPECT_EQ(kind("grad(tr(E), E)"), ValueKind::Matrix);
  EXPECT_EQ(kind("grad(a^2, a)"), ValueKind::Scalar);
  EXPECT_EQ(kind("hessian(z'*z, z)"), ValueKind::Matrix);
  EXPECT_EQ(kind("hessian(a^3, a)"), ValueKind::Scalar);
  EXPECT_EQ(kind("jacobian(z, z)"), ValueKind::Matrix);
  EXPECT_EQ(kind("jacobian(a*t, a)"), ValueKind::Vector);
  EXPECT_EQ(kind("diag(z)"), ValueKind::Matrix);
  EXPECT_EQ(kind("vec(E)"), ValueKind::Vector);
}

// A re-declared function is a new function (as a re-declared variable is a new variable):
// text that named the old one reads the new one afterwards. The pipeline fuzzer's finding
// `redeclared-abstract-functions-reread-as-new-functions.nabla` compared the two numerically.
TEST(Declarations, RedeclaredFunctionIsANewFunction) {
  Graph g;
  Frontend f(g);
  f.run_script("f, g : R^d -> R^n; x in R^d");
  Id before = f.parse_expression("J(f)(x)'*g(x)");
  f.run_script("f, g : R^d -> R^n");
  Id after = f.parse_expression("J(f)(x)'*g(x)");
  EXPECT_NE(before, after);
  EXPECT_EQ(g[before].shape, g[after].shape);
}

// J(f)(x) is the Jacobian of a declared f whatever else J names (a fuzzer finding: `J = B*B'`
// made the printed J(f)(x) unreadable).
TEST(Declarations, JacobianOfAFunctionBesideANameJ) {
  for (const char* j : {"J in R^(n x n)", "B in R^(n x n); J = B*B'", "J in R"}) {
    Graph g;
    Frontend f(g);
    f.run_script(std::string("f : R^d -> R^n; x in R^d; ") + j);
    Id id = f.parse_expression("J(f)(x)");
    EXPECT_EQ(g[id].op, Op::Call) << j;
    EXPECT_EQ(g.dims.to_string(g[id].shape), "n×d") << j;
  }
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
