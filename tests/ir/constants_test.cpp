// The one test of "is the constant 1" (ir/build.h is_one) and of "1 in every entry" (is_ones).
#include <gtest/gtest.h>

#include "ir/build.h"
#include "ir/graph.h"

namespace nabla {
namespace {

TEST(Constants, IsOneIsTheConstantOneExactOrDouble) {
  Graph g;
  EXPECT_TRUE(is_one(g, integer(g, 1)));
  EXPECT_TRUE(is_one(g, constant(g, 1.0)));
  Node d;  // a double 1.0 built by hand (constant() would make it the exact 1)
  d.op = Op::Const;
  d.b = 0;
  d.f = 1.0;
  EXPECT_TRUE(is_one(g, g.add(d)));
  EXPECT_FALSE(is_one(g, integer(g, 2)));
  EXPECT_FALSE(is_one(g, integer(g, -1)));
  EXPECT_FALSE(is_one(g, constant(g, Rational{1, 2})));
  EXPECT_FALSE(is_one(g, constant(g, 1.5)));
  EXPECT_FALSE(is_one(g, pi(g)));
  const Shape s = Shape::vector(g.dims.intern("n"));
  EXPECT_FALSE(is_one(g, ones(g, s)));  // 1 in every entry, not the constant
  EXPECT_FALSE(is_one(g, identity(g, g.dims.intern("n"))));
  EXPECT_FALSE(is_one(g, variable(g, g.declare_variable("x", Shape::scalar()))));
}

TEST(Constants, IsOnesAddsOnesOfAnyShape) {
  Graph g;
  EXPECT_TRUE(is_ones(g, integer(g, 1)));
  EXPECT_TRUE(is_ones(g, ones(g, Shape::vector(g.dims.intern("n")))));
  EXPECT_FALSE(is_ones(g, zeros(g, Shape::vector(g.dims.intern("n")))));
  EXPECT_FALSE(is_ones(g, identity(g, g.dims.intern("n"))));
  EXPECT_FALSE(is_ones(g, integer(g, 0)));
}

}  // namespace
}  // namespace nabla
