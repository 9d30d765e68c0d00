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
  // Equality saturation after the rule passes (simplify/saturate.h): the e-graph of the result,
  // every rewrite rule applied within these limits, the cheapest form by printed tokens kept
  // when it is shorter than the passes' result.
  bool saturate = true;
  size_t max_egraph_input = 300;  // an expression with a larger DAG skips saturation
  size_t max_egraph_nodes = 600;
  size_t max_egraph_iterations = 4;
  double max_egraph_seconds = 0.25;  // a safety net: the node and iteration limits stop it
};

struct SimplifyReport {
  size_t iterations = 0;
  // "fixpoint", "iteration limit", "node limit" (the graph grew by max_nodes, or one flattened
  // sum/product/chain reached 2^21 terms), "time limit" (max_seconds or a SimplifyDeadline)
  std::string stop_reason;
  // Equality saturation: "saturated", "iteration limit", "node limit", "time limit"; empty when
  // it did not run (saturate off, or a query left in the expression).
  std::string saturation_stop;
  size_t egraph_nodes = 0;
  // The explanation of the saturation step: the names of the rewrite rules whose nodes the
  // extracted result is built from, children first (each a short identity such as
  // "(A*B)' = B'*A'" or "common right factor: x*A + y*A = (x + y)*A"); empty when the passes'
  // result was kept. The same names go to the step log as "simplify: <name>".
  std::vector<std::string> rewrites;
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

// While alive, simplify calls on this thread skip the saturation step whatever their options
// say (the rule passes alone, as before issue 15): for before/after measurements of code that
// simplifies inside (expand_queries).
class WithoutSaturation {
 public:
  WithoutSaturation();
  ~WithoutSaturation();
  WithoutSaturation(const WithoutSaturation&) = delete;
  WithoutSaturation& operator=(const WithoutSaturation&) = delete;

 private:
  bool outer_;
};

// Canonical, compact form of `root`. Rules are named data with guards (simplify/rules.cpp);
// each rule applied is logged as "simplify: <rule name>" when steps is given.
Id simplify(Graph& g, Id root, const SimplifyOptions& options = {},
            SimplifyReport* report = nullptr, StepLog* steps = nullptr);

// The names of all simplification rules, in the order they are tried (distinct, for docs/tests),
// the rewrite rules of the saturation step last.
std::vector<std::string> simplify_rule_names();

}  // namespace nabla
