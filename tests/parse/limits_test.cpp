#include <gtest/gtest.h>

#include <ctime>

#include "test_util.h"

namespace nabla {
namespace {

ErrorKind kind_of(const std::string& src) {
  Graph g;
  Frontend f(g);
  try {
    f.run_script(src);
  } catch (const Error& e) {
    return e.kind();
  }
  return ErrorKind::Internal;  // "no error"
}

TEST(Limits, DeepParenthesesAreALimitErrorNotACrash) {
  std::string deep = std::string(100000, '(') + "x" + std::string(100000, ')');
  Graph g;
  Frontend f(g);
  try {
    f.run_script(deep);
    FAIL() << "accepted 100000 nested parentheses";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Limit);
    EXPECT_STREQ(e.what(), "nesting deeper than 1000");
    EXPECT_EQ(e.span().begin, 1000u);
    EXPECT_LT(format_error(e, deep, "x").size(), 1000u);  // long lines are cut
  }
}

TEST(Limits, NestingUpToTheLimitIsFine) {
  std::string ok = std::string(1000, '(') + "x" + std::string(1000, ')');
  Graph g;
  Frontend f(g);
  EXPECT_EQ(f.run_script(ok).size(), 1u);
}

TEST(Limits, EveryRecursiveFormCounts) {
  EXPECT_EQ(kind_of(std::string(2000, '[') + "x" + std::string(2000, ']')), ErrorKind::Limit);
  EXPECT_EQ(kind_of(std::string(2000, '-') + "x"), ErrorKind::Limit);
  std::string powers;
  for (int i = 0; i < 2000; ++i) powers += "x^";
  EXPECT_EQ(kind_of(powers + "x"), ErrorKind::Limit);
  EXPECT_EQ(kind_of("x" + std::string(2000, '\'')), ErrorKind::Limit);
  std::string calls;
  for (int i = 0; i < 2000; ++i) calls += "exp(";
  EXPECT_EQ(kind_of(calls + "x" + std::string(2000, ')')), ErrorKind::Limit);
  std::string inner;
  for (int i = 0; i < 2000; ++i) inner += "<x, ";
  EXPECT_EQ(kind_of(inner + "x" + std::string(2000, '>')), ErrorKind::Limit);
}

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kSanitized = true;  // frames and allocations are many times slower
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif
#else
constexpr bool kSanitized = false;
#endif

TEST(Limits, OneMegabyteFlatExpressionIsFast) {
  // 1 MiB (a quarter of that in sanitizer builds, which are not timed).
  const size_t size = kSanitized ? (1u << 18) : (1u << 20);
  std::string src = "x in R^n\nx";
  while (src.size() < size) src += " + x";
  // CPU time, not wall time: on a loaded machine wall time stretches without the parser slowing.
  std::clock_t start = std::clock();
  Graph g;
  Frontend f(g);
  std::vector<Query> q = f.run_script(src);
  double seconds = static_cast<double>(std::clock() - start) / CLOCKS_PER_SEC;
  ASSERT_EQ(q.size(), 1u);
  EXPECT_EQ(g[q[0].expr].op, Op::Add);
  if (!kSanitized) {
    EXPECT_LT(seconds, 2.0);
  }
  // And as a product chain.
  std::string prod = "t in R\nt";
  while (prod.size() < size / 4) prod += "*t";
  EXPECT_EQ(f.run_script(prod).size(), 1u);
}

TEST(Limits, SourceSizeIsBounded) {
  std::string big(kMaxSourceBytes + 1, ' ');
  Graph g;
  Frontend f(g);
  try {
    f.run_script(big);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Limit);
  }
  EXPECT_THROW(f.parse_expression(big), Error);
}

TEST(Limits, HugeNumbersAndIndicesDoNotOverflow) {
  Graph g;
  Frontend f(g);
  Id big = f.parse_expression("123456789012345678901234567890");
  EXPECT_EQ(g[big].b, 0);  // a double
  Id p = f.parse_expression("2^200");
  EXPECT_EQ(g[p].op, Op::Power);  // exact folding overflowed: kept as a power
  EXPECT_EQ(kind_of("x in R^99999999999"), ErrorKind::Syntax);
  EXPECT_EQ(kind_of("L : R x R -> R; partial(L, 99999999999999)(a, b)"), ErrorKind::Syntax);
  EXPECT_EQ(kind_of("A in R^(n x n); A^100"), ErrorKind::Limit);
}

}  // namespace
}  // namespace nabla
