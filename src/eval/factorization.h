#pragma once
// One factorization of a square matrix, shared by det, logdet and inv of that matrix: Cholesky
// when the matrix is symmetric (to rounding) and positive definite, else LU with partial pivoting.
#include <Eigen/Cholesky>
#include <Eigen/LU>

#include "eval/evaluate.h"

namespace nabla {

// True when |a_ij - a_ji| <= n * eps * max |a| for every pair: symmetric up to the rounding of a
// product that made it (B*B' from a general matrix product is not exactly symmetric). Cholesky
// of such a matrix reads its lower triangle, a change of A within that rounding, no larger than
// the backward error of LU on A.
bool symmetric_to_rounding(Eigen::Ref<const Matrix> a);

struct SquareFactorization {
  bool cholesky = false;
  Eigen::LLT<Matrix> llt;
  Eigen::PartialPivLU<Matrix> lu;
  bool finite = true;
  Eigen::Index n = 0;  // A is n x n
  double l1_norm = 0;  // max_j sum_i |a_ij| (Cholesky only: its inverse's condition check)
  SquareFactorization() = default;
  explicit SquareFactorization(Eigen::Ref<const Matrix> a) { compute(a); }
  // Factorizes a; the storage of an earlier factorization of the same size is reused, so a
  // plan that factorizes at every run allocates nothing after its first.
  void compute(Eigen::Ref<const Matrix> a);
  // det A = prod l_ii^2 (Cholesky) or sign(P) prod u_ii (LU); NaN for non-finite entries.
  double det() const;
  // log det A, never forming det A (finite when det A overflows); NaN when det A <= 0.
  double log_det() const;
  // A^-1; Error(Value, "matrix is singular ...") when the reciprocal condition number in the
  // 1-norm is below n * machine epsilon (Cholesky: exact, from the inverse; LU: Eigen's
  // estimate, before inverting); NaN entries for non-finite A.
  Matrix inverse() const;
  // The same, written into out (n x n).
  void inverse(Eigen::Map<Matrix> out) const;

 private:
  mutable Matrix scratch_;  // L^-1 while inverting
};

}  // namespace nabla
