#pragma once
#include "ir/graph.h"

namespace nabla {

// The kind of the value of `id` (ir/shape.h: which of its dimensions are real ones), from its
// variables' declared kinds through the ops that keep a value what it is: a transpose swaps rows
// and columns (z' is a row vector), constant multiples and entry-wise functions keep the kind
// (2*z, exp(z), z.^2 are vectors of length 1 for z in R^1), vec(e) is a vector and diag(e) a
// matrix, kron(A, B) and [A; B] have the real dimensions of their parts; grad(e, x) has x's
// kind, hessian(e, x) is a matrix unless x is a scalar, jacobian(f, x) has f's real dimensions
// as rows and x's as columns, diff(e, t) and simplify(e) e's kind. Anything else has the kind of
// its shape (a sum or product of 1 x 1 values is a scalar): a rule that only looked through
// products and sums would depend on how the printer groups them, and a printed result must read
// back with its kind.
ValueKind value_kind(const Graph& g, Id id);

// `id`, or an expression of the same value and shape whose kind is `want` (when it fits the
// shape): vec(e) makes a vector, vec(e)' a row vector, diag(e) a 1 x 1 matrix, kron(e, diag(1)) a
// one-column or one-row matrix, sum(e) a scalar.
// A result simplified from a query keeps the query's kind this way (grad(tr(A), A) for
// A in R^(1 x 1) is diag(1), which reads back as a 1 x 1 matrix, not the scalar 1).
Id with_kind(Graph& g, Id id, ValueKind want);

}  // namespace nabla
