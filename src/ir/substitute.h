#pragma once
#include <unordered_map>

#include "ir/graph.h"

namespace nabla {

// root with every node that is a key of `replace` (typically Var nodes: the parameters of a
// defined function) swapped for its value. Each value must have the shape of its key
// (Error(Shape) otherwise). Replacing the variable of a query node (grad(e, x)) by anything
// but a Var is Error(Unsupported). Shapes are kept, so nodes are copied with new children.
Id substitute(Graph& g, Id root, const std::unordered_map<Id, Id>& replace);

}  // namespace nabla
