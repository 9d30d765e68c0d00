#pragma once
#include <cstdint>
#include <string_view>

namespace nabla {

// Every operation of the IR, listed once in ops.def (entry-wise functions in functions.def).
enum class Op : uint8_t {
#define X(name, arity, spelling, kind, linearity, shape) name,
#include "ir/ops.def"
#undef X
};

inline constexpr int kOpCount = 0
#define X(name, arity, spelling, kind, linearity, shape) +1
#include "ir/ops.def"
#undef X
    ;

// The entry-wise functions (functions.def) are contiguous in Op, from Op::Exp.
inline constexpr int kFunctionCount = 0
#define FUNCTION(Name, ...) +1
#include "ir/functions.def"
#undef FUNCTION
    ;
inline constexpr Op kFirstFunction = Op::Exp;
// Position of an entry-wise function's row in functions.def.
constexpr int function_index(Op op) {
  return static_cast<int>(op) - static_cast<int>(kFirstFunction);
}

// What an op is (ops.def's kind column); the category predicates below derive from it.
enum class OpKind : uint8_t {
  Leaf,
  Arithmetic,
  Function,   // an entry-wise function of functions.def
  Piecewise,  // relu, max, min: entry-wise with kinks
  Reduction,
  MatrixFunction,
  Structure,
  Abstract,  // calls of abstract functions
  Query,
};
enum class OpLinearity : uint8_t { Constant, Linear, Bilinear, Nonlinear };
// The shape rule (ops.def's shape column), shared by the IR builders and the parser.
enum class ShapeRule : uint8_t {
  Given,           // leaves: the shape is part of the node
  Same,            // the argument's shape
  Scalar,          // any argument -> 1 x 1
  SquareToScalar,  // a square matrix -> 1 x 1
  SquareToSame,    // a square matrix -> the same shape
  VectorToSame,    // a vector -> the same shape
  Custom,          // written out per op
};

struct OpRecord {
  std::string_view name;      // enum name, e.g. "MatMul"
  int arity;                  // number of children, -1 when variadic
  std::string_view spelling;  // surface spelling, e.g. "*" or "logdet"
  OpKind kind;
  OpLinearity linearity;
  ShapeRule shape;
};

inline constexpr OpRecord kOpRecords[] = {
#define X(name, arity, spelling, kind, linearity, shape) \
  {#name, arity, spelling, OpKind::kind, OpLinearity::linearity, ShapeRule::shape},
#include "ir/ops.def"
#undef X
};

constexpr const OpRecord& op_record(Op op) {
  return kOpRecords[static_cast<int>(op)];
}

// Enum name, e.g. "MatMul".
constexpr std::string_view op_name(Op op) {
  return op_record(op).name;
}
// Surface spelling, e.g. "*" or "logdet".
constexpr std::string_view op_spelling(Op op) {
  return op_record(op).spelling;
}
// Number of children, -1 when variadic.
constexpr int op_arity(Op op) {
  return op_record(op).arity;
}
constexpr OpKind op_kind(Op op) {
  return op_record(op).kind;
}
constexpr ShapeRule op_shape_rule(Op op) {
  return op_record(op).shape;
}
// True for exp, log, sigmoid, ... (the rows of functions.def): applied entry by entry, shape
// preserved.
constexpr bool is_elementwise_function(Op op) {
  return op_kind(op) == OpKind::Function;
}
// Const, Pi, Var, I, ones, zeros, K: no children.
constexpr bool is_leaf_op(Op op) {
  return op_kind(op) == OpKind::Leaf;
}
// grad, jacobian, hessian, diff, simplify inside an expression (expanded before anything runs).
constexpr bool is_query_op(Op op) {
  return op_kind(op) == OpKind::Query;
}
// Linear in each argument: the only ops with a transpose rule.
constexpr bool is_linear_op(Op op) {
  return op_record(op).linearity == OpLinearity::Linear;
}

// Every op, in enum order (for tests and tables that walk all of them).
struct AllOps {
  struct Iter {
    int i;
    Op operator*() const { return static_cast<Op>(i); }
    Iter& operator++() {
      ++i;
      return *this;
    }
    bool operator!=(const Iter& o) const { return i != o.i; }
  };
  Iter begin() const { return {0}; }
  Iter end() const { return {kOpCount}; }
};
inline constexpr AllOps kAllOps{};

}  // namespace nabla
