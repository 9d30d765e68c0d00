#pragma once
#include <string>
#include <unordered_map>
#include <vector>

#include "ir/graph.h"

namespace nabla {

// A concrete function `f(x, y) = body`: calls substitute the arguments for the parameters.
struct Definition {
  std::string name;
  std::vector<int32_t> params;  // parameter symbols, in order
  std::vector<Id> param_vars;   // their Var nodes
  Id body = kNoId;
};

// What a name means at one point of a script. A later declaration replaces an earlier one.
struct ScopeEntry {
  enum class Kind { Variable, Function, Defined, Named };
  Kind kind = Kind::Variable;
  int64_t symbol = -1;  // Variable, Function
  int definition = -1;  // Defined: index in Scope::definitions
  Id id = kNoId;        // Named
};

struct Scope {
  std::unordered_map<std::string, ScopeEntry> names;
  std::vector<Definition> definitions;

  const ScopeEntry* find(const std::string& name) const {
    auto it = names.find(name);
    return it == names.end() ? nullptr : &it->second;
  }
};

}  // namespace nabla
