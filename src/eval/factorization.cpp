// The shared factorization of det, logdet and inv (see factorization.h).
#include "eval/factorization.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>
#include <string>

#include "ir/error.h"

namespace nabla {

bool symmetric_to_rounding(Eigen::Ref<const Matrix> a) {
  const Eigen::Index n = a.rows();
  if (a.cols() != n) return false;
  const double scale = a.cwiseAbs().maxCoeff();
  const double tol = static_cast<double>(n) * std::numeric_limits<double>::epsilon() * scale;
  for (Eigen::Index j = 0; j < n; ++j)
    for (Eigen::Index i = j + 1; i < n; ++i)
      if (!(std::fabs(a(i, j) - a(j, i)) <= tol)) return false;
  return true;
}

void SquareFactorization::compute(Eigen::Ref<const Matrix> a) {
  n = a.rows();
  cholesky = false;
  l1_norm = 0;
  finite = a.allFinite();
  if (!finite || a.rows() == 0) return;
  // Cholesky (n^3/3 multiplications, half of LU's) when A is symmetric and it succeeds.
  if (symmetric_to_rounding(a)) {
    llt.compute(a);
    cholesky = llt.info() == Eigen::Success;
    // A tiny pivot means A is (nearly) singular: LU reports that in its own terms below.
    if (cholesky) {
      const Matrix& l = llt.matrixLLT();
      for (Eigen::Index i = 0; i < a.rows(); ++i) cholesky = cholesky && l(i, i) > 0;
    }
    if (cholesky) l1_norm = a.cwiseAbs().colwise().sum().maxCoeff();
  }
  if (!cholesky) lu.compute(a);
}

// det A = prod l_ii^2 (Cholesky) or sign(P) prod u_ii (LU).
double SquareFactorization::det() const {
  if (!finite) return std::numeric_limits<double>::quiet_NaN();
  if (cholesky) {
    double d = 1;
    for (Eigen::Index i = 0; i < n; ++i) d *= llt.matrixLLT()(i, i);
    return d * d;
  }
  if (n == 0) return 1.0;
  return lu.determinant();
}

// logdet A = 2 sum log l_ii (Cholesky) or sum log|u_ii| when det A > 0 (LU); never forms
// det A, so it stays finite when det A overflows.
double SquareFactorization::log_det() const {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  if (!finite) return nan;
  if (cholesky) {
    double s = 0;
    for (Eigen::Index i = 0; i < n; ++i) s += std::log(llt.matrixLLT()(i, i));
    return 2 * s;
  }
  if (n == 0) return 0.0;
  const Matrix& u = lu.matrixLU();
  double sign = lu.permutationP().determinant();
  double sum = 0.0;
  for (Eigen::Index i = 0; i < u.rows(); ++i) {
    double d = u(i, i);
    if (d == 0.0) return nan;
    if (d < 0) sign = -sign;
    sum += std::log(std::fabs(d));
  }
  return sign > 0 ? sum : nan;
}

Matrix SquareFactorization::inverse() const {
  Matrix out(n, n);
  inverse(Eigen::Map<Matrix>(out.data(), n, n));
  return out;
}

namespace {
[[noreturn]] void singular(double rcond) {
  std::ostringstream msg;
  msg << "matrix is singular (reciprocal condition number " << rcond << "), so inv is undefined";
  throw Error(ErrorKind::Value, msg.str(), "use values that make the matrix invertible");
}
}  // namespace

// inv A from the factorization; Error(Value) when A is singular to working precision.
void SquareFactorization::inverse(Eigen::Map<Matrix> out) const {
  // A non-finite A is not factorized: every entry of its inverse is NaN.
  if (!finite) {
    out.setConstant(std::numeric_limits<double>::quiet_NaN());
    return;
  }
  if (n == 0) return;
  const double threshold = static_cast<double>(n) * std::numeric_limits<double>::epsilon();
  if (!cholesky) {
    bool zero_pivot = false;
    for (Eigen::Index i = 0; i < n; ++i) zero_pivot = zero_pivot || lu.matrixLU()(i, i) == 0.0;
    const double rcond = zero_pivot ? 0.0 : lu.rcond();
    if (!(rcond >= threshold)) singular(rcond);
    out = lu.inverse();
    return;
  }
  // A^-1 = L^-T L^-1 with A = L L'. L^-1 is lower triangular: its block column j solves
  // L[j:, j:] X = I[j:, j-block] (rows above j are zero), n^3/3 multiplications instead of the
  // n^3 of solving against the whole identity; then the lower triangle of X' X, summed over
  // row blocks k of X whose columns beyond the block are zero.
  const Matrix& l = llt.matrixLLT();
  constexpr Eigen::Index kB = 32;
  // Only rows j.. of block column j are written or read (the rest of L^-1 is zero).
  Matrix& x = scratch_;
  x.resize(n, n);
  for (Eigen::Index j = 0; j < n; j += kB) {
    const Eigen::Index w = std::min(kB, n - j);
    x.block(j, j, n - j, w).setZero();
    x.block(j, j, w, w).diagonal().setOnes();
    l.bottomRightCorner(n - j, n - j)
        .triangularView<Eigen::Lower>()
        .solveInPlace(x.block(j, j, n - j, w));
  }
  out.triangularView<Eigen::Lower>().setZero();  // the upper triangle is mirrored below
  for (Eigen::Index k = 0; k < n; k += kB) {
    const Eigen::Index w = std::min(kB, n - k), k1 = k + w;
    out.topLeftCorner(k1, k1).triangularView<Eigen::Lower>() +=
        x.block(k, 0, w, k1).transpose() * x.block(k, 0, w, k1);
  }
  out.triangularView<Eigen::StrictlyUpper>() = out.transpose();
  // rcond = 1 / (|A|_1 |A^-1|_1), exact now that A^-1 is at hand (NaN or inf entries: 0).
  const double inv_norm = out.cwiseAbs().colwise().sum().maxCoeff();
  const double rcond = 1.0 / (l1_norm * inv_norm);
  if (!(rcond >= threshold) || !std::isfinite(inv_norm))
    singular(std::isfinite(rcond) ? rcond : 0.0);
}

}  // namespace nabla
