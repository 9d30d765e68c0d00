// NumPy generator: one Python function on NumPy arrays per CodeFunction (codegen/array_code.cpp
// writes it; this is the NumPy spelling).
#include "codegen/array_code.h"
#include "codegen/codegen.h"

namespace nabla {

std::string emit_numpy(const Graph& g, const CodeFunction& f) {
  return emit_array_code(g, f, ArrayLibrary::Numpy);
}

std::string emit_numpy_module(const Graph& g, const std::vector<CodeFunction>& functions) {
  return emit_array_module(g, functions, ArrayLibrary::Numpy);
}

}  // namespace nabla
