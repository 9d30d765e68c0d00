// SquareFactorization: det, logdet and inv of one matrix from one factorization, Cholesky for
// symmetric (to rounding) positive definite matrices, LU otherwise. Each result is compared with
// an independent LU computation (Eigen's PartialPivLU, or FullPivLU for the inverse).
#include "eval/factorization.h"

#include <gtest/gtest.h>

#include <Eigen/LU>
#include <cmath>
#include <limits>
#include <vector>

#include "ir/error.h"

namespace nabla {
namespace {

double relative(const Matrix& a, const Matrix& b) {
  return (a - b).cwiseAbs().maxCoeff() / std::max(1.0, b.cwiseAbs().maxCoeff());
}

// B B' / n + I by a general matrix product: positive definite, symmetric only to rounding.
Matrix gram_by_gemm(Eigen::Index n, unsigned seed) {
  std::srand(seed);
  Matrix b = Matrix::Random(n, n + 7);
  Matrix s(n, n);
  s.noalias() = b * b.transpose();
  s /= static_cast<double>(n);
  s += Matrix::Identity(n, n);
  return s;
}

void expect_matches_lu(const Matrix& a, const SquareFactorization& f) {
  Eigen::PartialPivLU<Matrix> lu(a);
  const double det = lu.determinant();
  EXPECT_NEAR(f.det(), det, 1e-10 * std::fabs(det));
  EXPECT_NEAR(f.log_det(), std::log(det), 1e-10 * std::max(1.0, std::fabs(std::log(det))));
  EXPECT_LT(relative(f.inverse(), Eigen::FullPivLU<Matrix>(a).inverse()), 1e-10);
}

TEST(Factorization, GramFromAGeneralProductUsesCholesky) {
  for (Eigen::Index n : {5, 40, 130}) {
    Matrix s = gram_by_gemm(n, 7 + static_cast<unsigned>(n));
    ASSERT_TRUE(symmetric_to_rounding(s)) << n;
    SquareFactorization f(s);
    EXPECT_TRUE(f.cholesky()) << n;
    expect_matches_lu(s, f);
  }
}

TEST(Factorization, SomeProductIsNotExactlySymmetric) {
  // The case above is not vacuous: at this size a general product leaves some a_ij != a_ji.
  bool any = false;
  for (unsigned seed = 1; seed < 6 && !any; ++seed) {
    Matrix s = gram_by_gemm(130, seed);
    any = (s - s.transpose()).cwiseAbs().maxCoeff() > 0;
  }
  EXPECT_TRUE(any);
}

TEST(Factorization, AsymmetryBeyondRoundingUsesLU) {
  Matrix s = gram_by_gemm(30, 3);
  s(4, 17) += 1e-9 * s.cwiseAbs().maxCoeff();
  EXPECT_FALSE(symmetric_to_rounding(s));
  SquareFactorization f(s);
  EXPECT_FALSE(f.cholesky());
  expect_matches_lu(s, f);
}

TEST(Factorization, SymmetricIndefiniteFallsBackToLU) {
  Matrix s = gram_by_gemm(12, 5);
  s -= 4.0 * Matrix::Identity(12, 12);  // some eigenvalues negative
  s = ((s + s.transpose()) / 2).eval();
  SquareFactorization f(s);
  EXPECT_FALSE(f.cholesky());
  Eigen::PartialPivLU<Matrix> lu(s);
  EXPECT_NEAR(f.det(), lu.determinant(), 1e-10 * std::fabs(lu.determinant()));
  if (lu.determinant() < 0) {
    EXPECT_TRUE(std::isnan(f.log_det()));
  }
  EXPECT_LT(relative(f.inverse(), Eigen::FullPivLU<Matrix>(s).inverse()), 1e-9);
}

TEST(Factorization, SingularAndNonFinite) {
  Matrix s = Matrix::Ones(4, 4);  // rank 1, symmetric, Cholesky fails
  SquareFactorization f(s);
  EXPECT_THROW(f.inverse(), Error);
  EXPECT_TRUE(std::isnan(f.log_det()) || std::isinf(f.log_det()));
  Matrix bad = Matrix::Identity(3, 3);
  bad(1, 2) = std::numeric_limits<double>::quiet_NaN();
  SquareFactorization g(bad);
  EXPECT_TRUE(std::isnan(g.det()));
  Matrix inv = g.inverse();  // every entry NaN, at the matrix's size
  EXPECT_EQ(inv.rows(), 3);
  EXPECT_EQ(inv.cols(), 3);
  EXPECT_TRUE(inv.array().isNaN().all());
  EXPECT_DOUBLE_EQ(SquareFactorization(Matrix(0, 0)).det(), 1.0);
}

TEST(Factorization, SingularToWorkingPrecisionThrows) {
  // Rank n - 2 plus a perturbation far below rounding: symmetric positive semidefinite, so
  // Cholesky may succeed with tiny pivots (the exact condition check after inverting) or fail
  // (LU's estimate): either way inv reports a singular matrix.
  for (Eigen::Index n : {6, 50}) {
    std::srand(11);
    Matrix b = Matrix::Random(n, n - 2);
    Matrix s = b * b.transpose();
    s = ((s + s.transpose()) / 2).eval();
    s += 1e-20 * Matrix::Identity(n, n);
    EXPECT_THROW(SquareFactorization(s).inverse(), Error) << n;
    double rcond = 1;
    Matrix out(n, n);
    EXPECT_FALSE(
        kernels::SquareFactorization(s).inverse(Eigen::Map<Matrix>(out.data(), n, n), &rcond))
        << n;
    EXPECT_LT(rcond, n * 2.3e-16) << n;
  }
}

TEST(Factorization, IllConditionedPositiveDefiniteThrowsAfterCholesky) {
  Matrix s = Matrix::Identity(3, 3);
  s(2, 2) = 1e-18;  // positive definite, condition number 1e18
  SquareFactorization f(s);
  ASSERT_TRUE(f.cholesky());
  EXPECT_THROW(f.inverse(), Error);
  s(2, 2) = 1e-9;  // condition number 1e9: invertible to working precision
  EXPECT_NEAR(SquareFactorization(s).inverse()(2, 2), 1e9, 1e-3);
}

TEST(Factorization, RecomputedInPlaceLikeFresh) {
  // One object refactorized (as a plan does at every run): SPD, asymmetric, empty, SPD of
  // another size, non-finite, SPD again; each time the same results as a fresh factorization.
  Matrix asym = gram_by_gemm(20, 4);
  asym(3, 9) += 0.5;
  Matrix nan = Matrix::Identity(20, 20);
  nan(0, 1) = std::numeric_limits<double>::infinity();
  SquareFactorization f;
  for (const Matrix& a :
       {gram_by_gemm(20, 1), asym, Matrix(0, 0), gram_by_gemm(33, 2), nan, gram_by_gemm(20, 3)}) {
    f.compute(a);
    SquareFactorization fresh(a);
    EXPECT_EQ(f.cholesky(), fresh.cholesky());
    EXPECT_EQ(f.size(), a.rows());
    if (!a.allFinite()) {
      EXPECT_TRUE(std::isnan(f.det()));
      continue;
    }
    EXPECT_EQ(f.det(), fresh.det());
    EXPECT_EQ(f.log_det(), fresh.log_det());
    EXPECT_EQ(f.inverse(), fresh.inverse());
  }
}

TEST(Factorization, InverseIntoABuffer) {
  Matrix s = gram_by_gemm(45, 9);
  SquareFactorization f(s);
  ASSERT_TRUE(f.cholesky());
  std::vector<double> buffer(45 * 45, -1.0);
  f.inverse(Eigen::Map<Matrix>(buffer.data(), 45, 45));
  Eigen::Map<Matrix> inv(buffer.data(), 45, 45);
  EXPECT_LT((inv * s - Matrix::Identity(45, 45)).cwiseAbs().maxCoeff(), 1e-12);
  EXPECT_EQ(inv, inv.transpose());  // mirrored from one triangle: exactly symmetric
}

}  // namespace
}  // namespace nabla
