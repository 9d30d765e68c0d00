#include <gtest/gtest.h>

#include "ir/error.h"
#include "ir/op.h"
#include "print/layout.h"

namespace nabla {
namespace {

TEST(PrintRules, CoverEveryOpInOpsDef) {
  int covered = 0;
#define X(name, arity, spelling)                                       \
  EXPECT_TRUE(has_print_rule(Op::name)) << "no print rule for " #name; \
  EXPECT_NO_THROW(print_rule(Op::name));                               \
  ++covered;
#include "ir/ops.def"
#undef X
  EXPECT_EQ(covered, kOpCount);
}

TEST(PrintRules, MissingOpThrows) {
  Op bogus = static_cast<Op>(kOpCount);
  EXPECT_FALSE(has_print_rule(bogus));
  EXPECT_THROW(print_rule(bogus), Error);
}

}  // namespace
}  // namespace nabla
