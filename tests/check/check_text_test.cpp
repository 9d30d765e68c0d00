// check_equal on expressions read from text with the front end: identities that hold, wrong ones
// that fail with a counterexample, and every reference form of the shared identity cases.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "check/check.h"
#include "diff/diff.h"
#include "ir/error.h"
#include "parse/frontend.h"

namespace nabla {
namespace {

// True when the counterexample has a line "name = ...".
bool shows(const std::string& text, const std::string& name) {
  return text.starts_with(name + " = ") || text.find("\n" + name + " = ") != std::string::npos;
}

struct Case {
  const char* decls;
  const char* lhs;
  const char* rhs;
};

void PrintTo(const Case& c, std::ostream* os) {
  *os << c.decls << " | " << c.lhs << " == " << c.rhs;
}

class CheckText : public ::testing::TestWithParam<Case> {
 protected:
  CheckResult run(const Case& c) {
    Graph g;
    Frontend fe(g);
    std::vector<Query> q =
        fe.run_script(std::string(c.decls) + "\ncheck " + c.lhs + " == " + c.rhs);
    EXPECT_EQ(q.size(), 1u);
    EXPECT_EQ(q.at(0).kind, QueryKind::Check);
    return check_equal(g, q.at(0).expr, q.at(0).rhs);
  }
};

class Holds : public CheckText {};
class Fails : public CheckText {};

TEST_P(Holds, FromText) {
  CheckResult r = run(GetParam());
  EXPECT_TRUE(r.holds) << r.counterexample;
  EXPECT_EQ(r.trials, 6);
  EXPECT_LE(r.max_error, 1e-7);
}

TEST_P(Fails, FromText) {
  const Case& c = GetParam();
  CheckResult r = run(c);
  EXPECT_FALSE(r.holds);
  const std::string& text = r.counterexample;
  EXPECT_NE(text.find("\nlhs = "), std::string::npos) << text;
  EXPECT_NE(text.find("\nrhs = "), std::string::npos) << text;
  EXPECT_NE(text.find("\nlhs - rhs = "), std::string::npos) << text;
  // Every declared variable the left side uses shows its value.
  std::string decls = c.decls;
  for (const char* name : {"x", "y", "z", "A", "B", "X", "S", "u", "w", "t"}) {
    std::string lhs = c.lhs;
    bool used = false;
    for (size_t p = lhs.find(name); p != std::string::npos; p = lhs.find(name, p + 1)) {
      bool left_ok = p == 0 || !isalnum(static_cast<unsigned char>(lhs[p - 1]));
      bool right_ok = p + 1 >= lhs.size() || !isalnum(static_cast<unsigned char>(lhs[p + 1]));
      used |= left_ok && right_ok;
    }
    if (used && decls.find(name) != std::string::npos) {
      EXPECT_TRUE(shows(text, name)) << name << " in\n" << text;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(
    Identities, Holds,
    ::testing::Values(Case{"A in R^(n x m); B in R^(m x k)", "(A*B)'", "B'*A'"},
                      Case{"A in R^(n x m); B in R^(m x n)", "tr(A*B)", "tr(B*A)"},
                      Case{"X in R^(n x n)", "log(det(X))", "logdet(X)"},
                      Case{"x in R^n; A in R^(n x n)", "x'*A*x", "x'*A'*x"},
                      Case{"u in R", "sigmoid(u)", "1/(1 + exp(-u))"},
                      Case{"u in R^n", "sigmoid(u)", "1 ./ (1 + exp(-u))"},
                      Case{"x in R^n", "logsumexp(x)", "log(sum(exp(x)))"},
                      Case{"x in R^n", "softmax(x)", "exp(x)/sum(exp(x))"},
                      Case{"x, y in R^n", "log(x .* y)", "log(x) + log(y)"},
                      Case{"x in R^n", "sqrt(x) .* sqrt(x)", "x"},
                      Case{"X in R^(n x n)", "inv(X)*X", "I"},
                      Case{"X in R^(n x n)", "det(inv(X))", "1/det(X)"},
                      Case{"S in Sym(n); x, y in R^n", "x'*S*y", "y'*S*x"},
                      Case{"x, a in R^n", "norm2(x - a)^2", "(x - a)'*(x - a)"},
                      Case{"x, y in R^n", "<x, y>", "sum(x .* y)"},
                      Case{"X, Y in R^(n x m)", "<X, Y>", "tr(X'*Y)"},
                      Case{"x in R^n; y in R^m", "[x; y]'*[x; y]", "x'*x + y'*y"},
                      Case{"t in R", "softplus(t)", "log(1 + exp(t))"},
                      Case{"f, g : R^d -> R^n; x in R^d", "J(f)(x)'*g(x) + J(g)(x)'*f(x)",
                           "(g(x)'*J(f)(x))' + (f(x)'*J(g)(x))'"},
                      Case{"h : R -> R; t in R", "h'(t)*2*t", "2*t*h'(t)"},
                      Case{"L : R x R^n -> R; t in R; x in R^n",
                           "partial(L, 2)(t, x)'*x + partial(L, 1)(t, x)",
                           "x'*partial(L, 2)(t, x) + partial(L, 1)(t, x)"},
                      Case{"g : R^d -> R; u in R^d", "grad(g)(u)'*u", "u'*grad(g)(u)"},
                      // A scalar side is broadcast, as a numeral is: every entry equals it.
                      Case{"x in R^n; c in R", "c*ones(n)", "c"},
                      Case{"A in R^(n x m); c in R", "c", "c*ones(n, m)"},
                      Case{"x in R^n; c in R", "c*ones(n) + x", "c + x"}));

INSTANTIATE_TEST_SUITE_P(
    WrongIdentities, Fails,
    ::testing::Values(Case{"A, B in R^(n x n)", "(A*B)'", "A'*B'"},                     // order
                      Case{"x in R^n; A in R^(n x n)", "(A + A')*x", "2*A*x"},          // missing '
                      Case{"x, w in R^d", "-sigmoid(-w'*x)*x", "sigmoid(-w'*x)*x"},     // sign
                      Case{"X in R^(n x m)", "2*X", "X"},                               // factor
                      Case{"x in R^n", "1/2*x'*x", "x'*x"},                             // constant
                      Case{"x in R^n", "softmax(x)", "exp(x)"},                         // softmax
                      Case{"X in R^(n x n)", "det(X)*inv(X)", "det(X)*inv(X)'"},        // transpose
                      Case{"X in R^(n x n)", "logdet(X)*inv(X)'", "logdet(X)*inv(X)"},  // transpose
                      Case{"f, g : R^n -> R^n; x in R^n", "J(f)(x)*g(x)",
                           "J(f)(x)'*g(x)"},  // abstract '
                      Case{"f : R^d -> R^n; g : R^n -> R; x in R^d", "J(f)(x)'*grad(g)(f(x))",
                           "J(f)(x)'*grad(g)(J(f)(x)*x)"},                   // chain rule
                      Case{"h : R -> R; t in R", "2*t*h'(t^2)", "h'(t^2)"},  // dropped 2t
                      Case{"L : R^n x R^n -> R; x, y in R^n", "partial(L, 1)(x, y)",
                           "partial(L, 2)(x, y)"},  // wrong partial
                      Case{"A, B in R^(n x n)", "tr(A*B)", "tr(A)*tr(B)"},
                      Case{"u in R", "sigmoid(u)", "1/(1 + exp(u))"},
                      Case{"x in R^n", "norm2(x)", "x'*x"}, Case{"x, y in R^n", "[x; y]", "[y; x]"},
                      Case{"x, y in R", "exp(x + y)", "exp(x) + exp(y)"},
                      Case{"x in R^n", "x.^2", "x .* abs(x)"},
                      Case{"A, B in R^(n x n)", "inv(A*B)", "inv(A)*inv(B)"},
                      Case{"S in Sym(n); A in R^(n x n)", "S*A", "A*S"},
                      Case{"A, B in R^(n x m)", "A'*B", "B'*A"},
                      Case{"x, w in R^d", "log(1 + exp(-w'*x))", "log(1 + exp(w'*x))"},
                      Case{"X in R^(n x n)", "logdet(X)", "log(tr(X))"},
                      Case{"x in R^n", "logsumexp(x)", "sum(exp(x))"},
                      Case{"x in R^n", "log(x)", "log(-x)"},           // NaN on one side only
                      Case{"x in R^n; c in R", "c*ones(n)", "2*c"}));  // broadcast

TEST(CheckTextShapes, ShapesDiffer) {
  Graph g;
  Frontend fe(g);
  fe.run_script("x in R^n; A in R^(n x n)");
  CheckResult r = check_equal(g, fe.parse_expression("x*x'"), fe.parse_expression("A*x"));
  EXPECT_FALSE(r.holds);
  EXPECT_NE(r.counterexample.find("shapes differ: n×n vs n"), std::string::npos)
      << r.counterexample;
}

// A scalar beside a vector or matrix broadcasts in check as a numeral does; the left side's
// shape is the compared shape, and a scalar beside a scalar of another kind compares as is.
TEST(CheckTextShapes, ScalarSideBroadcastsAsANumeralDoes) {
  Graph g;
  Frontend fe(g);
  std::vector<Query> q = fe.run_script(
      "x in R^n; A in R^(n x m); c in R; z in R^1\n"
      "check grad(c*sum(x), x) == c\ncheck c == grad(c*sum(A), A)\ncheck z'*z == z.^2");
  ASSERT_EQ(q.size(), 3u);
  EXPECT_EQ(g.dims.to_string(g[q[0].rhs].shape), "n");
  EXPECT_EQ(g.dims.to_string(g[q[1].expr].shape), "n×m");
  for (const Query& c : q)
    EXPECT_TRUE(check_equal(g, expand_queries(g, c.expr), expand_queries(g, c.rhs)).holds)
        << c.text;
  // Two sides that are both known to be non-scalar still need equal shapes.
  EXPECT_THROW(fe.run_script("check x == A"), Error);
}

// The reference sheet's printed answer to 4a lost a factor exp(x^2*y^3*z).
TEST(CheckTextSheet, Wrong4aAnswerFails) {
  Graph g;
  Frontend fe(g);
  fe.run_script("x, y, z in R");
  Id wrong = fe.parse_expression("x - 2*x*y^3*z/(1 + exp(x^2*y^3*z))");
  Id right = fe.parse_expression("x - 2*x*y^3*z*sigmoid(x^2*y^3*z)");
  CheckResult r = check_equal(g, wrong, right);
  EXPECT_FALSE(r.holds);
  for (const char* part : {"x", "y", "z", "lhs", "rhs", "lhs - rhs"})
    EXPECT_TRUE(shows(r.counterexample, part)) << part << " in\n" << r.counterexample;
}

// Every reference form in the shared identity cases, checked against itself: the sampler can
// draw and evaluate each of them (dims, Sym(n), inverses, logs) without a spurious failure.
TEST(CheckTextSheet, EveryReferenceFormAgreesWithItself) {
  std::ifstream in(NABLA_DATA_DIR "/identities.nabla");
  ASSERT_TRUE(in) << "missing " NABLA_DATA_DIR "/identities.nabla";
  std::stringstream text;
  text << in.rdbuf();
  Graph g;
  Frontend fe(g);
  std::vector<Query> queries = fe.run_script(text.str());
  int checks = 0;
  for (const Query& q : queries) {
    if (q.kind != QueryKind::Check) continue;
    ++checks;
    CheckResult r = check_equal(g, q.rhs, q.rhs);
    EXPECT_TRUE(r.holds) << q.text << "\n" << r.counterexample;
    EXPECT_EQ(r.trials, 6) << q.text;
    EXPECT_EQ(r.max_error, 0.0) << q.text;
  }
  EXPECT_GE(checks, 30);
}

}  // namespace
}  // namespace nabla
