#pragma once
#include <cstdint>

#include "eval/evaluate.h"

namespace nabla {

// Numerically careful kernels used by the evaluator. Each stays finite wherever the exact
// value is finite and representable.

// softplus(u) = log(1 + e^u) = max(u, 0) + log1p(e^{-|u|}); finite at u = ±1000.
double softplus(double u);
// sigmoid(u) = 1 / (1 + e^{-u}), evaluated as e^u / (1 + e^u) for u < 0 so nothing overflows.
double sigmoid(double u);
// sign(u) in {-1, 0, 1}; NaN stays NaN.
double sign(double u);
// x^p: integer p by exact repeated multiplication (negative bases work), p = 1/2 by sqrt,
// otherwise std::pow (a non-integer power of a negative number is NaN).
double power(double x, double p);
// The same with the exponent known to be the integer k.
double integer_power(double x, int64_t k);

// Euclidean / Frobenius norm sqrt(sum x_ij^2), scaled so huge or tiny entries do not over- or
// underflow.
double norm2(const Matrix& x);
// log sum_i e^{x_i} = m + log sum_i e^{x_i - m}, m = max x_i.
double logsumexp(const Matrix& x);
// softmax(x)_i = e^{x_i - m} / sum_j e^{x_j - m}, m = max x.
Matrix softmax(const Matrix& x);
// det A, log det A (NaN when det A <= 0; finite when det A overflows) and A^-1 (Error(Value,
// "matrix is singular ...") when the reciprocal condition number is below n * machine epsilon),
// each from a SquareFactorization: Cholesky for a symmetric positive definite A, else LU.
double determinant(const Matrix& a);
double log_determinant(const Matrix& a);
Matrix inverse(const Matrix& a);
// Kronecker product: (A ⊗ B)[i p + k, j q + l] = A[i, j] B[k, l], B being p x q.
Matrix kronecker(const Matrix& a, const Matrix& b);
// vec(A): the columns of A stacked into one column.
Matrix vectorize(const Matrix& a);

}  // namespace nabla
