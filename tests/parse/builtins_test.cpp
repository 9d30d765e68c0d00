// The built-in functions come from the record: every row of ir/functions.def is a built-in
// naming its op, and every sugar row (sqrt, log2, log10, norm1) a built-in with no op of its
// own that lowers to primitives.
#include <gtest/gtest.h>

#include <string>

#include "ir/build.h"
#include "ir/graph.h"
#include "parse/builtins.h"

namespace nabla {
namespace {

TEST(Builtins, EveryFunctionRowIsABuiltinNamingItsOp) {
  int rows = 0;
#define FUNCTION(Name, api, spelling, ...)                     \
  {                                                            \
    ++rows;                                                    \
    const Builtin* b = find_builtin(spelling);                 \
    ASSERT_NE(b, nullptr) << spelling;                         \
    EXPECT_EQ(b->op, std::optional<Op>(Op::Name)) << spelling; \
    EXPECT_EQ(b->sugar, nullptr) << spelling;                  \
  }
#include "ir/functions.def"
#undef FUNCTION
  EXPECT_EQ(rows, kFunctionCount);
}

TEST(Builtins, EverySugarRowIsABuiltinWithoutAnOpThatLowersToPrimitives) {
  Graph g;
  const Id x = variable(g, g.declare_variable("x", Shape::vector(g.dims.intern("n"))));
  int rows = 0;
#define FUNCTION(...)
#define SUGAR(spelling, rule, lowering)                                         \
  {                                                                             \
    ++rows;                                                                     \
    const Builtin* b = find_builtin(spelling);                                  \
    ASSERT_NE(b, nullptr) << spelling;                                          \
    EXPECT_FALSE(b->op.has_value()) << spelling << " names an op: it is sugar"; \
    ASSERT_NE(b->sugar, nullptr) << spelling;                                   \
    EXPECT_EQ(b->sugar->shape, ShapeRule::rule) << spelling;                    \
    EXPECT_EQ(b->sugar->lower(g, x), [&] { return lowering; }()) << spelling;   \
  }
#include "ir/functions.def"
#undef SUGAR
#undef FUNCTION
  EXPECT_GE(rows, 4);
  // sqrt(x) is x.^(1/2): the primitive, not a row of its own.
  const Id s = find_builtin("sqrt")->sugar->lower(g, x);
  EXPECT_EQ(g[s].op, Op::Power);
  EXPECT_EQ(g[s].kids[1], constant(g, Rational{1, 2}));
}

}  // namespace
}  // namespace nabla
