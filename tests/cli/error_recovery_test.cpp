// Scripts survive their errors: each bad statement is reported once (position, caret, hint),
// every other statement's result is printed as usual, and the exit status is 2. A definition
// or declaration that failed makes the statements using it say so instead of failing in
// other words.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "run_nabla.h"

namespace nabla::testing {
namespace {

struct ExpectedError {
  int line;
  std::string message;  // a substring of the error line
};

struct BadScript {
  std::string name;
  std::string script;
  std::vector<std::string> results;  // stdout's unindented lines, exactly
  std::vector<ExpectedError> errors;
};

std::vector<BadScript> table() {
  return {
      {"syntax error mid-file",
       "x in R^n\ngrad(x'*x, x)\ny = x +\nA in R^(n x n)\ngrad(x'*A*x, x)\n",
       {"grad(x'*x, x) = 2*x", "grad(x'*A*x, x) = (A + A')*x"},
       {{3, "expected an expression"}}},
      {"stray character",
       "x in R\nx @ 2\ndiff(x^3, x)\n",
       {"diff(x^3, x) = 3*x^2"},
       {{2, "unexpected character '@'"}}},
      {"shape error",
       "A in R^(n x m); x in R^n\nA*x\ngrad(x'*x, x)\n",
       {"grad(x'*x, x) = 2*x"},
       {{2, "cannot multiply"}}},
      {"misspelled builtin",
       "x in R^n\nsum(sigmod(x))\ngrad(sum(exp(x)), x)\n",
       {"grad(sum(exp(x)), x) = exp(x)"},
       {{2, "undeclared function 'sigmod'"}}},
      {"bad definition used later",
       "x in R^n\nf = sigmod(x)\ngrad(f, x)\ng = x'*x\ngrad(g, x)\n",
       {"grad(g, x) = 2*x"},
       {{2, "undeclared function 'sigmod'"}, {3, "uses the failed definition f (line 2)"}}},
      {"bad function definition used later",
       "x in R^n\nh(u) = u'*\nh(x)\ngrad(x'*x, x)\n",
       {"grad(x'*x, x) = 2*x"},
       {{2, "expected an expression"}, {3, "uses the failed definition h (line 2)"}}},
      {"bad declaration used later",
       "A in R^(n x )\nx in R^n\nx'*A*x\ngrad(x'*x, x)\n",
       {"grad(x'*x, x) = 2*x"},
       {{1, "expected a dimension"}, {3, "uses the failed declaration A (line 1)"}}},
      {"several errors in one file",
       "x in R^n\nx +\ngrad(x'*x, x)\nfoo(x)\ndiff(x'*x, x)\ntr(x)\njacobian(x, x)\n",
       {"grad(x'*x, x) = 2*x", "jacobian(x, x) = I(n)"},
       {{2, "expected an expression"},
        {4, "undeclared function 'foo'"},
        {5, "diff"},
        {6, "square"}}},
      {"bracket left open on its line",
       "x in R^n\ny = (x'*x\ngrad(x'*x, x)\nz = sin(2)\nz\n",
       {"grad(x'*x, x) = 2*x", "z = sin(2)"},
       {{2, "expected ')'"}}},
      {"bracket open at the end",
       "x in R\ndiff(x^2, x)\n[x; x\n",
       {"diff(x^2, x) = 2*x"},
       {{3, "expected"}}},
      {"bad check beside a good one",
       "x in R^n\ncheck grad(x'*x, x) == 2*y'\ncheck grad(x'*x, x) == 2*x\n",
       {"check grad(x'*x, x) == 2*x: holds (6 trials, max rel. error 0)"},
       {{2, "cannot compare"}}},
      {"failed check and an error exit 2",
       "x in R\ncheck x == 2*x\nx +\n",
       {"check x == 2*x: FAILS"},
       {{3, "expected an expression"}}},
      {"builtin with two arguments",
       "x in R\nexp(x, x)\nexp(x)\n",
       {"exp(x) = exp(x)"},
       {{2, "takes 1 argument"}}},
      {"definition taking a variable's name",
       "x in R^n\nx = 2\ngrad(x'*x, x)\n",
       {"grad(x'*x, x) = 2*x"},
       {{2, "already a variable"}}},
      {"gradient of a vector",
       "x in R^n\ngrad(x, x)\njacobian(x, x)\n",
       {"jacobian(x, x) = I(n)"},
       {{2, "grad needs a scalar expression"}}},
      {"upper-case name used as a scalar",
       "x in R\nK^0.5*x\ndiff(x^2, x)\n",
       {"diff(x^2, x) = 2*x"},
       {{2, "a matrix by its spelling"}}},
      {"lower-case name used as a scalar",
       "A in R^(n x m)\na + A\ngrad(tr(A'*A), A)\n",
       {"grad(tr(A'*A), A) = 2*A"},
       {{2, "cannot add"}}},
      {"invalid UTF-8 in one statement",
       "x in R\nx + \xff\ndiff(x^2, x)\n",
       {"diff(x^2, x) = 2*x"},
       {{2, "invalid UTF-8"}}},
      {"error inside a stack over two lines",
       "x in R^n\nv = [x;\n  x @ x]\ngrad(x'*x, x)\nv'*v\n",
       {"grad(x'*x, x) = 2*x"},
       {{3, "unexpected character '@'"}, {5, "uses the failed definition v (line 2)"}}},
      {"derivative w.r.t. an expression",
       "x in R^n\ngrad(x'*x, 2*x)\ngrad(x'*x, x)\n",
       {"grad(x'*x, x) = 2*x"},
       {{2, "variable"}}},
      {"failed definitions in a chain",
       "x in R^n\nB in R^(m x m)\nf = x'*B\ng = f + 1\ngrad(g, x)\ngrad(x'*x, x)\n",
       {"grad(x'*x, x) = 2*x"},
       {{3, "cannot multiply"},
        {4, "uses the failed definition f (line 3)"},
        {5, "uses the failed definition g (line 4)"}}},
      {"errors between semicolons",
       "x in R; diff(x^2, x); x +; diff(x^3, x)\n",
       {"diff(x^2, x) = 2*x", "diff(x^3, x) = 3*x^2"},
       {{1, "expected an expression"}}},
      {"empty parentheses",
       "x in R\n()\ndiff(sin(x), x)\n",
       {"diff(sin(x), x) = cos(x)"},
       {{2, "expected an expression"}}},
      {"definition fixed on a later line",
       "x in R^n\nf = sigmod(x)\nf = sigmoid(x)\njacobian(f, x)\n",
       {"jacobian(f, x) = diag(sigmoid(x) .* sigmoid(-x))"},
       {{2, "undeclared function 'sigmod'"}}},
  };
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

class ErrorRecovery : public ::testing::TestWithParam<BadScript> {};

TEST_P(ErrorRecovery, ReportsEveryErrorOnceAndPrintsTheRest) {
  const BadScript& c = GetParam();
  RunResult r = run_nabla({"-"}, c.script);
  std::string context = c.name + "\nstdout:\n" + r.out + "\nstderr:\n" + r.err;
  EXPECT_EQ(r.status, 2) << context;
  std::vector<std::string> results;
  for (const std::string& line : lines_of(r.out))
    if (!line.empty() && line[0] != ' ') results.push_back(line);
  EXPECT_EQ(results, c.results) << context;

  // One "<stdin>:L:C: error: ..." line per expected error, in order, each with its caret.
  std::vector<std::string> err = lines_of(r.err);
  std::vector<std::pair<int, std::string>> reported;
  std::regex header(R"(^<stdin>:(\d+):(\d+): error: (.*)$)");
  std::regex caret(R"(^ +\^~*$)");
  size_t carets = 0;
  for (const std::string& line : err) {
    std::smatch m;
    if (std::regex_match(line, m, header)) reported.emplace_back(std::stoi(m[1]), m[3]);
    if (std::regex_match(line, caret)) ++carets;
  }
  ASSERT_EQ(reported.size(), c.errors.size()) << context;
  for (size_t i = 0; i < c.errors.size(); ++i) {
    EXPECT_EQ(reported[i].first, c.errors[i].line) << context;
    EXPECT_NE(reported[i].second.find(c.errors[i].message), std::string::npos)
        << "expected \"" << c.errors[i].message << "\" in: " << reported[i].second << "\n"
        << context;
  }
  EXPECT_EQ(carets, c.errors.size()) << context;
  // Nothing but the reports: every stderr line is a header, a source line, a caret or a hint.
  for (const std::string& line : err)
    EXPECT_TRUE(line.rfind("<stdin>:", 0) == 0 || line.rfind("  ", 0) == 0 ||
                line.rfind("hint: ", 0) == 0)
        << "unexpected stderr line: " << line << "\n"
        << context;
}

// The same scripts with --format json: JSON only on stdout, one error object per error
// (with line, column and message), one object per query.
TEST_P(ErrorRecovery, JsonHasOneObjectPerStatement) {
  const BadScript& c = GetParam();
  RunResult r = run_nabla({"--format", "json", "-"}, c.script);
  std::string context = c.name + "\nstdout:\n" + r.out + "\nstderr:\n" + r.err;
  EXPECT_EQ(r.status, 2) << context;
  EXPECT_EQ(r.err, "") << context;
  std::vector<int> error_lines;
  size_t answers = 0;
  for (const std::string& line : lines_of(r.out)) {
    nlohmann::json j;
    ASSERT_NO_THROW(j = nlohmann::json::parse(line)) << line << "\n" << context;
    ASSERT_TRUE(j.is_object()) << line;
    std::string kind = j.at("kind");
    if (kind == "error") {
      error_lines.push_back(j.at("line").get<int>());
      EXPECT_GE(j.at("column").get<int>(), 1) << line;
      EXPECT_FALSE(j.at("message").get<std::string>().empty()) << line;
    } else if (kind == "query" || kind == "check") {
      ++answers;
      EXPECT_TRUE(j.contains("statement")) << line;
    }
  }
  std::vector<int> want;
  for (const ExpectedError& e : c.errors) want.push_back(e.line);
  EXPECT_EQ(error_lines, want) << context;
  EXPECT_EQ(answers, c.results.size()) << context;
}

INSTANTIATE_TEST_SUITE_P(Table, ErrorRecovery, ::testing::ValuesIn(table()),
                         [](const ::testing::TestParamInfo<BadScript>& info) {
                           std::string n;
                           for (char ch : info.param.name)
                             n += std::isalnum(static_cast<unsigned char>(ch)) ? ch : '_';
                           return n;
                         });

TEST(ErrorRecoveryTable, HasAtLeastTwentyScripts) {
  EXPECT_GE(table().size(), 20u);
}

// A check that fails with no bad statement exits 1, not 2.
TEST(ErrorRecovery, FailedCheckAloneExitsOne) {
  RunResult r = run_nabla({"-"}, "x in R\ncheck x == 2*x\ndiff(x^2, x)\n");
  EXPECT_EQ(r.status, 1) << r.err;
  EXPECT_NE(r.out.find("diff(x^2, x) = 2*x"), std::string::npos) << r.out;
}

// Past 20 errors the rest of a script is not run, with a line saying so.
TEST(ErrorRecovery, StopsAfterTwentyErrors) {
  std::string script = "x in R\n";
  for (int i = 0; i < 30; ++i) script += "x +\n";
  RunResult r = run_nabla({"-"}, script);
  EXPECT_EQ(r.status, 2);
  size_t errors = 0;
  for (size_t at = r.err.find(": error: "); at != std::string::npos;
       at = r.err.find(": error: ", at + 1))
    ++errors;
  EXPECT_EQ(errors, 21u) << r.err;
  EXPECT_NE(r.err.find("too many errors"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace nabla::testing
