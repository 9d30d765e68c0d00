// Every query of both corpora: the saturation of its derived result ends within the e-graph's
// node and iteration limits (not by the time limit), with a typed stop reason.
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <sstream>

#include "diff/diff.h"
#include "parse/frontend.h"
#include "print/print.h"
#include "simplify/saturate.h"
#include "simplify/simplify.h"

namespace nabla {
namespace {

std::string corpus(const char* name) {
  std::ifstream in(std::string(NABLA_DATA_DIR) + "/" + name);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(Saturation, EveryCorpusQueryTerminatesWithinTheLimits) {
  const SimplifyOptions defaults;
  for (const char* name : {"identities.nabla", "textbook.nabla"}) {
    Graph g;
    Frontend fe(g);
    int queries = 0;
    for (const Query& q : fe.run_script(corpus(name))) {
      if (q.kind != QueryKind::Check) continue;
      ++queries;
      // The derived result (expand_queries simplifies), saturated again from scratch with the
      // simplifier's default limits.
      Id e = expand_queries(g, q.expr);
      eg::EGraph graph(g);
      eg::ClassId root = graph.add_term(e);
      ASSERT_NE(root, eg::kNoClass) << q.text;
      eg::SaturationLimits limits;
      limits.max_nodes = defaults.max_egraph_nodes;
      limits.max_iterations = defaults.max_egraph_iterations;
      limits.max_seconds = defaults.max_egraph_seconds;
      auto start = std::chrono::steady_clock::now();
      eg::SaturationReport r = eg::saturate(graph, eg::all_rewrites(), limits);
      double seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      EXPECT_NE(r.stop, eg::StopReason::TimeLimit) << q.text;  // the node/iteration limits stop it
      EXPECT_LE(r.iterations, limits.max_iterations) << q.text;
      // The node limit is checked after each application, so it is passed by at most one
      // right-hand side's nodes.
      EXPECT_LE(r.nodes, limits.max_nodes + 16) << q.text;
      EXPECT_LT(seconds, 1.0) << q.text;  // catches a hang, generously
      eg::Extraction x = eg::extract(graph, root, eg::all_rewrites());
      EXPECT_NE(x.term, kNoId) << q.text;
    }
    EXPECT_GE(queries, 30) << name;
  }
}

}  // namespace
}  // namespace nabla
