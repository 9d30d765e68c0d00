#pragma once
// The differential of each nonlinear scalar-valued op y = f(X), written once: dy = <G, dX> with
// G = d y/d X of X's shape (Magnus & Neudecker's first identification theorem). The reverse
// sweep transposes it (dX += cotangent * G), the Jacobian sweep vectorizes it
// (J(y) = vec(G)' J(X)), the forward sweep applies it (dy = <G, dX>, or the textbook form of
// the differential where one is written: d logdet(X) = tr(inv(X) dX)). One step text per op,
// shown by every mode.
#include <optional>
#include <string>
#include <vector>

#include "ir/graph.h"

namespace nabla::diffalg {

struct ScalarDifferential {
  // G for y = f(X) (y the node, X its child).
  Id (*gradient)(Graph& g, Id y);
  // dy for the tangent dX in the differential's textbook form; nullptr: <G, dX>.
  Id (*forward)(Graph& g, Id y, Id dx);
  // A scalar factor standing in front of the differential (det: dy = det(X) tr(inv(X) dX), so
  // the gradient is det(X) inv(X)'), or nullptr.
  Id (*factor)(Graph& g, Id y);
  // The step text, e.g. "d logdet(X) = tr(inv(X) dX)".
  const char* text;
};

// The differential of op, or nullptr when op is not a nonlinear scalar-valued op of one argument.
const ScalarDifferential* scalar_differential(Op op);

}  // namespace nabla::diffalg

namespace nabla {
struct DiffSweep;
}

namespace nabla::diffalg {

// The differential of a call y = f(a_1, ..., a_k) of an abstract function, written once:
// dy = sum over the arguments of `block * da_j` (inner = false) or `<block, da_j>` (inner = true):
//   g: R^d -> R      dy = <grad(g)(u), du>       h: R -> R^k (or R)  dy = h'(u) du
//   f: R^m -> R^k    dy = J(f)(u) du             L(a, b, ...) -> R   dy = sum_k <partial(L, k),
//   da_k> h'(u), grad(g)(u), partial(L, k)(...)        dy = sum_j S_j da_j
//   (second_derivative_block)
// Throws Unsupported where the derivative has no matrix form.
struct CallTerm {
  size_t arg;
  Id block;
  bool inner;
};
std::vector<CallTerm> call_differential(Graph& g, Id y, bool (*depends)(const DiffSweep&, Id),
                                        const DiffSweep& sweep);
// The --steps line of the chain rule through a call (one wording for every mode).
void note_call(DiffSweep& c, Id y);

}  // namespace nabla::diffalg

namespace nabla::diffalg {

// The differential of an entry-wise op y (a function of functions.def, relu, max, min), written
// once: dy = sum over its arguments of weight .* da (a scalar argument of a non-scalar y
// broadcasts: dy = weight da). Arguments whose weight is zero almost everywhere (sign) have no
// term. Reverse mode: da += G .* weight (broadcast: <weight, G>); forward: weight .* da;
// Jacobian: diag(vec(weight)) J(a) (broadcast: vec(weight) J(a)).
struct EntrywiseTerm {
  size_t arg;
  Id weight;
  bool broadcast;
};
bool is_entrywise_op(Op op);
std::vector<EntrywiseTerm> entrywise_differential(Graph& g, Id y);
// The --steps line of an entry-wise op (one wording for every mode).
void note_entrywise(DiffSweep& c, Id y);

}  // namespace nabla::diffalg
