// What the C++ and NumPy generators share: parameters, identifiers, dimension expressions.
#include "codegen/common.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <set>

#include "codegen/codegen.h"
#include "ir/build.h"
#include "ir/error.h"

namespace nabla {

std::vector<int64_t> code_parameters(const Graph& g, const CodeFunction& f) {
  std::set<int64_t> symbols;
  for (const CodeOutput& o : f.outputs)
    for (Id id : reachable(g, o.expr))
      if (g[id].op == Op::Var) symbols.insert(g[id].a);
  return {symbols.begin(), symbols.end()};
}

std::string code_identifier(const std::string& name) {
  static const std::set<std::string> reserved = {
      // C++ and Python keywords a variable could be spelled as, and names the code uses.
      "and",     "as",     "assert",   "auto",     "break",   "case",     "catch",   "char",
      "class",   "const",  "continue", "def",      "default", "del",      "delete",  "do",
      "double",  "elif",   "else",     "enum",     "except",  "false",    "finally", "float",
      "for",     "from",   "global",   "goto",     "if",      "import",   "in",      "inline",
      "int",     "is",     "lambda",   "long",     "new",     "nonlocal", "not",     "np",
      "or",      "pass",   "raise",    "register", "return",  "short",    "signed",  "sizeof",
      "static",  "struct", "switch",   "template", "this",    "throw",    "true",    "try",
      "typedef", "union",  "unsigned", "using",    "void",    "while",    "with",    "yield",
      "None",    "True",   "False",    "std",      "Eigen",   "math"};
  std::string out;
  for (unsigned char c : name) {
    if (std::isalnum(c) || c == '_') {
      out += static_cast<char>(c);
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "x%02x", c);
      out += buf;
    }
  }
  if (out.empty() || std::isdigit(static_cast<unsigned char>(out[0]))) out = "v_" + out;
  if (reserved.count(out) || out.rfind("dim_", 0) == 0 || out.rfind("t_", 0) == 0 ||
      out.rfind("_nabla", 0) == 0)
    out += "_";
  return out;
}

std::string dim_variable(const std::string& symbol) {
  return "dim_" + code_identifier(symbol);
}

std::string dim_code(const Graph& g, Dim d, const std::set<std::string>& bound) {
  if (d.is_fixed()) return std::to_string(d.size());
  const std::string& name = g.dims.name(d);
  // Compound dimensions from shape inference: "n*m", "n+m+2": identifiers become dim_ names.
  std::string out;
  for (size_t i = 0; i < name.size();) {
    unsigned char c = static_cast<unsigned char>(name[i]);
    if (std::isalpha(c) || c == '_' || c >= 0x80) {
      size_t j = i;
      while (j < name.size() && (std::isalnum(static_cast<unsigned char>(name[j])) ||
                                 name[j] == '_' || static_cast<unsigned char>(name[j]) >= 0x80))
        ++j;
      std::string part = name.substr(i, j - i);
      if (!bound.count(part))
        throw Error(ErrorKind::Unsupported,
                    "dimension " + part + " is not fixed by any argument of the generated code",
                    "make the expression use a variable of that dimension");
      out += dim_variable(part);
      i = j;
    } else if (std::isdigit(c) || c == '*' || c == '+' || c == '(' || c == ')' || c == ' ') {
      out += static_cast<char>(c);
      ++i;
    } else {
      throw Error(ErrorKind::Unsupported, "dimension " + name + " has no code");
    }
  }
  return "(" + out + ")";
}

std::string number_code(double v) {
  if (std::isnan(v)) return "NAN";
  if (std::isinf(v)) return v > 0 ? "INFINITY" : "(-INFINITY)";
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  std::string s = buf;
  if (s.find_first_of(".e") == std::string::npos) s += ".0";
  return s;
}

std::string const_code(const Graph& g, Id id) {
  const Node& n = g[id];
  if (n.op == Op::Pi) return "3.141592653589793";
  if (n.b == 0) return number_code(n.f);
  std::string num = number_code(static_cast<double>(n.a));
  if (n.b == 1) return n.a < 0 ? "(" + num + ")" : num;
  return "(" + num + " / " + number_code(static_cast<double>(n.b)) + ")";
}

std::vector<Id> code_order(const Graph& g, const CodeFunction& f) {
  std::vector<char> needed(g.size(), 0);
  for (const CodeOutput& o : f.outputs) {
    if (o.expr < 0 || static_cast<size_t>(o.expr) >= g.size())
      throw Error(ErrorKind::Internal, "code output out of range");
    for (Id id : reachable(g, o.expr)) needed[static_cast<size_t>(id)] = 1;
  }
  std::vector<Id> order;
  for (size_t id = 0; id < needed.size(); ++id) {
    if (!needed[id]) continue;
    Op op = g[static_cast<Id>(id)].op;
    if (op == Op::Call)
      throw Error(ErrorKind::Unsupported, "abstract function " +
                                              g.symbol(g[static_cast<Id>(id)].a).name +
                                              " has no code; define it concretely first");
    if (op == Op::Grad || op == Op::Jacobian || op == Op::Hessian || op == Op::Derivative ||
        op == Op::Simplify)
      throw Error(ErrorKind::Internal, "expand queries before generating code");
    order.push_back(static_cast<Id>(id));
  }
  return order;
}

}  // namespace nabla
