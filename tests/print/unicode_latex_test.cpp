#include <sys/wait.h>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <regex>
#include <set>

#include "print/names.h"
#include "print_fixture.h"

namespace nabla {
namespace {

using UnicodeGolden = PrintTest;
using LatexGolden = PrintTest;

TEST_F(UnicodeGolden, Operators) {
  Id x = V("x"), y = V("y"), A = V("A"), B = V("B"), a = V("a"), b = V("b");
  EXPECT_EQ(uni(transpose(g, x)), "xᵀ");
  EXPECT_EQ(uni(matmul(g, add(g, A, transpose(g, A)), x)), "(A + Aᵀ)·x");
  EXPECT_EQ(uni(hadamard(g, x, y)), "x ⊙ y");
  EXPECT_EQ(uni(elementwise_divide(g, x, y)), "x ⊘ y");
  EXPECT_EQ(uni(fun(Op::Inv, A)), "A⁻¹");
  EXPECT_EQ(uni(fun(Op::Inv, matmul(g, A, B))), "(A·B)⁻¹");
  EXPECT_EQ(uni(transpose(g, fun(Op::Inv, A))), "A⁻¹ᵀ");
  EXPECT_EQ(uni(fun(Op::Norm2, sub(g, x, y))), "‖x - y‖");
  EXPECT_EQ(uni(fun(Op::Sigmoid, a)), "σ(a)");
  EXPECT_EQ(uni(power(g, a, num(1, 2))), "√a");
  EXPECT_EQ(uni(power(g, add(g, a, b), num(1, 2))), "√(a + b)");
  EXPECT_EQ(uni(power(g, a, num(2))), "a²");
  EXPECT_EQ(uni(power(g, a, num(-2))), "1/a²");
  EXPECT_EQ(uni(power(g, x, num(2))), "x.^2");
  EXPECT_EQ(uni(divide(g, x, a)), "x/a");
  EXPECT_EQ(uni(sub(g, a, scale(g, num(1, 2), b))), "a - 1/2·b");
  EXPECT_EQ(uni(fun(Op::Abs, a)), "|a|");
  EXPECT_EQ(uni(fun(Op::Trace, A)), "tr(A)");
  EXPECT_EQ(uni(scale(g, pi(g), a)), "π·a");
  EXPECT_EQ(uni(add(g, x, ones(g, Shape::vector(n)))), "x + 𝟏");
  EXPECT_EQ(uni(stack(g, {a, b})), "[a; b]");
}

TEST_F(UnicodeGolden, NamesAndDerivatives) {
  Id x = V("x"), t = V("t");
  EXPECT_EQ(uni(V("alpha")), "α");
  EXPECT_EQ(uni(V("sigma2")), "σ₂");
  EXPECT_EQ(uni(V("w0")), "w₀");
  EXPECT_EQ(uni(call1("s", kCallDerivative, x)), "∇s(x)");
  EXPECT_EQ(uni(call1("f", kCallDerivative, x)), "J_f(x)");
  EXPECT_EQ(uni(call1("h1", kCallDerivative, t)), "h₁′(t)");
  EXPECT_EQ(uni(call(g, fn["L"], 1, {V("a"), V("b"), V("c")})), "∂₁L(a, b, c)");
  EXPECT_EQ(uni(call(g, fn["L"], kCallValue, {V("a"), V("b"), V("c")})), "L(a, b, c)");
  Id e = matmul(g, transpose(g, x), V("y"));
  EXPECT_EQ(uni(grad_query(g, e, {x})), "∇_x(xᵀ·y)");
  EXPECT_EQ(uni(query(g, Op::Hessian, e, x)), "∇²_x(xᵀ·y)");
  EXPECT_EQ(uni(query(g, Op::Jacobian, x, x)), "J_x(x)");
  EXPECT_EQ(uni(query(g, Op::Derivative, V("a"), V("a"))), "diff(a, a)");  // parses back
  // a query inside an expression in parentheses (∇_x e reads to the end of the sum)
  EXPECT_EQ(uni(transpose(g, query(g, Op::Jacobian, x, x))), "(J_x(x))ᵀ");
  EXPECT_EQ(uni(neg(g, scale(g, fun(Op::Sigmoid, neg(g, matmul(g, transpose(g, V("w")), x))), x))),
            "-σ(-wᵀ·x)·x");
}

TEST_F(LatexGolden, Operators) {
  Id x = V("x"), y = V("y"), A = V("A"), B = V("B"), X = V("X"), a = V("a"), b = V("b");
  EXPECT_EQ(tex(transpose(g, x)), "x^\\top");
  EXPECT_EQ(tex(matmul(g, add(g, A, transpose(g, A)), x)), "\\left(A + A^\\top\\right) x");
  EXPECT_EQ(tex(hadamard(g, x, y)), "x \\odot y");
  EXPECT_EQ(tex(elementwise_divide(g, x, y)), "x \\oslash y");
  EXPECT_EQ(tex(fun(Op::Inv, X)), "X^{-1}");
  EXPECT_EQ(tex(transpose(g, fun(Op::Inv, X))), "{X^{-1}}^\\top");
  EXPECT_EQ(tex(fun(Op::Inv, add(g, A, B))), "\\left(A + B\\right)^{-1}");
  EXPECT_EQ(tex(transpose(g, transpose(g, x))), "{x^\\top}^\\top");
  EXPECT_EQ(tex(fun(Op::Norm2, x)), "\\lVert x \\rVert_2");
  EXPECT_EQ(tex(power(g, fun(Op::Norm2, x), num(2))), "\\lVert x \\rVert_2^{2}");
  EXPECT_EQ(tex(fun(Op::Sigmoid, a)), "\\sigma\\left(a\\right)");
  EXPECT_EQ(tex(fun(Op::Trace, A)), "\\operatorname{tr}\\left(A\\right)");
  EXPECT_EQ(tex(fun(Op::Det, A)), "\\det\\left(A\\right)");
  EXPECT_EQ(tex(fun(Op::Log, a)), "\\log\\left(a\\right)");
  EXPECT_EQ(tex(fun(Op::Exp, a)), "\\exp\\left(a\\right)");
  EXPECT_EQ(tex(fun(Op::Diag, x)), "\\operatorname{diag}\\left(x\\right)");
  EXPECT_EQ(tex(fun(Op::Softmax, x)), "\\operatorname{softmax}\\left(x\\right)");
  EXPECT_EQ(tex(divide(g, x, a)), "\\frac{x}{a}");
  EXPECT_EQ(tex(divide(g, sub(g, x, y), fun(Op::Norm2, sub(g, x, y)))),
            "\\frac{x - y}{\\lVert x - y \\rVert_2}");
  EXPECT_EQ(tex(divide(g, a, add(g, num(1), fun(Op::Exp, b)))),
            "\\frac{a}{1 + \\exp\\left(b\\right)}");
  EXPECT_EQ(tex(scale(g, num(1, 2), matmul(g, transpose(g, x), x))), "\\frac{1}{2} x^\\top x");
  EXPECT_EQ(tex(scale(g, num(-1, 2), a)), "-\\frac{1}{2} a");
  EXPECT_EQ(tex(power(g, a, num(1, 2))), "\\sqrt{a}");
  EXPECT_EQ(tex(power(g, a, num(2))), "a^{2}");
  EXPECT_EQ(tex(power(g, a, num(-2))), "\\frac{1}{a^{2}}");
  EXPECT_EQ(tex(power(g, x, num(2))), "x^{\\circ 2}");
  EXPECT_EQ(tex(power(g, neg(g, a), num(2))), "\\left(-a\\right)^{2}");
  EXPECT_EQ(tex(power(g, transpose(g, a), num(2))), "{a^\\top}^{2}");
  EXPECT_EQ(tex(scale(g, a, num(2))), "a \\cdot 2");
  // A whole result says its size; beside a determined term it does not.
  EXPECT_EQ(tex(ones(g, Shape::vector(n))), "\\mathbf{1}_{n}");
  EXPECT_EQ(tex(identity(g, n)), "I_{n}");
  EXPECT_EQ(tex(zeros(g, Shape::matrix(n, Dim::fixed(2)))), "\\mathbf{0}_{n \\times 2}");
  EXPECT_EQ(tex(add(g, x, ones(g, Shape::vector(n)))), "x + \\mathbf{1}");
  EXPECT_EQ(tex(pi(g)), "\\pi");
  EXPECT_EQ(tex(constant(g, 1e-300)), "1 \\cdot 10^{-300}");
  EXPECT_EQ(tex(stack(g, {a, b})), "\\begin{bmatrix} a \\\\ b \\end{bmatrix}");
  EXPECT_EQ(tex(fun(Op::Abs, a)), "\\left|a\\right|");
}

TEST_F(LatexGolden, NamesAndDerivatives) {
  Id x = V("x"), t = V("t");
  EXPECT_EQ(tex(V("alpha")), "\\alpha");
  EXPECT_EQ(tex(V("lambda")), "\\lambda");
  EXPECT_EQ(tex(V("sigma2")), "\\sigma_2");
  EXPECT_EQ(tex(V("w0")), "w_0");
  EXPECT_EQ(tex(V("loss")), "\\mathrm{loss}");
  EXPECT_EQ(tex(V("h1v")), "\\mathrm{h1v}");
  EXPECT_EQ(latex_name("w12"), "w_{12}");
  EXPECT_EQ(latex_name("x_ab"), "x_{\\mathrm{ab}}");
  EXPECT_EQ(latex_name("λ"), "\\lambda");
  EXPECT_EQ(tex(call1("s", kCallDerivative, x)), "\\nabla s\\left(x\\right)");
  EXPECT_EQ(tex(call1("f", kCallDerivative, x)), "J_{f}\\left(x\\right)");
  EXPECT_EQ(tex(call1("h1", kCallDerivative, t)), "h_1'\\left(t\\right)");
  EXPECT_EQ(tex(call(g, fn["L"], 1, {V("a"), V("b"), V("c")})),
            "\\partial_{1} L\\left(a, b, c\\right)");
  Id e = matmul(g, transpose(g, x), V("y"));
  EXPECT_EQ(tex(grad_query(g, e, {x})), "\\nabla_{x}\\left(x^\\top y\\right)");
  EXPECT_EQ(tex(grad_query(g, fun(Op::Sum, x), {x})),
            "\\nabla_{x} \\operatorname{sum}\\left(x\\right)");
  EXPECT_EQ(tex(query(g, Op::Jacobian, x, x)), "J_{x}\\left(x\\right)");  // J_x(x)^T, not J_x x^T
  EXPECT_EQ(tex(query(g, Op::Hessian, e, x)), "\\nabla^2_{x}\\left(x^\\top y\\right)");
  EXPECT_EQ(tex(query(g, Op::Derivative, V("a"), V("a"))), "\\frac{\\partial}{\\partial a} a");
  EXPECT_EQ(tex(simplify_query(g, x)), "\\operatorname{simplify}\\left(x\\right)");
}

// Balanced braces and \left/\right pairs, and only commands KaTeX supports.
::testing::AssertionResult katex_plausible(const std::string& s) {
  int braces = 0, lefts = 0;
  for (char c : s) {
    if (c == '{') ++braces;
    if (c == '}' && --braces < 0) return ::testing::AssertionFailure() << "unbalanced } in " << s;
  }
  if (braces != 0) return ::testing::AssertionFailure() << "unbalanced { in " << s;
  static const std::set<std::string> known = {
      "left",   "right", "top",          "odot",   "oslash", "otimes", "times",  "frac",
      "sqrt",   "circ",  "cdot",         "lVert",  "rVert",  "sigma",  "exp",    "log",
      "sin",    "cos",   "tan",          "tanh",   "sinh",   "cosh",   "arcsin", "arccos",
      "arctan", "det",   "operatorname", "mathrm", "mathbf", "pi",     "nabla",  "partial",
      "begin",  "end",   "alpha",        "lambda", "beta",   "gamma"};
  std::regex command(R"(\\([A-Za-z]+))");
  for (auto it = std::sregex_iterator(s.begin(), s.end(), command); it != std::sregex_iterator();
       ++it) {
    std::string name = (*it)[1];
    if (!known.count(name)) return ::testing::AssertionFailure() << "\\" << name << " in " << s;
    if (name == "left") ++lefts;
    if (name == "right") --lefts;
  }
  if (lefts != 0) return ::testing::AssertionFailure() << "unpaired \\left in " << s;
  if (s.find("^\\top^") != std::string::npos || s.find("}^{-1}^") != std::string::npos)
    return ::testing::AssertionFailure() << "double superscript in " << s;
  return ::testing::AssertionSuccess();
}

TEST_F(LatexGolden, EveryOpGivesWellFormedLatex) {
  Id x = V("x"), A = V("A"), a = V("a"), t = V("t");
  std::vector<Id> samples = {
      num(3),
      num(-1, 2),
      constant(g, 2.5e20),
      pi(g),
      x,
      identity(g, n),
      ones(g, Shape::vector(n)),
      zeros(g, Shape::vector(n)),
      add(g, x, x),
      sub(g, x, scale(g, num(2), x)),
      neg(g, x),
      matmul(g, A, x),
      hadamard(g, x, x),
      elementwise_divide(g, x, x),
      transpose(g, A),
      power(g, a, num(3)),
      power(g, constant(g, 2.5e20), a),
      power(g, power(g, a, a), a),
      kron(g, A, A),
      stack(g, {x, x}),
      // sized constants, side-by-side and block stacks
      zeros(g, Shape::matrix(n, m)),
      ones(g, Shape::vector(g.dims.sum({n, m}))),
      identity(g, g.dims.product(n, m)),
      transpose(g, stack(g, {transpose(g, A), transpose(g, A)})),
      stack(g, {transpose(g, stack(g, {transpose(g, A), transpose(g, A)})),
                transpose(g, stack(g, {transpose(g, A), transpose(g, A)}))}),
      matmul(g, transpose(g, kron(g, A, x)), kron(g, x, A)),
      call1("f", kCallValue, x),
      call(g, fn["L"], 3, {a, a, t}),
      grad_query(g, a, {a, t}),
      query(g, Op::Derivative, x, t),
      simplify_query(g, a),
      transpose(g, transpose(g, fun(Op::Inv, A))),
      fun(Op::Inv, transpose(g, A)),
      divide(g, divide(g, a, t), add(g, a, t)),
      divide(g, neg(g, add(g, a, t)), t),
  };
  for (Op op : kAllOps)  // every entry-wise function of functions.def
    if (is_elementwise_function(op)) samples.push_back(fun(op, x));
  for (Op op : {Op::Sum, Op::Prod, Op::ProdOthers, Op::Norm2, Op::Diag, Op::Softmax, Op::LogSumExp,
                Op::Vec})
    samples.push_back(fun(op, x));
  for (Op op : {Op::Trace, Op::Det, Op::LogDet, Op::Inv, Op::DiagPart})
    samples.push_back(fun(op, A));
  for (Id id : samples) EXPECT_TRUE(katex_plausible(tex(id))) << text(id);

  // Where node and KaTeX are installed, KaTeX itself must accept every formula (strict mode).
  std::string doc = ::testing::TempDir() + "print_latex_samples.tex";
  {
    std::ofstream out(doc);
    for (Id id : samples) out << "\\[ " << tex(id) << " \\]\n";
  }
  std::string script = std::string(NABLA_SOURCE_DIR) + "/tests/print/katex_render.js";
  std::string command = "node " + script + " " + doc + " > /dev/null 2>&1";
  if (std::system("node --version > /dev/null 2>&1") != 0) {
    std::remove(doc.c_str());
    GTEST_SKIP() << "no node";
  }
  int status = std::system(command.c_str());
  std::remove(doc.c_str());
  if (WIFEXITED(status) && WEXITSTATUS(status) == 2) GTEST_SKIP() << "KaTeX not installed";
  EXPECT_EQ(status, 0) << "KaTeX rejected a formula: run " << command;
}

}  // namespace
}  // namespace nabla
