// ADOL-C 2.7 (Debian's libadolc-dev) on the benchmarks.md problems, the classic way: each problem
// is written once as loops over adouble (scalar_problems.h), recorded on a tape once (trace_on /
// trace_off, not timed), and the tape is then evaluated per call:
//   <id>/f          function()                          : zos_forward without keeping Taylors
//   <id>/vg         zos_forward(keep=1) + fos_reverse   : value and gradient; ADOL-C's
//                   gradient() driver is exactly these two calls but discards the value
//   hess-logreg/hess  hessian()                          : the dense Hessian driver
// A problem's tape is recorded when its first benchmark starts and removed when the next
// problem's starts, so only one tape is held at a time. The gradient (Hessian) at the data point
// is written to $NABLA_BENCH_OUT/<id>.<var>.adolc.bin for bench/compare's check.
//
// Run one problem per process (bench/compare does): ADOL-C's location store never shrinks, so
// after sheet4a (3 million adouble inputs) every later tape reports 4 million live locations and
// hessian() on hess-logreg took 80 s instead of 13 s.
//
// Problems whose total time (recording plus the benchmark runs) would pass about a minute are
// skipped with the reason on stderr (see kSkip). NABLA_ADOLC_PROBLEMS=id,id,... runs exactly
// those problems, skipped ones included.
#include <adolc/adolc.h>
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <set>
#include <sstream>

#include "bench_main.h"
#include "problems.h"
#include "scalar_problems.h"

namespace {

// Measured on the 2-core machine (see docs/benchmarks.md); reasons printed when skipped.
const std::map<std::string, std::string> kSkip = {};

std::string out_dir() {
  const char* d = std::getenv("NABLA_BENCH_OUT");
  return d ? d : "/tmp";
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// Upper bound on the tape's operations, so that the whole tape fits in ADOL-C's core buffers
// (with the default 512k-entry buffers a longer tape goes to files in the working directory).
// The Taylor buffer gets two entries per operation: hessian()'s second-order sweep keeps two.
size_t tape_ops(const bench::Problem& p) {
  auto dim = [&](const char* a, bool rows) {
    const bench::Array& x = bench::get(p, a);
    return static_cast<size_t>(rows ? x.rows : x.cols);
  };
  const std::string& id = p.id;
  if (id == "logreg" || id == "lsq" || id == "hess-logreg")
    return 2 * dim("X", true) * dim("X", false) + 12 * dim("X", true);
  if (id == "quad") return 2 * dim("A", true) * dim("A", true) + 4 * dim("A", true);
  if (id == "mf") return (2 * dim("U", false) + 4) * dim("X", true) * dim("X", false);
  if (id == "mlp") return (2 * dim("X", false) + 6) * dim("X", true) * dim("W", false);
  if (id == "ggm") return dim("S", true) * dim("S", true) * (dim("S", true) + 6);
  if (id == "sheet4a") return 24 * dim("x", true);
  return 1u << 20;
}

struct Tape {
  const bench::Problem* p = nullptr;
  std::unique_ptr<bench::LoopData> data;
  short tag = 0;
  double record_s = 0;
  double setup_s = 0;  // recording plus the first gradient (Hessian)
};

// The benchmarks.md rule: ADOL-C rows count where ADOL-C finishes within about a minute
// (NABLA_ADOLC_BUDGET_S changes it).
double budget_seconds() {
  const char* e = std::getenv("NABLA_ADOLC_BUDGET_S");
  return e ? std::atof(e) : 60.0;
}

// Skips the benchmark (an error entry in the JSON, which bench/compare reads as "skipped")
// when recording and one call already took the whole budget.
bool over_budget(benchmark::State& st, const Tape& tp) {
  const double budget = budget_seconds();
  if (tp.setup_s <= budget) return false;
  char why[160];
  std::snprintf(why, sizeof why, "recording plus one call took %.1f s, more than the %g s budget",
                tp.setup_s, budget);
  std::fprintf(stderr, "adolc: skip %s: %s\n", tp.p->id.c_str(), why);
  st.SkipWithError(why);
  return true;
}

Tape* current = nullptr;

void dump_gradient(const bench::Problem& p, const std::vector<double>& g) {
  size_t off = 0;
  for (const std::string& w : p.wrt) {
    size_t n = bench::get(p, w).v.size();
    bench::dump(out_dir() + "/" + p.id + "." + w + ".adolc.bin", g.data() + off, n);
    off += n;
  }
}

// Records p's tape (freeing the previous problem's), checks it is held in core and writes the
// gradient (or Hessian) for the cross-check. Not timed: called before the benchmark loop.
Tape& tape_for(const bench::Problem& p, short tag) {
  if (current && current->p == &p) return *current;
  if (current) {
    removeTape(current->tag, ADOLC_REMOVE_COMPLETELY);
    delete current;
    current = nullptr;
  }
  auto* t = new Tape{&p, std::make_unique<bench::LoopData>(bench::prepare(p)), tag, 0};
  const bench::LoopData& d = *t->data;
  const size_t ops = tape_ops(p) + (1u << 20);
  auto t0 = std::chrono::steady_clock::now();
  {
    const auto obs = static_cast<uint>(ops), lbs = static_cast<uint>(3 * ops),
               vbs = static_cast<uint>(ops), tbs = static_cast<uint>(2 * ops);
    trace_on(tag, 0, obs, lbs, vbs, tbs);
    std::vector<adouble> in(d.n_inputs);
    for (size_t i = 0; i < d.n_inputs; ++i) in[i] <<= d.x0[i];
    adouble f = bench::evaluate<adouble>(d, in.data());
    double fv;
    f >>= fv;
    trace_off();
  }
  t->record_s = seconds_since(t0);
  size_t st[STAT_SIZE];
  tapestats(tag, st);
  std::fprintf(stderr,
               "adolc: %s: tape of %zu operations, %zu live locations, recorded in %.2f s%s\n",
               p.id.c_str(), st[NUM_OPERATIONS], st[NUM_MAX_LIVES], t->record_s,
               st[OP_FILE_ACCESS] || st[LOC_FILE_ACCESS] || st[VAL_FILE_ACCESS]
                   ? " (written to files: did not fit the buffers)"
                   : "");
  const int n = static_cast<int>(d.n_inputs);
  std::vector<double> x = d.x0;
  t0 = std::chrono::steady_clock::now();
  if (p.id == "hess-logreg") {
    double** h = myalloc2(n, n);
    hessian(tag, n, x.data(), h);
    std::vector<double> full(static_cast<size_t>(n) * n);  // lower triangle -> full, col-major
    for (int i = 0; i < n; ++i)
      for (int j = 0; j <= i; ++j)
        full[i + static_cast<size_t>(n) * j] = full[j + static_cast<size_t>(n) * i] = h[i][j];
    myfree2(h);
    bench::dump(out_dir() + "/hess-logreg.H.adolc.bin", full.data(), full.size());
  } else {
    std::vector<double> g(d.n_inputs);
    double y = 0, one = 1.0;
    zos_forward(tag, 1, n, 1, x.data(), &y);
    fos_reverse(tag, 1, n, &one, g.data());
    dump_gradient(p, g);
    bench::dump(out_dir() + "/" + p.id + ".f.adolc.bin", &y, 1);
  }
  std::fprintf(stderr, "adolc: %s: first %s in %.2f s\n", p.id.c_str(),
               p.id == "hess-logreg" ? "hessian" : "gradient", seconds_since(t0));
  t->setup_s = t->record_s + seconds_since(t0);
  current = t;
  return *t;
}

std::set<std::string> chosen() {
  std::set<std::string> s;
  if (const char* e = std::getenv("NABLA_ADOLC_PROBLEMS")) {
    std::stringstream ss(e);
    std::string id;
    while (std::getline(ss, id, ','))
      if (!id.empty()) s.insert(id);
  }
  return s;
}

void register_all() {
  static std::vector<bench::Problem> problems = bench::problems();
  const std::set<std::string> only = chosen();
  short tag = 1;
  for (const bench::Problem& p : problems) {
    const bench::Problem* pp = &p;
    const short t = tag++;
    if (!only.empty() && !only.count(p.id)) continue;
    auto skip = kSkip.find(p.id);
    if (only.empty() && skip != kSkip.end()) {
      std::fprintf(stderr, "adolc: skip %s: %s\n", p.id.c_str(), skip->second.c_str());
      continue;
    }
    if (p.id == "hess-logreg") {
      benchmark::RegisterBenchmark("hess-logreg/hess", [pp, t](benchmark::State& st) {
        Tape& tp = tape_for(*pp, t);
        if (over_budget(st, tp)) return;
        const int n = static_cast<int>(tp.data->n_inputs);
        std::vector<double> x = tp.data->x0;
        double** h = myalloc2(n, n);
        for (auto _ : st) {
          hessian(tp.tag, n, x.data(), h);
          benchmark::DoNotOptimize(h[0][0]);
        }
        myfree2(h);
      })->Unit(benchmark::kMillisecond);
      continue;
    }
    benchmark::RegisterBenchmark((p.id + "/f").c_str(), [pp, t](benchmark::State& st) {
      Tape& tp = tape_for(*pp, t);
      if (over_budget(st, tp)) return;
      const int n = static_cast<int>(tp.data->n_inputs);
      std::vector<double> x = tp.data->x0;
      double y = 0;
      for (auto _ : st) {
        function(tp.tag, 1, n, x.data(), &y);
        benchmark::DoNotOptimize(y);
      }
    })->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark((p.id + "/vg").c_str(), [pp, t](benchmark::State& st) {
      Tape& tp = tape_for(*pp, t);
      if (over_budget(st, tp)) return;
      const int n = static_cast<int>(tp.data->n_inputs);
      std::vector<double> x = tp.data->x0, g(tp.data->n_inputs);
      double y = 0, one = 1.0;
      for (auto _ : st) {
        zos_forward(tp.tag, 1, n, 1, x.data(), &y);
        fos_reverse(tp.tag, 1, n, &one, g.data());
        benchmark::DoNotOptimize(y);
        benchmark::DoNotOptimize(g.data());
      }
    })->Unit(benchmark::kMillisecond);
  }
}

}  // namespace

int main(int argc, char** argv) {
  const int status = bench::run_benchmarks(argc, argv, register_all);
  if (current) removeTape(current->tag, ADOLC_REMOVE_COMPLETELY);
  return status;
}
