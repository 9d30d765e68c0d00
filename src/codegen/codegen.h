#pragma once
#include <string>
#include <vector>

#include "ir/graph.h"

namespace nabla {

// One output of a generated function: a field name ("value", "grad_x") and its expression.
struct CodeOutput {
  std::string name;
  Id expr = kNoId;
};

// A function to generate: its outputs (expanded, preferably simplified expressions) over the
// free variables they use, which become the parameters in declaration (symbol) order.
struct CodeFunction {
  std::string name;
  std::vector<CodeOutput> outputs;
  std::string comment;  // written above the function in a module (the query it answers)
};

// A self-contained C++17 function on Eigen types: parameters `double`, `const Eigen::VectorXd&`
// or `const Eigen::MatrixXd&`; it checks every argument's dimensions (std::invalid_argument
// naming the argument and the dimension) and returns a struct NAME_result with one field per
// output. Helpers sit in namespace nabla_generated behind an include guard, so several
// generated functions can share a translation unit. Throws Error(Unsupported) for abstract
// functions (they have no code) and Error(Internal) for unexpanded queries.
std::string emit_cpp(const Graph& g, const CodeFunction& f);

// The same as a Python function on NumPy arrays: scalars are numbers (0-d arrays), vectors 1-D
// arrays (n,) (an (n, 1) or (1, n) array is accepted too), matrices 2-D arrays; shapes are
// checked (ValueError naming the argument and the dimension); float32 stays float32. Returns the
// outputs as a tuple in order (one output: just it), vectors 1-D. Written as array expressions:
// values used twice are named locals, diag(v) factors scale rows or columns, inv(A)*b is a
// solve, transposes of matrices are views. Starts with `import numpy as np` and only the helpers
// the function calls (prefixed _nabla_).
std::string emit_numpy(const Graph& g, const CodeFunction& f);

// The same on PyTorch tensors: `import torch`, type annotations, no helpers, so that
// torch.jit.script compiles it; new tensors take the dtype and device of the first tensor
// argument; every operation is differentiable by torch.autograd.
std::string emit_torch(const Graph& g, const CodeFunction& f);

// Several functions as one Python file: imports once, each helper once, then the functions
// (what emit_numpy / emit_torch give one by one).
std::string emit_numpy_module(const Graph& g, const std::vector<CodeFunction>& functions);
std::string emit_torch_module(const Graph& g, const std::vector<CodeFunction>& functions);

// The variable symbols the outputs use, in symbol order (the parameters).
std::vector<int64_t> code_parameters(const Graph& g, const CodeFunction& f);

// A C/Python identifier for a name of the language ("x", "sigma2", "α" -> "u03b1", "lambda" ->
// "lambda_").
std::string code_identifier(const std::string& name);

}  // namespace nabla
