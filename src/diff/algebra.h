#pragma once
#include <optional>
#include <string>

#include "ir/build.h"
#include "ir/graph.h"

namespace nabla::diffalg {

// Small constructors used by the derivative rules. They only skip trivial factors (an exact
// scalar 1, an identity matrix, a ones matrix in an entry-wise product, a double transpose) so
// that derivative DAGs stay small; all real algebra is the simplifier's job.

bool is_one_const(const Graph& g, Id id);
// a*b, the surface product, dropping a factor 1 or I.
Id mul(Graph& g, Id a, Id b);
// kron(a, b), written as a product where one side is a scalar or both are vectors of
// opposite orientation (kron(a', b) = b*a'), and kron(I, I) = I.
Id kron_of(Graph& g, Id a, Id b);
// a .* b for equal shapes (a plain product for scalars), dropping ones(..) factors.
Id emul(Graph& g, Id a, Id b);
// <a, b>: a*b for scalars, a'*b for columns, a*b' for rows, sum(a .* b) for matrices.
Id dot(Graph& g, Id a, Id b);
// a' (a scalar is its own transpose; (a')' = a).
Id transpose_of(Graph& g, Id a);
// 1 or ones(s).
Id one_like(Graph& g, Shape s);
// 0 or zeros(s).
Id zero_like(Graph& g, Shape s);
// x.^p, returning x for an exact exponent 1.
Id pow(Graph& g, Id x, Id p);
// p - 1, exact when p is a rational constant.
Id minus_one(Graph& g, Id p);
// vec(y) as a column: y for scalars/columns, y' for rows, vec(y) for matrices.
Id vec_of(Graph& g, Id y);
// Dimension of vec(y).
Dim vec_dim(Graph& g, Id y);
// acc + term, with an absent accumulator meaning zero.
Id plus(Graph& g, std::optional<Id> acc, Id term);

// f'(u) for an entry-wise function y = f(u) (a row of functions.def, or relu), same shape as u;
// nullopt when f' is zero a.e.
std::optional<Id> elementwise_derivative(Graph& g, Op op, Id u, Id y);
// The --steps text of the chain rule through f, one wording for every derivative mode, e.g.
// "chain rule through log: d log(u) = du/u".
std::string elementwise_rule_text(Op op);

// y = max(a, b) or min(a, b): dy = w_a .* da + w_b .* db with weights of y's shape, 1 where a
// side is the extremum, 0 where it is not and 1/2 each at ties (PyTorch's maximum/minimum):
// w_a = (1 + sign(a - b))/2 for max. A scalar side's da broadcasts.
struct ExtremumWeights {
  Id a;
  Id b;
};
ExtremumWeights extremum_weights(Graph& g, Id y);
// The step text of the max/min rule (one wording for every derivative mode).
std::string extremum_rule_text(Op op);
// y = norm(x, inf) = max |x_i|: its gradient sign(x) .* e/sum(e), e the indicator of the entries
// where |x_i| is the maximum (the subgradient shared evenly among ties, as PyTorch's amax).
Id norm_inf_gradient(Graph& g, Id y);

// prod_others(X) (the gradient of prod) has no derivative rule yet: second derivatives of
// prod(X) throw Unsupported.
[[noreturn]] void no_second_derivative_of_prod();

// The differential of a first-derivative call y (h'(u), grad(g)(u), partial(L, k)(a1, a2, ...)
// of a scalar-valued function of scalars and vectors): d y = sum_j S_j d a_j, with S_j the
// second-derivative block d y/d a_j' (h''(u), hessian(g)(u), partial(L, k, j)(...)). Returns
// S_j; throws Unsupported for a call whose second derivative has no matrix form (a vector-valued
// function's J(f), a matrix argument) and for third derivatives.
Id second_derivative_block(Graph& g, Id y, size_t j);

}  // namespace nabla::diffalg
