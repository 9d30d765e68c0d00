#include "ir/error.h"
#include "print_fixture.h"

namespace nabla {
namespace {

using PrintLimits = PrintTest;

TEST_F(PrintLimits, LongSumsPrintFlat) {
  Id s = V("a");
  for (int i = 0; i < 20000; ++i) s = add(g, s, scale(g, num(-2), V("b")));
  std::string t = text(s);
  EXPECT_EQ(t.size(), 1 + 20000 * 6u);
  EXPECT_EQ(t.substr(0, 13), "a - 2*b - 2*b");
}

TEST_F(PrintLimits, DeepNestingEitherPrintsOrFailsCleanly) {
  Id e = V("x");
  for (int i = 0; i < 800; ++i) e = transpose(g, transpose(g, unary(g, Op::Exp, e)));
  EXPECT_EQ(text(e).size(), 1 + 800 * 7u);  // exp(...)'' per level
  for (int i = 0; i < 3000; ++i) e = unary(g, Op::Exp, e);
  for (Format f : {Format::Text, Format::Unicode, Format::Latex}) {
    try {
      print(g, e, f);
      FAIL() << "expected a nesting limit";
    } catch (const Error& err) {
      EXPECT_EQ(err.kind(), ErrorKind::Limit);
    }
  }
}

TEST_F(PrintLimits, ExponentialDagFailsCleanly) {
  Id d = V("x");
  for (int i = 0; i < 60; ++i) d = add(g, d, d);
  try {
    text(d);
    FAIL() << "expected a size limit";
  } catch (const Error& err) {
    EXPECT_EQ(err.kind(), ErrorKind::Limit);
  }
}

TEST_F(PrintLimits, BadIdIsAnInternalError) {
  try {
    to_text(g, static_cast<Id>(g.size()) + 5);
    FAIL();
  } catch (const Error& err) {
    EXPECT_EQ(err.kind(), ErrorKind::Internal);
  }
}

}  // namespace
}  // namespace nabla
