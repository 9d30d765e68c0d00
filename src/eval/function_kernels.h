#pragma once
// The numeric kernels of the entry-wise functions (the kernel and vector columns of
// ir/functions.def): the scalar kernel, used by evaluate() and wherever no vector kernel serves,
// and the vector kernel over arrays (libmvec through eval/vector_math.h) where there is one.
#include <cstdint>

#include "ir/op.h"

namespace nabla {

using ScalarKernel = double (*)(double);
using VectorKernel = void (*)(const double* x, double* y, int64_t m);

// The scalar kernel of an entry-wise function (throws Error(Internal) for any other op).
ScalarKernel scalar_kernel(Op op);
// The vector kernel, or nullptr when the function has none.
VectorKernel vector_kernel(Op op);
// y[i] = f(x[i]) for i < m: the vector kernel when there is one, else the scalar kernel.
void apply_function(Op op, const double* x, double* y, int64_t m);

}  // namespace nabla
