// --steps on the sheet's queries (examples/exercise-01.nabla): each rule line names the rule and
// the user's sub-expression it was applied to, in the order applied, like the sheet's answers.
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "driver/driver.h"

namespace nabla {
namespace {

// The text `nabla --steps` prints for a script.
std::string steps_of(const std::string& script) {
  DriverOptions options;
  options.steps = true;
  std::ostringstream out, err;
  int status = run_script(script, "<test>", options, out, err);
  EXPECT_EQ(status, kExitOk) << err.str();
  return out.str();
}

// Each needle occurs in text, each after the previous one.
void expect_in_order(const std::string& text, const std::vector<std::string>& needles) {
  size_t at = 0;
  for (const std::string& needle : needles) {
    size_t found = text.find(needle, at);
    ASSERT_NE(found, std::string::npos) << "missing (in order) \"" << needle << "\" in:\n" << text;
    at = found + needle.size();
  }
}

TEST(Steps, ProductRuleThenChainRule1a) {
  std::string s = steps_of("f, g : R^d -> R^n\ngrad(f(x)'*g(x), x)\n");
  expect_in_order(s, {"= J(f)(x)'*g(x) + J(g)(x)'*f(x)", "product rule on f(x)'*g(x)",
                      "J(u)'*v + J(v)'*u", "chain rule on g(x)", "chain rule on f(x)"});
}

TEST(Steps, ChainRuleNamesTheInnerFunction2a) {
  std::string s = steps_of("f : R^m -> R^k; g : R^k -> R\ngrad(g(f(x)), x)\n");
  expect_in_order(s, {"chain rule on g(f(x))", "grad(g)(u) with u = f(x)", "chain rule on f(x)"});
}

TEST(Steps, ChainRuleThroughScalarFunctions2b) {
  std::string s = steps_of("h1, h2 : R -> R; f : R^d -> R\ngrad(h2(h1(f(x))), x)\n");
  expect_in_order(
      s, {"chain rule on h2(h1(f(x))): d h2(u)/du = h2'(u) with u = h1(f(x))",
          "chain rule on h1(f(x)): d h1(u)/du = h1'(u) with u = f(x)", "chain rule on f(x)"});
}

TEST(Steps, KnownGradient3a) {
  std::string s = steps_of("a, x in R^n\ngrad(<a, x>, x)\n");
  expect_in_order(s, {"known gradient on a'*x: grad <a, x> = a"});
  EXPECT_EQ(s.find("product rule"), std::string::npos) << s;
}

TEST(Steps, KnownJacobian3b) {
  std::string s = steps_of("A in R^(n x m); x in R^m\njacobian(A*x, x)\n");
  expect_in_order(s, {"known Jacobian on A*x: J(A*x) = A"});
}

TEST(Steps, ProductRuleThenKnownJacobian3c) {
  std::string s = steps_of("x in R^n; A in R^(n x n)\ngrad(<x, A*x>, x)\n");
  expect_in_order(s, {"= (A + A')*x", "product rule on x'*A*x", "u = x, v = A*x",
                      "known Jacobian on A*x: J(A*x) = A", "simplify:"});
}

TEST(Steps, ChainRuleThroughLogAndExp4c) {
  std::string s = steps_of("x, w in R^d\ngrad(log(1 + exp(-w'*x)), w)\n");
  expect_in_order(
      s, {"chain rule through log: d log(u) = du/u with u = 1 + exp(-w'*x)",
          "linearity on 1 + exp(-w'*x): the gradient of a sum is the sum", "chain rule through exp",
          "known gradient on w'*x: grad <w, x> = x", "simplify:"});
}

TEST(Steps, OneLinePerSum) {
  std::string s = steps_of("x in R\ngrad(sin(x) + cos(x) + exp(x) + x^2, x)\n");
  size_t first = s.find("linearity on");
  ASSERT_NE(first, std::string::npos) << s;
  EXPECT_EQ(s.find("linearity on", first + 1), std::string::npos) << s;
}

TEST(Steps, LongDerivationsAreCapped) {
  // 60 distinct terms: 60 chain-rule sites, of which only the first 40 lines are shown.
  std::string e;
  for (int k = 1; k <= 60; ++k)
    e += (k > 1 ? " + " : "") + std::string("sin(") + std::to_string(k) + "*x)";
  std::string s = steps_of("x in R\ngrad(" + e + ", x)\n");
  EXPECT_NE(s.find(" more rule applications"), std::string::npos) << s;
  EXPECT_EQ(s.find("  80. "), std::string::npos) << s;
}

}  // namespace
}  // namespace nabla
