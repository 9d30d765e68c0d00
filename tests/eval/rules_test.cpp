// The evaluation rule table covers every op of ops.def.
#include <gtest/gtest.h>

#include "eval/eval_rules.h"
#include "ir/error.h"

namespace nabla {
namespace {

TEST(EvalRules, TableCoversEveryOp) {
  const auto& table = eval_rules();
  ASSERT_EQ(table.size(), static_cast<size_t>(kOpCount));
  for (int i = 0; i < kOpCount; ++i) {
    Op op = static_cast<Op>(i);
    EXPECT_NE(table[static_cast<size_t>(i)], nullptr) << "no rule for " << op_name(op);
    EXPECT_NO_THROW(eval_rule(op)) << op_name(op);
  }
}

TEST(EvalRules, LimitCheckRefusesHugeSizes) {
  EXPECT_NO_THROW(check_entries(10000, 10000, "x"));
  EXPECT_THROW(check_entries(10000, 10001, "x"), Error);
  EXPECT_THROW(check_entries(int64_t{1} << 40, int64_t{1} << 40, "x"), Error);
}

}  // namespace
}  // namespace nabla
