#pragma once
// Internals shared by the files of src/api/.
#include <initializer_list>
#include <memory>

#include "ir/graph.h"
#include "nabla/expr.h"

namespace nabla::api {

// The graph new variables go to (one per thread).
std::shared_ptr<Graph>& current_graph();
// A constant node for a literal: exact rational when it is an integer or a half/quarter.
Id literal_node(Graph& g, double v);
// The graph shared by these expressions (literals have none): the current graph if all are
// literals; throws Error(Usage) when two differ.
std::shared_ptr<Graph> common_graph(std::initializer_list<const Expr*> es);
// The node of e in g (literals are added as constants).
Id node_of(Graph& g, const std::shared_ptr<Graph>& owner, const Expr& e);

}  // namespace nabla::api
