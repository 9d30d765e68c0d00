#include <gtest/gtest.h>

#include "ir/error.h"
#include "ir/op.h"
#include "print/layout.h"

namespace nabla {
namespace {

TEST(PrintRules, CoverEveryOpInOpsDef) {
  int covered = 0;
  for (Op op : kAllOps) {
    EXPECT_TRUE(has_print_rule(op)) << "no print rule for " << op_name(op);
    EXPECT_NO_THROW(print_rule(op));
    ++covered;
  }
  EXPECT_EQ(covered, kOpCount);
}

TEST(PrintRules, MissingOpThrows) {
  Op bogus = static_cast<Op>(kOpCount);
  EXPECT_FALSE(has_print_rule(bogus));
  EXPECT_THROW(print_rule(bogus), Error);
}

}  // namespace
}  // namespace nabla
