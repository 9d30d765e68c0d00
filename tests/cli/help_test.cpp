// Help that helps: nabla help [COMMAND], "did you mean ...?" for misspelled built-ins,
// commands, options and declared names, and messages that name the spelling rule.
#include <gtest/gtest.h>

#include <string>

#include "parse/suggest.h"
#include "run_nabla.h"

namespace nabla::testing {
namespace {

TEST(EditDistance, CountsSwapsAsOne) {
  EXPECT_EQ(edit_distance("sigmod", "sigmoid"), 1u);
  EXPECT_EQ(edit_distance("lgo", "log"), 1u);
  EXPECT_EQ(edit_distance("jacobain", "jacobian"), 1u);
  EXPECT_EQ(edit_distance("", "abc"), 3u);
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
}

TEST(ClosestName, ScalesTheDistanceWithTheLength) {
  std::vector<std::string> c{"sigmoid", "softplus", "log", "exp", "tanh"};
  EXPECT_EQ(closest_name("sigmod", c).value_or(""), "sigmoid");
  EXPECT_EQ(closest_name("sfotplus", c).value_or(""), "softplus");
  EXPECT_EQ(closest_name("lgo", c).value_or(""), "log");
  EXPECT_FALSE(closest_name("ex", c).has_value());    // too short to guess
  EXPECT_FALSE(closest_name("lgoo", c).has_value());  // 2 edits from log: too far for 4 letters
  EXPECT_FALSE(closest_name("banana", c).has_value());
}

TEST(Help, OverviewAndCommands) {
  RunResult r = run_nabla({"help"});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("nabla grad EXPR --wrt X"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("nabla help COMMAND"), std::string::npos) << r.out;
  for (const char* command :
       {"grad", "jacobian", "hessian", "diff", "simplify", "check", "eval", "run"}) {
    RunResult c = run_nabla({"help", command});
    EXPECT_EQ(c.status, 0) << command << c.err;
    EXPECT_NE(c.out.find("--format"), std::string::npos) << command << "\n" << c.out;
  }
  RunResult eval = run_nabla({"help", "eval"});
  EXPECT_NE(eval.out.find("--values"), std::string::npos) << eval.out;
  RunResult grad = run_nabla({"help", "grad"});
  EXPECT_NE(grad.out.find("--wrt"), std::string::npos) << grad.out;
}

TEST(Help, MisspelledCommandTopic) {
  RunResult r = run_nabla({"help", "hesian"});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("did you mean 'hessian'?"), std::string::npos) << r.err;
}

TEST(Suggestions, MisspelledCommand) {
  RunResult r = run_nabla({"gard", "x'*x", "--wrt", "x"});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("did you mean 'grad'?"), std::string::npos) << r.err;
  EXPECT_LT(r.err.size(), 200u) << r.err;
}

TEST(Suggestions, MisspelledOption) {
  RunResult a = run_nabla({"grad", "x'*x", "--wrt", "x", "--stpes"});
  EXPECT_EQ(a.status, 2);
  EXPECT_NE(a.err.find("unknown option '--stpes'"), std::string::npos) << a.err;
  EXPECT_NE(a.err.find("did you mean '--steps'?"), std::string::npos) << a.err;
  RunResult b = run_nabla({"-e", "x in R", "--fromat", "json"});
  EXPECT_EQ(b.status, 2);
  EXPECT_NE(b.err.find("did you mean '--format'?"), std::string::npos) << b.err;
  RunResult c = run_nabla({"eval", "x", "--vlaues", "{}"});
  EXPECT_EQ(c.status, 2);
  EXPECT_NE(c.err.find("did you mean '--values'?"), std::string::npos) << c.err;
}

TEST(Suggestions, OptionsBeforeTheCommand) {
  RunResult r = run_nabla({"--format", "json", "grad", "x'*x", "--wrt", "x"});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("\"result\":\"2*x\""), std::string::npos) << r.out;
}

TEST(Suggestions, MisspelledBuiltin) {
  RunResult r = run_nabla({"-e", "x in R^n; grad(sum(sigmod(x)), x)"});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("hint: did you mean 'sigmoid'?"), std::string::npos) << r.err;
  RunResult t = run_nabla({"-e", "x in R; tnah(x)"});
  EXPECT_NE(t.err.find("did you mean 'tanh'?"), std::string::npos) << t.err;
}

TEST(Suggestions, MisspelledDeclaredFunction) {
  RunResult r = run_nabla({"-e", "loss : R^n -> R; x in R^n; grad(lsos(x), x)"});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("did you mean 'loss'?"), std::string::npos) << r.err;
}

TEST(Suggestions, MisspelledDeclaredVariable) {
  RunResult r = run_nabla({"-e", "theta in R^n; A in R^(n x m); grad(tr(thetaa + A), theta)"});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("did you mean 'theta'?"), std::string::npos) << r.err;
}

TEST(SpellingRule, LowerCaseIsAVector) {
  RunResult r = run_nabla({"-e", "A in R^(n x m); a + A"});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("'a' is a vector by its spelling (lower-case); declare a in R for a scalar"),
            std::string::npos)
      << r.err;
}

TEST(SpellingRule, UpperCaseUsedAsAScalarStops) {
  RunResult r = run_nabla({"-e", "x in R; diff(K^0.5*x, x)"});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("'K' is used as a scalar, but it is a matrix by its spelling"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("declare K in R for a scalar"), std::string::npos) << r.err;
  // Declared as a scalar, the same query is answered.
  RunResult ok = run_nabla({"-e", "x, K in R; diff(K^0.5*x, x)"});
  EXPECT_EQ(ok.status, 0) << ok.err;
}

}  // namespace
}  // namespace nabla::testing

namespace nabla::testing {
namespace {

TEST(Suggestions, MisspelledWrt) {
  RunResult r = run_nabla({"grad", "theta'*theta", "--wrt", "thetta"});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("did you mean 'theta'?"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace nabla::testing
