// The worked solutions of the exercise sheet (examples/exercise-01.nabla): each of the 12
// questions' chains passes through the intermediate forms of the sheet's own answer
// (tests/data/exercise-01-answers.md keeps the sheet's chains), in text.
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "driver/driver.h"

namespace nabla {
namespace {

std::string run(const std::string& script, StepsMethod method = StepsMethod::Auto,
                OutputFormat format = OutputFormat::Text) {
  DriverOptions options;
  options.steps = true;
  options.steps_method = method;
  options.format = format;
  std::ostringstream out, err;
  run_script(script, "<test>", options, out, err);
  EXPECT_EQ(err.str(), "");
  return out.str();
}

// The chain's lines (those under the result line), without their rule annotations.
std::vector<std::string> chain(const std::string& output) {
  std::vector<std::string> lines;
  std::istringstream in(output);
  std::string line;
  bool first = true;
  while (std::getline(in, line)) {
    if (first) {
      first = false;
      continue;
    }
    size_t hash = line.find("  # ");
    std::string expr = line.substr(0, hash);
    while (!expr.empty() && expr.back() == ' ') expr.pop_back();
    size_t a = expr.find_first_not_of(' ');
    lines.push_back(a == std::string::npos ? "" : expr.substr(a));
  }
  return lines;
}

std::string annotations(const std::string& output) {
  std::string s;
  std::istringstream in(output);
  std::string line;
  while (std::getline(in, line)) {
    size_t hash = line.find("  # ");
    if (hash != std::string::npos) s += line.substr(hash + 4) + "\n";
  }
  return s;
}

// Each expected line is a line of the chain, in this order.
void expect_lines(const std::string& output, const std::vector<std::string>& expected) {
  std::vector<std::string> got = chain(output);
  size_t at = 0;
  for (const std::string& e : expected) {
    while (at < got.size() && got[at] != e) ++at;
    ASSERT_LT(at, got.size()) << "missing line (in order): " << e << "\nin:\n" << output;
    ++at;
  }
  EXPECT_LE(got.size(), 8u) << output;
}

TEST(SheetGolden, Q1aProductRule) {
  std::string s = run("f, g : R^d -> R^n\ngrad(f(x)'*g(x), x)\n");
  expect_lines(s, {"= jacobian(f(x), x)'*g(x) + jacobian(g(x), x)'*f(x)",
                   "= J(f)(x)'*g(x) + J(g)(x)'*f(x)"});
  EXPECT_NE(annotations(s).find("product rule: u = f(x), v = g(x)"), std::string::npos) << s;
}

TEST(SheetGolden, Q1bScalarProduct) {
  std::string s = run("f, g : R^d -> R\ngrad(f(x)*g(x), x)\n");
  expect_lines(
      s, {"= g(x)*grad(f(x), x) + f(x)*grad(g(x), x)", "= g(x)*grad(f)(x) + f(x)*grad(g)(x)"});
}

TEST(SheetGolden, Q2aChainRule) {
  std::string s = run("f : R^m -> R^k; g : R^k -> R\ngrad(g(f(x)), x)\n");
  expect_lines(s, {"= jacobian(f(x), x)'*grad(g)(f(x))", "= J(f)(x)'*grad(g)(f(x))"});
}

TEST(SheetGolden, Q2bChainOfScalarFunctions) {
  std::string s = run("h1, h2 : R -> R; f : R^d -> R\ngrad(h2(h1(f(x))), x)\n");
  expect_lines(s, {"= h2'(h1(f(x)))*grad(h1(f(x)), x)", "= h2'(h1(f(x)))*h1'(f(x))*grad(f(x), x)",
                   "= h2'(h1(f(x)))*h1'(f(x))*grad(f)(x)"});
}

TEST(SheetGolden, Q2cPartialDerivatives) {
  std::string s = run("L : R x R x R -> R; x, y, z : R^p -> R\ngrad(L(x(w), y(w), z(w)), w)\n");
  expect_lines(s, {"= partial(L, 1)(x(w), y(w), z(w))*grad(x(w), w) + partial(L, 2)(x(w), y(w), "
                   "z(w))*grad(y(w), w) + partial(L, 3)(x(w), y(w), z(w))*grad(z(w), w)",
                   "= partial(L, 1)(x(w), y(w), z(w))*grad(x)(w) + partial(L, 2)(x(w), y(w), "
                   "z(w))*grad(y)(w) + partial(L, 3)(x(w), y(w), z(w))*grad(z)(w)"});
}

TEST(SheetGolden, Q3aIndexMethodByDefault) {
  std::string s = run("a, x in R^n\ngrad(<a, x>, x)\n");
  expect_lines(s, {"(grad(a'*x, x))_i = d/dx_i (sum_k a_k*x_k)", "= sum_k a_k*delta_ik", "= a_i",
                   "hence grad(a'*x, x) = a"});
}

TEST(SheetGolden, Q3bIndexMethodByDefault) {
  std::string s = run("A in R^(n x m); x in R^m\njacobian(A*x, x)\n");
  expect_lines(s, {"(jacobian(A*x, x))_ij = d/dx_j (sum_k A_ik*x_k)", "= sum_k A_ik*delta_jk",
                   "= A_ij", "hence jacobian(A*x, x) = A"});
}

TEST(SheetGolden, Q3cProductRule) {
  std::string s = run("x in R^n; A in R^(n x n)\ngrad(<x, A*x>, x)\n");
  expect_lines(
      s, {"= jacobian(x, x)'*A*x + jacobian(A*x, x)'*x", "= I(n)*A*x + A'*x", "= (A + A')*x"});
  std::string a = annotations(s);
  EXPECT_NE(a.find("product rule: u = x, v = A*x"), std::string::npos) << s;
  EXPECT_NE(a.find("jacobian(x, x) = I(n), jacobian(A*x, x) = A"), std::string::npos) << s;
  EXPECT_NE(a.find("common factor"), std::string::npos) << s;
  // the Unicode chain writes the sheet's own notation
  std::string u = run("x in R^n; A in R^(n x n)\ngrad(<x, A*x>, x)\n", StepsMethod::Auto,
                      OutputFormat::Unicode);
  EXPECT_NE(u.find("= (J_x(x))ᵀ·A·x + (J_x(A·x))ᵀ·x"), std::string::npos) << u;
}

TEST(SheetGolden, Q3dIndexMethodByDefault) {
  std::string s = run("x in R^n; A in R^(n x n)\ngrad(<x, A*x>, A)\n");
  expect_lines(
      s, {"(grad(x'*A*x, A))_ij = d/dA_ij (sum_k sum_l x_k*A_kl*x_l)",
          "= sum_k sum_l x_k*delta_ik*delta_jl*x_l", "= x_i*x_j", "hence grad(x'*A*x, A) = x*x'"});
}

TEST(SheetGolden, Q4aPartialDerivativesThenSigmoid) {
  std::string s =
      run("x, y, z in R\nf(x, y, z) = 1/2*x^2 + y*z - log(1 + exp(x^2*y^3*z))\ngrad f\n");
  expect_lines(
      s, {"= [diff(1/2*x^2 + y*z - log(1 + exp(x^2*y^3*z)), x); diff(1/2*x^2 + y*z - log(1 + "
          "exp(x^2*y^3*z)), y); diff(1/2*x^2 + y*z - log(1 + exp(x^2*y^3*z)), z)]",
          // the sheet's printed answer has these entries with exp(x^2 y^3 z) in the numerator
          "= [x - 2*exp(x^2*y^3*z)*x*y^3*z/(1 + exp(x^2*y^3*z)); z - 3*exp(x^2*y^3*z)*x^2*y^2*z/(1 "
          "+ exp(x^2*y^3*z)); y - exp(x^2*y^3*z)*x^2*y^3/(1 + exp(x^2*y^3*z))]",
          "= [x - 2*x*y^3*z*sigmoid(x^2*y^3*z); z - 3*x^2*y^2*z*sigmoid(x^2*y^3*z); y - "
          "x^2*y^3*sigmoid(x^2*y^3*z)]"});
}

TEST(SheetGolden, Q4bProductRuleWithIdentity) {
  std::string s = run("x in R^d\ngrad(1/2*norm2(x)^2, x)\n");
  expect_lines(s, {"= grad(1/2*x'*x, x)", "= 1/2*(jacobian(x, x)'*x + jacobian(x, x)'*x)",
                   "= 1/2*(I(d)*x + I(d)*x)", "= x"});
}

TEST(SheetGolden, Q4cExpFormBeforeTheSigmoid) {
  std::string s = run("x, w in R^d\ngrad(log(1 + exp(-w'*x)), w)\n");
  expect_lines(
      s, {"= grad(exp(-w'*x), w)/(1 + exp(-w'*x))", "= exp(-w'*x)*grad(-w'*x, w)/(1 + exp(-w'*x))",
          "= -exp(-w'*x)/(1 + exp(-w'*x))*x", "= -sigmoid(-w'*x)*x"});
  EXPECT_NE(annotations(s).find("exp(-u)/(1 + exp(-u)) = sigmoid(-u)"), std::string::npos) << s;
}

// The index method on request, for the sheet's 3a, 3b, 3d and 4b.
TEST(SheetGolden, IndexMethod4b) {
  std::string s = run("x in R^d\ngrad(1/2*norm2(x)^2, x)\n", StepsMethod::Index);
  expect_lines(s, {"(grad(1/2*norm2(x)^2, x))_i = d/dx_i (sum_k 1/2*x_k^2)", "= sum_k x_k*delta_ik",
                   "= x_i", "hence grad(1/2*norm2(x)^2, x) = x"});
}

TEST(SheetGolden, IndexMethodOnRequest3a3b3d) {
  expect_lines(run("a, x in R^n\ngrad(<a, x>, x)\n", StepsMethod::Index),
               {"= sum_k a_k*delta_ik", "= a_i"});
  expect_lines(run("A in R^(n x m); x in R^m\njacobian(A*x, x)\n", StepsMethod::Index),
               {"= sum_k A_ik*delta_jk", "= A_ij"});
  expect_lines(run("x in R^n; A in R^(n x n)\ngrad(<x, A*x>, A)\n", StepsMethod::Index),
               {"= sum_k sum_l x_k*delta_ik*delta_jl*x_l", "= x_i*x_j"});
}

// The rule method on request where the index method is the default: 3a as a known gradient.
TEST(SheetGolden, RuleMethodOnRequest3a) {
  std::string s = run("a, x in R^n\ngrad(<a, x>, x)\n", StepsMethod::Rule);
  expect_lines(s, {"= a"});
}

TEST(SheetGolden, DifferentialMethod) {
  std::string s = run("X in R^(n x n)\ngrad(logdet(X), X)\n");
  expect_lines(s, {"d(logdet(X)) = tr(inv(X)*dX)", "hence grad(logdet(X), X) = inv(X)'"});
  std::string t = run("X in R^(n x n)\ngrad(tr(X*X), X)\n", StepsMethod::Differential);
  EXPECT_NE(t.find("tr(A*B) = tr(B*A)"), std::string::npos) << t;
}

}  // namespace
}  // namespace nabla
