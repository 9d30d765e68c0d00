#pragma once
#include <cstdint>
#include <string>

#include "eval/evaluate.h"
#include "ir/graph.h"

namespace nabla {

struct CheckOptions {
  int dimension_draws = 3;  // independent draws of every free dimension (sizes 1..6)
  int points_per_draw = 2;  // random points per dimension draw
  uint64_t seed = 0x6e61626c61;
  double tolerance = 1e-7;  // on |lhs - rhs| / max(1, |lhs|, |rhs|), entry-wise max
};

struct CheckResult {
  bool holds = false;
  int trials = 0;
  double max_error = 0;        // largest relative error seen
  std::string counterexample;  // multi-line: the point, both values, the difference
  // When it fails at a point: the values drawn (point.values, point.dims) and both sides there.
  Bindings point;
  Matrix lhs_value, rhs_value;
};

// The comparison, per trial: for every entry (i, j) of the two values L and R
//   err_ij = |L_ij - R_ij| / max(1, |L_ij|, |R_ij|)
// (absolute near zero, relative for large entries); NaN on both sides, or the same infinity on
// both sides, is agreement (err 0); a non-finite entry on one side only is err = inf. A trial
// agrees when max_ij err_ij <= tolerance; max_error is the largest over all trials. A point with
// a non-finite entry on either side is redrawn a few times before it is compared; a point where
// evaluation throws Error(Value) (a singular matrix) is redrawn (up to 20 times) and not counted.
// When no point at all can be evaluated, check_equal throws that Error(Value).
// Shapes: symbolically different shapes (n×n vs n) fail at once with "shapes differ: n×n vs n";
// concrete sizes that differ in a trial fail with the sizes. Deterministic for options.seed.
//
// Decides whether lhs and rhs (query nodes already expanded) agree: samples dimensions, values
// (symmetric for Sym(n), well-conditioned where inv/det/logdet appear, positive inside log/sqrt)
// and random smooth instances of abstract functions.
CheckResult check_equal(const Graph& g, Id lhs, Id rhs, const CheckOptions& options = {});

}  // namespace nabla
