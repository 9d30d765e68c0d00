// One-shot commands print just the result, on one line.
#include <gtest/gtest.h>

#include "run_nabla.h"

namespace nabla::testing {
namespace {

TEST(OneShot, SimplifyNeedsNoVariable) {
  RunResult r = run_nabla({"simplify", "x + x", "--let", "x in R^n"});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "2*x\n");
}

TEST(OneShot, GradOfMathThatStartsWithAMinus) {
  RunResult r = run_nabla({"grad", "-x'*A*x", "--wrt", "x", "--let", "x in R^n; A in R^(n x n)"});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "-(A + A')*x\n");
}

}  // namespace
}  // namespace nabla::testing
