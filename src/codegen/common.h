#pragma once
// Internals shared by the C++ and NumPy generators.
#include <set>
#include <string>
#include <vector>

#include "codegen/codegen.h"
#include "ir/graph.h"

namespace nabla {

// "dim_n" for the dimension symbol n.
std::string dim_variable(const std::string& symbol);
// Code for a dimension: "3", "(dim_n)", "(dim_n*dim_m)"; every symbol in it must be in `bound`
// (else Error(Unsupported)).
std::string dim_code(const Graph& g, Dim d, const std::set<std::string>& bound);
// A double literal: "2.0", "0.5", "1e-08" (C++: NAN/INFINITY; the NumPy side maps those).
std::string number_code(double v);
// The value of a Const or Pi node as code: "(1.0 / 2.0)", "(-1.0)", "0.25".
std::string const_code(const Graph& g, Id id);
// The nodes the outputs need, children first; rejects Call and query nodes.
std::vector<Id> code_order(const Graph& g, const CodeFunction& f);

}  // namespace nabla
