#pragma once
// The factorization of det, logdet and inv (eval/kernels.h) with the evaluator's error: an
// inverse of a matrix singular to working precision is an Error(Value).
#include "eval/evaluate.h"
#include "eval/kernels.h"

namespace nabla {

using kernels::symmetric_to_rounding;

class SquareFactorization : public kernels::SquareFactorization {
 public:
  using kernels::SquareFactorization::SquareFactorization;
  // A^-1; Error(Value, "matrix is singular ...") when kernels::SquareFactorization::inverse
  // finds the reciprocal condition number below n * machine epsilon.
  Matrix inverse() const;
  // The same, written into out (n x n).
  void inverse(Eigen::Map<Matrix> out) const;
};

}  // namespace nabla
