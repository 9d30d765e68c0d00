#include "ir/op.h"

namespace nabla {

// The record is constexpr (op.h); these checks keep ops.def and functions.def consistent.
static_assert(sizeof(kOpRecords) / sizeof(kOpRecords[0]) == static_cast<size_t>(kOpCount));
static_assert(op_kind(Op::Exp) == OpKind::Function && is_elementwise_function(Op::Sign));
constexpr bool functions_are_contiguous() {
  int n = 0;
  for (int i = 0; i < kOpCount; ++i)
    if (kOpRecords[i].kind == OpKind::Function) {
      if (i != static_cast<int>(kFirstFunction) + n) return false;
      ++n;
    }
  return n == kFunctionCount;
}
static_assert(functions_are_contiguous(), "functions.def's rows must stay together in ops.def");
static_assert(is_leaf_op(Op::Commutation) && is_query_op(Op::Simplify));

}  // namespace nabla
