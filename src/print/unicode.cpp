#include "ir/error.h"
#include "ir/functions.h"
#include "print/names.h"
#include "print/render.h"

namespace nabla {
namespace {

std::string args_unicode(const std::vector<Layout>& kids) {
  return join_rendered(kids, ", ", [](const Layout& k) { return render_unicode(k); });
}

std::string_view join_unicode(Join j) {
  switch (j) {
    case Join::Mul:
      return "·";
    case Join::Div:
      return "/";
    case Join::Had:
      return " ⊙ ";
    case Join::HadDiv:
      return " ⊘ ";
  }
  return "?";
}

// The operand of a postfix mark (ᵀ, ⁻¹): bare when it already binds at least as tightly.
std::string postfix_operand(const Layout& l) {
  if (l.level < kLevelPostfix) return "(" + render_unicode(l) + ")";
  return render_unicode(l);
}

const Layout& unparenthesized(const Layout& l) {
  return l.kind == LayoutKind::Paren ? l.kids[0] : l;
}

// Scalar powers with an integer exponent use superscripts (x², x⁻³); others keep ^ or .^.
std::string power_unicode(const Layout& l) {
  const Layout& e = unparenthesized(l.kids[1]);
  if (!l.elementwise && e.kind == LayoutKind::Number && !e.is_double && e.den == 1) {
    std::string sup = unicode_superscript(std::to_string(e.num));
    if (!sup.empty()) return render_unicode(l.kids[0]) + sup;
  }
  return render_unicode(l.kids[0]) + (l.elementwise ? ".^" : "^") + render_unicode(l.kids[1]);
}

std::string func_unicode(const Layout& l) {
  if (l.op == Op::Abs)
    return "|" + render_unicode(l.kids[0]) + "|";  // the one function with a notation
  switch (l.op) {
    case Op::Norm2:
      return "‖" + render_unicode(l.kids[0]) + "‖";
    case Op::NormInf:
      return "‖" + render_unicode(l.kids[0]) + "‖∞";
    case Op::Inv:
      return postfix_operand(l.kids[0]) + "⁻¹";
    case Op::Kron:  // (A ⊗ B): parenthesized, so that no reading of the chain is needed
      return "(" + postfix_operand(l.kids[0]) + " ⊗ " + postfix_operand(l.kids[1]) + ")";
#include "ir/arithmetic_cases.inc"
#include "ir/function_cases.inc"
#include "ir/leaf_cases.inc"
#include "ir/piecewise_cases.inc"
    case Op::Sum:
    case Op::Trace:
    case Op::Det:
    case Op::LogDet:
    case Op::Diag:
    case Op::DiagPart:
    case Op::Softmax:
    case Op::LogSumExp:
    case Op::Prod:
    case Op::ProdOthers:
    case Op::Vec:
    case Op::Stack:
    case Op::Call:
#include "ir/query_cases.inc"
      break;
  }
  std::string_view head =
      is_elementwise_function(l.op) ? function_facts(l.op).unicode : op_spelling(l.op);
  return std::string(head) + "(" + args_unicode(l.kids) + ")";
}

std::string call_unicode(const Layout& l) {
  std::string name = unicode_name(l.name);
  std::string args = "(" + args_unicode(l.kids) + ")";
  switch (l.form) {
    case CallForm::Value:
      return name + args;
    case CallForm::Jacobian:
      return "J_" + name + args;
    case CallForm::Gradient:
      return "∇" + name + args;
    case CallForm::Prime:
      return name + "′" + args;
    case CallForm::Partial:
      return "∂" + unicode_subscript(std::to_string(l.num)) + name + args;
    case CallForm::Second:
      return name + "″" + args;
    case CallForm::Hessian:
      return "∇²" + name + args;
    case CallForm::Partial2:
      return "∂" + unicode_subscript(std::to_string(l.num)) + "∂" +
             unicode_subscript(std::to_string(l.den)) + name + args;
  }
  return name + args;
}

// ∇_x(e), ∇_(x, y)(e), J_x(e), ∇²_x(e), diff(e, x), simplify(e).
std::string query_unicode(const Layout& l) {
  std::string e = "(" + render_unicode(l.kids[0]) + ")";
  std::vector<Layout> vars(l.kids.begin() + 1, l.kids.end());
  std::string wrt = args_unicode(vars);
  if (vars.size() > 1) wrt = "(" + wrt + ")";
  switch (l.op) {
    case Op::Grad:
      return "∇_" + wrt + e;
    case Op::Jacobian:
      return "J_" + wrt + e;
    case Op::Hessian:
      return "∇²_" + wrt + e;
    case Op::Derivative:  // the language's own spelling: it parses back
      return "diff(" + render_unicode(l.kids[0]) + ", " + wrt + ")";
#include "ir/arithmetic_cases.inc"
#include "ir/function_cases.inc"
#include "ir/leaf_cases.inc"
#include "ir/matrix_function_cases.inc"
#include "ir/piecewise_cases.inc"
#include "ir/reduction_cases.inc"
#include "ir/structure_cases.inc"
    case Op::Call:
    case Op::Simplify:
      return std::string(op_spelling(l.op)) + e;
  }
  throw Error(ErrorKind::Internal, "not an op");
}

}  // namespace

std::string render_unicode(const Layout& l) {
  switch (l.kind) {
    case LayoutKind::Number:
      return number_text(l);
    case LayoutKind::Constant: {
      std::string size;
      if (l.sized)
        size = "(" + join_rendered(l.size, ", ", [](const std::string& d) { return d; }) + ")";
      switch (l.op) {
        case Op::Pi:
          return "π";
        case Op::Ones:
          return "𝟏" + size;
        case Op::Zeros:
          return "𝟎" + size;
#include "ir/arithmetic_cases.inc"
#include "ir/matrix_function_cases.inc"
#include "ir/piecewise_cases.inc"
#include "ir/reduction_cases.inc"
#include "ir/structure_cases.inc"
        case Op::Const:
        case Op::Var:
        case Op::Identity:
        case Op::Commutation:
#include "ir/function_cases.inc"
        case Op::Call:
#include "ir/query_cases.inc"
          return "I" + size;
      }
      throw Error(ErrorKind::Internal, "not an op");
    }
    case LayoutKind::Name:
      return unicode_name(l.name);
    case LayoutKind::Sum: {
      std::string out = render_unicode(l.kids[0]);
      for (size_t i = 1; i < l.kids.size(); ++i)
        out += (l.minus[i] ? " - " : " + ") + render_unicode(l.kids[i]);
      return out;
    }
    case LayoutKind::Chain: {
      // Read left to right; where products and entry-wise products meet, what is before is
      // parenthesized, so that A·x ⊙ y cannot be read as A·(x ⊙ y): (A·x) ⊙ y.
      std::string out = render_unicode(l.kids[0]);
      int last = 0;
      for (size_t i = 1; i < l.kids.size(); ++i) {
        Join j = l.joins[i - 1];
        int kind = j == Join::Had || j == Join::HadDiv ? 2 : 1;
        if (last != 0 && kind != last) out = "(" + out + ")";
        out += std::string(join_unicode(j)) + render_unicode(l.kids[i]);
        last = kind;
      }
      return out;
    }
    case LayoutKind::Neg:
      return "-" + render_unicode(l.kids[0]);
    case LayoutKind::Power:
      return power_unicode(l);
    case LayoutKind::Sqrt:
      if (l.kids[0].level == kLevelAtom && l.kids[0].kind != LayoutKind::Func &&
          l.kids[0].kind != LayoutKind::Call)
        return "√" + render_unicode(l.kids[0]);
      return "√(" + render_unicode(l.kids[0]) + ")";
    case LayoutKind::Transpose:
      return render_unicode(l.kids[0]) + "ᵀ";
    case LayoutKind::Func:
      return func_unicode(l);
    case LayoutKind::Call:
      return call_unicode(l);
    case LayoutKind::Stack: {
      // [a; b], [a, b], and blocks [A, B; C, D] (rows side by side, written without brackets)
      auto entries = [](const Layout& row) {
        return join_rendered(row.kids, ", ", [](const Layout& k) { return render_unicode(k); });
      };
      if (l.horizontal) return "[" + entries(l) + "]";
      return "[" +
             join_rendered(l.kids, "; ",
                           [&](const Layout& k) {
                             return k.kind == LayoutKind::Stack && k.horizontal ? entries(k)
                                                                                : render_unicode(k);
                           }) +
             "]";
    }
    case LayoutKind::Query:  // ∇_x e reads to the end of the sum: inside one, in parentheses
      return "(" + query_unicode(l) + ")";
    case LayoutKind::Paren:
      return "(" + render_unicode(l.kids[0]) + ")";
  }
  throw Error(ErrorKind::Internal, "unicode printer: unknown layout");
}

}  // namespace nabla
