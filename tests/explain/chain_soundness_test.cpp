// Every line of every worked solution is numerically equal to the query (issue 16): a
// derivation can never show a false step. For the exercise sheet and both corpora, every
// query (and every check's left side) is derived in every method that applies; IR lines are
// compared with the answer by check_equal (random dimensions, values, abstract functions),
// differential lines with tr(G'*dX), index-notation lines entry by entry at random values.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <random>
#include <sstream>

#include "check/check.h"
#include "diff/diff.h"
#include "explain/derivation.h"
#include "explain/index_notation.h"
#include "ir/build.h"
#include "ir/error.h"
#include "parse/frontend.h"
#include "print/print.h"
#include "simplify/simplify.h"

namespace nabla {
namespace {

std::string read(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The query node a driver query stands for (as the driver's query_formula builds it).
Id query_node(Graph& g, const Query& q) {
  switch (q.kind) {
    case QueryKind::Grad: {
      bool all_scalar = true;
      for (Id v : q.wrt) all_scalar = all_scalar && g[v].shape.is_scalar();
      if (q.wrt.size() == 1 || all_scalar) return grad_query(g, q.expr, q.wrt);
      return kNoId;
    }
    case QueryKind::Jacobian:
      return query(g, Op::Jacobian, q.expr, q.wrt.at(0));
    case QueryKind::Hessian:
      return q.wrt.size() == 1 ? query(g, Op::Hessian, q.expr, q.wrt[0]) : kNoId;
    case QueryKind::Diff:
      return query(g, Op::Derivative, q.expr, q.wrt.at(0));
    case QueryKind::Simplify:
      return simplify_query(g, q.expr);
    case QueryKind::Check: {
      Op op = g[q.expr].op;
      bool is_query = op == Op::Grad || op == Op::Jacobian || op == Op::Hessian ||
                      op == Op::Derivative || op == Op::Simplify;
      return is_query ? q.expr : kNoId;
    }
    default:
      return kNoId;
  }
}

struct Tally {
  int derivations = 0, ir_lines = 0, differential_lines = 0, index_lines = 0;
};

// An index line against the query's function (first line) or its answer, entry by entry.
void expect_index_line(const Graph& g, const Derivation& d, const ChainLine& line,
                       const std::string& where) {
  const explain::IndexForm& form = *line.index;
  std::mt19937_64 rng(7);
  std::normal_distribution<double> normal;
  for (int trial = 0; trial < 3; ++trial) {
    Bindings b;
    auto size = [&](Dim dim) -> int64_t {
      if (dim.is_fixed()) return dim.size();
      auto it = b.dims.find(dim.symbol_index());
      if (it == b.dims.end()) it = b.dims.emplace(dim.symbol_index(), 2 + trial).first;
      return it->second;
    };
    Id e = g[d.query].kids[0];
    std::unordered_map<int32_t, Matrix> values;
    for (Id id : reachable(g, d.query)) {
      const Node& n = g[id];
      if (n.op != Op::Var || b.values.count(n.a)) continue;
      Matrix m(size(n.shape.rows), size(n.shape.cols));
      for (Eigen::Index k = 0; k < m.size(); ++k) m.data()[k] = normal(rng);
      if (g.symbol(n.a).symmetric) m = (m + m.transpose()).eval() / 2;
      b.values[n.a] = m;
      values[static_cast<int32_t>(n.a)] = m;
    }
    Matrix expected = evaluate(g, form.before_derivative ? e : d.result, b);
    const std::vector<int>& free = form.free();
    for (Eigen::Index r = 0; r < expected.rows(); ++r)
      for (Eigen::Index c = 0; c < expected.cols(); ++c) {
        std::vector<int64_t> at;
        // free indices in order: (row, col) of the value; -1 ones take no value
        std::vector<int64_t> rc{r, c};
        size_t used = 0;
        for (size_t k = 0; k < free.size(); ++k)
          at.push_back(free[k] >= 0 ? rc[std::min<size_t>(used++, 1)] : 0);
        double got = form.evaluate(values, at, size);
        double want = expected(r, c);
        if (std::isnan(want) && std::isnan(got)) continue;  // log of a negative draw: both
        EXPECT_NEAR(got, want, 1e-8 * std::max(1.0, std::abs(want)))
            << where << "\n  line: " << line_expression(g, line, 0) << " at (" << r << ", " << c
            << ")";
      }
  }
}

void expect_sound(Graph& g, const Derivation& d, const std::string& where, Tally& tally) {
  ++tally.derivations;
  Id answer = expand_queries(g, d.result);
  for (const ChainLine& line : d.lines) {
    std::string text = line_expression(g, line, 0);
    if (line.index) {
      expect_index_line(g, d, line, where);
      ++tally.index_lines;
      continue;
    }
    ASSERT_NE(line.expr, kNoId) << where;
    bool differential = d.differential_target != kNoId && line.kind != ChainLine::Kind::Hence;
    Id target = differential ? d.differential_target : answer;
    CheckResult r = check_equal(g, expand_queries(g, line.expr), target);
    EXPECT_TRUE(r.holds) << where << " [" << steps_method_name(d.method) << "]\n  line: " << text
                         << "\n  " << r.counterexample;
    ++(differential ? tally.differential_lines : tally.ir_lines);
  }
}

Tally derive_all(const std::string& path) {
  Tally tally;
  std::string source = read(path);
  EXPECT_FALSE(source.empty()) << path;
  Graph g;
  Frontend front(g);
  for (const StatementOutcome& o : front.run_statements(source)) {
    if (o.kind != StatementOutcome::Kind::Query) continue;
    Id q;
    Id result;
    try {
      q = query_node(g, o.query);
      if (q == kNoId) continue;
      result = simplify(g, expand_queries(g, q));
    } catch (const Error&) {
      continue;  // what the engine does not derive has no derivation either
    }
    for (StepsMethod m : {StepsMethod::Auto, StepsMethod::Rule, StepsMethod::All,
                          StepsMethod::Index, StepsMethod::Differential}) {
      Derivation d;
      try {
        d = derive(g, q, result, m);
      } catch (const Error& e) {
        if (e.kind() == ErrorKind::Unsupported) continue;
        ADD_FAILURE() << path << ": " << o.text << " [" << steps_method_name(m)
                      << "]: " << e.what();
        continue;
      }
      expect_sound(g, d, path + ": " + o.text, tally);
    }
  }
  return tally;
}

// The comparison this test relies on tells a false line from a true one.
TEST(ChainSoundness, AFalseLineIsCaught) {
  Graph g;
  Frontend front(g);
  std::vector<Query> qs = front.run_script("x in R^n; A in R^(n x n)\ngrad(x'*A*x, x)\n");
  Id q = query_node(g, qs.at(0));
  Id result = simplify(g, expand_queries(g, q));
  Derivation d = derive(g, q, result, StepsMethod::Rule);
  ASSERT_GE(d.lines.size(), 2u);
  // A'*x in place of (A + A')*x: the product rule with one term forgotten
  Id forgotten = front.parse_expression("A'*x");
  EXPECT_FALSE(check_equal(g, forgotten, expand_queries(g, result)).holds);
  for (const ChainLine& line : d.lines)
    EXPECT_TRUE(check_equal(g, expand_queries(g, line.expr), expand_queries(g, result)).holds)
        << line_expression(g, line, 0);
}

TEST(ChainSoundness, ExerciseSheet) {
  Tally t = derive_all(std::string(NABLA_SOURCE_DIR) + "/examples/exercise-01.nabla");
  std::cout << "sheet: " << t.derivations << " derivations, " << t.ir_lines << " IR lines, "
            << t.differential_lines << " differential lines, " << t.index_lines << " index lines\n";
  EXPECT_GE(t.derivations, 20);
  EXPECT_GE(t.index_lines, 12);
}

TEST(ChainSoundness, IdentitiesCorpus) {
  Tally t = derive_all(std::string(NABLA_DATA_DIR) + "/identities.nabla");
  std::cout << "identities: " << t.derivations << " derivations, " << t.ir_lines << " IR lines, "
            << t.differential_lines << " differential lines, " << t.index_lines << " index lines\n";
  EXPECT_GE(t.derivations, 30);
  EXPECT_GT(t.differential_lines, 0);
}

TEST(ChainSoundness, TextbookCorpus) {
  Tally t = derive_all(std::string(NABLA_DATA_DIR) + "/textbook.nabla");
  std::cout << "textbook: " << t.derivations << " derivations, " << t.ir_lines << " IR lines, "
            << t.differential_lines << " differential lines, " << t.index_lines << " index lines\n";
  EXPECT_GE(t.derivations, 30);
}

}  // namespace
}  // namespace nabla
