#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "test_util.h"

namespace nabla {
namespace {
using testing::dump;
using testing::Parsed;

TEST(Queries, KindsTextAndVariables) {
  Parsed p(
      "x in R^n; A in R^(n x n); t in R\n"
      "grad(x'*A*x, x)\n grad_x   x'*A*x\n∇_x xᵀ*A*x\njacobian(A*x, x)\nJ_x A*x\n"
      "hessian(x'*A*x, x)\ndiff(t^2*x, t)\nsimplify(x + x)\ncheck x'*A*x == x'*A'*x\nx + x");
  ASSERT_EQ(p.queries.size(), 10u);
  QueryKind kinds[] = {QueryKind::Grad,     QueryKind::Grad,     QueryKind::Grad,
                       QueryKind::Jacobian, QueryKind::Jacobian, QueryKind::Hessian,
                       QueryKind::Diff,     QueryKind::Simplify, QueryKind::Check,
                       QueryKind::Show};
  for (size_t i = 0; i < 10; ++i) EXPECT_EQ(p.queries[i].kind, kinds[i]) << i;
  EXPECT_EQ(p.queries[1].text, "grad_x x'*A*x");
  EXPECT_EQ(p.queries[0].expr, p.queries[1].expr);
  EXPECT_EQ(p.queries[0].expr, p.queries[2].expr);
  EXPECT_EQ(p.queries[0].wrt, p.queries[2].wrt);
  EXPECT_EQ(p.queries[3].expr, p.queries[4].expr);
  EXPECT_EQ(p.queries[8].text, "check x'*A*x == x'*A'*x");
  EXPECT_NE(p.queries[8].rhs, kNoId);
  EXPECT_EQ(p.queries[9].rhs, kNoId);
  // Spans point into the script.
  const Query& q = p.queries[5];
  EXPECT_EQ(std::string("x in R^n; A in R^(n x n); t in R\n"
                        "grad(x'*A*x, x)\n grad_x   x'*A*x\n∇_x xᵀ*A*x\njacobian(A*x, x)\nJ_x A*x\n"
                        "hessian(x'*A*x, x)")
                .substr(q.span.begin, q.span.end - q.span.begin),
            "hessian(x'*A*x, x)");
}

TEST(Queries, SeveralVariables) {
  Parsed p("x, y, z in R; grad(x*y*z, x, y, z)");
  EXPECT_EQ(p.last().wrt.size(), 3u);
  EXPECT_EQ(p.g[p.last().wrt[2]].op, Op::Var);
}

TEST(Queries, QueryNodesInsideExpressions) {
  Parsed p("a, x in R^n; check grad(<a, x>, x) == a");
  EXPECT_EQ(p.last().kind, QueryKind::Check);
  EXPECT_EQ(p.expr(), "Grad(MatMul(Transpose(Var(a)), Var(x)), Var(x))");
  EXPECT_EQ(dump(p.g, p.last().rhs), "Var(a)");
  Parsed h("x in R^n; hessian(x'*x, x) + jacobian(x, x) + simplify(x*x')");
  EXPECT_EQ(
      h.expr(),
      "Add(Add(Hessian(MatMul(Transpose(Var(x)), Var(x)), Var(x)), Jacobian(Var(x), Var(x))), "
      "Simplify(MatMul(Var(x), Transpose(Var(x)))))");
  Parsed d("t in R; x in R^n; 2*diff(t*x, t)");
  EXPECT_EQ(d.expr(), "Scale(Const(2), Derivative(Scale(Var(t), Var(x)), Var(t)))");
}

TEST(Queries, SymmetricVariableGetsANote) {
  Parsed p("S in Sym(n); x in R^n; grad(x'*S*x, S)");
  ASSERT_EQ(p.last().notes.size(), 1u);
  EXPECT_NE(p.last().notes[0].find("Sym(n) matrix S"), std::string::npos);
  EXPECT_NE(p.last().notes[0].find("unstructured"), std::string::npos);
  Parsed q("S in Sym(n); x in R^n; grad(x'*S*x, x)");
  EXPECT_TRUE(q.last().notes.empty());
}

TEST(Queries, GradOfADefinedFunction) {
  Parsed p(
      "x, y, z in R; f(x, y, z) = 1/2*x^2 + y*z - log(1 + exp(x^2*y^3*z)); grad f\n"
      "check grad(f(x, y, z), x) == x - 2*x*y^3*z/(1 + exp(x^2*y^3*z))");
  ASSERT_EQ(p.queries.size(), 2u);
  EXPECT_EQ(p.queries[0].text, "grad f");
  EXPECT_EQ(p.queries[0].wrt.size(), 3u);
  EXPECT_EQ(p.queries[1].kind, QueryKind::Check);
  EXPECT_EQ(p.g[p.queries[1].expr].kids[0], p.queries[0].expr);
}

TEST(Queries, EveryIdentityParses) {
  std::ifstream in(std::string(NABLA_DATA_DIR) + "/identities.nabla");
  ASSERT_TRUE(in) << "missing identities.nabla";
  std::stringstream ss;
  ss << in.rdbuf();
  Graph g;
  Frontend f(g);
  std::vector<Query> q = f.run_script(ss.str());
  ASSERT_EQ(q.size(), 32u);
  for (const Query& c : q) {
    EXPECT_EQ(c.kind, QueryKind::Check) << c.text;
    EXPECT_EQ(g[c.expr].shape, g[c.rhs].shape) << c.text;
    EXPECT_EQ(c.text.rfind("check ", 0), 0u);
  }
  EXPECT_EQ(q[0].text, "check grad(<a, x>, x) == a");
}

TEST(Queries, EmptyScriptHasNoQueries) {
  Graph g;
  Frontend f(g);
  EXPECT_TRUE(f.run_script("").empty());
  EXPECT_TRUE(f.run_script("\n\n  # nothing\n;;\n").empty());
}

TEST(Queries, ParseVariablesAfterAnExpression) {
  Graph g;
  Frontend f(g);
  Id e = f.parse_expression("x'*A*x");
  std::vector<Id> v = f.parse_variables("x, A");
  ASSERT_EQ(v.size(), 2u);
  EXPECT_EQ(g[e].kids[1], v[0]);
}

}  // namespace
}  // namespace nabla
