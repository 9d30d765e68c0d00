// Symbolic derivation speed: the gradient of a chain of nested operations
// u_{k+1} = sin(u_k) .* u_k + exp(u_k) grows linearly with the chain (no expression swell).
// Reports the derivative's DAG size relative to the function's as a counter.
#include <benchmark/benchmark.h>

#include "diff/diff.h"
#include "ir/build.h"
#include "ir/graph.h"

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

}  // namespace
}  // namespace nabla

BENCHMARK_MAIN();
