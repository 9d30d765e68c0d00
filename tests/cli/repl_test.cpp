// The interactive mode's logic without a terminal (the terminal itself: repl_pty_test.py).
#include <gtest/gtest.h>

#include <sstream>
#include <string>

#include "driver/repl.h"

namespace nabla {
namespace {

struct Lines {
  Repl repl{DriverOptions{}};
  std::string out, err;
  bool take(const std::string& line) {
    std::ostringstream o, e;
    bool go_on = repl.take(line, o, e);
    out = o.str();
    err = e.str();
    return go_on;
  }
};

TEST(Repl, DeclarationsPersistBetweenLines) {
  Lines s;
  EXPECT_TRUE(s.take("x in R^n"));
  EXPECT_EQ(s.out, "");
  s.take("A in R^(n x n)");
  s.take("grad(x'*A*x, x)");
  EXPECT_EQ(s.out, "grad(x'*A*x, x) = (A + A')*x\n") << s.err;
  s.take("f = x'*A*x");
  s.take("hessian(f, x)");
  EXPECT_EQ(s.out, "hessian(f, x) = A + A'\n") << s.err;
}

TEST(Repl, OpenBracketsWaitForTheNextLine) {
  Lines s;
  s.take("x in R^n");
  s.take("y = (x'*");
  EXPECT_EQ(s.repl.prompt(), "...> ");
  s.take("x)");
  EXPECT_EQ(s.repl.prompt(), "nabla> ");
  s.take("grad(y, x)");
  EXPECT_EQ(s.out, "grad(y, x) = 2*x\n") << s.err;
}

TEST(Repl, ErrorsNameTheInputLine) {
  Lines s;
  s.take("x in R^n");
  s.take("g = sigmod(x)");
  EXPECT_NE(s.err.find("input:2:5: error: undeclared function 'sigmod'"), std::string::npos)
      << s.err;
  EXPECT_NE(s.err.find("did you mean 'sigmoid'?"), std::string::npos) << s.err;
  s.take("grad(g, x)");
  EXPECT_NE(s.err.find("input:3:6: error: uses the failed definition g (line 2)"),
            std::string::npos)
      << s.err;
  s.take("g = sigmoid(x)");  // fixed: g has a meaning again
  s.take("jacobian(g, x)");
  EXPECT_EQ(s.err, "");
  EXPECT_NE(s.out.find("jacobian(g, x) = diag("), std::string::npos) << s.out;
}

TEST(Repl, Commands) {
  Lines s;
  s.take(":help");
  EXPECT_NE(s.out.find(":format"), std::string::npos);
  s.take("x in R^n");
  s.take(":steps on");
  s.take("grad(x'*x, x)");
  EXPECT_NE(s.out.find("  = jacobian(x, x)'*x + jacobian(x, x)'*x  # product rule"),
            std::string::npos)
      << s.out;
  s.take(":steps index");
  s.take("grad(x'*x, x)");
  EXPECT_NE(s.out.find("= sum_k delta_ik*x_k + sum_k x_k*delta_ik"), std::string::npos) << s.out;
  s.take(":steps off");
  s.take(":format latex");
  s.take("grad(x'*x, x)");
  EXPECT_EQ(s.out, "\\[ \\nabla_{x}\\left(x^\\top x\\right) = 2 x \\]\n\n");
  s.take(":format json");
  s.take("grad(x'*x, x)");
  EXPECT_NE(s.out.find("\"result\":\"2*x\""), std::string::npos) << s.out;
  s.take(":format pdf");
  EXPECT_NE(s.err.find(":format takes one of"), std::string::npos);
  s.take(":reset");
  s.take(":format text");
  s.take("grad(x'*A*x, x)");  // x and A are undeclared again: inferred by their spelling
  EXPECT_EQ(s.out, "grad(x'*A*x, x) = (A + A')*x\n") << s.err;
  s.take(":frmat text");
  EXPECT_NE(s.err.find("did you mean ':format'?"), std::string::npos) << s.err;
  EXPECT_FALSE(s.take(":quit"));
}

}  // namespace
}  // namespace nabla
