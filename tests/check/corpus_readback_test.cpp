// Every result of the corpora (tests/data/*.nabla) reads back: the derived and simplified left
// side of each check, printed as text and as Unicode, parses in the case's declarations to the
// same shape and, by check_equal (random sizes 1..6, random values), the same value.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "check/check.h"
#include "diff/diff.h"
#include "ir/build.h"
#include "ir/error.h"
#include "parse/frontend.h"
#include "print/print.h"
#include "simplify/simplify.h"

namespace nabla {
namespace {

// The cases of a corpus: blocks separated by blank lines.
std::vector<std::string> cases(const std::string& file) {
  std::ifstream in(std::string(NABLA_DATA_DIR) + "/" + file);
  std::vector<std::string> out;
  std::string line, block;
  while (std::getline(in, line)) {
    if (line.find_first_not_of(" \t") == std::string::npos) {
      if (!block.empty()) out.push_back(block);
      block.clear();
      continue;
    }
    block += line + "\n";
  }
  if (!block.empty()) out.push_back(block);
  return out;
}

Id raw_root(Graph& g, const Query& q) {
  switch (q.kind) {
    case QueryKind::Grad:
      return grad_query(g, q.expr, q.wrt);
    case QueryKind::Jacobian:
      return query(g, Op::Jacobian, q.expr, q.wrt.at(0));
    case QueryKind::Hessian:
      return query(g, Op::Hessian, q.expr, q.wrt.at(0));
    case QueryKind::Diff:
      return query(g, Op::Derivative, q.expr, q.wrt.at(0));
    default:
      return q.expr;
  }
}

void corpus_reads_back(const std::string& file) {
  int results = 0;
  for (const std::string& source : cases(file)) {
    Graph g;
    Frontend front(g);
    std::vector<Query> queries = front.run_script(source);
    for (const Query& q : queries) {
      Id result = simplify(g, expand_queries(g, raw_root(g, q)));
      ++results;
      for (Format format : {Format::Text, Format::Unicode}) {
        std::string printed = print(g, result, format);
        Id back = kNoId;
        try {
          back = front.parse_expression(printed);
        } catch (const Error& e) {
          ADD_FAILURE() << q.text << " = " << printed << " does not parse: " << e.what();
          continue;
        }
        ASSERT_EQ(g.dims.to_string(g[back].shape), g.dims.to_string(g[result].shape))
            << q.text << " = " << printed;
        CheckResult r = check_equal(g, result, back);
        EXPECT_TRUE(r.holds) << q.text << " = " << printed << "\n" << r.counterexample;
      }
    }
  }
  EXPECT_GE(results, 25) << file;
}

TEST(CorpusReadBack, Identities) {
  corpus_reads_back("identities.nabla");
}
TEST(CorpusReadBack, Textbook) {
  corpus_reads_back("textbook.nabla");
}

}  // namespace
}  // namespace nabla
