// tests/data/identities.nabla asks for two things: every check holds, and nabla's printed
// result is no longer than the reference right-hand side for at least 90% of the queries.
// Length is counted in tokens: names (function names included), numbers and operators (unary
// minus and ' included), not brackets, commas or semicolons. The test prints the percentage.
#include <gtest/gtest.h>

#include <cctype>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "check/check.h"
#include "diff/diff.h"
#include "parse/frontend.h"
#include "print/print.h"
#include "simplify/simplify.h"

namespace nabla {
namespace {

// Tokens of an expression in nabla's text syntax.
int count_tokens(const std::string& s) {
  int n = 0;
  size_t i = 0;
  while (i < s.size()) {
    unsigned char ch = static_cast<unsigned char>(s[i]);
    if (std::isspace(ch) || ch == '(' || ch == ')' || ch == '[' || ch == ']' || ch == ',' ||
        ch == ';') {
      ++i;
    } else if (std::isalpha(ch) || ch == '_') {
      while (i < s.size() && (std::isalnum(static_cast<unsigned char>(s[i])) || s[i] == '_')) ++i;
      ++n;
    } else if (std::isdigit(ch) || (ch == '.' && i + 1 < s.size() &&
                                    std::isdigit(static_cast<unsigned char>(s[i + 1])))) {
      while (i < s.size() &&
             (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '.' || s[i] == 'e'))
        ++i;
      ++n;
    } else if (ch == '.' && i + 1 < s.size() &&
               (s[i + 1] == '*' || s[i + 1] == '/' || s[i + 1] == '^')) {
      i += 2;  // .* ./ .^
      ++n;
    } else {
      ++i;  // + - * / ^ ' < > =
      ++n;
    }
  }
  return n;
}

TEST(TokenCount, CountsNamesNumbersAndOperators) {
  EXPECT_EQ(count_tokens("-sigmoid(-w'*x)*x"), 9);
  EXPECT_EQ(count_tokens("(A + A')*x"), 6);
  EXPECT_EQ(count_tokens("y .* sigmoid(-y .* (X*w))"), 9);
  EXPECT_EQ(count_tokens("partial(L, 1)(x, y)"), 5);
  EXPECT_EQ(count_tokens("1/2*x"), 5);
  EXPECT_EQ(count_tokens("[x; y - 2.5]"), 4);
}

std::string read_identities() {
  std::ifstream in(NABLA_DATA_DIR "/identities.nabla");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(Identities, AllHoldAndNinetyPercentPrintNoLongerThanTheReference) {
  std::string source = read_identities();
  ASSERT_FALSE(source.empty()) << "cannot read " NABLA_DATA_DIR "/identities.nabla";
  Graph g;
  Frontend fe(g);
  std::vector<Query> queries = fe.run_script(source);
  int checks = 0, no_longer = 0;
  std::string longer;
  for (const Query& q : queries) {
    if (q.kind != QueryKind::Check) continue;
    ++checks;
    Id result = simplify(g, expand_queries(g, q.expr));
    Id reference = expand_queries(g, q.rhs);
    CheckResult r = check_equal(g, result, reference);
    EXPECT_TRUE(r.holds) << q.text << "\n" << r.counterexample;
    size_t eq = q.text.find(" == ");
    ASSERT_NE(eq, std::string::npos) << q.text;
    std::string ref_text = q.text.substr(eq + 4);
    std::string printed = to_text(g, result);
    int have = count_tokens(printed), want = count_tokens(ref_text);
    if (have <= want)
      ++no_longer;
    else
      longer += "  " + printed + "  (" + std::to_string(have) + " tokens)  vs  " + ref_text +
                "  (" + std::to_string(want) + ")\n";
  }
  ASSERT_GE(checks, 30);
  double percent = 100.0 * no_longer / checks;
  std::printf(
      "identities.nabla: %d of %d printed results (%.1f%%) are no longer than the "
      "reference\n%s",
      no_longer, checks, percent, longer.c_str());
  EXPECT_GE(percent, 90.0) << longer;
}

}  // namespace
}  // namespace nabla
