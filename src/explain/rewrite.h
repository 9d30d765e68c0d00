#pragma once
// Small IR helpers of the worked solutions: rebuilding with replacements, the bookkeeping a
// reader does not write down, and asking the engine for a derivative.
#include <string>
#include <unordered_map>
#include <vector>

#include "ir/graph.h"

namespace nabla::explain {

// root with every key of `map` (any node, typically query nodes) replaced by its value.
Id replace_nodes(Graph& g, Id root, const std::unordered_map<Id, Id>& map);

// Bookkeeping a reader folds into the line it serves: (M')' = M, I' = I, a scalar's
// transpose, 1*M = M. Never more (the line must still show what the rule produced).
Id tidy(Graph& g, Id root);

// Scalar factors of nested products gathered in front: exp(u)*((-1)*x)/(1 + exp(u)) becomes
// -exp(u)/(1 + exp(u))*x.
Id collect_scalar_factors(Graph& g, Id root);

// The engine's simplified answer of a query node (expand_queries + simplify).
Id engine_answer(Graph& g, Id query_node, std::vector<std::string>* rule_names = nullptr);
// simplify with the names of the rules it applied (in order, each once).
Id simplify_named(Graph& g, Id e, std::vector<std::string>* rule_names);

// The query nodes below root whose arguments hold no query.
std::vector<Id> innermost_queries(const Graph& g, Id root);
bool has_query(const Graph& g, Id root);

// Degree of e in the variable symbol: 0 constant, 1 linear (through sums, products with
// constants, transposes, sums of entries, traces, vec, stacks), 2 anything else.
int degree_in(const Graph& g, Id e, int64_t var_symbol);

// Names of the variables and functions used below root.
std::vector<std::string> names_used(const Graph& g, Id root);

}  // namespace nabla::explain
