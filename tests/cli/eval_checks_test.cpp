// `nabla eval` checks what it is given: dimension values against the values' sizes, results
// that are NaN or infinite (a warning naming the operation), values from standard input or
// inline.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "run_nabla.h"

namespace nabla::testing {
namespace {

TEST(EvalChecks, DimensionValueContradictingTheValuesIsAnError) {
  RunResult r = run_nabla(
      {"eval", "x'*x", "--let", "x in R^n", "--values", R"({"x": [1, 2, 3, 4], "n": 5})"});
  EXPECT_EQ(r.status, 2) << r.out;
  EXPECT_EQ(r.out, "");
  // Names both: the dimension's value and the value that fixes it.
  EXPECT_NE(r.err.find("\"n\": 5"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("x has 4 entries"), std::string::npos) << r.err;
}

TEST(EvalChecks, VariableNamedLikeADimensionMustAgree) {
  // sum(x)/n: n is read as a scalar variable beside the dimension n of x.
  RunResult bad = run_nabla(
      {"eval", "sum(x)/n", "--let", "x in R^n", "--values", R"({"x": [1, 2, 3, 4], "n": 5})"});
  EXPECT_EQ(bad.status, 2) << bad.out;
  EXPECT_NE(bad.err.find("'n' is 5, but the dimension n is 4 (x has 4 entries)"), std::string::npos)
      << bad.err;
  RunResult ok = run_nabla(
      {"eval", "sum(x)/n", "--let", "x in R^n", "--values", R"({"x": [1, 2, 3, 4], "n": 4})"});
  EXPECT_EQ(ok.status, 0) << ok.err;
  EXPECT_EQ(ok.out, "2.5\n");
}

TEST(EvalChecks, DimensionValueGivesASizeNoValueFixes) {
  RunResult r = run_nabla({"eval", "tr(I)", "--values", R"({"n": 5})"});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "5\n");
  RunResult agree =
      run_nabla({"eval", "x'*x", "--let", "x in R^n", "--values", R"({"x": [1, 2], "n": 2})"});
  EXPECT_EQ(agree.status, 0) << agree.err;
  EXPECT_EQ(agree.out, "5\n");
  RunResult not_size = run_nabla({"eval", "tr(I)", "--values", R"({"n": 2.5})"});
  EXPECT_EQ(not_size.status, 2);
  EXPECT_NE(not_size.err.find("positive integer"), std::string::npos) << not_size.err;
}

TEST(EvalChecks, NonFiniteResultsWarnWithTheOperation) {
  struct Case {
    std::string expr, let, values, operation;
  };
  for (const Case& c : std::vector<Case>{
           {"logdet(A)", "A in R^(2 x 2)", R"({"A": [[0, 1], [1, 0]]})",
            "log of a negative determinant"},
           {"log(det(A))", "A in R^(2 x 2)", R"({"A": [[0, 1], [1, 0]]})",
            "log of a negative determinant"},
           {"log(x)", "x in R^2", R"({"x": [-1, 2]})", "log of a negative entry"},
           {"sqrt(t)", "t in R", R"({"t": -4})", "square root of a negative number"},
           {"exp(t)", "t in R", R"({"t": 1000})", "exp overflowed"},
           {"1/t", "t in R", R"({"t": 0})", "division by zero"},
       }) {
    RunResult r = run_nabla({"eval", c.expr, "--let", c.let, "--values", c.values});
    EXPECT_EQ(r.status, 0) << c.expr << "\n" << r.err;
    EXPECT_NE(r.err.find("warning: the result is not finite: " + c.operation), std::string::npos)
        << c.expr << "\n"
        << r.err;
  }
  // Finite results stay quiet, even where a naive formula would overflow.
  RunResult stable =
      run_nabla({"eval", "log(1 + exp(t))", "--let", "t in R", "--values", R"({"t": 1000})"});
  EXPECT_EQ(stable.status, 0) << stable.err;
  EXPECT_EQ(stable.err, "");
  EXPECT_EQ(stable.out, "1000\n");
}

TEST(EvalChecks, JsonCarriesTheWarning) {
  RunResult r = run_nabla(
      {"eval", "log(x)", "--let", "x in R^2", "--values", R"({"x": [-1, 2]})", "--format", "json"});
  EXPECT_EQ(r.status, 0) << r.err;
  nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_TRUE(j.at("value").at(0).is_null()) << r.out;
  EXPECT_EQ(j.at("query"), "log(x)");
  ASSERT_EQ(j.at("warnings").size(), 1u) << r.out;
  EXPECT_NE(j["warnings"][0].get<std::string>().find("log of a negative entry"), std::string::npos);
}

TEST(EvalChecks, ValuesFromStandardInputAndInline) {
  RunResult in =
      run_nabla({"eval", "x'*x", "--let", "x in R^n", "--values", "-"}, R"({"x": [1, 2, 3]})");
  EXPECT_EQ(in.status, 0) << in.err;
  EXPECT_EQ(in.out, "14\n");
  RunResult inline_json = run_nabla({"eval", "x'*x", "--values", R"({"x": [1, 2]})"});
  EXPECT_EQ(inline_json.status, 0) << inline_json.err;
  EXPECT_EQ(inline_json.out, "5\n");
  RunResult bad = run_nabla({"eval", "x'*x", "--values", R"({"x": [1, 2)"});
  EXPECT_EQ(bad.status, 2);
  EXPECT_NE(bad.err.find("not valid JSON"), std::string::npos) << bad.err;
  RunResult empty_stdin = run_nabla({"eval", "x'*x", "--values", "-"}, "");
  EXPECT_EQ(empty_stdin.status, 2);
  EXPECT_NE(empty_stdin.err.find("standard input: not valid JSON"), std::string::npos)
      << empty_stdin.err;
}

}  // namespace
}  // namespace nabla::testing
