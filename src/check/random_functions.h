#pragma once
#include <memory>
#include <string>
#include <vector>

#include "check/sampling.h"
#include "eval/evaluate.h"
#include "ir/graph.h"

namespace nabla {

// A random smooth concrete instance of an abstract function, with analytic derivatives.
// Arguments enter through v_i = vec(x_i) (column-major), so matrix arguments work like vectors.
//
// Scalar-valued, k >= 1 arguments (g: R^d -> R, h: R -> R, L: R x R^d x R^(n x m) -> R):
//   L(x_1..x_k) = sum_i [a_i' tanh(B_i v_i + c_i) + 1/2 v_i' S_i v_i + e_i' v_i]
//                 + sin(sum_i w_i' v_i) + prod_i (u_i' v_i)            (product only when k >= 2)
//   dL/dv_i     = B_i' (a_i .* (1 - tanh(B_i v_i + c_i).^2)) + S_i v_i + e_i
//                 + cos(sum_j w_j' v_j) w_i + prod_{j != i} (u_j' v_j) u_i
//   grad(g)(u), h'(t) and partial(L, i)(...) are dL/dv_i reshaped to the shape of x_i.
// Vector- or matrix-valued (f: R^d -> R^n, curves R -> R^n, several arguments for the value):
//   F(x_1..x_k) = A tanh(sum_i B_i v_i + c) + sum_i D_i v_i, reshaped to the result shape
//   J_i         = A diag(1 - tanh(...).^2) B_i + D_i
//   J(f)(x) is J_1 (n x d); for a curve f'(t) it is J_1 reshaped to the result shape.
// Derivatives with no matrix form (Jacobian of a matrix-valued function) throw
// Error(ErrorKind::Unsupported).
class RandomFunction {
 public:
  // Draws coefficients for function symbol `function` at the dimensions bound in `bindings`.
  RandomFunction(const Graph& g, int64_t function, const Bindings& bindings, Rng& rng);

  // deriv: kCallValue, kCallDerivative or partial index k > 0.
  Matrix operator()(int64_t deriv, const std::vector<Matrix>& args) const;
  // One line: the formula and its coefficients.
  std::string describe() const;
  FunctionImpl as_impl() const;

 private:
  struct Coefficients;
  std::string name_;
  std::shared_ptr<const Coefficients> c_;
};

}  // namespace nabla
