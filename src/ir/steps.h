#pragma once
#include <string>
#include <vector>

namespace nabla {

// Where --steps goes: passes append one line per named rule they apply, in order.
// A null StepLog* means nobody is listening; passes must accept it.
struct StepLog {
  std::vector<std::string> lines;
  void add(std::string line) { lines.push_back(std::move(line)); }
};

inline void log_step(StepLog* log, std::string line) {
  if (log) log->add(std::move(line));
}

}  // namespace nabla
