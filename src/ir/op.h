#pragma once
#include <cstdint>
#include <string_view>

namespace nabla {

// Every operation of the IR, listed once in ops.def.
enum class Op : uint8_t {
#define X(name, arity, spelling) name,
#include "ir/ops.def"
#undef X
};

inline constexpr int kOpCount = 0
#define X(name, arity, spelling) +1
#include "ir/ops.def"
#undef X
    ;

// Enum name, e.g. "MatMul".
std::string_view op_name(Op op);
// Surface spelling, e.g. "*" or "logdet".
std::string_view op_spelling(Op op);
// Number of children, -1 when variadic.
int op_arity(Op op);
// True for exp, log, sigmoid, ...: applied entry by entry, shape preserved.
bool is_elementwise_function(Op op);

}  // namespace nabla
