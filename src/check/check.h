#pragma once
#include <cstdint>
#include <string>

#include "ir/graph.h"

namespace nabla {

struct CheckOptions {
  int dimension_draws = 3;   // independent draws of every free dimension (sizes 1..6)
  int points_per_draw = 2;   // random points per dimension draw
  uint64_t seed = 0x6e61626c61;
  double tolerance = 1e-7;   // on |lhs - rhs| / max(1, |lhs|, |rhs|), entry-wise max
};

struct CheckResult {
  bool holds = false;
  int trials = 0;
  double max_error = 0;        // largest relative error seen
  std::string counterexample;  // multi-line: the point, both values, the difference
};

// Decides whether lhs and rhs (query nodes already expanded) agree: samples dimensions, values
// (symmetric for Sym(n), well-conditioned where inv/det/logdet appear, positive inside log/sqrt)
// and random smooth instances of abstract functions.
CheckResult check_equal(const Graph& g, Id lhs, Id rhs, const CheckOptions& options = {});

}  // namespace nabla
