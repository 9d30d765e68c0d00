// Eigen's forward mode (unsupported/Eigen/AutoDiff, AutoDiffScalar) on the benchmarks.md problems
// it can finish in a few seconds. The problems are scalar_problems.h's loops over the scalar type
// AutoDiffScalar<Matrix<double, N, 1>>: every input carries a unit vector, every operation
// carries all N directional derivatives along (vector forward mode), so one pass costs about
// N times the function. Benchmarks:
//   <id>/f   the same loops over double
//   <id>/vg  the loops over AutoDiffScalar: value and gradient in one vector-mode pass
// Per problem:
//   logreg, lsq   N = 200 (the size of w).
//   sheet4a       f is a sum of terms each depending on (x_i, y_i, z_i) only, so forward mode
//                 runs per term with N = 3 directions (seed x_i, y_i, z_i) and sums: the
//                 compressed forward mode a user of Eigen's AutoDiff writes for a separable sum
//                 (3 million directions otherwise).
//   quad          N = 2000: skipped by default (estimate below); NABLA_AUTODIFF_PROBLEMS=quad
//                 runs it.
//   the rest      skipped, with the estimate printed on stderr.
// Gradients are written to $NABLA_BENCH_OUT/<id>.<var>.autodiff.bin for bench/compare's check.
#include <benchmark/benchmark.h>

#include <Eigen/Core>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <sstream>
#include <unsupported/Eigen/AutoDiff>

#include "bench_main.h"
#include "problems.h"
#include "scalar_problems.h"

namespace {

// Why forward mode is not run on a problem: (inputs) x (multiply-adds of f) per gradient.
const std::map<std::string, std::string> kSkip = {
    {"quad",
     "forward mode carries 2000 directions through the 4e6 multiply-adds of x'*A*x: ~8e9 "
     "multiply-adds per gradient (NABLA_AUTODIFF_PROBLEMS=quad runs it anyway)"},
    {"mf",
     "57600 inputs (U, V) through 2.6e7 multiply-adds of U*V': ~1.5e12 multiply-adds per "
     "gradient"},
    {"mlp",
     "6464 inputs (W, v) through 3.2e7 multiply-adds of X*W: ~2e11 multiply-adds per gradient"},
    {"ggm", "90000 inputs (S) through the 9e6 multiply-adds of logdet's LU: ~8e11 per gradient"},
    {"hess-logreg",
     "a forward-over-forward Hessian carries 200 + 200^2 directions through 1e6 multiply-adds: "
     "~4e10 per Hessian"},
};

std::string out_dir() {
  const char* d = std::getenv("NABLA_BENCH_OUT");
  return d ? d : "/tmp";
}

std::set<std::string> chosen() {
  std::set<std::string> s;
  if (const char* e = std::getenv("NABLA_AUTODIFF_PROBLEMS")) {
    std::stringstream ss(e);
    std::string id;
    while (std::getline(ss, id, ','))
      if (!id.empty()) s.insert(id);
  }
  return s;
}

void dump_gradient(const bench::Problem& p, const std::vector<double>& g) {
  size_t off = 0;
  for (const std::string& w : p.wrt) {
    size_t n = bench::get(p, w).v.size();
    bench::dump(out_dir() + "/" + p.id + "." + w + ".autodiff.bin", g.data() + off, n);
    off += n;
  }
}

// Vector forward mode with N directions, one per input.
template <int N>
double value_and_grad(const bench::LoopData& d, std::vector<double>& g) {
  using Der = Eigen::Matrix<double, N, 1>;
  using AD = Eigen::AutoDiffScalar<Der>;
  std::vector<AD> in(N);
  for (int i = 0; i < N; ++i) in[i] = AD(d.x0[i], N, i);
  AD f = bench::evaluate<AD>(d, in.data());
  for (int i = 0; i < N; ++i) g[i] = f.derivatives()[i];
  return f.value();
}

// sheet4a: forward mode per term with 3 directions.
double sheet4a_value_and_grad(const bench::LoopData& d, std::vector<double>& g) {
  using AD = Eigen::AutoDiffScalar<Eigen::Vector3d>;
  const size_t n = d.x0.size() / 3;
  const double* x = d.x0.data();
  double f = 0;
  for (size_t i = 0; i < n; ++i) {
    AD t = bench::sheet4a_term<AD>(AD(x[i], 3, 0), AD(x[n + i], 3, 1), AD(x[2 * n + i], 3, 2));
    f += t.value();
    g[i] = t.derivatives()[0];
    g[n + i] = t.derivatives()[1];
    g[2 * n + i] = t.derivatives()[2];
  }
  return f;
}

using VG = double (*)(const bench::LoopData&, std::vector<double>&);

VG method(const bench::Problem& p, const bench::LoopData& d) {
  if (p.id == "sheet4a") return sheet4a_value_and_grad;
  if ((p.id == "logreg" || p.id == "lsq") && d.n_inputs == 200) return value_and_grad<200>;
  if (p.id == "quad" && d.n_inputs == 2000) return value_and_grad<2000>;
  return nullptr;
}

void register_all() {
  static std::vector<bench::Problem> problems = bench::problems();
  const std::set<std::string> only = chosen();
  for (const bench::Problem& p : problems) {
    if (!only.empty() && !only.count(p.id)) continue;
    auto skip = kSkip.find(p.id);
    if (skip != kSkip.end() && !only.count(p.id)) {
      std::fprintf(stderr, "autodiff: skip %s: %s\n", p.id.c_str(), skip->second.c_str());
      continue;
    }
    auto* d = new bench::LoopData(bench::prepare(p));
    VG vg = method(p, *d);
    if (!vg) {
      std::fprintf(stderr, "autodiff: skip %s: no forward-mode form for these sizes\n",
                   p.id.c_str());
      continue;
    }
    {
      std::vector<double> g(d->n_inputs);
      const double f = vg(*d, g);
      dump_gradient(p, g);
      bench::dump(out_dir() + "/" + p.id + ".f.autodiff.bin", &f, 1);
    }
    benchmark::RegisterBenchmark((p.id + "/f").c_str(), [d](benchmark::State& st) {
      for (auto _ : st) benchmark::DoNotOptimize(bench::evaluate<double>(*d, d->x0.data()));
    })->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark((p.id + "/vg").c_str(), [d, vg](benchmark::State& st) {
      std::vector<double> g(d->n_inputs);
      for (auto _ : st) {
        benchmark::DoNotOptimize(vg(*d, g));
        benchmark::DoNotOptimize(g.data());
      }
    })->Unit(benchmark::kMillisecond);
  }
}

}  // namespace

int main(int argc, char** argv) {
  return bench::run_benchmarks(argc, argv, register_all);
}
