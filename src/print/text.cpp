#include <cmath>

#include "ir/error.h"
#include "print/render.h"

namespace nabla {

std::string number_text(const Layout& l) {
  // Infinity and NaN must read back as numbers, not as variables named inf and nan:
  // 1e999 overflows to inf when parsed, and inf - inf is NaN.
  if (l.is_double && std::isinf(l.value)) return l.value < 0 ? "-1e999" : "1e999";
  if (l.is_double && std::isnan(l.value)) return "(1e999 - 1e999)";
  if (l.is_double) return format_double(l.value);
  if (l.den == 1) return std::to_string(l.num);
  return std::to_string(l.num) + "/" + std::to_string(l.den);
}

namespace {

std::string args_text(const std::vector<Layout>& kids) {
  return join_rendered(kids, ", ", [](const Layout& k) { return render_text(k); });
}

std::string_view join_text(Join j) {
  switch (j) {
    case Join::Mul:
      return "*";
    case Join::Div:
      return "/";
    case Join::Had:
      return " .* ";
    case Join::HadDiv:
      return " ./ ";
  }
  return "?";
}

std::string call_text(const Layout& l) {
  std::string args = "(" + args_text(l.kids) + ")";
  switch (l.form) {
    case CallForm::Value:
      return l.name + args;
    case CallForm::Jacobian:
      return "J(" + l.name + ")" + args;
    case CallForm::Gradient:
      return "grad(" + l.name + ")" + args;
    case CallForm::Prime:
      return l.name + "'" + args;
    case CallForm::Partial:
      return "partial(" + l.name + ", " + std::to_string(l.num) + ")" + args;
    case CallForm::Second:
      return l.name + "''" + args;
    case CallForm::Hessian:
      return "hessian(" + l.name + ")" + args;
    case CallForm::Partial2:
      return "partial(" + l.name + ", " + std::to_string(l.num) + ", " + std::to_string(l.den) +
             ")" + args;
  }
  return l.name + args;
}

}  // namespace

std::string render_text(const Layout& l) {
  switch (l.kind) {
    case LayoutKind::Number:
      return number_text(l);
    case LayoutKind::Constant:  // pi, I, ones, zeros; I(n), ones(n), zeros(n, m)
      if (l.sized)
        return std::string(op_spelling(l.op)) + "(" +
               join_rendered(l.size, ", ", [](const std::string& d) { return d; }) + ")";
      return std::string(op_spelling(l.op));
    case LayoutKind::Name:
      return l.name;
    case LayoutKind::Sum: {
      std::string out = render_text(l.kids[0]);
      for (size_t i = 1; i < l.kids.size(); ++i)
        out += (l.minus[i] ? " - " : " + ") + render_text(l.kids[i]);
      return out;
    }
    case LayoutKind::Chain: {
      std::string out = render_text(l.kids[0]);
      for (size_t i = 1; i < l.kids.size(); ++i)
        out += std::string(join_text(l.joins[i - 1])) + render_text(l.kids[i]);
      return out;
    }
    case LayoutKind::Neg:
      return "-" + render_text(l.kids[0]);
    case LayoutKind::Power:
      return render_text(l.kids[0]) + (l.elementwise ? ".^" : "^") + render_text(l.kids[1]);
    case LayoutKind::Sqrt:
      return "sqrt(" + render_text(l.kids[0]) + ")";
    case LayoutKind::Transpose:
      return render_text(l.kids[0]) + "'";
    case LayoutKind::Func:
    case LayoutKind::Query:
      return std::string(op_spelling(l.op)) + "(" + args_text(l.kids) + ")";
    case LayoutKind::Call:
      return call_text(l);
    case LayoutKind::Stack: {
      // [a; b], [a, b], and blocks [A, B; C, D] (rows side by side, written without brackets)
      auto entries = [](const Layout& row) {
        return join_rendered(row.kids, ", ", [](const Layout& k) { return render_text(k); });
      };
      if (l.horizontal) return "[" + entries(l) + "]";
      return "[" +
             join_rendered(l.kids, "; ",
                           [&](const Layout& k) {
                             return k.kind == LayoutKind::Stack && k.horizontal ? entries(k)
                                                                                : render_text(k);
                           }) +
             "]";
    }
    case LayoutKind::Paren:
      return "(" + render_text(l.kids[0]) + ")";
  }
  throw Error(ErrorKind::Internal, "text printer: unknown layout");
}

}  // namespace nabla
