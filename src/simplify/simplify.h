#pragma once
#include <cstddef>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "ir/steps.h"

namespace nabla {

struct SimplifyOptions {
  size_t max_iterations = 64;  // full passes over the expression
  size_t max_nodes = 200000;   // graph growth budget for one simplify call
  double max_seconds = 2.0;
};

struct SimplifyReport {
  size_t iterations = 0;
  std::string stop_reason;  // "fixpoint", "iteration limit", "node limit", "time limit"
};

// Canonical, compact form of `root`. Rules are named data with guards (simplify/rules.cpp);
// each rule applied is logged as "simplify: <rule name>" when steps is given.
Id simplify(Graph& g, Id root, const SimplifyOptions& options = {},
            SimplifyReport* report = nullptr, StepLog* steps = nullptr);

// The names of all simplification rules, in the order they are tried (distinct, for docs/tests).
std::vector<std::string> simplify_rule_names();

}  // namespace nabla
