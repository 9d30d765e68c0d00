#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "eval/evaluate.h"
#include "ir/graph.h"

namespace nabla {

// A small deterministic random source (splitmix64 + Box-Muller), so that a seed gives the same
// draws on every platform and standard library.
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t next();
  double uniform();                 // in [0, 1)
  double normal();                  // standard normal
  int uniform_int(int lo, int hi);  // in [lo, hi]
  Matrix normal_matrix(int rows, int cols);

 private:
  uint64_t state_;
};

// How a variable's values must be drawn so that both sides are defined and well conditioned.
struct ValueNeeds {
  bool positive = false;    // appears below log, sqrt, a non-integer power: entries in [0.5, 2]
  bool nonzero = false;     // a base of a negative power: |entries| in [0.5, 2]
  bool invertible = false;  // square matrix below inv or det: 2 I + 0.3 R (eigenvalues Re > 0)
  bool unit = false;        // below arcsin, arccos: |entries| in [0.05, 0.45]
  bool spd = false;         // square matrix below logdet: R R'/n + I (+ a skew part unless
                            // Sym(n)): positive definite, det > 0
};

// Everything the sampler needs to know about the pair of expressions being compared.
struct SampleSpace {
  std::vector<int32_t> free_dims;       // symbolic dims to draw (indices into DimTable)
  std::vector<int32_t> derived_dims;    // "n*m", "n+2": computed from their parts
  std::vector<int64_t> variables;       // variable symbols, increasing
  std::vector<int64_t> functions;       // function symbols, increasing
  std::map<int64_t, ValueNeeds> needs;  // per variable symbol
  std::vector<Id> nodes;                // every node reachable from the roots, increasing
};

// Collects the free dimensions, variables and abstract functions reachable from the roots and
// what each variable's values need (see ValueNeeds).
SampleSpace analyze(const Graph& g, const std::vector<Id>& roots);

// Draws of the free dimensions: `count` maps symbol index -> size in 1..6. The first draw gives
// distinct mid sizes (3, 4, 2, 5, ...) so that dimensions that are confused show up; across
// draws every dimension takes at least two different values (when count >= 2).
std::vector<std::map<int32_t, int32_t>> draw_dimensions(const SampleSpace& space, int count,
                                                        Rng& rng);

// Fills bindings.dims with the free dims of one draw and computes every derived dimension from
// its parts ("n*m" = n m, "n+m+2" = n + m + 2). Throws Error(Internal) for an unreadable name.
void bind_dimensions(const Graph& g, const SampleSpace& space,
                     const std::map<int32_t, int32_t>& draw, Bindings& bindings);

// Size of a shape under the bound dims.
int32_t concrete_size(const Graph& g, Dim d, const Bindings& bindings);

// A random value of the variable's shape honouring its needs and Sym(n) declaration.
Matrix draw_value(const Graph& g, int64_t variable, const ValueNeeds& needs,
                  const Bindings& bindings, Rng& rng);

}  // namespace nabla
