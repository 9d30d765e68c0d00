// NumPy generator: one Python function on NumPy arrays per CodeFunction.
#include <sstream>

#include "codegen/codegen.h"
#include "codegen/common.h"
#include "ir/error.h"

namespace nabla {
namespace {

// Helpers, defined once per module (re-definition when functions are concatenated is harmless).
constexpr const char* kPrelude = R"(import numpy as np


def _nabla_arg(name, value, kind):
    """Argument as float, or a 2-D array: a vector (n,) or (n, 1) becomes (n, 1)."""
    if kind == "scalar":
        a = np.asarray(value, dtype=float)
        if a.size != 1:
            raise ValueError("%s must be a scalar, got shape %s" % (name, a.shape))
        return float(a.reshape(-1)[0])
    a = np.asarray(value, dtype=float)
    if kind == "vector":
        if a.ndim == 1:
            a = a.reshape(-1, 1)
        if a.ndim != 2 or a.shape[1] != 1:
            raise ValueError("%s must be a vector, got shape %s" % (name, a.shape))
        return a
    if a.ndim == 1 and kind == "row":
        a = a.reshape(1, -1)
    if a.ndim != 2:
        raise ValueError("%s must be a matrix, got shape %s" % (name, a.shape))
    return a


def _nabla_size(name, what, got, want, dim):
    if got != want:
        raise ValueError("%s has %d %s, expected %s = %d" % (name, got, what, dim, want))


def _nabla_power(x, p):
    """Entry-wise x^p (1/2 by sqrt)."""
    if p == 0.5:
        return np.sqrt(x)
    return np.power(x, float(p))


def _nabla_sigmoid(u):
    """sigmoid(u) = 1 / (1 + e^-u) = exp(-log(1 + e^-u))."""
    return np.exp(-np.logaddexp(0.0, -u))


def _nabla_softplus(u):
    """softplus(u) = log(1 + e^u)."""
    return np.logaddexp(0.0, u)


def _nabla_logsumexp(x):
    m = np.max(x)
    if not np.isfinite(m):
        return float(m)
    return float(m + np.log(np.sum(np.exp(x - m))))


def _nabla_softmax(x):
    e = np.exp(x - np.max(x))
    return e / np.sum(e)


def _nabla_logdet(a):
    """log det A when det A > 0, NaN otherwise."""
    sign, logabs = np.linalg.slogdet(a)
    return float(logabs) if sign > 0 else float("nan")


def _nabla_m(x):
    return x if np.ndim(x) == 2 else np.full((1, 1), float(x))
)";

std::string kind_of(Shape s) {
  if (s.is_scalar()) return "scalar";
  if (s.cols.is_fixed() && s.cols.size() == 1) return "vector";
  if (s.rows.is_fixed() && s.rows.size() == 1) return "row";
  return "matrix";
}

std::string py_number(std::string c) {
  // number_code spells C++; Python has float("nan") / float("inf") instead.
  if (c == "NAN") return "float(\"nan\")";
  if (c == "INFINITY") return "float(\"inf\")";
  if (c == "(-INFINITY)") return "(-float(\"inf\"))";
  return c;
}

class NumpyEmitter {
 public:
  NumpyEmitter(const Graph& g, const CodeFunction& f) : g_(g), f_(f) {}

  std::string emit() {
    std::vector<int64_t> params = code_parameters(g_, f_);
    std::vector<Id> order = code_order(g_, f_);
    std::ostringstream o;
    o << kPrelude << "\n\n";
    o << "def " << code_identifier(f_.name) << "(";
    for (size_t i = 0; i < params.size(); ++i)
      o << (i ? ", " : "") << code_identifier(g_.symbol(params[i]).name);
    o << "):\n";
    o << "    \"\"\"Returns (";
    for (size_t i = 0; i < f_.outputs.size(); ++i) o << (i ? ", " : "") << f_.outputs[i].name;
    o << ").\"\"\"\n";
    for (int64_t p : params) {
      const Symbol& s = g_.symbol(p);
      std::string arg = code_identifier(s.name);
      o << "    " << arg << " = _nabla_arg(\"" << s.name << "\", " << arg << ", \""
        << kind_of(s.shape) << "\")\n";
    }
    for (int64_t p : params) {
      const Symbol& s = g_.symbol(p);
      if (s.shape.is_scalar()) continue;
      std::string arg = code_identifier(s.name);
      bind(o, s.name, arg + ".shape[0]", s.shape.rows, "rows");
      bind(o, s.name, arg + ".shape[1]", s.shape.cols, "columns");
    }
    for (Id id : order) o << "    t_" << id << " = " << expr(id) << "\n";
    o << "    return ";
    if (f_.outputs.size() > 1) o << "(";
    for (size_t i = 0; i < f_.outputs.size(); ++i) {
      Id r = f_.outputs[i].expr;
      std::string k = kind_of(g_[r].shape);
      std::string v = "t_" + std::to_string(r);
      o << (i ? ", " : "")
        << (k == "scalar"   ? "float(" + v + ")"
            : k == "vector" ? v + ".reshape(-1)"
                            : v);
    }
    if (f_.outputs.size() > 1) o << ")";
    o << "\n";
    return o.str();
  }

 private:
  void bind(std::ostream& o, const std::string& name, const std::string& got, Dim d,
            const char* what) {
    if (d.is_fixed()) {
      o << "    _nabla_size(\"" << name << "\", \"" << what << "\", " << got << ", " << d.size()
        << ", \"" << d.size() << "\")\n";
      return;
    }
    const std::string& sym = g_.dims.name(d);
    if (bound_.insert(sym).second)
      o << "    " << dim_variable(sym) << " = " << got << "\n";
    else
      o << "    _nabla_size(\"" << name << "\", \"" << what << "\", " << got << ", "
        << dim_variable(sym) << ", \"" << sym << "\")\n";
  }

  std::string kid(const Node& n, size_t i) const { return "t_" + std::to_string(n.kids[i]); }
  std::string mat(const Node& n, size_t i) const { return "_nabla_m(" + kid(n, i) + ")"; }
  std::string dims(Shape s) const {
    return dim_code(g_, s.rows, bound_) + ", " + dim_code(g_, s.cols, bound_);
  }
  std::string np(const char* name, const Node& n) const {
    return std::string(name) + "(" + kid(n, 0) + ")";
  }

  std::string expr(Id id) const {
    const Node& n = g_[id];
    bool s = n.shape.is_scalar();
    bool s0 = !n.kids.empty() && g_[n.kids[0]].shape.is_scalar();
    switch (n.op) {
      case Op::Const:
      case Op::Pi:
        return py_number(const_code(g_, id));
      case Op::Var:
        return code_identifier(g_.symbol(n.a).name);
      case Op::Identity:
        return s ? "1.0" : "np.eye(" + dim_code(g_, n.shape.rows, bound_) + ")";
      case Op::Ones:
        return s ? "1.0" : "np.ones((" + dims(n.shape) + "))";
      case Op::Zeros:
        return s ? "0.0" : "np.zeros((" + dims(n.shape) + "))";
      case Op::Commutation: {  // K(m, n): row j + i n is e_(i + j m)'
        std::string m = "(" + dim_code(g_, Dim{static_cast<int32_t>(n.a)}, bound_) + ")";
        std::string k = "(" + dim_code(g_, Dim{static_cast<int32_t>(n.b)}, bound_) + ")";
        return "np.eye(" + m + " * " + k + ")[np.arange(" + m + " * " + k + ") // " + k +
               " + np.arange(" + m + " * " + k + ") % " + k + " * " + m + "]";
      }
      case Op::Add:
        return kid(n, 0) + " + " + kid(n, 1);
      case Op::Scale:
      case Op::Hadamard:
        return kid(n, 0) + " * " + kid(n, 1);
      case Op::MatMul:
        return s ? "float((" + mat(n, 0) + " @ " + mat(n, 1) + ")[0, 0])"
                 : mat(n, 0) + " @ " + mat(n, 1);
      case Op::Transpose:
        return s ? kid(n, 0) : kid(n, 0) + ".T";
      case Op::Power:
        return "_nabla_power(" + kid(n, 0) + ", " + kid(n, 1) + ")";
      case Op::Exp:
        return np("np.exp", n);
      case Op::Log:
        return np("np.log", n);
      case Op::Sin:
        return np("np.sin", n);
      case Op::Cos:
        return np("np.cos", n);
      case Op::Tan:
        return np("np.tan", n);
      case Op::Tanh:
        return np("np.tanh", n);
      case Op::Sigmoid:
        return np("_nabla_sigmoid", n);
      case Op::Softplus:
        return np("_nabla_softplus", n);
      case Op::Log1p:
        return np("np.log1p", n);
      case Op::Expm1:
        return np("np.expm1", n);
      case Op::Abs:
        return np("np.abs", n);
      case Op::Sign:
        return np("np.sign", n);
      case Op::Relu:
        return "np.maximum(" + kid(n, 0) + ", 0.0)";
      case Op::Max:
      case Op::Min: {
        std::string r = std::string(n.op == Op::Max ? "np.maximum(" : "np.minimum(") + kid(n, 0) +
                        ", " + kid(n, 1) + ")";
        return s ? "float(" + r + ")" : r;
      }
      case Op::NormInf:
        return s0 ? "abs(" + kid(n, 0) + ")" : "float(np.max(np.abs(" + kid(n, 0) + ")))";
      case Op::Sum:
        return s0 ? kid(n, 0) : "float(np.sum(" + kid(n, 0) + "))";
      case Op::Norm2:
        return s0 ? "abs(" + kid(n, 0) + ")" : "float(np.linalg.norm(" + kid(n, 0) + "))";
      case Op::Trace:
        return s0 ? kid(n, 0) : "float(np.trace(" + kid(n, 0) + "))";
      case Op::Det:
        return s0 ? kid(n, 0) : "float(np.linalg.det(" + kid(n, 0) + "))";
      case Op::LogDet:
        return s0 ? "(np.log(" + kid(n, 0) + ") if " + kid(n, 0) + " > 0 else float(\"nan\"))"
                  : np("_nabla_logdet", n);
      case Op::Inv:
        return s0 ? "1.0 / " + kid(n, 0) : np("np.linalg.inv", n);
      case Op::Diag:
        return s0 ? kid(n, 0) : "np.diag(" + kid(n, 0) + ".reshape(-1))";
      case Op::DiagPart:
        return s0 ? kid(n, 0) : "np.diag(" + kid(n, 0) + ").reshape(-1, 1)";
      case Op::Softmax:
        return s0 ? "1.0" : np("_nabla_softmax", n);
      case Op::LogSumExp:
        return s0 ? kid(n, 0) : np("_nabla_logsumexp", n);
      case Op::Vec:
        return s0 ? kid(n, 0) : kid(n, 0) + ".reshape(-1, 1, order=\"F\")";
      case Op::Kron:
        return s ? kid(n, 0) + " * " + kid(n, 1) : "np.kron(" + mat(n, 0) + ", " + mat(n, 1) + ")";
      case Op::Stack: {
        std::string r = "np.vstack([";
        for (size_t i = 0; i < n.kids.size(); ++i) r += (i ? ", " : "") + mat(n, i);
        r += "])";
        return s ? "float(" + r + "[0, 0])" : r;
      }
      default:
        throw Error(ErrorKind::Internal, "no NumPy code for op " + std::string(op_name(n.op)));
    }
  }

  const Graph& g_;
  const CodeFunction& f_;
  std::set<std::string> bound_;
};

}  // namespace

std::string emit_numpy(const Graph& g, const CodeFunction& f) {
  return NumpyEmitter(g, f).emit();
}

}  // namespace nabla
