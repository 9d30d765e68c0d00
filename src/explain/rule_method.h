#pragma once
#include "explain/derivation.h"

namespace nabla::explain {

// Appends the rule method's expansion lines (queries replaced level by level) to d.
// all: every rule down to the variable (--steps=all); else elementary queries are answered
// at once and constant terms dropped without a line.
void expand_rule_chain(Graph& g, Derivation& d, bool all);
// Appends the simplification stages from the last line (or the query) to d.result.
void simplify_stages(Graph& g, Derivation& d, bool all);

}  // namespace nabla::explain
