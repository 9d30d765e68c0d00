// nabla's numeric kernels: the one definition of every number nabla computes entry by entry or
// by a stable formula, used by the interpreter (eval_rules.cpp), the compiled plans
// (plan_kernels.cpp, plan_matrix.cpp) and, embedded verbatim, by the generated C++
// (codegen/cpp.cpp: CMake turns this file into a string at build time).
//
// Self-contained on purpose: C++17, Eigen and the standard library only, nothing else of nabla,
// so that a generated file compiles on its own. Errors are results (a kernel never throws): a
// caller turns them into its own error type. Each kernel stays finite wherever the exact value is
// finite and representable (softplus(1000) = 1000, log_softmax([1000, -1000]) = [0, -2000]).
//
// A new entry-wise function: its scalar kernel below and one row of NABLA_KERNELS_ENTRYWISE.
#ifndef NABLA_KERNELS_H
#define NABLA_KERNELS_H

#include <Eigen/Cholesky>
#include <Eigen/Core>
#include <Eigen/LU>
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

namespace nabla {
namespace kernels {

using Mat = Eigen::MatrixXd;

// ---- Scalar kernels ----

// sign(u) in {-1, 0, 1}; NaN stays NaN.
inline double sign(double u) {
  if (std::isnan(u)) return u;
  return u > 0 ? 1.0 : (u < 0 ? -1.0 : 0.0);
}
// relu(u) = max(u, 0).
inline double relu(double u) {
  return std::max(u, 0.0);
}
// sigmoid(u) = 1 / (1 + e^-u) given e = e^-|u| (at most 1, so nothing overflows): 1 / (1 + e)
// for u >= 0, e / (1 + e) below. NaN in u or e gives NaN.
inline double sigmoid_given(double u, double e) {
  return (u >= 0 ? 1.0 : e) / (1.0 + e);
}
// sigmoid(-u) = (1 + e^u)^-1 given e = e^-|u|.
inline double sigmoid_neg_given(double u, double e) {
  return (u > 0 ? e : 1.0) / (1.0 + e);
}
inline double sigmoid(double u) {
  return sigmoid_given(u, std::exp(-std::fabs(u)));
}
// softplus(u) = log(1 + e^u) = max(u, 0) + log1p(e^-|u|), given l = log1p(e^-|u|); finite at
// u = ±1000.
inline double softplus_given(double u, double l) {
  return std::max(u, 0.0) + l;
}
inline double softplus(double u) {
  return softplus_given(u, std::log1p(std::exp(-std::fabs(u))));
}
// log(sigmoid(u)) = -softplus(-u): -1000 at u = -1000, not log(0).
inline double log_sigmoid(double u) {
  return -softplus(-u);
}
// x^k for an integer k by binary powering (only multiplications, so x < 0 is fine).
inline double integer_power(double x, int64_t k) {
  uint64_t e = k < 0 ? static_cast<uint64_t>(-(k + 1)) + 1 : static_cast<uint64_t>(k);
  double result = 1.0, base = x;
  while (e > 0) {
    if (e & 1) result *= base;
    e >>= 1;
    if (e > 0) base *= base;
  }
  return k < 0 ? 1.0 / result : result;
}
// x^p: integer p exactly (negative bases work), p = 1/2 by sqrt, otherwise std::pow (a
// non-integer power of a negative number is NaN).
inline double power(double x, double p) {
  if (p == std::trunc(p) && std::fabs(p) < 9.0e18) return integer_power(x, static_cast<int64_t>(p));
  if (p == 0.5) return std::sqrt(x);
  return std::pow(x, p);
}

// Every entry-wise function of one argument: X(name, kernel), name being the op's spelling and
// kernel a function double -> double. The interpreter maps each kernel over a value
// (eval_rules.cpp); the plans run the libm ones through glibc's vector math (vector_math.h) and
// call the others by name, as the generated C++ does.
#define NABLA_KERNELS_ENTRYWISE(X)                 \
  X(exp, [](double u) { return std::exp(u); })     \
  X(log, [](double u) { return std::log(u); })     \
  X(sin, [](double u) { return std::sin(u); })     \
  X(cos, [](double u) { return std::cos(u); })     \
  X(tan, [](double u) { return std::tan(u); })     \
  X(tanh, [](double u) { return std::tanh(u); })   \
  X(log1p, [](double u) { return std::log1p(u); }) \
  X(expm1, [](double u) { return std::expm1(u); }) \
  X(abs, [](double u) { return std::fabs(u); })    \
  X(sign, kernels::sign)                           \
  X(relu, kernels::relu)                           \
  X(sigmoid, kernels::sigmoid)                     \
  X(softplus, kernels::softplus)

// ---- Reductions and vector functions ----

// Euclidean / Frobenius norm sqrt(sum x_ij^2), scaled so that huge or tiny entries neither over-
// nor underflow; NaN for NaN entries.
inline double norm2(const Eigen::Ref<const Mat>& x) {
  if (x.size() == 0) return 0.0;
  if (x.hasNaN()) return std::numeric_limits<double>::quiet_NaN();
  const double scale = x.cwiseAbs().maxCoeff();  // ||x|| = s ||x / s||
  if (scale == 0.0 || std::isinf(scale)) return scale;
  return scale * (x / scale).norm();
}

// The same accumulated over blocks of entries: the value is scale * sqrt(ssq) (LAPACK's dnrm2
// idea, but one plain pass per block when the block's sum of squares is representable).
struct NormAccumulator {
  double scale = 0, ssq = 1;
  // The accumulator of one block alone.
  static NormAccumulator block(const double* p, int64_t m) {
    double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    int64_t i = 0;
    for (; i + 4 <= m; i += 4) {
      s0 += p[i] * p[i];
      s1 += p[i + 1] * p[i + 1];
      s2 += p[i + 2] * p[i + 2];
      s3 += p[i + 3] * p[i + 3];
    }
    for (; i < m; ++i) s0 += p[i] * p[i];
    const double s = (s0 + s1) + (s2 + s3);
    NormAccumulator r;
    r.scale = 1.0;
    r.ssq = s;
    if (!(s >= 1e-280 && s <= 1e280)) {  // the scaled pass only when the plain one fails
      double big = 0;
      for (int64_t j = 0; j < m; ++j) big = std::max(big, std::fabs(p[j]));
      if (std::isnan(s) || std::isinf(big)) {
        r.scale = std::isnan(s) ? std::numeric_limits<double>::quiet_NaN()
                                : std::numeric_limits<double>::infinity();
        r.ssq = 1;
        return r;
      }
      if (big == 0) return NormAccumulator{};
      r.scale = big;
      r.ssq = 0;
      for (int64_t j = 0; j < m; ++j) r.ssq += (p[j] / big) * (p[j] / big);
    }
    return r;
  }
  // Adds the other accumulator's squares: value^2 = scale^2 ssq + o.scale^2 o.ssq.
  void merge(const NormAccumulator& o) {
    if (std::isnan(o.scale) || std::isinf(o.scale)) {
      scale = o.scale;
      ssq = 1;
      return;
    }
    if (o.scale == 0) return;  // nothing but zeros
    if (std::isnan(scale) || std::isinf(scale)) return;
    if (o.scale > scale) {
      ssq = scale == 0 ? o.ssq : ssq * (scale / o.scale) * (scale / o.scale) + o.ssq;
      scale = o.scale;
    } else {
      ssq += o.ssq * (o.scale / scale) * (o.scale / scale);
    }
  }
  void add(const double* p, int64_t m) { merge(block(p, m)); }
  double value() const { return scale * std::sqrt(ssq); }
};

// log sum_i e^{x_i} = m + log sum_i e^{x_i - m}, m = max x_i: -inf for no entries or all -inf,
// +inf when an entry is +inf, NaN for a NaN entry.
inline double logsumexp(const Eigen::Ref<const Mat>& x) {
  if (x.size() == 0) return -std::numeric_limits<double>::infinity();
  if (x.hasNaN()) return std::numeric_limits<double>::quiet_NaN();
  const double m = x.maxCoeff();
  if (std::isinf(m)) return m;
  return m + std::log((x.array() - m).exp().sum());
}

// softmax(x)_i = e^{x_i - m} / sum_j e^{x_j - m}, m = max x; the +inf entries share the mass
// equally (the limit); NaN when an entry is NaN or every entry is -inf.
inline Mat softmax(const Eigen::Ref<const Mat>& x) {
  Mat out(x.rows(), x.cols());
  if (x.size() == 0) return out;
  const double inf = std::numeric_limits<double>::infinity();
  if (x.hasNaN()) return out.setConstant(std::numeric_limits<double>::quiet_NaN());
  const double m = x.maxCoeff();
  if (m == inf) {
    out = (x.array() == m).cast<double>().matrix();
    return out / out.sum();
  }
  if (m == -inf) return out.setConstant(std::numeric_limits<double>::quiet_NaN());
  out = (x.array() - m).exp().matrix();
  out /= out.sum();
  return out;
}

// log(softmax(x))_i = x_i - logsumexp(x), never forming softmax (whose entries underflow to 0
// at logits ±1000): the log of the same limits as softmax.
inline Mat log_softmax(const Eigen::Ref<const Mat>& x) {
  Mat out(x.rows(), x.cols());
  if (x.size() == 0) return out;
  const double inf = std::numeric_limits<double>::infinity();
  if (x.hasNaN()) return out.setConstant(std::numeric_limits<double>::quiet_NaN());
  const double m = x.maxCoeff();
  if (m == inf) {
    const double k = (x.array() == m).cast<double>().sum();
    return (x.array() == m).select(Mat::Constant(x.rows(), x.cols(), -std::log(k)), -inf);
  }
  if (m == -inf) return out.setConstant(std::numeric_limits<double>::quiet_NaN());
  const double l = std::log((x.array() - m).exp().sum());
  out = (x.array() - m - l).matrix();
  return out;
}

// (A kron B)[i p + k, j q + l] = A[i, j] B[k, l], B being p x q.
inline Mat kron(const Eigen::Ref<const Mat>& a, const Eigen::Ref<const Mat>& b) {
  const Eigen::Index p = b.rows(), q = b.cols();
  Mat out(a.rows() * p, a.cols() * q);
  for (Eigen::Index j = 0; j < a.cols(); ++j)
    for (Eigen::Index i = 0; i < a.rows(); ++i) out.block(i * p, j * q, p, q) = a(i, j) * b;
  return out;
}

// K(m, n): the mn x mn permutation with K vec(A) = vec(A') for m x n A (column-major vec):
// entry i + j m of vec(A) (A(i, j)) goes to entry j + i n of vec(A').
inline Mat commutation(Eigen::Index m, Eigen::Index n) {
  Mat k = Mat::Zero(m * n, m * n);
  for (Eigen::Index i = 0; i < m; ++i)
    for (Eigen::Index j = 0; j < n; ++j) k(j + i * n, i + j * m) = 1;
  return k;
}

// ---- One factorization of a square matrix, shared by det, logdet and inv ----

// True when |a_ij - a_ji| <= n * eps * max |a| for every pair: symmetric up to the rounding of a
// product that made it (B*B' from a general matrix product is not exactly symmetric). Cholesky of
// such a matrix reads its lower triangle, a change of A within that rounding, no larger than the
// backward error of LU on A.
inline bool symmetric_to_rounding(const Eigen::Ref<const Mat>& a) {
  const Eigen::Index n = a.rows();
  if (a.cols() != n) return false;
  const double scale = n ? a.cwiseAbs().maxCoeff() : 0.0;
  const double tol = static_cast<double>(n) * std::numeric_limits<double>::epsilon() * scale;
  for (Eigen::Index j = 0; j < n; ++j)
    for (Eigen::Index i = j + 1; i < n; ++i)
      if (!(std::fabs(a(i, j) - a(j, i)) <= tol)) return false;
  return true;
}

// Cholesky when the matrix is symmetric (to rounding) and positive definite (n^3/3
// multiplications, half of LU's), else LU with partial pivoting.
class SquareFactorization {
 public:
  SquareFactorization() = default;
  explicit SquareFactorization(const Eigen::Ref<const Mat>& a) { compute(a); }

  // Factorizes a; the storage of an earlier factorization of the same size is reused, so a plan
  // that factorizes at every run allocates nothing after its first.
  void compute(const Eigen::Ref<const Mat>& a) {
    n_ = a.rows();
    cholesky_ = false;
    l1_norm_ = 0;
    finite_ = a.allFinite();
    if (!finite_ || a.rows() == 0) return;
    if (symmetric_to_rounding(a)) {
      llt_.compute(a);
      cholesky_ = llt_.info() == Eigen::Success;
      // A tiny pivot means A is (nearly) singular: LU reports that in its own terms below.
      if (cholesky_) {
        const Mat& l = llt_.matrixLLT();
        for (Eigen::Index i = 0; i < a.rows(); ++i) cholesky_ = cholesky_ && l(i, i) > 0;
      }
      if (cholesky_) l1_norm_ = a.cwiseAbs().colwise().sum().maxCoeff();
    }
    if (!cholesky_) lu_.compute(a);
  }

  bool cholesky() const { return cholesky_; }
  bool finite() const { return finite_; }
  Eigen::Index size() const { return n_; }
  const Eigen::LLT<Mat>& llt() const { return llt_; }
  const Eigen::PartialPivLU<Mat>& lu() const { return lu_; }

  // det A = prod l_ii^2 (Cholesky) or sign(P) prod u_ii (LU); NaN for non-finite entries.
  double det() const {
    if (!finite_) return std::numeric_limits<double>::quiet_NaN();
    if (cholesky_) {
      double d = 1;
      for (Eigen::Index i = 0; i < n_; ++i) d *= llt_.matrixLLT()(i, i);
      return d * d;
    }
    if (n_ == 0) return 1.0;
    return lu_.determinant();
  }

  // log det A = 2 sum log l_ii (Cholesky) or sum log|u_ii| when det A > 0 (LU); never forms
  // det A, so it stays finite when det A overflows; NaN when det A <= 0.
  double log_det() const {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    if (!finite_) return nan;
    if (cholesky_) {
      double s = 0;
      for (Eigen::Index i = 0; i < n_; ++i) s += std::log(llt_.matrixLLT()(i, i));
      return 2 * s;
    }
    if (n_ == 0) return 0.0;
    const Mat& u = lu_.matrixLU();
    double sign = lu_.permutationP().determinant();
    double sum = 0.0;
    for (Eigen::Index i = 0; i < u.rows(); ++i) {
      const double d = u(i, i);
      if (d == 0.0) return nan;
      if (d < 0) sign = -sign;
      sum += std::log(std::fabs(d));
    }
    return sign > 0 ? sum : nan;
  }

  // Writes A^-1 into out (n x n) and returns true; returns false with *rcond set when the
  // reciprocal condition number in the 1-norm is below n * machine epsilon (Cholesky: exact,
  // from the inverse; LU: Eigen's estimate, before inverting). A non-finite A has NaN entries.
  bool inverse(Eigen::Map<Mat> out, double* rcond) const {
    *rcond = 0;
    if (!finite_) {
      out.setConstant(std::numeric_limits<double>::quiet_NaN());
      return true;
    }
    if (n_ == 0) return true;
    const double threshold = static_cast<double>(n_) * std::numeric_limits<double>::epsilon();
    if (!cholesky_) {
      bool zero_pivot = false;
      for (Eigen::Index i = 0; i < n_; ++i) zero_pivot = zero_pivot || lu_.matrixLU()(i, i) == 0.0;
      *rcond = zero_pivot ? 0.0 : lu_.rcond();
      if (!(*rcond >= threshold)) return false;
      out = lu_.inverse();
      return true;
    }
    // A^-1 = L^-T L^-1 with A = L L'. L^-1 is lower triangular: its block column j solves
    // L[j:, j:] X = I[j:, j-block] (rows above j are zero), n^3/3 multiplications instead of the
    // n^3 of solving against the whole identity; then the lower triangle of X' X, summed over
    // row blocks k of X whose columns beyond the block are zero.
    const Mat& l = llt_.matrixLLT();
    const Eigen::Index n = n_, kB = 32;
    Mat& x = scratch_;  // only rows j.. of block column j are written or read
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
    const double r = 1.0 / (l1_norm_ * inv_norm);
    *rcond = std::isfinite(r) ? r : 0.0;
    return r >= threshold && std::isfinite(inv_norm);
  }

 private:
  bool cholesky_ = false;
  bool finite_ = true;
  Eigen::Index n_ = 0;  // A is n x n
  double l1_norm_ = 0;  // max_j sum_i |a_ij| (Cholesky only: its inverse's condition check)
  Eigen::LLT<Mat> llt_;
  Eigen::PartialPivLU<Mat> lu_;
  mutable Mat scratch_;  // L^-1 while inverting
};

}  // namespace kernels
}  // namespace nabla

#endif  // NABLA_KERNELS_H
