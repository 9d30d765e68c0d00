// Bad input of every kind ends with exit status 2 and a message that points at the problem,
// quickly, without a crash.
#include <gtest/gtest.h>

#include "run_nabla.h"

namespace nabla::testing {
namespace {

struct BadInput {
  std::string name;
  std::vector<std::string> args;
  std::string stdin_text;
  std::string expect;  // a substring the message must contain
  bool caret = false;  // the message shows the source line with a caret
};

std::string repeat(const std::string& s, size_t n) {
  std::string r;
  r.reserve(s.size() * n);
  for (size_t i = 0; i < n; ++i) r += s;
  return r;
}

std::vector<BadInput> table() {
  std::string values_ok = write_file("ok.json", R"({"x": [1, 2], "A": [[1, 2], [3, 4]]})").string();
  std::string ragged = write_file("ragged.json", R"({"x": [1, 2], "A": [[1, 2], [3]]})").string();
  std::string missing = write_file("missing.json", R"({"x": [1, 2]})").string();
  std::string wrong_kind =
      write_file("kind.json", R"({"x": [[1, 2], [3, 4]], "A": [[1, 2], [3, 4]]})").string();
  std::string mismatch =
      write_file("mismatch.json", R"({"x": [1, 2, 3], "A": [[1, 2], [3, 4]]})").string();
  std::string not_json = write_file("bad.json", "{\"x\": [1, 2").string();
  std::string not_object = write_file("list.json", "[1, 2, 3]").string();
  std::string strings =
      write_file("strings.json", R"({"x": ["a", "b"], "A": [[1, 2], [3, 4]]})").string();
  std::string empty_list = write_file("empty.json", R"({"x": [], "A": [[1, 2], [3, 4]]})").string();
  std::string bad_utf8 = "x in R^n\ngrad(x'*x, \xff\xfe)\n";
  std::string nested = repeat("(", 100000) + "x" + repeat(")", 100000);
  std::string megabyte = repeat("x + ", 262144) + "\n";  // 1 MiB, ends in a dangling +
  std::string decl = "x in R^n; A in R^(n x n)";
  return {
      // syntax
      {"missing close paren", {"-e", "grad(x'*x, x"}, "", "expected", true},
      {"dangling plus", {"-e", "x in R^n; x +"}, "", "expected", true},
      {"leading star", {"-e", "* x"}, "", "expected", true},
      {"empty parens", {"-e", "x in R; ()"}, "", "expected", true},
      {"bad declaration", {"-e", "A in R^(n x )"}, "", "expected", true},
      {"check without rhs", {"-e", "x in R; check x =="}, "", "expected", true},
      {"unclosed stack", {"-e", "x in R; [x; x"}, "", "expected", true},
      {"unclosed inner product", {"-e", "a, b in R^n; <a, b"}, "", "expected", true},
      {"stray character", {"-e", "x in R; x @ x"}, "", "", true},
      {"unknown operator", {"-e", "x in R; x ** x"}, "", "expected", true},
      {"definition without body", {"-e", "f(x) ="}, "", "expected", true},
      {"bad number", {"-e", "x in R; x + 1.2.3"}, "", "", true},
      // names
      {"undeclared function", {"-e", "x in R; foo(x)"}, "", "foo", true},
      {"derivative of undeclared", {"-e", "x in R^n; J(f)(x)"}, "", "f", true},
      {"grad wrt undeclared", {"grad", "x'*x", "--wrt", "y"}, "", "y", false},
      {"grad wrt an expression", {"-e", "x in R^n; grad(x'*x, 2*x)"}, "", "", true},
      // shapes
      {"matrix times vector", {"-e", "A in R^(n x m); x in R^n; A*x"}, "", "cannot multiply", true},
      {"add vector and matrix", {"-e", "A in R^(n x m); x in R^n; A + x"}, "", "", true},
      {"vector power", {"-e", "x in R^n; x^2"}, "", "", true},
      {"det of non-square", {"-e", "A in R^(n x m); det(A)"}, "", "square", true},
      {"inv of non-square", {"-e", "A in R^(2 x 3); inv(A)"}, "", "square", true},
      {"trace of vector", {"-e", "x in R^n; tr(x)"}, "", "square", true},
      {"hadamard mismatch", {"-e", "x in R^n; y in R^m; x .* y"}, "", "", true},
      {"grad of a vector", {"-e", "x in R^n; grad(x, x)"}, "", "scalar", true},
      {"divide by vector", {"-e", "x in R^n; 1/x"}, "", "", true},
      {"concrete mismatch", {"-e", "x in R^3; y in R^4; x + y"}, "", "", true},
      {"jacobian w.r.t. an expression",
       {"jacobian", "A*B", "--wrt", "A + B", "--let", "A, B in R^(n x n)"},
       "",
       "",
       false},
      {"third derivative", {"-e", "h : R -> R; t in R; diff(h''(t), t)"}, "", "third", false},
      {"norm order below 1", {"-e", "x in R^n; norm(x, 1/2)"}, "", "p >= 1", true},
      // arity
      {"exp of two", {"-e", "x in R; exp(x, x)"}, "", "", true},
      {"trace of nothing", {"-e", "tr()"}, "", "", true},
      {"abstract arity", {"-e", "f : R -> R; x in R; f(x, x)"}, "", "", true},
      {"partial index", {"-e", "L : R x R -> R; x in R; partial(L, 3)(x, x)"}, "", "", true},
      // values
      {"ragged rows", {"eval", "x'*A*x", "--values", ragged}, "", "A", false},
      {"missing value", {"eval", "x'*A*x", "--values", missing}, "", "A", false},
      {"wrong kind", {"eval", "x'*A*x", "--values", wrong_kind}, "", "x", false},
      {"mismatched dims", {"eval", "x'*A*x", "--values", mismatch}, "", "", false},
      {"not json", {"eval", "x'*A*x", "--values", not_json}, "", "JSON", false},
      {"json not an object", {"eval", "x'*A*x", "--values", not_object}, "", "", false},
      {"string entries", {"eval", "x'*A*x", "--values", strings}, "", "x", false},
      {"empty list", {"eval", "x'*A*x", "--values", empty_list}, "", "x", false},
      {"values file missing",
       {"eval", "x'*A*x", "--values", "/nonexistent/v.json"},
       "",
       "cannot open",
       false},
      {"singular inverse",
       {"eval", "inv(A)", "--let", "A in R^(2 x 2)", "--values",
        write_file("sing.json", R"({"A": [[1, 2], [2, 4]]})").string()},
       "",
       "singular",
       false},
      // whole inputs
      {"empty input", {"-"}, "", "empty", false},
      {"only comments", {"-"}, "# nothing here\n\n", "empty", false},
      {"invalid UTF-8", {"-"}, bad_utf8, "UTF-8", false},
      {"deep nesting", {"-"}, "x in R\n" + nested + "\n", "nesting", false},
      {"one megabyte expression", {"-"}, "x in R\n" + megabyte, "expected", false},
      // usage
      {"unknown option", {"--frobnicate"}, "", "frobnicate", false},
      {"unknown format", {"grad", "x'*x", "--wrt", "x", "--format", "pdf"}, "", "pdf", false},
      {"missing wrt", {"grad", "x'*x"}, "", "wrt", false},
      {"missing file", {"/nonexistent/file.nabla"}, "", "cannot read", false},
      {"let holds a query",
       {"grad", "x'*x", "--wrt", "x", "--let", "grad(x'*x, x)"},
       "",
       "declarations",
       false},
      // no arguments and no terminal: standard input is the script
      {"no arguments, empty standard input", {}, "", "empty input", false},
      {"empty expression", {"grad", "", "--wrt", "x"}, "", "expected", false},
  };
}

class BadInputTest : public ::testing::TestWithParam<BadInput> {};

TEST_P(BadInputTest, ExitsTwoWithAMessageQuickly) {
  const BadInput& c = GetParam();
  RunResult r = run_nabla(c.args, c.stdin_text);
  EXPECT_EQ(r.status, 2) << c.name << "\nstdout: " << r.out.substr(0, 500)
                         << "\nstderr: " << r.err.substr(0, 500);
  EXPECT_FALSE(r.err.empty()) << c.name;
  EXPECT_LT(r.err.size(), 4000u) << c.name << ": the message should be short";
  EXPECT_NE(r.err.find(c.expect), std::string::npos) << c.name << "\nstderr: " << r.err;
  if (c.caret) {
    EXPECT_NE(r.err.find('^'), std::string::npos) << c.name << "\nstderr: " << r.err;
  }
  EXPECT_LT(r.cpu_seconds, cli_time_limit(2.0)) << c.name;
}

INSTANTIATE_TEST_SUITE_P(Table, BadInputTest, ::testing::ValuesIn(table()),
                         [](const ::testing::TestParamInfo<BadInput>& info) {
                           std::string n;
                           for (char ch : info.param.name)
                             n += std::isalnum(static_cast<unsigned char>(ch)) ? ch : '_';
                           return n;
                         });

TEST(BadInputTable, HasAtLeastFortyCases) {
  EXPECT_GE(table().size(), 40u);
}

}  // namespace
}  // namespace nabla::testing
