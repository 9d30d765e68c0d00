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

std::string read_corpus(const std::string& name) {
  std::ifstream in(std::string(NABLA_DATA_DIR) + "/" + name);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Checks every query of a corpus and returns the percentage of printed results no longer
// than the reference (printing it and the misses).
double corpus_no_longer_percent(const std::string& name, int min_checks) {
  std::string source = read_corpus(name);
  EXPECT_FALSE(source.empty()) << "cannot read " NABLA_DATA_DIR "/" << name;
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
    EXPECT_NE(eq, std::string::npos) << q.text;
    if (eq == std::string::npos) continue;
    std::string ref_text = q.text.substr(eq + 4);
    std::string printed = to_text(g, result);
    int have = count_tokens(printed), want = count_tokens(ref_text);
    if (have <= want)
      ++no_longer;
    else
      longer += "  " + printed + "  (" + std::to_string(have) + " tokens)  vs  " + ref_text +
                "  (" + std::to_string(want) + ")\n";
  }
  EXPECT_GE(checks, min_checks);
  double percent = checks ? 100.0 * no_longer / checks : 0;
  std::printf("%s: %d of %d printed results (%.1f%%) are no longer than the reference\n%s",
              name.c_str(), no_longer, checks, percent, longer.c_str());
  return percent;
}

TEST(Identities, AllHoldAndNinetyPercentPrintNoLongerThanTheReference) {
  EXPECT_GE(corpus_no_longer_percent("identities.nabla", 30), 90.0);
}

// tests/data/textbook.nabla: every check holds; the share of results no longer than the
// textbook's form is printed with the misses (issue 15 asks for 90%; the floor below is what
// the simplifier reaches today and may only rise).
TEST(Textbook, AllHoldAndPrintTheShareNoLongerThanTheReference) {
  EXPECT_GE(corpus_no_longer_percent("textbook.nabla", 30), 90.0);
}

}  // namespace
}  // namespace nabla
