// The one Greek table (ir/greek.h): every name prints as its letter in Unicode and as the LaTeX
// command of the same letter, the printed letter reads back as the name, and the lower-case
// names (but pi, the constant) spell scalars.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "ir/greek.h"
#include "parse/builtins.h"
#include "parse/lexer.h"
#include "print/names.h"

namespace nabla {
namespace {

TEST(GreekTable, EveryNamePrintsOneLetterInUnicodeAndLatexAndReadsBack) {
  std::set<std::string_view> letters;
  for (const GreekLetter& row : kGreekLetters) {
    const std::string base(row.name);
    SCOPED_TRACE(base);
    // With a subscript: a bare sigma and pi print as names (σ reads as sigmoid, π as the constant).
    const std::string name = base + "2";
    if (row.letter.empty()) {  // spelled out in both (KaTeX has no \omicron)
      EXPECT_EQ(unicode_name(name), base + "₂");
      EXPECT_EQ(latex_name(name), "\\mathrm{" + base + "}_2");
      continue;
    }
    EXPECT_TRUE(letters.insert(row.letter).second) << "a second name prints as " << row.letter;
    EXPECT_EQ(row.latex, "\\" + base);  // the command named as the letter is
    EXPECT_EQ(unicode_name(name), std::string(row.letter) + "₂");
    EXPECT_EQ(latex_name(name), std::string(row.latex) + "_2");
    EXPECT_EQ(greek_latex(row.letter), row.latex);  // the letter itself, as LaTeX
    // What the Unicode printer wrote reads back as the name.
    std::vector<Token> t = tokenize(std::string(row.letter) + "₂");
    ASSERT_FALSE(t.empty());
    EXPECT_EQ(t[0].kind, Tok::Ident);
    EXPECT_EQ(t[0].text, name);
  }
  // The var- forms are letters of their own.
  EXPECT_EQ(unicode_name("varepsilon"), "ϵ");
  EXPECT_EQ(latex_name("varepsilon"), "\\varepsilon");
  EXPECT_NE(unicode_name("varepsilon"), unicode_name("epsilon"));
}

TEST(GreekTable, LowerCaseNamesSpellScalars) {
  for (const GreekLetter& row : kGreekLetters) {
    const std::string name(row.name);
    EXPECT_EQ(is_greek_name(name), is_scalar_greek(row)) << name;
    EXPECT_EQ(is_greek_name(name + "_1"), is_scalar_greek(row)) << name;
  }
  EXPECT_TRUE(is_greek_name("varphi2"));
  EXPECT_FALSE(is_greek_name("pi2"));
  EXPECT_FALSE(is_greek_name("Gamma"));  // an upper-case name is a matrix
}

}  // namespace
}  // namespace nabla
