// Work budgets through the library: the simplifier's node and time budgets hold inside its
// rules (a single rule application on a huge input is interrupted, not waited for), a
// SimplifyDeadline bounds several calls together, and a derivation that exceeds its budget
// stops with ErrorKind::Limit naming the limit.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>

#include "diff/diff.h"
#include "ir/build.h"
#include "ir/error.h"
#include "ir/graph.h"
#include "simplify/simplify.h"

namespace nabla {
namespace {

double elapsed_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Slack for a sanitizer build, where the work between two budget checks is several times slower.
double slack() {
#if defined(__SANITIZE_ADDRESS__)
  return 5.0;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
  return 5.0;
#else
  return 1.0;
#endif
#else
  return 1.0;
#endif
}

struct Doubling {
  Graph g;
  Id x = kNoId;
  Id top = kNoId;
  // e0 = x'*x, e_i = e_{i-1}*e_{i-1} + sin(e_{i-1}): a DAG of 4n nodes, a tree of ~3^n.
  explicit Doubling(int n) {
    Dim d = g.dims.intern("n");
    x = variable(g, g.declare_variable("x", Shape::vector(d)));
    top = matmul(g, transpose(g, x), x);
    for (int i = 0; i < n; ++i) top = add(g, product(g, top, top), unary(g, Op::Sin, top));
  }
};

TEST(SimplifyBudget, TimeLimitHoldsInsideRules) {
  Doubling d(60);
  Id gr = grad(d.g, d.top, d.x);
  SimplifyOptions options;
  options.max_nodes = size_t{1} << 40;  // only the clock can stop it
  options.max_seconds = 0.3;
  SimplifyReport report;
  auto start = std::chrono::steady_clock::now();
  Id s = simplify(d.g, gr, options, &report);
  double seconds = elapsed_since(start);
  EXPECT_EQ(report.stop_reason, "time limit");
  EXPECT_LT(seconds, 0.3 + 0.5 * slack());
  EXPECT_EQ(d.g[s].shape, d.g[gr].shape);
}

TEST(SimplifyBudget, NodeLimitHoldsInsideRules) {
  Doubling d(60);
  Id gr = grad(d.g, d.top, d.x);
  SimplifyOptions options;
  options.max_nodes = 20000;
  options.max_seconds = 30;
  SimplifyReport report;
  auto start = std::chrono::steady_clock::now();
  simplify(d.g, gr, options, &report);
  EXPECT_EQ(report.stop_reason, "node limit");
  EXPECT_LT(elapsed_since(start), 2.0 * slack());
}

TEST(SimplifyBudget, DeadlineIsSharedByCalls) {
  Doubling d(60);
  Id gr = grad(d.g, d.top, d.x);
  SimplifyOptions options;
  options.max_nodes = size_t{1} << 40;
  options.max_seconds = 60;  // each call alone would take far longer than the deadline
  auto start = std::chrono::steady_clock::now();
  {
    SimplifyDeadline deadline(0.2);
    for (int i = 0; i < 5; ++i) {
      SimplifyReport report;
      simplify(d.g, gr, options, &report);
      EXPECT_EQ(report.stop_reason, "time limit") << "call " << i;
    }
    EXPECT_TRUE(SimplifyDeadline::passed());
  }
  EXPECT_LT(elapsed_since(start), 0.2 + 0.5 * slack());
  EXPECT_FALSE(SimplifyDeadline::passed());  // gone with its scope
  // A small expression still simplifies to its fixpoint after the scope.
  SimplifyReport report;
  simplify(d.g, add(d.g, d.x, d.x), {}, &report);
  EXPECT_EQ(report.stop_reason, "fixpoint");
}

TEST(SimplifyBudget, NestedDeadlineKeepsTheEarlier) {
  SimplifyDeadline outer(0.0);
  {
    SimplifyDeadline inner(100.0);
    Doubling d(3);
    SimplifyReport report;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    simplify(d.g, d.top, {}, &report);
    EXPECT_EQ(report.stop_reason, "time limit");
  }
}

TEST(DerivationBudget, HugeDerivativeStopsWithALimitError) {
  Doubling d(60);
  Id q = grad_query(d.g, d.top, {d.x});
  auto start = std::chrono::steady_clock::now();
  try {
    expand_queries(d.g, q);
    FAIL() << "expected a Limit error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Limit);
    EXPECT_NE(std::string(e.what()).find("limit"), std::string::npos) << e.what();
  }
  EXPECT_LT(elapsed_since(start), 1.0 + 1.0 * slack());
}

TEST(DerivationBudget, OrdinaryDerivativeIsUnaffected) {
  Doubling d(3);
  Id q = grad_query(d.g, d.top, {d.x});
  Id r = expand_queries(d.g, q);
  EXPECT_EQ(d.g[r].shape, d.g[d.x].shape);
}

}  // namespace
}  // namespace nabla
