#include <cctype>

#include "ir/error.h"
#include "ir/functions.h"
#include "print/names.h"
#include "print/render.h"

namespace nabla {
namespace {

std::string args_latex(const std::vector<Layout>& kids) {
  return join_rendered(kids, ", ", [](const Layout& k) { return render_latex(k); });
}

std::string paren(const std::string& s) {
  return "\\left(" + s + "\\right)";
}

// Inside braces (\frac{..}{..}, ^{..}, \sqrt{..}) grouping parentheses are not needed.
std::string braced_body(const Layout& l) {
  return render_latex(l.kind == LayoutKind::Paren ? l.kids[0] : l);
}

// True when the LaTeX of l ends in a superscript, so another ^ needs braces: {x^\top}^\top.
bool ends_in_superscript(const Layout& l) {
  switch (l.kind) {
    case LayoutKind::Transpose:
    case LayoutKind::Power:
      return true;
    case LayoutKind::Func:
      return l.op == Op::Inv;
    case LayoutKind::Number:
      return l.is_double && format_double(l.value).find('e') != std::string::npos;
    default:
      return false;
  }
}

// The base of ^: parenthesized by the layout where the grammar needs it; braced where LaTeX
// would otherwise see a double superscript.
std::string superscript_base(const Layout& l) {
  if (l.kind == LayoutKind::Number && ends_in_superscript(l)) return paren(render_latex(l));
  if (ends_in_superscript(l)) return "{" + render_latex(l) + "}";
  return render_latex(l);
}

std::string number_latex(const Layout& l) {
  if (l.is_double) {
    std::string s = format_double(l.value);
    size_t e = s.find('e');
    if (e == std::string::npos) return s;
    return s.substr(0, e) + " \\cdot 10^{" + s.substr(e + 1) + "}";
  }
  if (l.den == 1) return std::to_string(l.num);
  std::string sign = l.num < 0 ? "-" : "";
  uint64_t magnitude = l.num < 0 ? -static_cast<uint64_t>(l.num) : static_cast<uint64_t>(l.num);
  return sign + "\\frac{" + std::to_string(magnitude) + "}{" + std::to_string(l.den) + "}";
}

// Left to right: a/b becomes \frac{a}{b} over everything before it (the ASCII reading).
std::string chain_latex(const Layout& l) {
  std::string out = render_latex(l.kids[0]);
  bool single = true;  // out is the first factor alone
  int last = 0;        // 1 after a product or quotient, 2 after an entry-wise one
  for (size_t i = 1; i < l.kids.size(); ++i) {
    const Layout& f = l.kids[i];
    // where products and entry-wise products meet, what is before is parenthesized:
    // \left(A x\right) \odot y, never A x \odot y (which reads as A (x \odot y) too)
    int kind = l.joins[i - 1] == Join::Had || l.joins[i - 1] == Join::HadDiv ? 2 : 1;
    if (last != 0 && kind != last) {
      out = paren(out);
      single = false;
    }
    last = kind;
    switch (l.joins[i - 1]) {
      case Join::Mul: {
        std::string r = render_latex(f);
        bool digit = !r.empty() && std::isdigit(static_cast<unsigned char>(r[0]));
        out += (digit ? " \\cdot " : " ") + r;
        break;
      }
      case Join::Div: {
        std::string num = single ? braced_body(l.kids[0]) : out;
        out = "\\frac{" + num + "}{" + braced_body(f) + "}";
        break;
      }
      case Join::Had:
        out += " \\odot " + render_latex(f);
        break;
      case Join::HadDiv:
        out += " \\oslash " + render_latex(f);
        break;
    }
    single = false;
  }
  return out;
}

std::string power_latex(const Layout& l) {
  std::string exponent = braced_body(l.kids[1]);
  if (l.elementwise) exponent = "\\circ " + exponent;  // Hadamard power x^{\circ 2}
  return superscript_base(l.kids[0]) + "^{" + exponent + "}";
}

std::string_view function_command(Op op) {
  if (is_elementwise_function(op)) return function_facts(op).latex;
  if (op == Op::Det) return "\\det";
  if (op == Op::LogDet) return "\\log\\det";
  if (op == Op::ProdOthers) return "\\operatorname{prod\\_others}";
  return {};
}

std::string func_latex(const Layout& l) {
  if (l.op == Op::Abs)
    return "\\left|" + render_latex(l.kids[0]) + "\\right|";  // the one function with a notation
  switch (l.op) {
    case Op::Norm2:
      return "\\lVert " + render_latex(l.kids[0]) + " \\rVert_2";
    case Op::NormInf:
      return "\\lVert " + render_latex(l.kids[0]) + " \\rVert_\\infty";
    case Op::Kron: {
      auto operand = [](const Layout& x) {
        return x.level < kLevelPostfix ? paren(render_latex(x)) : render_latex(x);
      };
      return paren(operand(l.kids[0]) + " \\otimes " + operand(l.kids[1]));
    }
    case Op::Inv: {
      const Layout& x = l.kids[0];
      std::string base = x.level < kLevelPostfix ? paren(render_latex(x)) : superscript_base(x);
      return base + "^{-1}";
    }
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
  std::string_view cmd = function_command(l.op);
  std::string head =
      cmd.empty() ? "\\operatorname{" + std::string(op_spelling(l.op)) + "}" : std::string(cmd);
  return head + paren(args_latex(l.kids));
}

std::string call_latex(const Layout& l) {
  std::string name = latex_name(l.name);
  std::string args = paren(args_latex(l.kids));
  switch (l.form) {
    case CallForm::Value:
      return name + args;
    case CallForm::Jacobian:
      return "J_{" + name + "}" + args;
    case CallForm::Gradient:
      return "\\nabla " + name + args;
    case CallForm::Prime:
      return name + "'" + args;
    case CallForm::Partial:
      return "\\partial_{" + std::to_string(l.num) + "} " + name + args;
    case CallForm::Second:
      return name + "''" + args;
    case CallForm::Hessian:
      return "\\nabla^2 " + name + args;
    case CallForm::Partial2:
      return "\\partial_{" + std::to_string(l.num) + "}\\partial_{" + std::to_string(l.den) + "} " +
             name + args;
  }
  return name + args;
}

// \nabla_{x} e, J_{x}, \nabla^2_{x}, \frac{\partial}{\partial x}: the operand is parenthesized
// unless it is an atom.
std::string query_latex(const Layout& l) {
  const Layout& e = l.kids[0];
  std::string operand = e.level == kLevelAtom ? " " + render_latex(e) : paren(render_latex(e));
  std::vector<Layout> vars(l.kids.begin() + 1, l.kids.end());
  std::string wrt = args_latex(vars);
  switch (l.op) {
    case Op::Grad:
      return "\\nabla_{" + wrt + "}" + operand;
    case Op::Jacobian:  // J_{x}\left(x\right)^\top: the argument in parentheses, always
      return "J_{" + wrt + "}" + paren(render_latex(e));
    case Op::Hessian:
      return "\\nabla^2_{" + wrt + "}" + operand;
    case Op::Derivative:
      return "\\frac{\\partial}{\\partial " + wrt + "}" + operand;
#include "ir/arithmetic_cases.inc"
#include "ir/function_cases.inc"
#include "ir/leaf_cases.inc"
#include "ir/matrix_function_cases.inc"
#include "ir/piecewise_cases.inc"
#include "ir/reduction_cases.inc"
#include "ir/structure_cases.inc"
    case Op::Call:
    case Op::Simplify:
      return "\\operatorname{" + std::string(op_spelling(l.op)) + "}" + paren(render_latex(e));
  }
  throw Error(ErrorKind::Internal, "not an op");
}

}  // namespace

std::string render_latex(const Layout& l) {
  switch (l.kind) {
    case LayoutKind::Number:
      return number_latex(l);
    case LayoutKind::Constant: {
      // The size as a subscript where the text writes it: I_{n}, \mathbf{1}_{n \times m}.
      std::string size;
      if (l.sized) {
        size = "_{" +
               join_rendered(l.size, " \\times ",
                             [](const std::string& d) {
                               std::string out;
                               for (char c : d)
                                 out += c == '*' ? std::string(" ") : std::string(1, c);
                               return out;
                             }) +
               "}";
      }
      switch (l.op) {
        case Op::Pi:
          return "\\pi";
        case Op::Ones:
          return "\\mathbf{1}" + size;
        case Op::Zeros:
          return "\\mathbf{0}" + size;
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
      return latex_name(l.name);
    case LayoutKind::Sum: {
      std::string out = render_latex(l.kids[0]);
      for (size_t i = 1; i < l.kids.size(); ++i)
        out += (l.minus[i] ? " - " : " + ") + render_latex(l.kids[i]);
      return out;
    }
    case LayoutKind::Chain:
      return chain_latex(l);
    case LayoutKind::Neg:
      return "-" + render_latex(l.kids[0]);
    case LayoutKind::Power:
      return power_latex(l);
    case LayoutKind::Sqrt:
      return "\\sqrt{" + render_latex(l.kids[0]) + "}";
    case LayoutKind::Transpose:
      return superscript_base(l.kids[0]) + "^\\top";
    case LayoutKind::Func:
      return func_latex(l);
    case LayoutKind::Call:
      return call_latex(l);
    case LayoutKind::Stack: {
      auto entries = [](const Layout& row) {
        return join_rendered(row.kids, " & ", [](const Layout& k) { return render_latex(k); });
      };
      if (l.horizontal) return "\\begin{bmatrix} " + entries(l) + " \\end{bmatrix}";
      return "\\begin{bmatrix} " +
             join_rendered(l.kids, " \\\\ ",
                           [&](const Layout& k) {
                             return k.kind == LayoutKind::Stack && k.horizontal ? entries(k)
                                                                                : render_latex(k);
                           }) +
             " \\end{bmatrix}";
    }
    case LayoutKind::Query:
      return query_latex(l);
    case LayoutKind::Paren:
      return paren(render_latex(l.kids[0]));
  }
  throw Error(ErrorKind::Internal, "latex printer: unknown layout");
}

// Text mode: the characters LaTeX treats specially, escaped.
std::string latex_text(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '\\':
        out += "\\textbackslash{}";
        break;
      case '{':
      case '}':
      case '$':
      case '&':
      case '#':
      case '%':
      case '_':
        out += '\\';
        out += c;
        break;
      case '^':
        out += "\\^{}";
        break;
      case '~':
        out += "\\~{}";
        break;
      case '<':
        out += "\\textless{}";
        break;
      case '>':
        out += "\\textgreater{}";
        break;
      default:
        out += c;
    }
  }
  return out;
}

}  // namespace nabla
