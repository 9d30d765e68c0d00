// libtorch (single thread) on the benchmarks.md problems: <id>/f and <id>/vg (value and gradient
// through torch::autograd::grad). Gradients are written to $NABLA_BENCH_OUT/<id>.<var>.torch.bin.
#include <benchmark/benchmark.h>
#include <torch/torch.h>

#include <cstdlib>
#include <functional>
#include <map>

#include "bench_main.h"
#include "problems.h"

namespace {

using torch::Tensor;
using Fn = std::function<Tensor(std::map<std::string, Tensor>&)>;

// Column-major rows x cols -> a torch tensor of that shape.
Tensor to_tensor(const bench::Array& a) {
  auto t = torch::from_blob(const_cast<double*>(a.v.data()), {a.cols, a.rows},
                            torch::TensorOptions().dtype(torch::kFloat64));
  return t.t().contiguous().clone();
}

std::map<std::string, Fn> functions() {
  std::map<std::string, Fn> m;
  m["logreg"] = [](auto& v) {
    return torch::log(1 + torch::exp(-v["y"] * torch::matmul(v["X"], v["w"]))).sum();
  };
  m["lsq"] = [](auto& v) {
    return 0.5 * torch::pow(torch::norm(torch::matmul(v["X"], v["w"]) - v["y"]), 2);
  };
  m["quad"] = [](auto& v) {
    return torch::matmul(v["x"].t(), torch::matmul(v["A"], v["x"])).sum();
  };
  m["mf"] = [](auto& v) {
    return torch::pow(torch::norm(v["X"] - torch::matmul(v["U"], v["V"].t())), 2);
  };
  m["mlp"] = [](auto& v) {
    return torch::softplus(-v["y"] *
                           torch::matmul(torch::tanh(torch::matmul(v["X"], v["W"])), v["v"]))
        .sum();
  };
  m["ggm"] = [](auto& v) {
    return -torch::logdet(v["S"]) + torch::trace(torch::matmul(v["C"], v["S"]));
  };
  m["sheet4a"] = [](auto& v) {
    Tensor x = v["x"], y = v["y"], z = v["z"];
    return (0.5 * x * x + y * z - torch::log(1 + torch::exp(x * x * y * y * y * z))).sum();
  };
  return m;
}

std::string out_dir() {
  const char* d = std::getenv("NABLA_BENCH_OUT");
  return d ? d : "/tmp";
}

void register_all() {
  static auto fns = functions();
  static std::vector<bench::Problem> problems = bench::problems();
  for (const bench::Problem& p : problems) {
    auto it = fns.find(p.id);
    if (it == fns.end()) continue;
    Fn fn = it->second;
    auto* vals = new std::map<std::string, Tensor>();
    for (const auto& a : p.data) (*vals)[a.name] = to_tensor(a);
    std::vector<Tensor> wrt;
    for (const auto& name : p.wrt) {
      (*vals)[name].set_requires_grad(true);
      wrt.push_back((*vals)[name]);
    }
    {
      Tensor f = fn(*vals);
      auto g = torch::autograd::grad({f}, wrt);
      const double fv = f.item<double>();
      bench::dump(out_dir() + "/" + p.id + ".f.torch.bin", &fv, 1);
      for (size_t i = 0; i < wrt.size(); ++i) {
        Tensor cm = g[i].t().contiguous();  // column-major
        bench::dump(out_dir() + "/" + p.id + "." + p.wrt[i] + ".torch.bin", cm.data_ptr<double>(),
                    static_cast<size_t>(cm.numel()));
      }
    }
    benchmark::RegisterBenchmark((p.id + "/f").c_str(), [fn, vals](benchmark::State& st) {
      torch::NoGradGuard ng;
      for (auto _ : st) benchmark::DoNotOptimize(fn(*vals).item<double>());
    })->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark((p.id + "/vg").c_str(), [fn, vals, wrt](benchmark::State& st) {
      for (auto _ : st) {
        Tensor f = fn(*vals);
        auto g = torch::autograd::grad({f}, wrt);
        benchmark::DoNotOptimize(f.item<double>());
        benchmark::DoNotOptimize(g[0].data_ptr());
      }
    })->Unit(benchmark::kMillisecond);
  }
}

}  // namespace

int main(int argc, char** argv) {
  // One thread, unless NABLA_BENCH_THREADS asks for more (bench/compare's 2-thread table).
  const char* threads = std::getenv("NABLA_BENCH_THREADS");
  torch::set_num_threads(threads ? std::max(1, std::atoi(threads)) : 1);
  torch::set_num_interop_threads(1);
  return bench::run_benchmarks(argc, argv, register_all);
}
