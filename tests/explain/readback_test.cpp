// Every IR line of every worked solution parses back, in text and in Unicode, to an expression
// numerically equal to the line (issue "Every printed result is exact"): for the exercise
// sheet, all methods. (Index-notation lines, with their sums and deltas, are not the language.)
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "check/check.h"
#include "diff/diff.h"
#include "explain/derivation.h"
#include "ir/build.h"
#include "ir/error.h"
#include "parse/frontend.h"
#include "print/print.h"
#include "simplify/simplify.h"

namespace nabla {
namespace {

TEST(ChainReadback, SheetLinesParseBackInTextAndUnicode) {
  std::ifstream in(std::string(NABLA_SOURCE_DIR) + "/examples/exercise-01.nabla");
  std::stringstream source;
  source << in.rdbuf();
  // Each paragraph (question) is read in the scope its declarations make: the script up to it.
  const std::string text = source.str();
  std::vector<size_t> ends;
  for (size_t at = text.find("\n\n"); at != std::string::npos; at = text.find("\n\n", at + 1))
    ends.push_back(at + 1);
  ends.push_back(text.size());
  int lines = 0;
  size_t begin = 0;
  for (size_t end : ends) {
    Graph g;
    Frontend front(g);
    for (const StatementOutcome& o : front.run_statements(text.substr(0, end))) {
      if (o.kind != StatementOutcome::Kind::Query || o.query.kind == QueryKind::Check) continue;
      if (o.span.begin < begin) continue;  // an earlier question's
      const Query& q = o.query;
      Id node = q.kind == QueryKind::Jacobian ? query(g, Op::Jacobian, q.expr, q.wrt[0])
                                              : grad_query(g, q.expr, q.wrt);
      Id result = simplify(g, expand_queries(g, node));
      for (StepsMethod m : {StepsMethod::Rule, StepsMethod::All}) {
        Derivation d = derive(g, node, result, m);
        for (const ChainLine& line : d.lines) {
          if (line.expr == kNoId) continue;
          for (Format f : {Format::Text, Format::Unicode}) {
            std::string printed = print(g, line.expr, f);
            Id back;
            try {
              back = front.parse_expression(printed);
            } catch (const Error& e) {
              ADD_FAILURE() << q.text << ": line does not parse back: " << printed << "\n  "
                            << e.what();
              continue;
            }
            try {
              CheckResult r = check_equal(g, expand_queries(g, back), expand_queries(g, line.expr));
              EXPECT_TRUE(r.holds) << q.text << ": " << printed << "\n" << r.counterexample;
            } catch (const Error& e) {
              ADD_FAILURE() << q.text << ": " << printed << " reads back as " << to_text(g, back)
                            << ": " << e.what();
            }
            ++lines;
          }
        }
      }
    }
    begin = end;
  }
  EXPECT_GE(lines, 60);
}

}  // namespace
}  // namespace nabla
