#pragma once
#include "explain/derivation.h"

namespace nabla::explain {

// The differential method (Magnus & Neudecker): df in a direction dX, written as
// tr(G'*dX) (G'*dx for a vector, G*dx for a scalar), hence grad = G. Grad queries of one
// variable; Error(Unsupported) for others.
void differential_chain(Graph& g, Derivation& d);

}  // namespace nabla::explain
