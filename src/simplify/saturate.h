#pragma once
// Equality saturation: apply every rewrite rule to the e-graph until nothing new is learned or a
// limit is reached, then extract the cheapest equal term (cost: printed tokens). Internal to
// src/simplify; simplify() (engine.cpp) runs it after the ordered rule passes.
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "simplify/egraph.h"
#include "simplify/pattern.h"

namespace nabla::eg {

struct SaturationLimits {
  size_t max_nodes = 600;            // e-nodes in the graph
  size_t max_iterations = 4;         // rounds of "match every rule, apply, rebuild"
  double max_seconds = 0.25;         // wall time of one saturation (a safety net: the node and
                                     // iteration limits normally stop it, deterministically)
  size_t max_matches_per_rule = 24;  // per round, doubled after each time a rule is set aside
};

enum class StopReason { Saturated, IterationLimit, NodeLimit, TimeLimit };
std::string_view stop_reason_name(StopReason r);  // "saturated", "iteration limit", ...

struct SaturationReport {
  StopReason stop = StopReason::Saturated;
  size_t iterations = 0;
  size_t nodes = 0;
  size_t classes = 0;
};

// The rule families (rules_*.cpp), each a table of general identities.
std::vector<RuleSpec> transpose_rules();
std::vector<RuleSpec> algebra_rules();
std::vector<RuleSpec> power_rules();
std::vector<RuleSpec> matrix_function_rules();
std::vector<RuleSpec> ml_function_rules();
// Every family, compiled once.
const std::vector<Rewrite>& all_rewrites();

SaturationReport saturate(
    EGraph& eg, const std::vector<Rewrite>& rules, const SaturationLimits& limits,
    std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max());

// The cheapest term of class root, built in the graph, with its cost in printed tokens and the
// names of the rules that made its nodes (in the order the term is read: children first).
struct Extraction {
  Id term = kNoId;
  uint64_t cost = 0;
  std::vector<std::string> rules;
};
Extraction extract(EGraph& eg, ClassId root, const std::vector<Rewrite>& rules);

}  // namespace nabla::eg
