// nabla on the benchmarks.md problems: <id>/f (function only, a compiled plan) and <id>/vg (value
// and every gradient in one plan); hess-logreg/hess (the Hessian's plan); <id>/compile
// (compiling the plan of <id>/f, or of the Hessian, in microseconds). Before timing, each
// gradient is written to $NABLA_BENCH_OUT/<id>.<var>.nabla.bin for bench/compare's check;
// with NABLA_BENCH_PLANS set, every plan's instruction list (Plan::describe) goes to stderr.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <memory>

#include "bench_main.h"
#include "diff/diff.h"
#include "eval/plan.h"
#include "eval/value_and_grad.h"
#include "parse/frontend.h"
#include "print/print.h"
#include "problems.h"
#include "simplify/simplify.h"

namespace {

using namespace nabla;

struct Compiled {
  Graph store;
  Frontend fe{store};
  Graph& g = fe.graph();  // the graph the frontend builds into
  Bindings b;
  Id f = kNoId;
  std::vector<Id> vars;
};

std::unique_ptr<Compiled> load(const bench::Problem& p) {
  auto c = std::make_unique<Compiled>();
  c->fe.run_script(p.decls);
  c->f = c->fe.parse_expression(p.f);
  for (const std::string& v : p.wrt) c->vars.push_back(c->fe.parse_expression(v));
  for (const bench::Array& a : p.data) {
    Id v = c->fe.parse_expression(a.name);
    c->b.values[c->g[v].a] = Eigen::Map<const Matrix>(a.v.data(), a.rows, a.cols);
    const Shape s = c->g[v].shape;
    if (s.rows.is_symbol()) c->b.dims[s.rows.symbol_index()] = a.rows;
    if (s.cols.is_symbol()) c->b.dims[s.cols.symbol_index()] = a.cols;
  }
  return c;
}

std::string out_dir() {
  const char* d = std::getenv("NABLA_BENCH_OUT");
  return d ? d : "/tmp";
}

void register_all() {
  static std::vector<bench::Problem> problems = bench::problems();
  for (const bench::Problem& p : problems) {
    auto* c = load(p).release();
    if (p.id == "hess-logreg") {
      Id h = simplify(c->g, hessian(c->g, c->f, c->vars[0]));
      auto* plan = new Plan(c->g, {h});
      const Matrix& hv = plan->run(c->b)[0];
      if (std::getenv("NABLA_BENCH_PLANS"))
        std::fprintf(stderr, "== hess-logreg/hess\n%s", plan->describe().c_str());
      bench::dump(out_dir() + "/hess-logreg.H.nabla.bin", hv.data(),
                  static_cast<size_t>(hv.size()));
      benchmark::RegisterBenchmark("hess-logreg/hess", [plan, c](benchmark::State& st) {
        for (auto _ : st) benchmark::DoNotOptimize(plan->run(c->b)[0].data());
      })->Unit(benchmark::kMillisecond);
      benchmark::RegisterBenchmark("hess-logreg/compile", [h, c](benchmark::State& st) {
        for (auto _ : st) {
          Plan compiled(c->g, {h});
          benchmark::DoNotOptimize(&compiled);
        }
      })->Unit(benchmark::kMicrosecond);
      continue;
    }
    auto* vg = new ValueAndGrad(compile_value_and_grad(c->g, c->f, c->vars));
    // Function only: the same (simplified) f the value-and-gradient plan computes.
    const Id fs = simplify(c->g, c->f);
    auto* fplan = new Plan(c->g, {fs});
    const ValueAndGradResult& r = vg->run(c->b);
    for (size_t i = 0; i < p.wrt.size(); ++i)
      bench::dump(out_dir() + "/" + p.id + "." + p.wrt[i] + ".nabla.bin", r.grads[i].data(),
                  static_cast<size_t>(r.grads[i].size()));
    bench::dump(out_dir() + "/" + p.id + ".f.nabla.bin", &r.value, 1);
    if (std::getenv("NABLA_BENCH_PLANS"))  // the compiled plans, for performance work
      std::fprintf(stderr, "== %s/f\n%s== %s/vg\n%s", p.id.c_str(), fplan->describe().c_str(),
                   p.id.c_str(), vg->plan().describe().c_str());
    if (const char* e = std::getenv("NABLA_BENCH_PLANS"); e && std::string(e) == p.id)
      for (size_t i = 0; i < c->g.size(); ++i)  // the nodes the plans name
        std::fprintf(stderr, "#%zu = %s\n", i, to_text(c->g, static_cast<Id>(i)).c_str());
    benchmark::RegisterBenchmark((p.id + "/f").c_str(), [fplan, c](benchmark::State& st) {
      for (auto _ : st) benchmark::DoNotOptimize(fplan->run(c->b)[0](0, 0));
    })->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark((p.id + "/vg").c_str(), [vg, c](benchmark::State& st) {
      for (auto _ : st) benchmark::DoNotOptimize(vg->run(c->b).value);
    })->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark((p.id + "/compile").c_str(), [fs, c](benchmark::State& st) {
      for (auto _ : st) {
        Plan compiled(c->g, {fs});
        benchmark::DoNotOptimize(&compiled);
      }
    })->Unit(benchmark::kMicrosecond);
  }
}

}  // namespace

int main(int argc, char** argv) {
  return bench::run_benchmarks(argc, argv, register_all);
}
