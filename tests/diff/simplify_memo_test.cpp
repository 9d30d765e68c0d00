// The simplifier keeps its memo (structural keys, the rewrite of each node) beside the graph, so
// a later simplify call starts from what earlier calls on the same graph learned. Sharing it must
// never change a result: every derivation and simplification below prints exactly as it does in
// a fresh graph where it is the only one.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "diff/diff.h"
#include "ir/graph.h"
#include "parse/frontend.h"
#include "print/print.h"
#include "simplify/simplify.h"

namespace nabla {
namespace {

std::string identities_text() {
  std::ifstream in(std::string(NABLA_DATA_DIR) + "/identities.nabla");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Each side of each check (left sides are derivation queries), derived and simplified; with
// `only` >= 0 just that side, in a graph where nothing else was simplified.
std::vector<std::string> derive_sides(const std::string& script, int only) {
  Graph g;
  Frontend fe(g);
  std::vector<Query> queries = fe.run_script(script);
  std::vector<std::string> out;
  int index = 0;
  for (const Query& q : queries) {
    if (q.kind != QueryKind::Check) continue;
    for (Id side : {q.expr, q.rhs}) {
      if (only < 0 || index == only)
        out.push_back(to_text(g, simplify(g, expand_queries(g, side))));
      ++index;
    }
  }
  return out;
}

TEST(SimplifyMemo, IdentitiesInOneGraphMatchEachAlone) {
  const std::string script = identities_text();
  ASSERT_FALSE(script.empty()) << "cannot read identities.nabla";
  std::vector<std::string> shared = derive_sides(script, -1);
  ASSERT_GE(shared.size(), 60u);
  for (size_t i = 0; i < shared.size(); ++i) {
    std::vector<std::string> alone = derive_sides(script, static_cast<int>(i));
    ASSERT_EQ(alone.size(), 1u);
    EXPECT_EQ(shared[i], alone[0]) << "side " << i;
  }
}

// Simplifies each text in order in one graph, and each alone in a fresh graph.
void expect_same_as_alone(const std::string& decls, const std::vector<std::string>& texts) {
  Graph g;
  Frontend fe(g);
  fe.run_script(decls);
  for (const std::string& t : texts) {
    std::string in_sequence = to_text(g, simplify(g, fe.parse_expression(t)));
    Graph fresh;
    Frontend fresh_fe(fresh);
    fresh_fe.run_script(decls);
    std::string alone = to_text(fresh, simplify(fresh, fresh_fe.parse_expression(t)));
    EXPECT_EQ(in_sequence, alone) << t;
  }
}

TEST(SimplifyMemo, WrittenOrientationOfEachInputIsKept) {
  // The simplifier keeps u'*v as written when the input has only that orientation, so the same
  // sub-expression may simplify differently from one input to the next.
  expect_same_as_alone("x, y in R^n; s in R",
                       {"y'*x + s", "x'*y + s", "(y'*x)*(x'*y) + s", "y'*x + s", "x'*y*s + 2*s",
                        "(x'*y + y'*x)*s", "y'*x*x"});
}

TEST(SimplifyMemo, RepeatedInputsAndSubexpressions) {
  expect_same_as_alone("x, a in R^n; A, B in R^(n x n); S in Sym(n)",
                       {"(A + A')*x + 0*x", "(A + A')*x", "x'*(A + A')*x", "tr(A*B) + tr(B*A)",
                        "S' + S", "(A + A')*x + 0*x", "log(1 + exp(a'*x)) - log(1 + exp(a'*x))",
                        "exp(a'*x)/(1 + exp(a'*x))", "x'*A'*x"});
}

TEST(SimplifyMemo, StepsNameTheRulesEvenWhenTheMemoKnowsTheResult) {
  const std::string decls = "x in R^n; A in R^(n x n)";
  const std::string text = "(A + A')'*x + 0*x + x'*A*x*x - x*(x'*A'*x)";
  Graph g;
  Frontend fe(g);
  fe.run_script(decls);
  Id e = fe.parse_expression(text);
  Id first = simplify(g, e);  // fills the graph's memo
  StepLog steps;
  Id second = simplify(g, e, {}, nullptr, &steps);
  EXPECT_EQ(first, second);

  Graph fresh;
  Frontend fresh_fe(fresh);
  fresh_fe.run_script(decls);
  StepLog fresh_steps;
  simplify(fresh, fresh_fe.parse_expression(text), {}, nullptr, &fresh_steps);
  ASSERT_FALSE(fresh_steps.lines.empty());
  EXPECT_EQ(steps.lines, fresh_steps.lines);
}

TEST(SimplifyMemo, SimplifyingAResultAgainIsOnePass) {
  Graph g;
  Frontend fe(g);
  fe.run_script("x, w in R^d");
  Id e = expand_queries(g, fe.parse_expression("grad(log(1 + exp(-w'*x)), w)"));
  SimplifyReport report;
  EXPECT_EQ(simplify(g, e, {}, &report), e);
  EXPECT_EQ(report.stop_reason, "fixpoint");
  EXPECT_LE(report.iterations, 1u);  // 0: the memo knows e as a result of simplify
}

}  // namespace
}  // namespace nabla
