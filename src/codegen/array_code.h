#pragma once
// What the NumPy and PyTorch generators share: one Python function over arrays whose vectors are
// 1-D, written as real array expressions. Nodes used more than once become named locals, others
// are written inline; diag(v) as a factor becomes a row or column scaling, inv(A)*B a solve,
// vectors' transposes vanish (1-D arrays), matrices' transposes are views (.T), scalar constant
// subexpressions are folded. Only the helpers the code calls are emitted.
#include <string>
#include <vector>

#include "codegen/codegen.h"
#include "ir/graph.h"

namespace nabla {

enum class ArrayLibrary { Numpy, Torch };

// batch (NumPy only): every vector argument may also be a batch of vectors (b, n); what depends
// on one is computed for the whole batch at once (scalars (b,), vectors (b, n), matrices
// (b, r, c)) with broadcasting, einsum and axis= reductions.
std::string emit_array_code(const Graph& g, const CodeFunction& f, ArrayLibrary library,
                            bool batch = false);
// Several functions in one file: the imports and the helpers any of them uses appear once.
std::string emit_array_module(const Graph& g, const std::vector<CodeFunction>& functions,
                              ArrayLibrary library, bool batch = false);

}  // namespace nabla
