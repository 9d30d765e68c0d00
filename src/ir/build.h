#pragma once
#include <vector>

#include "ir/graph.h"
#include "ir/rational.h"

namespace nabla {

// Node constructors. Each computes the result shape and throws Error(ErrorKind::Shape)
// with both shapes in the message when the operands do not fit. They do no algebra:
// simplification is the simplifier's job.

Id constant(Graph& g, Rational r);
Id constant(Graph& g, double v);  // stored as a double
Id integer(Graph& g, int64_t v);
Id pi(Graph& g);
Id variable(Graph& g, int32_t symbol);
Id identity(Graph& g, Dim n);
// K(m, n), the mn x mn commutation matrix: K(m, n)*vec(A) = vec(A') for an m x n matrix A.
Id commutation(Graph& g, Dim m, Dim n);
Id ones(Graph& g, Shape s);
Id zeros(Graph& g, Shape s);

Id add(Graph& g, Id a, Id b);
Id sub(Graph& g, Id a, Id b);                 // a + (-1)*b
Id neg(Graph& g, Id a);                       // (-1)*a
Id scale(Graph& g, Id s, Id x);               // s scalar
Id matmul(Graph& g, Id a, Id b);              // neither scalar, inner dimensions agree
Id product(Graph& g, Id a, Id b);             // the surface `*`: scale when either side is scalar
Id divide(Graph& g, Id a, Id s);              // a / s  ==  s^-1 a, s scalar
Id hadamard(Graph& g, Id a, Id b);            // same shapes
Id elementwise_divide(Graph& g, Id a, Id b);  // a .* b.^-1
Id transpose(Graph& g, Id a);
Id power(Graph& g, Id x, Id p);              // entry-wise, p scalar
Id matrix_power(Graph& g, Id a, int64_t k);  // a square: A*A*..., I, inv(A)^|k|
Id unary(Graph& g, Op op, Id x);             // entry-wise functions, reductions, matrix functions
Id kron(Graph& g, Id a, Id b);
Id stack(Graph& g, const std::vector<Id>& parts);
Id inner(Graph& g, Id a, Id b);  // <a, b>: a'*b for vectors, sum(a .* b) otherwise
// Abstract function application; deriv is kCallValue, kCallDerivative or a partial index k > 0.
Id call(Graph& g, int32_t function, int64_t deriv, const std::vector<Id>& args);

// The shape an op would produce for these children (throws Error(ErrorKind::Shape)).
Shape result_shape(const Graph& g, Op op, const std::vector<Id>& kids, int64_t a = 0,
                   int64_t b = 0);

// Rational value of a Const node, if it is exact.
bool is_rational_const(const Graph& g, Id id);
Rational rational_value(const Graph& g, Id id);  // requires is_rational_const
// Numeric value of a Const or Pi node.
double const_value(const Graph& g, Id id);
// The constant 1: a Const of value 1 (the exact 1, or a double 1.0). The one test of "is 1".
bool is_one(const Graph& g, Id id);
// 1 in every entry: the constant 1 or ones(m, n) (the unit of .*).
bool is_ones(const Graph& g, Id id);

}  // namespace nabla

namespace nabla {
// Query nodes (expanded by diff/expand.h before evaluation or printing of results).
Id grad_query(Graph& g, Id e, const std::vector<Id>& vars);
Id query(Graph& g, Op op, Id e, Id var);                       // Jacobian, Hessian, Derivative
Id query(Graph& g, Op op, Id e, const std::vector<Id>& vars);  // Hessian w.r.t. several
Id simplify_query(Graph& g, Id e);
}  // namespace nabla
