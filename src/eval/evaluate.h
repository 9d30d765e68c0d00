#pragma once
#include <Eigen/Dense>
#include <functional>
#include <optional>
#include <unordered_map>
#include <utility>
#include <vector>

#include "ir/graph.h"

namespace nabla {

using Matrix = Eigen::MatrixXd;  // every value: scalars 1x1, vectors n x 1

// A concrete stand-in for an abstract function: given the derivative marker of the Call
// (kCallValue, kCallDerivative, or partial index k) and the argument values, returns the value.
using FunctionImpl = std::function<Matrix(int64_t deriv, const std::vector<Matrix>& args)>;

// A value the caller owns, read in place (column-major, rows x cols, contiguous): e.g. a NumPy
// array's buffer, which a compiled plan then reads without a copy. It must stay alive and
// unchanged while the evaluation runs.
struct ValueView {
  const double* data = nullptr;
  Eigen::Index rows = 0;
  Eigen::Index cols = 0;
};

struct Bindings {
  std::unordered_map<int64_t, Matrix> values;           // variable symbol -> value
  std::unordered_map<int64_t, ValueView> views;         // variable symbol -> value in place
                                                        // (used when `values` has none)
  std::unordered_map<int32_t, int32_t> dims;            // symbolic dim index -> size
  std::unordered_map<int64_t, FunctionImpl> functions;  // function symbol -> implementation
};

// Evaluates root numerically. Throws Error(ErrorKind::Value) for a missing binding, a value of
// the wrong shape, or a singular matrix where an inverse is needed; Error(Internal) for query
// nodes (expand them first). Numerically stable forms throughout (softplus, sigmoid,
// logsumexp, softmax, logdet by factorization).
Matrix evaluate(const Graph& g, Id root, const Bindings& bindings);

// Size of a dimension under these bindings (throws Error(Value) when unbound).
// Compound dimensions that shape inference names "n*m" (vec, kron) or "n+m+2" (stack) are
// computed from their parts when they are not bound themselves.
int32_t dim_size(const Graph& g, Dim d, const Bindings& bindings);
// The same, or nullopt when the dimension (or a part of it) is unbound.
std::optional<int32_t> find_dim_size(const Graph& g, Dim d, const Bindings& bindings);
// {rows, cols} of a shape under these bindings (throws like dim_size).
std::pair<int32_t, int32_t> shape_size(const Graph& g, Shape s, const Bindings& bindings);

}  // namespace nabla
