// The shape of generated C++ on the BENCH.md problems (that it compiles and computes the right
// values is identities_test.cpp's): arguments read where they are (no copies), transposes as
// views of products, diag(v) as a scaling (never an n x n matrix), an entry-wise chain as one
// expression, a value read twice computed once.
#include <gtest/gtest.h>

#include <regex>
#include <string>

#include "codegen/codegen.h"
#include "diff/diff.h"
#include "parse/frontend.h"
#include "simplify/simplify.h"

namespace nabla {
namespace {

std::string generate(const std::string& decls, const std::string& f, const std::string& wrt,
                     bool hess = false) {
  Graph store;
  Frontend fe(store);
  Graph& g = fe.graph();
  fe.run_script(decls);
  Id e = fe.parse_expression(f);
  Id x = fe.parse_expression(wrt);
  CodeFunction fn;
  fn.name = "f";
  fn.outputs.push_back({"value", simplify(g, e)});
  fn.outputs.push_back({"d", simplify(g, hess ? hessian(g, e, x) : grad(g, e, x))});
  std::string code = emit_cpp(g, fn);
  return code.substr(code.find("struct f_result"));  // the function, without the helpers
}

int count(const std::string& s, const std::string& what) {
  int n = 0;
  for (size_t at = s.find(what); at != std::string::npos; at = s.find(what, at + 1)) ++n;
  return n;
}

void expect_no_copies(const std::string& code, std::initializer_list<const char*> args) {
  for (const char* a : args) {
    // `= X;` or `= X.transpose();` would copy an argument into a temporary.
    EXPECT_FALSE(std::regex_search(
        code, std::regex(std::string("= \\(?") + a + "\\)?(\\.transpose\\(\\))?;")))
        << a << " copied:\n"
        << code;
  }
  // A transpose is never a temporary of its own.
  EXPECT_FALSE(std::regex_search(code, std::regex("= \\(?[A-Za-z_0-9]+\\)?\\.transpose\\(\\);")))
      << code;
}

TEST(GeneratedCpp, LogisticRegressionGradient) {
  std::string code =
      generate("X in R^(n x d); w in R^d; y in R^n", "sum(log(1 + exp(-y .* (X*w))))", "w");
  expect_no_copies(code, {"X", "w", "y"});
  // X*w and -y .* (X*w) computed once, read by the value and the gradient.
  EXPECT_EQ(count(code, "X * w"), 1) << code;
  // The value: one fused expression over the kernel library's stable softplus, summed.
  EXPECT_NE(code.find("return nabla::kernels::softplus(v); })).sum()"), std::string::npos) << code;
  // The gradient: X' read transposed inside the product.
  EXPECT_NE(code.find("X.transpose())) *"), std::string::npos) << code;
  // No helper calls besides the argument checks.
  EXPECT_EQ(count(code, "nabla_generated::"), count(code, "nabla_generated::check_size")) << code;
}

TEST(GeneratedCpp, HessianScalesRowsInsteadOfFormingTheDiagonal) {
  std::string code =
      generate("X in R^(n x d); w in R^d", "sum(log(1 + exp(X*w)))", "w", /*hess=*/true);
  expect_no_copies(code, {"X", "w"});
  EXPECT_EQ(count(code, "nabla_generated::diag("), 0) << code;
  EXPECT_EQ(count(code, ".asDiagonal()"), 1) << code;
  EXPECT_EQ(count(code, "X * w"), 1) << code;
}

TEST(GeneratedCpp, MlpAndLeastSquares) {
  std::string mlp = generate("X in R^(n x d); W in R^(d x h); v in R^h; y in R^n",
                             "sum(softplus(-y .* (tanh(X*W)*v)))", "W");
  expect_no_copies(mlp, {"X", "W", "v", "y"});
  EXPECT_EQ(count(mlp, "X * W"), 1) << mlp;  // tanh(X*W) once, for the value and the gradient
  EXPECT_EQ(count(mlp, ".tanh()"), 1) << mlp;
  std::string lsq = generate("X in R^(n x d); w in R^d; y in R^n", "1/2*norm2(X*w - y)^2", "w");
  expect_no_copies(lsq, {"X", "w", "y"});
  EXPECT_NE(lsq.find(".squaredNorm()"), std::string::npos) << lsq;  // norm2(r)^2 without sqrt
  EXPECT_EQ(count(lsq, "X * w"), 1) << lsq;
}

}  // namespace
}  // namespace nabla
