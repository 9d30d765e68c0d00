#pragma once
// The simplifier's rule set as named data. Internal to src/simplify.
#include <string_view>
#include <vector>

#include "simplify/context.h"

namespace nabla::simp {

// A rewrite: given a node whose children are already simplified, returns an equal node, or
// kNoId when its guard does not hold. Returning the node itself also means "does not apply".
using RuleFn = Id (*)(Ctx& c, Id node);

struct Rule {
  std::string_view name;  // logged as "simplify: <name>"
  Op op;                  // the op of the node it rewrites
  RuleFn apply;
};

// Every rule, in the order the engine tries them for a node of a given op.
const std::vector<Rule>& rule_table();

}  // namespace nabla::simp
