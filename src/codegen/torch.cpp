// PyTorch generator: one TorchScript-compatible Python function on tensors per CodeFunction
// (codegen/array_code.cpp writes it; this is the PyTorch spelling).
#include "codegen/array_code.h"
#include "codegen/codegen.h"

namespace nabla {

std::string emit_torch(const Graph& g, const CodeFunction& f) {
  return emit_array_code(g, f, ArrayLibrary::Torch);
}

std::string emit_torch_module(const Graph& g, const std::vector<CodeFunction>& functions) {
  return emit_array_module(g, functions, ArrayLibrary::Torch);
}

}  // namespace nabla
