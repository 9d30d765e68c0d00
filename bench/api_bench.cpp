// The public C++ API on the BENCH.md problems, as a user writes them: a traced lambda under
// nabla::value_and_grad (nabla::hessian for hess-logreg), arguments passed as Eigen::Map views
// of Eigen matrices holding the problem's arrays (the same aligned storage nabla_bench binds to
// its plans: a std::vector's 16-byte alignment alone made the memory-bound products of lsq and
// quad 10% slower), results into preallocated vectors (nabla::into). <id>/api is
// compared by bench/compare with nabla_bench's <id>/vg (the plan): api/plan.
// small/api and small/plan: a traced 4x3 MLP layer, the per-call overhead of the API over the
// plan of the same function run directly.
#include <benchmark/benchmark.h>

#include <map>
#include <memory>
#include <string>
#include <utility>

#include "bench_main.h"
#include "eval/plan.h"
#include "eval/value_and_grad.h"
#include "nabla/nabla.h"
#include "parse/frontend.h"
#include "problems.h"

namespace {

using Eigen::Map;
using Eigen::MatrixXd;
using Eigen::VectorXd;
using MapM = Map<const MatrixXd>;
using MapV = Map<const VectorXd>;

// Each array once in an Eigen matrix (aligned storage), for the life of the program.
const MatrixXd& stored(const bench::Problem& p, const char* name) {
  static std::map<std::pair<std::string, std::string>, std::unique_ptr<MatrixXd>> arrays;
  auto& m = arrays[{p.id, name}];
  if (!m) {
    const bench::Array& a = bench::get(p, name);
    m = std::make_unique<MatrixXd>(Map<const MatrixXd>(a.v.data(), a.rows, a.cols));
  }
  return *m;
}
MapM M(const bench::Problem& p, const char* name) {
  const MatrixXd& m = stored(p, name);
  return MapM(m.data(), m.rows(), m.cols());
}
MapV V(const bench::Problem& p, const char* name) {
  const MatrixXd& m = stored(p, name);
  return MapV(m.data(), m.size());
}

template <class Fn>
void add(const std::string& name, Fn fn) {
  fn();  // traces and compiles outside the timing
  benchmark::RegisterBenchmark(name.c_str(), [fn](benchmark::State& st) {
    for (auto _ : st) fn();
  })->Unit(benchmark::kMillisecond);
}

void register_all() {
  static const std::vector<bench::Problem> problems = bench::problems();
  for (const bench::Problem& p : problems) {
    const std::string id = p.id + "/api";
    if (p.id == "logreg") {
      auto vg = nabla::value_and_grad<0>(
          [](auto w, auto X, auto y) { return sum(log(1 + exp(-hadamard(y, X * w)))); });
      auto g = std::make_shared<VectorXd>(200);
      add(id,
          [=] { benchmark::DoNotOptimize(vg(nabla::into(*g), V(p, "w"), M(p, "X"), V(p, "y"))); });
    } else if (p.id == "lsq") {
      auto vg = nabla::value_and_grad<0>(
          [](auto w, auto X, auto y) { return 0.5 * pow(norm2(X * w - y), 2); });
      auto g = std::make_shared<VectorXd>(200);
      add(id,
          [=] { benchmark::DoNotOptimize(vg(nabla::into(*g), V(p, "w"), M(p, "X"), V(p, "y"))); });
    } else if (p.id == "quad") {
      auto vg = nabla::value_and_grad<0>([](auto x, auto A) { return x.t() * A * x; });
      auto g = std::make_shared<VectorXd>(2000);
      add(id, [=] { benchmark::DoNotOptimize(vg(nabla::into(*g), V(p, "x"), M(p, "A"))); });
    } else if (p.id == "mf") {
      auto vg = nabla::value_and_grad<0, 1>(
          [](auto U, auto V, auto X) { return pow(norm2(X - U * V.t()), 2); });
      auto gU = std::make_shared<MatrixXd>(1000, 32);
      auto gV = std::make_shared<MatrixXd>(800, 32);
      add(id, [=] {
        benchmark::DoNotOptimize(vg(nabla::into(*gU, *gV), M(p, "U"), M(p, "V"), M(p, "X")));
      });
    } else if (p.id == "mlp") {
      auto vg = nabla::value_and_grad<0, 1>([](auto W, auto v, auto X, auto y) {
        return sum(softplus(-hadamard(y, tanh(X * W) * v)));
      });
      auto gW = std::make_shared<MatrixXd>(100, 64);
      auto gv = std::make_shared<VectorXd>(64);
      add(id, [=] {
        benchmark::DoNotOptimize(
            vg(nabla::into(*gW, *gv), M(p, "W"), V(p, "v"), M(p, "X"), V(p, "y")));
      });
    } else if (p.id == "ggm") {
      auto vg = nabla::value_and_grad<0>([](auto S, auto C) { return -logdet(S) + tr(C * S); });
      auto g = std::make_shared<MatrixXd>(300, 300);
      add(id, [=] { benchmark::DoNotOptimize(vg(nabla::into(*g), M(p, "S"), M(p, "C"))); });
    } else if (p.id == "sheet4a") {
      auto vg = nabla::value_and_grad<0, 1, 2>([](auto x, auto y, auto z) {
        return sum(0.5 * pow(x, 2) + hadamard(y, z) -
                   log(1 + exp(hadamard(hadamard(pow(x, 2), pow(y, 3)), z))));
      });
      auto gx = std::make_shared<VectorXd>(1000000), gy = std::make_shared<VectorXd>(1000000),
           gz = std::make_shared<VectorXd>(1000000);
      add(id, [=] {
        benchmark::DoNotOptimize(vg(nabla::into(*gx, *gy, *gz), V(p, "x"), V(p, "y"), V(p, "z")));
      });
    } else if (p.id == "hess-logreg") {
      auto h = nabla::hessian<0>([](auto w, auto X) { return sum(log(1 + exp(X * w))); });
      auto H = std::make_shared<MatrixXd>(200, 200);
      add("hess-logreg/hess/api", [=] {
        h(nabla::into(*H), V(p, "w"), M(p, "X"));
        benchmark::DoNotOptimize(H->data());
      });
    }
  }

  // The per-call overhead: a 4x3 MLP layer, through the API and as a plan.
  static const MatrixXd X = MatrixXd::Random(4, 3), W = MatrixXd::Random(3, 5);
  static const VectorXd v = VectorXd::Random(5), y = VectorXd::Random(4);
  auto vg = nabla::value_and_grad<0, 1>(
      [](auto W, auto v, auto X, auto y) { return sum(softplus(-hadamard(y, tanh(X * W) * v))); });
  auto gW = std::make_shared<MatrixXd>(3, 5);
  auto gv = std::make_shared<VectorXd>(5);
  vg(nabla::into(*gW, *gv), W, v, X, y);
  benchmark::RegisterBenchmark("small/api", [=](benchmark::State& st) {
    for (auto _ : st) benchmark::DoNotOptimize(vg(nabla::into(*gW, *gv), W, v, X, y));
  });
  using namespace nabla;
  static Graph store;
  static Frontend fe(store);
  Graph& g = fe.graph();
  fe.run_script("X in R^(4 x 3); W in R^(3 x 5); v in R^5; y in R^4");
  Id f = fe.parse_expression("sum(softplus(-y .* (tanh(X*W)*v)))");
  auto* plan = new ValueAndGrad(
      compile_value_and_grad(g, f, {fe.parse_expression("W"), fe.parse_expression("v")}));
  auto* b = new Bindings;
  for (auto [name, m] : {std::pair<const char*, const MatrixXd*>{"X", &X}, {"W", &W}})
    b->values[g[fe.parse_expression(name)].a] = *m;
  b->values[g[fe.parse_expression("v")].a] = v;
  b->values[g[fe.parse_expression("y")].a] = y;
  benchmark::RegisterBenchmark("small/plan", [plan, b](benchmark::State& st) {
    for (auto _ : st) benchmark::DoNotOptimize(plan->run(*b).value);
  });
}

}  // namespace

int main(int argc, char** argv) {
  return bench::run_benchmarks(argc, argv, register_all);
}
