// The saturation step of the simplifier: its e-graph facts, its limits (every corpus query
// stop it with a typed stop reason), and the explanation it reports. The corpus termination
// test is in tests/cli/saturation_corpus_test.cpp (it derives).
#include <gtest/gtest.h>

#include "simplify/saturate.h"
#include "test_util.h"

namespace nabla {
namespace {

using testing::Scope;

std::string simplified(Scope& s, const std::string& text, SimplifyReport* report = nullptr) {
  return to_text(s.g, s.simp(text, report));
}

TEST(EGraphFacts, SymmetryIsInferredFromStructure) {
  Scope s("S in Sym(n); X in R^(n x m); A in R^(n x n); v in R^n");
  Graph& g = s.g;
  eg::EGraph e(g);
  auto cls = [&](const char* text) { return e.add_term(s.parse(text)); };
  eg::ClassId sym_decl = cls("S"), gram = cls("X'*X"), gram2 = cls("X*X'"), plus_t = cls("A + A'"),
              sandwich = cls("X'*S*X"), inverse = cls("inv(S)"), scaled = cls("2*S + I"),
              diagonal = cls("diag(v)"), general = cls("A"), product = cls("A*S");
  e.rebuild();
  for (eg::ClassId c : {sym_decl, gram, gram2, plus_t, sandwich, inverse, scaled, diagonal})
    EXPECT_TRUE(e.is_symmetric(c)) << c;
  EXPECT_FALSE(e.is_symmetric(general));
  EXPECT_FALSE(e.is_symmetric(product));
  EXPECT_TRUE(e.is_diagonal(diagonal));
  EXPECT_TRUE(e.is_positive(cls("exp(v)")));
  EXPECT_TRUE(e.is_positive(cls("norm2(v)")));
  EXPECT_TRUE(e.is_positive(cls("v'*v")));
  e.rebuild();
}

TEST(EGraph, CongruenceClosureMergesParentsOfMergedClasses) {
  Scope s("a, b in R");
  eg::EGraph e(s.g);
  eg::ClassId fa = e.add_term(s.parse("exp(a)")), fb = e.add_term(s.parse("exp(b)"));
  EXPECT_NE(e.find(fa), e.find(fb));
  e.merge(e.add_term(s.parse("a")), e.add_term(s.parse("b")));
  e.rebuild();
  EXPECT_EQ(e.find(fa), e.find(fb));
}

TEST(EGraph, ConstantsFold) {
  Scope s("x in R");
  eg::EGraph e(s.g);
  eg::ClassId c = e.add_term(s.parse("2 + 1/2"));
  e.rebuild();
  simp::Num v;
  ASSERT_TRUE(e.num_of(c, &v));
  EXPECT_TRUE(simp::same(v, simp::Num::of(Rational{5, 2})));
}

TEST(Saturation, UsesSymmetryAndReportsTheRulesApplied) {
  Scope s("S in Sym(n); x in R^n; C in Sym(n)");
  SimplifyReport r;
  EXPECT_EQ(simplified(s, "inv(S)' - C", &r), "inv(S) - C");
  EXPECT_FALSE(r.saturation_stop.empty());
  EXPECT_NE(std::find(r.rewrites.begin(), r.rewrites.end(), "S' = S for symmetric S"),
            r.rewrites.end());
  EXPECT_EQ(simplified(s, "(S + S')*x"), "2*S*x");
}

TEST(Saturation, FactorsAndPresents) {
  Scope s("x, b, a in R^n; u, y in R");
  EXPECT_EQ(simplified(s, "2*x - 2*b"), "2*(x - b)");
  EXPECT_EQ(simplified(s, "-(a'*x)^(-2)*a"), "-a/(a'*x)^2");
  EXPECT_EQ(simplified(s, "(1 + x'*x)^(-1/2)*x"), "x/sqrt(1 + x'*x)");
  EXPECT_EQ(simplified(s, "sigmoid(u)*(1 - y) - y*sigmoid(-u)"), "sigmoid(u) - y");
  EXPECT_EQ(simplified(s, "log(1 - sigmoid(u))"), "-softplus(u)");
}

TEST(Saturation, LimitsStopWithATypedReason) {
  Scope s("x, y, z, w in R^n");
  SimplifyOptions tight;
  tight.max_egraph_nodes = 40;
  SimplifyReport r;
  simplify(s.g, s.parse("(x + y + z + w)'*(x + 2*y + 3*z + 4*w)"), tight, &r);
  EXPECT_EQ(r.saturation_stop, "node limit");
  Scope fresh("x, y, z, w in R^n");  // a new graph: its memo does not know the result yet
  tight = SimplifyOptions{};
  tight.max_egraph_iterations = 1;
  simplify(fresh.g, fresh.parse("(x + y + z + w)'*(x + 2*y + 3*z + 4*w)"), tight, &r);
  EXPECT_EQ(r.saturation_stop, "iteration limit");
}

}  // namespace
}  // namespace nabla
