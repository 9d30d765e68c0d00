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

// --steps prints the worked solution: after `QUERY = RESULT`, one line per step, "  = EXPR"
// with the rule after "  # " (tests/explain holds the sheet's golden chains).
TEST(Steps, ChainLinesAreWholeExpressionsWithTheirRules) {
  std::string s = steps_of("f, g : R^d -> R^n\ngrad(f(x)'*g(x), x)\n");
  expect_in_order(s, {"grad(f(x)'*g(x), x) = J(f)(x)'*g(x) + J(g)(x)'*f(x)\n",
                      "  = jacobian(f(x), x)'*g(x) + jacobian(g(x), x)'*f(x)",
                      "# product rule: u = f(x), v = g(x)", "  = J(f)(x)'*g(x) + J(g)(x)'*f(x)",
                      "# known derivatives: jacobian(f(x), x) = J(f)(x)"});
}

TEST(Steps, RuleLettersNeverClashWithTheUsersNames) {
  // the user's u and v: the product rule takes other letters
  std::string s = steps_of("u, v in R^n\ngrad(u'*(u + v), u)\n");
  EXPECT_EQ(s.find("u = u"), std::string::npos) << s;
  EXPECT_NE(s.find("product rule: w = u, p = u + v"), std::string::npos) << s;
}

TEST(Steps, NoInternalPassNames) {
  std::string s = steps_of("x, w in R^d\ngrad(log(1 + exp(-w'*x)), w)\n");
  for (const char* internal : {"simplify:", "collect powers", "scalar out of transpose",
                               "double transpose", "orient scalar product"})
    EXPECT_EQ(s.find(internal), std::string::npos) << internal << " in\n" << s;
}

TEST(Steps, OneLinePerLevelNotPerTerm) {
  std::string s = steps_of("x in R\ngrad(sin(x) + cos(x) + exp(x) + x^2, x)\n");
  size_t lines = 0;
  for (char c : s) lines += c == '\n';
  EXPECT_LE(lines, 4u) << s;
  EXPECT_NE(s.find("linearity, chain rule"), std::string::npos) << s;
}

TEST(Steps, LongSumsStayShort) {
  // 60 distinct terms: the linearity and the 60 chain rules are one line, not 60
  std::string e;
  for (int k = 1; k <= 60; ++k)
    e += (k > 1 ? " + " : "") + std::string("sin(") + std::to_string(k) + "*x)";
  std::string s = steps_of("x in R\ngrad(" + e + ", x)\n");
  size_t lines = 0;
  for (char c : s) lines += c == '\n';
  EXPECT_LE(lines, 6u) << s;
}

TEST(Steps, MethodsOnRequest) {
  DriverOptions options;
  options.steps = true;
  for (auto [method, needle] : std::vector<std::pair<StepsMethod, std::string>>{
           {StepsMethod::Index, "= sum_k A_ik*x_k + sum_l x_l*A_li"},
           {StepsMethod::Differential, "d(x'*A*x) = "},
           {StepsMethod::Rule, "# product rule: u = x, v = A*x"}}) {
    options.steps_method = method;
    std::ostringstream out, err;
    run_script("x in R^n; A in R^(n x n)\ngrad(x'*A*x, x)\n", "<test>", options, out, err);
    EXPECT_NE(out.str().find(needle), std::string::npos) << steps_method_name(method) << ":\n"
                                                         << out.str();
  }
}

}  // namespace
}  // namespace nabla
