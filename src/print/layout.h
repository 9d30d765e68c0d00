#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ir/graph.h"
#include "ir/shape.h"

namespace nabla {

// The printers' shared layout: what the expression looks like on paper, decided once for all
// formats. build_layout re-sugars the lowered IR (a - b, a/s, sqrt(x), x ./ y, J(f)(x) ...),
// flattens sums and products where the text grammar allows, and inserts Paren nodes wherever
// the ASCII grammar (docs/language.md) needs them. Renderers (text, unicode, latex) only spell.

// Binding levels of the ASCII grammar, loosest first. An operand whose level is below what its
// position needs is wrapped in a Paren.
inline constexpr int kLevelSum = 1;      // a + b, a - b
inline constexpr int kLevelProduct = 2;  // a*b, a/b, a .* b, a ./ b, the fraction 1/2
inline constexpr int kLevelUnary = 3;    // -a, the number -2
inline constexpr int kLevelPower = 4;    // a^b, a.^b (right-associative)
inline constexpr int kLevelPostfix = 5;  // a'
inline constexpr int kLevelAtom = 6;     // names, numbers, calls, ( e ), [a; b]

enum class LayoutKind : uint8_t {
  Number,     // an exact rational (den > 0) or a double (is_double)
  Constant,   // pi, I, ones, zeros (op says which)
  Name,       // a variable
  Sum,        // kids are terms; minus[i] says term i is subtracted (minus[0] is always false)
  Chain,      // kids are factors joined left to right by joins[i - 1]
  Neg,        // -kids[0]
  Power,      // kids[0] ^ kids[1]; elementwise: the .^ spelling
  Sqrt,       // sqrt(kids[0])
  Transpose,  // kids[0]'
  Func,       // op(kids...): exp, log, tr, inv, norm2, kron, ...
  Call,       // an abstract function or one of its derivatives, see CallForm
  Stack,      // [kids[0]; kids[1]; ...]; horizontal: [kids[0], kids[1], ...]
  Query,      // op(kids[0], kids[1], ...): grad, jacobian, hessian, diff, simplify
  Paren,      // ( kids[0] )
};

enum class Join : uint8_t {
  Mul,     // *  matrix product or scaling
  Div,     // /  division by a scalar
  Had,     // .* entry-wise product
  HadDiv,  // ./ entry-wise division
};

enum class CallForm : uint8_t {
  Value,     // f(x)
  Jacobian,  // J(f)(x): non-scalar -> non-scalar (also R -> R^n)
  Gradient,  // grad(g)(u): scalar-valued, one non-scalar argument
  Prime,     // h'(t): R -> R
  Partial,   // partial(L, k)(a, b, c)
  Second,    // h''(t): R -> R
  Hessian,   // hessian(g)(u): scalar-valued, one vector argument
  Partial2,  // partial(L, i, j)(a, b, c); num = i, den = j
};

struct Layout {
  LayoutKind kind = LayoutKind::Number;
  int level = kLevelAtom;
  Op op = Op::Const;                // Constant, Func, Query: which op
  std::string name;                 // Name, Call: the symbol's name
  int64_t num = 0;                  // Number: numerator; Call Partial: the argument index k
  int64_t den = 1;                  // Number: denominator
  double value = 0;                 // Number with is_double
  bool is_double = false;           // Number
  bool elementwise = false;         // Power: .^ rather than ^
  bool horizontal = false;          // Stack: side by side ([a', b']' is [a, b])
  CallForm form = CallForm::Value;  // Call
  std::vector<bool> minus;          // Sum
  std::vector<Join> joins;          // Chain
  Shape shape = Shape::scalar();    // the value's shape (decides which chains may merge)
  // Constant I, ones, zeros: the sizes ("n", "n+m"; one for I and column vectors, rows and
  // columns otherwise) and whether the text must say them (the context does not determine
  // the shape: a whole result, an operand of a product or a function).
  std::vector<std::string> size;
  bool sized = false;
  std::vector<Layout> kids;
};

// The layout of expression `id`. Throws Error(ErrorKind::Limit) when the printed tree would be
// unreasonably large (a DAG can print exponentially large), Error(Internal) for a malformed node.
Layout build_layout(const Graph& g, Id id);

// True when the printed form begins with a minus sign (-x, -2, -a*b), which must not follow
// another operator directly.
bool starts_with_minus(const Layout& layout);

// Wraps `layout` in a Paren (level atom).
Layout parenthesize(Layout layout);

// The layout rule of each op, keyed by Op: one table, filled in layout.cpp.
class LayoutBuilder;
using PrintRule = Layout (*)(LayoutBuilder& builder, Id id);
// The rule for `op`; throws Error(ErrorKind::Internal) naming the op when there is none.
PrintRule print_rule(Op op);
bool has_print_rule(Op op);

// The shortest decimal spelling of v that reads back to exactly v ("0.1", "1e-300", "2.5e20"),
// always with a '.' or an exponent, never a '+' or leading zeros in the exponent.
std::string format_double(double v);

}  // namespace nabla
