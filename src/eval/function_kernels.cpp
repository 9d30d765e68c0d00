#include "eval/function_kernels.h"

#include <cmath>
#include <string>

#include "eval/kernels.h"
#include "eval/vector_math.h"
#include "ir/error.h"

namespace nabla {
namespace {

struct FunctionKernels {
  ScalarKernel scalar;
  VectorKernel vector;
};

#define FUNCTION(Name, api, spelling, unicode, latex, cpp, eigen, numpy, torch, domain, at_zero, \
                 positive, kernel, vector, derivative, formula)                                  \
  {[](double x) -> double { return kernel; }, vector},
constexpr FunctionKernels kKernels[] = {
#include "ir/functions.def"
};
#undef FUNCTION

const FunctionKernels& kernels_of(Op op) {
  if (!is_elementwise_function(op))
    throw Error(ErrorKind::Internal, "no entry-wise kernel for " + std::string(op_name(op)));
  return kKernels[function_index(op)];
}

}  // namespace

ScalarKernel scalar_kernel(Op op) {
  return kernels_of(op).scalar;
}

VectorKernel vector_kernel(Op op) {
  return kernels_of(op).vector;
}

void apply_function(Op op, const double* x, double* y, int64_t m) {
  const FunctionKernels& k = kernels_of(op);
  if (k.vector) {
    k.vector(x, y, m);
    return;
  }
  for (int64_t i = 0; i < m; ++i) y[i] = k.scalar(x[i]);
}

}  // namespace nabla
