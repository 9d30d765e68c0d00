#include "eval/threads.h"

#include <Eigen/Core>
#include <atomic>
#include <cstdlib>
#include <thread>

#ifdef _OPENMP
#include <omp.h>
#endif

namespace nabla {
namespace {

int all_cores() {
#ifdef _OPENMP
  return std::max(1, omp_get_num_procs());
#else
  return std::max(1u, std::thread::hardware_concurrency());
#endif
}

int from_environment() {
  if (const char* s = std::getenv("NABLA_THREADS")) {
    char* end = nullptr;
    long n = std::strtol(s, &end, 10);
    if (end != s && *end == '\0' && n > 0 && n <= 4096) return static_cast<int>(n);
  }
  return all_cores();
}

std::atomic<int>& threads() {
  static std::atomic<int> n{[] {
    int k = from_environment();
    Eigen::setNbThreads(k);
    return k;
  }()};
  return n;
}

}  // namespace

int plan_threads() {
  return threads().load(std::memory_order_relaxed);
}

void set_plan_threads(int n) {
  int k = n > 0 ? n : all_cores();
  threads().store(k, std::memory_order_relaxed);
  Eigen::setNbThreads(k);
}

}  // namespace nabla
