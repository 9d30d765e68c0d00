// Symbolic derivation speed: the gradient of a chain of nested operations
// u_{k+1} = sin(u_k) .* u_k + exp(u_k) grows linearly with the chain (no expression swell).
// Reports the derivative's DAG size relative to the function's as a counter.
// derive/identities: benchmarks.md's `derive` problem, nabla's side: every query of
// tests/data/identities.nabla (or $NABLA_IDENTITIES) derived and simplified.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <ctime>

#include <cstdlib>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>

#include "diff/diff.h"
#include "ir/build.h"
#include "ir/graph.h"
#include "parse/frontend.h"
#include "simplify/simplify.h"

namespace nabla {
namespace {

Id chain(Graph& g, Id u, int64_t steps) {
  for (int64_t k = 0; k < steps; ++k)
    u = add(g, hadamard(g, unary(g, Op::Sin, u), u), unary(g, Op::Exp, u));
  return u;
}

void BM_GradOfChain(benchmark::State& state) {
  double ratio = 0;
  for (auto _ : state) {
    Graph g;
    Id x = variable(g, g.declare_variable("x", Shape::vector(g.dims.intern("n"))));
    Id f = unary(g, Op::Sum, chain(g, x, state.range(0)));
    Id df = grad(g, f, x);
    ratio = static_cast<double>(dag_size(g, df)) / static_cast<double>(dag_size(g, f));
    benchmark::DoNotOptimize(df);
  }
  state.counters["grad_nodes_per_f_node"] = ratio;
  state.SetComplexityN(state.range(0));
}
BENCHMARK(BM_GradOfChain)->RangeMultiplier(10)->Range(10, 10000)->Complexity(benchmark::oN);

std::string corpus_source(const std::string& file) {
  const char* env = file == "identities.nabla" ? std::getenv("NABLA_IDENTITIES") : nullptr;
  std::ifstream in(env ? std::string(env) : std::string(NABLA_DATA_DIR) + "/" + file);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Per iteration: the script is parsed into a fresh graph with the timer paused, then each
// query's left side (grad/jacobian/hessian/diff of an expression) is derived (expand_queries)
// and simplified, as `nabla` does before printing. The time is for all queries together;
// the counter `queries` says how many (per-query time = time / queries).
// derive/textbook does the same for tests/data/textbook.nabla; derive-passes-only/...
// simplify without the saturation step (WithoutSaturation: the rule passes
// alone, the simplifier before issue 15), for before/after figures from one binary.
void BM_DeriveCorpus(benchmark::State& state, const char* file, bool saturate) {
  const std::string source = corpus_source(file);
  SimplifyOptions options;
  options.saturate = saturate;
  std::optional<WithoutSaturation> passes_only;  // also inside expand_queries
  if (!saturate) passes_only.emplace();
  size_t queries = 0;
  // Per query: CPU seconds summed over iterations (thread CPU clock around each query), so
  // that a comparison can use the same queries on both sides (counters q0, q1, ...).
  std::vector<double> per_query;
  size_t parsed_nodes = 0, derived_nodes = 0;  // graph size after parsing; nodes added after
  auto cpu_now = [] {
    timespec t{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
  };
  for (auto _ : state) {
    state.PauseTiming();
    auto g = std::make_unique<Graph>();
    auto fe = std::make_unique<Frontend>(*g);
    std::vector<Query> qs = fe->run_script(source);
    Graph& graph = fe->graph();
    queries = qs.size();
    per_query.resize(queries, 0.0);
    parsed_nodes = graph.size();
    state.ResumeTiming();
    for (size_t i = 0; i < qs.size(); ++i) {
      const double t0 = cpu_now();
      benchmark::DoNotOptimize(simplify(graph, expand_queries(graph, qs[i].expr), options));
      per_query[i] += cpu_now() - t0;
    }
    state.PauseTiming();
    derived_nodes = graph.size() - parsed_nodes;
    fe.reset();
    g.reset();
    state.ResumeTiming();
  }
  state.counters["queries"] = static_cast<double>(queries);
  state.counters["parsed_nodes"] = static_cast<double>(parsed_nodes);
  state.counters["derived_nodes"] = static_cast<double>(derived_nodes);
  for (size_t i = 0; i < per_query.size(); ++i)
    state.counters["q" + std::to_string(i)] =
        per_query[i] / static_cast<double>(std::max<int64_t>(state.iterations(), 1));
}
BENCHMARK_CAPTURE(BM_DeriveCorpus, identities, "identities.nabla", true)
    ->Name("derive/identities")
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_DeriveCorpus, textbook, "textbook.nabla", true)
    ->Name("derive/textbook")
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_DeriveCorpus, identities_passes, "identities.nabla", false)
    ->Name("derive-passes-only/identities")
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_DeriveCorpus, textbook_passes, "textbook.nabla", false)
    ->Name("derive-passes-only/textbook")
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace nabla

BENCHMARK_MAIN();
