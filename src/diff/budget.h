#pragma once
// Work budgets of derivation: a query's expansion (differentiation and the simplifications in
// it) stops with ErrorKind::Limit, naming the limit, instead of running for minutes.
#include <cstddef>

#include "ir/graph.h"
#include "ir/steps.h"

namespace nabla::diffbudget {

// Nodes one expansion may add (nested derivatives can multiply the graph).
inline constexpr size_t kMaxNewNodes = 2'000'000;
// Seconds one expansion may take, its simplifications included.
inline constexpr double kMaxSeconds = 0.75;

// simplify(e); throws Error(ErrorKind::Limit) when the simplifier stopped at its node or time
// limit (the unfinished result would only be larger and slower to use).
Id simplify_derived(Graph& g, Id e, StepLog* steps);

// Throws Error(ErrorKind::Limit) when the expansion begun at graph size start_size has added
// more than kMaxNewNodes nodes, or its time (SimplifyDeadline) has run out.
void check(const Graph& g, size_t start_size);

}  // namespace nabla::diffbudget
