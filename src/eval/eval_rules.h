#pragma once
#include <array>
#include <cstdint>
#include <vector>

#include "eval/evaluate.h"
#include "eval/node_positions.h"

namespace nabla {

// Largest number of entries one node's value may have (Error(ErrorKind::Limit) above it).
inline constexpr int64_t kMaxEntries = 100'000'000;

// What a rule sees while the evaluator computes node `id`: the graph, the bindings, and the
// values of every node evaluated so far (every child of `id` among them), by id or, when
// `positions` is given, by position in the DAG (the compiled plans' fallback).
struct EvalContext {
  const Graph& g;
  const Bindings& bindings;
  const std::vector<Matrix>& values;
  Id id;
  const Node& node;
  const NodePositions* positions = nullptr;

  const Matrix& kid(size_t i) const { return value(node.kids[i]); }
  const Node& kid_node(size_t i) const { return g[node.kids[i]]; }
  const Matrix& value(Id other) const {
    return values[positions ? (*positions)(other) : static_cast<size_t>(other)];
  }
};

// Computes the value of ctx.node from its children's values.
using EvalRule = Matrix (*)(const EvalContext& ctx);

// The rule table, indexed by Op; filled in eval_rules.cpp. An entry is null only if a rule
// is missing (a test checks there is none).
const std::array<EvalRule, kOpCount>& eval_rules();
// The rule for op; throws Error(Internal) when the table has none.
EvalRule eval_rule(Op op);

// Throws Error(ErrorKind::Limit) when a rows x cols value would exceed kMaxEntries entries.
void check_entries(int64_t rows, int64_t cols, const char* what);

}  // namespace nabla
