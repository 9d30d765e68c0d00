#pragma once
// The main() of every benchmark program: registers the program's benchmarks, runs those the
// command line selects (Google Benchmark's flags) and shuts the library down.
#include <benchmark/benchmark.h>

namespace bench {

inline int run_benchmarks(int argc, char** argv, void (*register_all)()) {
  register_all();
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}

}  // namespace bench
