#include "eval/stable.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>
#include <string>

#include "eval/factorization.h"
#include "ir/error.h"

namespace nabla {

double softplus(double u) {
  return std::max(u, 0.0) + std::log1p(std::exp(-std::fabs(u)));
}

double sigmoid(double u) {
  if (u >= 0) return 1.0 / (1.0 + std::exp(-u));
  double e = std::exp(u);  // u < 0 (or NaN): e^u <= 1 never overflows
  return e / (1.0 + e);
}

double sign(double u) {
  if (std::isnan(u)) return u;
  return u > 0 ? 1.0 : (u < 0 ? -1.0 : 0.0);
}

double integer_power(double x, int64_t k) {
  // x^k = x^{|k|} or 1 / x^{|k|}, by binary powering (only multiplications, so x < 0 is fine).
  uint64_t e = k < 0 ? static_cast<uint64_t>(-(k + 1)) + 1 : static_cast<uint64_t>(k);
  double result = 1.0, base = x;
  while (e > 0) {
    if (e & 1) result *= base;
    e >>= 1;
    if (e > 0) base *= base;
  }
  return k < 0 ? 1.0 / result : result;
}

double power(double x, double p) {
  if (p == std::trunc(p) && std::fabs(p) < 9.0e18) return integer_power(x, static_cast<int64_t>(p));
  if (p == 0.5) return std::sqrt(x);  // sqrt(negative) is NaN, as is pow
  return std::pow(x, p);              // a non-integer power of a negative number: NaN
}

double norm2(const Matrix& x) {
  if (x.size() == 0) return 0.0;
  if (x.hasNaN()) return std::numeric_limits<double>::quiet_NaN();
  double scale = x.cwiseAbs().maxCoeff();  // ||x|| = s ||x / s||
  if (scale == 0.0 || std::isinf(scale)) return scale;
  return scale * (x / scale).norm();
}

double logsumexp(const Matrix& x) {
  if (x.size() == 0) return -std::numeric_limits<double>::infinity();
  if (x.hasNaN()) return std::numeric_limits<double>::quiet_NaN();
  double m = x.maxCoeff();
  if (std::isinf(m)) return m;  // all -inf gives -inf; any +inf gives +inf
  return m + std::log((x.array() - m).exp().sum());
}

Matrix softmax(const Matrix& x) {
  Matrix out(x.rows(), x.cols());
  if (x.size() == 0) return out;
  if (x.hasNaN()) return out.setConstant(std::numeric_limits<double>::quiet_NaN());
  double m = x.maxCoeff();
  if (m == std::numeric_limits<double>::infinity()) {
    // Limit: the +inf entries share the mass equally.
    out = (x.array() == m).cast<double>().matrix();
    return out / out.sum();
  }
  if (m == -std::numeric_limits<double>::infinity())
    return out.setConstant(std::numeric_limits<double>::quiet_NaN());
  out = (x.array() - m).exp().matrix();
  out /= out.sum();
  return out;
}

double determinant(const Matrix& a) {
  return SquareFactorization(a).det();
}

double log_determinant(const Matrix& a) {
  return SquareFactorization(a).log_det();
}

Matrix inverse(const Matrix& a) {
  return SquareFactorization(a).inverse();
}

Matrix kronecker(const Matrix& a, const Matrix& b) {
  const Eigen::Index p = b.rows(), q = b.cols();
  Matrix out(a.rows() * p, a.cols() * q);
  for (Eigen::Index j = 0; j < a.cols(); ++j)
    for (Eigen::Index i = 0; i < a.rows(); ++i) out.block(i * p, j * q, p, q) = a(i, j) * b;
  return out;
}

Matrix vectorize(const Matrix& a) {
  // Eigen stores column-major, so the storage order is already vec(A).
  return Eigen::Map<const Eigen::VectorXd>(a.data(), a.size());
}

}  // namespace nabla
