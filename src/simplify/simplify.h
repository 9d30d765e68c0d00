#pragma once
#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "ir/steps.h"

namespace nabla {

struct SimplifyOptions {
  size_t max_iterations = 64;  // full passes over the expression
  size_t max_nodes = 200000;   // graph growth budget for one simplify call
  double max_seconds = 0.75;   // checked inside the rules too, so a call ends within a few ms of it
};

struct SimplifyReport {
  size_t iterations = 0;
  // "fixpoint", "iteration limit", "node limit" (the graph grew by max_nodes, or one flattened
  // sum/product/chain reached 2^21 terms), "time limit" (max_seconds or a SimplifyDeadline)
  std::string stop_reason;
};

// A time budget shared by every simplify call made on this thread while it is alive (each call
// also keeps its own max_seconds; the earlier deadline wins). Nested deadlines keep the earliest.
// A derivation that simplifies several times, or a whole script run, opens one so that its
// simplifications together stop on time.
class SimplifyDeadline {
 public:
  explicit SimplifyDeadline(double seconds);
  ~SimplifyDeadline();
  SimplifyDeadline(const SimplifyDeadline&) = delete;
  SimplifyDeadline& operator=(const SimplifyDeadline&) = delete;
  // True when the innermost deadline alive on this thread has passed.
  static bool passed();

 private:
  std::chrono::steady_clock::duration outer_;
};

// Canonical, compact form of `root`. Rules are named data with guards (simplify/rules.cpp);
// each rule applied is logged as "simplify: <rule name>" when steps is given.
Id simplify(Graph& g, Id root, const SimplifyOptions& options = {},
            SimplifyReport* report = nullptr, StepLog* steps = nullptr);

// The names of all simplification rules, in the order they are tried (distinct, for docs/tests).
std::vector<std::string> simplify_rule_names();

}  // namespace nabla
