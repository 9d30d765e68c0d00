#include <gtest/gtest.h>

#include "test_util.h"

namespace nabla {
namespace {

struct BadInput {
  const char* script;
  ErrorKind kind;
  const char* message;  // a substring of the message
  const char* at;       // the text at the start of the span ("" = not checked)
};

const BadInput kBad[] = {
    {"x +", ErrorKind::Syntax, "expected an expression", ""},
    {"(x", ErrorKind::Syntax, "expected ')'", ""},
    {"x)", ErrorKind::Syntax, "unexpected ')'", ")"},
    {"[x; y", ErrorKind::Syntax, "expected ']'", ""},
    {"<a, b", ErrorKind::Syntax, "'>'", ""},
    {"<a b>", ErrorKind::Syntax, "','", "b"},
    {"‖x", ErrorKind::Syntax, "'‖'", ""},
    {"a b", ErrorKind::Syntax, "unexpected 'b'", "b"},
    {"2 x", ErrorKind::Syntax, "unexpected 'x'", "x"},
    {"x @ y", ErrorKind::Syntax, "unexpected character '@'", "@"},
    {"x € y", ErrorKind::Syntax, "unexpected character", "€"},
    {"x in", ErrorKind::Syntax, "expected a set", ""},
    {"x in Q", ErrorKind::Syntax, "expected a set", "Q"},
    {"x in R^0", ErrorKind::Syntax, "positive integer", "0"},
    {"x in R^(n x", ErrorKind::Syntax, "expected a dimension", ""},
    {"x in R^(n x m", ErrorKind::Syntax, "expected ')'", ""},
    {"f : R -> ", ErrorKind::Syntax, "expected a set", ""},
    {"f : R R", ErrorKind::Syntax, "'->'", "R"},
    {"check x = y", ErrorKind::Syntax, "'=='", "="},
    {"check x", ErrorKind::Syntax, "'=='", ""},
    {"exp(x, y)", ErrorKind::Syntax, "exp takes 1 argument, given 2", "exp"},
    {"exp()", ErrorKind::Syntax, "exp takes 1 argument, given 0", "exp"},
    {"exp", ErrorKind::Syntax, "'exp' is a function", "exp"},
    {"grad(x)", ErrorKind::Syntax, "grad takes an expression and a variable", "grad"},
    {"hessian(x'*x)", ErrorKind::Syntax, "hessian takes", "hessian"},
    {"simplify(x, y)", ErrorKind::Syntax, "simplify takes 1 argument", "simplify"},
    {"[a, b; c]", ErrorKind::Shape, "stacked parts need equal column counts", "[a, b; c]"},
    {"x = ", ErrorKind::Syntax, "expected an expression", ""},
    {"ones(q)", ErrorKind::Name, "'q' is not a dimension", "q"},
    {"x in R^n; e = e*x'*x", ErrorKind::Name, "'e' is used in its own definition", "e"},
    {"I in R^(1 x k)", ErrorKind::Syntax, "'I' is reserved (a constant)", "I"},
    {"f(x)", ErrorKind::Name, "undeclared function 'f'", "f"},
    {"2*g'(x)", ErrorKind::Name, "undeclared function 'g'", "g"},
    {"x in R; x(2)", ErrorKind::Name, "'x' is a variable, not a function", "x(2"},
    // A definition may not take a variable's name (its uses would read back as the definition).
    {"x in R^n; e3 = sin(e4); e4 = x'*x", ErrorKind::Name, "'e4' is already a variable", "e4 ="},
    {"x in R; x = 3", ErrorKind::Name, "'x' is already a variable", "x ="},
    {"x in R; x(t) = t^2", ErrorKind::Name, "'x' is already a variable", "x(t)"},
    // Nor may its right side use its own name (the inner name would be a new variable).
    {"x in R^n; e = e*x'*x + 1", ErrorKind::Name, "'e' is used in its own definition", "e*x"},
    {"f(t) = f*t", ErrorKind::Name, "'f' is used in its own definition", "f*t"},
    {"f : R -> R; f + 1", ErrorKind::Name, "'f' is a function", "f +"},
    {"grad foo", ErrorKind::Name, "'foo' is not a defined function", "foo"},
    {"grad(x'*x, 2*x)", ErrorKind::Name, "'2*x' is not one", "2*x"},
    {"x in R^n; loss = x'*x; grad(loss, loss)", ErrorKind::Name, "'loss' is not one", "loss)"},
    {"partial(L, 2)(a)", ErrorKind::Name, "'L' is not a declared function", "L"},
    {"A in R^(n x m); x in R^n; A*x", ErrorKind::Shape, "cannot multiply A (n×m) by x (n)", "A*x"},
    {"A in R^(n x m); B in R^(m x k); A + B", ErrorKind::Shape, "cannot add A (n×m) and B (m×k)",
     "A + B"},
    {"x in R^n; y in R^m; x - y", ErrorKind::Shape, "cannot subtract y (m) from x (n)", "x - y"},
    {"x in R^n; y in R^m; x .* y", ErrorKind::Shape, "entry-wise product needs equal shapes", "x"},
    {"x in R^n; A in R^(n x m); x/A", ErrorKind::Shape, "can only divide by a scalar", "x/A"},
    {"x in R^n; x^2", ErrorKind::Shape, "cannot raise x (n) to a power", "x^2"},
    {"A in R^(n x m); A^2", ErrorKind::Shape, "cannot raise A (n×m)", "A^2"},
    {"A in R^(n x n); t in R; A^t", ErrorKind::Shape, "integer constant", "A^t"},
    {"x in R^n; 2^x", ErrorKind::Shape, "exponent x (n) is not a scalar", "x"},
    {"A in R^(n x m); inv(A)", ErrorKind::Shape, "inv needs a square matrix", "inv"},
    {"A in R^(n x m); tr(A)", ErrorKind::Shape, "tr needs a square matrix", "tr"},
    {"A in R^(n x m); softmax(A)", ErrorKind::Shape, "softmax needs a vector", "softmax"},
    {"x in R^n; y in R^m; <x, y>", ErrorKind::Shape, "inner product needs equal shapes", "<x"},
    {"x in R^n; A in R^(n x n); [x; A]", ErrorKind::Shape, "equal column counts", "[x"},
    {"x, y in R^n; grad(x, y)", ErrorKind::Shape, "grad needs a scalar expression", "x, y)"},
    {"x in R^n; diff(x, x)", ErrorKind::Shape, "diff needs a scalar variable", "x)"},
    {"x in R^n; hessian(x, x)", ErrorKind::Shape, "hessian needs a scalar expression", "x, x"},
    {"A in R^(n x m); x in R^n; jacobian(A, x + x)", ErrorKind::Name,
     "jacobian is taken with respect to a variable", "x + x"},
    {"h : R -> R; hessian(h)(a, b)", ErrorKind::Shape, "takes 1 argument(s), given 2", "hessian"},
    {"L : R x R -> R; partial(L, 1, 3)(a, b)", ErrorKind::Shape, "no argument 3", "partial"},
    {"x in R^n; norm(x, 1/2)", ErrorKind::Shape, "norm(x, p) needs a constant p >= 1", "1/2"},
    {"t in R; t/X", ErrorKind::Shape, "can only divide by a scalar", "t/X"},
    {"f : R^n -> R; f(x, y)", ErrorKind::Shape, "takes 1 argument(s), given 2", "f(x"},
    {"f : R^n -> R; x in R^m; f(x)", ErrorKind::Shape, "argument 1 of 'f' has the wrong shape",
     "x)"},
    {"L : R x R -> R; partial(L, 3)(a, b)", ErrorKind::Shape, "no argument 3", "partial"},
    {"L : R x R -> R; J(L)(a, b)", ErrorKind::Shape, "several arguments", "J(L)"},
    {"f : R -> R^n; ∂₁f(t)", ErrorKind::Shape, "scalar-valued", "∂₁f"},
    {"x in R^n; y in R^m; check x == y", ErrorKind::Shape, "cannot compare x (n) with y (m)",
     "x =="},
    {"x, y in R; f(x, y) = x*y; f(x)", ErrorKind::Shape, "takes 2 argument(s), given 1", "f(x)"},
    {"1/0", ErrorKind::Value, "division by zero", "1/0"},
    {"0/0'", ErrorKind::Value, "division by zero", "0/0'"},  // a transposed number (fuzzer)
    {"1/(0')'", ErrorKind::Value, "division by zero", "1/(0')'"},
    {"x in R; (0')^-1*x", ErrorKind::Value, "division by zero", "(0')^-1"},
    {"x in R; x*∞", ErrorKind::Syntax, "'∞' stands only after a norm", "∞"},
    {"x in R^n; <x, 1>", ErrorKind::Shape, "inner product needs equal shapes", "<x"},
    {"x in R^n; A in R^(n x m); 2 + (A*x)", ErrorKind::Shape, "cannot multiply", "A*x"},
};

TEST(Errors, BadInputsReportKindMessageAndSpan) {
  static_assert(sizeof(kBad) / sizeof(kBad[0]) >= 40);
  for (const BadInput& b : kBad) {
    Graph g;
    Frontend f(g);
    std::string src = b.script;
    try {
      f.run_script(src);
      ADD_FAILURE() << "no error for: " << src;
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), b.kind) << src << ": " << e.what();
      EXPECT_NE(std::string(e.what()).find(b.message), std::string::npos)
          << src << ": got '" << e.what() << "'";
      EXPECT_TRUE(e.span().valid()) << src;
      std::string at = b.at;
      if (!at.empty()) {
        EXPECT_EQ(src.substr(e.span().begin, at.size()), at) << src << ": " << e.what();
      }
    }
  }
}

TEST(Errors, UndeclaredFunctionHint) {
  Graph g;
  Frontend f(g);
  try {
    f.run_script("grad(f(x), x)");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Name);
    EXPECT_EQ(e.hint(), "declare it: f : R^n -> R");
  }
}

TEST(Errors, HintSuggestsDeclaringInferredNames) {
  Graph g;
  Frontend f(g);
  try {
    f.run_script("x in R^n; A*x + x'");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Shape);
    EXPECT_NE(e.hint().find("declare"), std::string::npos) << e.hint();
  }
}

TEST(Errors, FormatErrorPutsTheCaretUnderTheSpan) {
  std::string src = "x in R^n\nA in R^(n x m)\ny = 2*(A*x)\n";
  Graph g;
  Frontend f(g);
  try {
    f.run_script(src);
    FAIL();
  } catch (const Error& e) {
    std::string out = format_error(e, src, "case.nabla");
    EXPECT_EQ(out.substr(0, out.find('\n')),
              "case.nabla:3:8: error: cannot multiply A (n×m) by x (n)");
    EXPECT_NE(out.find("\n  y = 2*(A*x)\n         ^~~\n"), std::string::npos) << out;
  }
}

TEST(Errors, FormatErrorCountsCodePoints) {
  std::string src = "x ∈ ℝ^n; y ∈ ℝ^m; ⟨x, y⟩";
  Graph g;
  Frontend f(g);
  try {
    f.run_script(src);
    FAIL();
  } catch (const Error& e) {
    std::string out = format_error(e, src, "t");
    // ⟨ is the 19th code point of the line.
    EXPECT_EQ(out.substr(0, out.find(':', 2)), "t:1");
    EXPECT_NE(out.find("t:1:19: error: inner product needs equal shapes"), std::string::npos)
        << out;
    EXPECT_NE(out.find("\n                    ^~~~~~\n"), std::string::npos) << out;
  }
}

TEST(Errors, FormatErrorWithHintAndWithoutSpan) {
  Error e(ErrorKind::Name, "undeclared function 'f'", "declare it: f : R^n -> R", {0, 1});
  EXPECT_EQ(format_error(e, "f(x)", "-"),
            "-:1:1: error: undeclared function 'f'\n  f(x)\n  ^\nhint: declare it: f : R^n -> R\n");
  Error plain(ErrorKind::Usage, "no input");
  EXPECT_EQ(format_error(plain, "", "-"), "-: error: no input\n");
}

TEST(Errors, InvalidUtf8PointsAtTheByte) {
  const std::string bad[] = {"x + \xff", "x\xc3", "\xc0\xafx", "x + \xed\xa0\x80", "ab\x80"};
  for (const std::string& src : bad) {
    Graph g;
    Frontend f(g);
    try {
      f.run_script(src);
      ADD_FAILURE() << "accepted invalid UTF-8";
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::Syntax);
      EXPECT_NE(std::string(e.what()).find("invalid UTF-8"), std::string::npos) << e.what();
      EXPECT_EQ(e.span().end, e.span().begin + 1);
      unsigned char c = static_cast<unsigned char>(src[e.span().begin]);
      EXPECT_GE(c, 0x80);
      format_error(e, src, "x");  // must not crash
    }
  }
}

TEST(Errors, ParseExpressionOfNothing) {
  Graph g;
  Frontend f(g);
  for (const char* src : {"", "   ", "# c"}) {
    try {
      f.parse_expression(src);
      ADD_FAILURE() << "accepted '" << src << "'";
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::Syntax);
      EXPECT_STREQ(e.what(), "expected an expression");
      format_error(e, src, "x");
    }
  }
}

TEST(Errors, ParseVariablesNeedsVariables) {
  Graph g;
  Frontend f(g);
  f.run_script("x in R^n; f : R -> R");
  EXPECT_EQ(f.parse_variables("x").size(), 1u);
  EXPECT_THROW(f.parse_variables("y"), Error);
  EXPECT_THROW(f.parse_variables("f"), Error);
  EXPECT_THROW(f.parse_variables("x,"), Error);
}

}  // namespace
}  // namespace nabla
