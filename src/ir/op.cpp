#include "ir/op.h"

namespace nabla {
namespace {
struct OpInfo {
  std::string_view name;
  int arity;
  std::string_view spelling;
};
constexpr OpInfo kOps[] = {
#define X(name, arity, spelling) {#name, arity, spelling},
#include "ir/ops.def"
#undef X
};
}  // namespace

std::string_view op_name(Op op) {
  return kOps[static_cast<int>(op)].name;
}
std::string_view op_spelling(Op op) {
  return kOps[static_cast<int>(op)].spelling;
}
int op_arity(Op op) {
  return kOps[static_cast<int>(op)].arity;
}

bool is_elementwise_function(Op op) {
  switch (op) {
    case Op::Exp:
    case Op::Log:
    case Op::Sin:
    case Op::Cos:
    case Op::Tan:
    case Op::Tanh:
    case Op::Sigmoid:
    case Op::Softplus:
    case Op::Log1p:
    case Op::Expm1:
    case Op::Abs:
    case Op::Sign:
      return true;
    default:
      return false;
  }
}

}  // namespace nabla
