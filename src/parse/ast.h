#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ir/error.h"
#include "ir/graph.h"
#include "ir/op.h"
#include "ir/rational.h"

namespace nabla {

// The syntax tree of one statement, in an arena (no recursive destructors). Long left-
// associative chains (a + b - c ..., a * b / c ...) are one flat Chain node, so nothing that
// walks the tree recurses deeper than the source's nesting.
enum class AstKind {
  Number,       // exact or double
  Name,         // a variable, a named expression, a constant (I, ones, zeros, pi)
  Call,         // builtin, abstract or defined function applied to args
  DerivCall,    // J(f)(x), grad(g)(u), h'(t), partial(L, k)(...)
  Unary,        // -a, +a
  Chain,        // kids[0] op[0] kids[1] op[1] kids[2] ...
  Power,        // kids[0] ^ kids[1] (elementwise: .^)
  Transpose,    // kids[0]'
  Inner,        // <kids[0], kids[1]>
  Stack,        // [kids; ...]: vertical
  Row,          // [kids, ...]: horizontal (a row of a block stack [A, B; C, D])
  Norm,         // ‖kids[0]‖
  Query,        // grad/jacobian/hessian/diff/simplify: kids[0] = e, kids[1..] = Name nodes
  GradDefined,  // grad f (op Const) or hessian f (op Hessian), for a defined f
};

enum class ChainOp { Add, Sub, Mul, Div, Hadamard, HadamardDiv, Kron };

// How a Name or Call was resolved when parsed.
enum class NameRef {
  Variable,  // declared variable: symbol
  Named,     // named expression: id
  Inferred,  // undeclared: kind from spelling, shape from use
  Identity,
  Ones,
  Zeros,
  Pi,
  Commutation,  // K(m, n): symbol = m, deriv = n (Dim values)
  Builtin,      // Call: builtin function (its op; sugar: none, read by name)
  Abstract,     // Call/DerivCall: abstract function symbol
  Defined,      // Call/GradDefined: defined function (index in the scope's definitions)
};

struct AstNode {
  AstKind kind = AstKind::Number;
  SourceSpan span;   // with any parentheses around it, for quoting
  SourceSpan inner;  // without them, when they were there; see core()
  std::vector<int> kids;
  std::vector<ChainOp> ops;  // Chain
  std::string name;          // Name, Call, DerivCall, GradDefined
  NameRef ref = NameRef::Inferred;
  int64_t symbol = -1;            // Variable / Abstract: symbol; Defined: definition index
  Id id = kNoId;                  // Named: the expression
  Op op = Op::Const;              // Builtin call; Query op (Grad, Jacobian, ...)
  int64_t deriv = kCallValue;     // DerivCall
  bool negate = false;            // Unary: '-' (false for '+')
  bool elementwise = false;       // Power: '.^'
  std::optional<Rational> exact;  // Number
  bool sized = false;             // Name I, ones, zeros written with sizes: I(n), ones(n, m)
  Shape size = Shape::scalar();   // their shape
  double value = 0;               // Number without an exact value
};

struct Ast {
  std::vector<AstNode> nodes;
  int add(AstNode n) {
    nodes.push_back(std::move(n));
    return static_cast<int>(nodes.size() - 1);
  }
  // The node's own text, without enclosing parentheses: where its own errors point.
  SourceSpan core(int i) const {
    const AstNode& n = nodes[static_cast<size_t>(i)];
    return n.inner.valid() ? n.inner : n.span;
  }
  AstNode& operator[](int i) { return nodes[static_cast<size_t>(i)]; }
  const AstNode& operator[](int i) const { return nodes[static_cast<size_t>(i)]; }
};

// One statement.
struct Statement {
  enum class Kind {
    DeclareVariables,
    DeclareFunctions,
    DefineFunction,
    DefineNamed,
    Expression,
    Check
  };
  Kind kind = Kind::Expression;
  SourceSpan span;
  std::vector<std::string> names;  // declared names, or the defined name (names[0])
  std::vector<SourceSpan> name_spans;
  Shape shape = Shape::scalar();  // variables: their shape; functions: the result
  bool symmetric = false;
  ValueKind value_kind = ValueKind::Scalar;  // variables: R, R^n (also R^1), R^(n x m), Sym(n)
  std::vector<Shape> params;                 // functions: argument shapes
  std::vector<std::string> param_names;      // DefineFunction
  std::vector<SourceSpan> param_spans;
  int expr = -1;  // Define*, Expression, Check (left side)
  int rhs = -1;   // Check
};

}  // namespace nabla
