#pragma once
#include "explain/derivation.h"

namespace nabla::explain {

// True when the query's expression is made of sums, products, transposes, sums of entries,
// traces and entry-wise functions of vectors and matrices (what index notation writes).
bool index_method_applies(const Graph& g, Id query);
// The index method: one entry of the gradient (Jacobian) in index notation with sums, the
// partial derivative with Kronecker deltas, the contraction, and the matrix expression it is.
void index_chain(Graph& g, Derivation& d);

}  // namespace nabla::explain
