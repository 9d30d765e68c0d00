// One Python function on NumPy arrays or PyTorch tensors (codegen/array_code.h).
#include "codegen/array_code.h"

#include <cmath>
#include <map>
#include <set>
#include <sstream>

#include "codegen/common.h"
#include "eval/evaluate.h"
#include "eval/patterns.h"
#include "ir/build.h"
#include "ir/error.h"
#include "ir/functions.h"
#include "ir/value_kind.h"

namespace nabla {
namespace {

enum class Kind { Scalar, Vector, Matrix };

Kind kind_of(Shape s) {
  if (s.is_scalar()) return Kind::Scalar;
  if ((s.cols.is_fixed() && s.cols.size() == 1) || (s.rows.is_fixed() && s.rows.size() == 1))
    return Kind::Vector;
  return Kind::Matrix;
}
bool is_column(Shape s) {
  return kind_of(s) == Kind::Vector && s.cols.is_fixed() && s.cols.size() == 1;
}
bool is_row(Shape s) {
  return kind_of(s) == Kind::Vector && !is_column(s);
}

// Code and whether it needs parentheses as an operand.
struct Code {
  std::string s;
  bool atomic = true;
};

// The argument checks of a NumPy function.
const std::map<std::string, std::string>& argument_checks() {
  static const std::map<std::string, std::string> h = {
      {"_nabla_scalar", R"(def _nabla_scalar(name, s):
    s = np.asarray(s)
    if s.size != 1:
        raise ValueError("%s must be a scalar, got shape %s" % (name, s.shape))
    return s.astype(np.result_type(s, 1.0), copy=False).reshape(())
)"},
      {"_nabla_vector", R"(def _nabla_vector(name, v):
    v = np.asarray(v)
    v = v.astype(np.result_type(v, 1.0), copy=False)
    if v.ndim == 2 and 1 in v.shape:
        v = v.reshape(-1)
    if v.ndim != 1:
        raise ValueError("%s must be a vector (1-D array), got shape %s" % (name, v.shape))
    return v
)"},
      {"_nabla_matrix", R"(def _nabla_matrix(name, a):
    a = np.asarray(a)
    if a.ndim != 2:
        raise ValueError("%s must be a matrix (2-D array), got shape %s" % (name, a.shape))
    return a.astype(np.result_type(a, 1.0), copy=False)
)"},
      {"_nabla_batch_vector", R"(def _nabla_batch_vector(name, v):
    """A vector (n,), or a batch of them (b, n)."""
    v = np.asarray(v)
    v = v.astype(np.result_type(v, 1.0), copy=False)
    if v.ndim not in (1, 2):
        raise ValueError("%s must be a vector (n,) or a batch of vectors (b, n), got shape %s"
                         % (name, v.shape))
    return v
)"},
  };
  return h;
}

// The stable kernels of eval/kernels.h in NumPy, one row each: the kernel's name (the helper is
// _nabla_<name>), its parameters and its body, the same formula as the C++ kernel. `_rows`
// variants reduce over the last axis (a batch of vectors).
struct ArrayKernel {
  const char* name;
  const char* params;
  const char* body;
};
constexpr ArrayKernel kArrayKernels[] = {
    {"sigmoid", "u", R"(    """1 / (1 + e^-u) without overflow: e^-|u| is at most 1."""
    e = np.exp(-np.abs(u))
    return np.where(u >= 0, 1.0, e) / (1.0 + e))"},
    {"softplus", "u", R"(    """log(1 + e^u) = max(u, 0) + log1p(e^-|u|), finite at u = +-1000."""
    return np.maximum(u, 0.0) + np.log1p(np.exp(-np.abs(u))))"},
    {"log_sigmoid", "u", R"(    """log(sigmoid(u)) = -softplus(-u)."""
    return -(np.maximum(-u, 0.0) + np.log1p(np.exp(-np.abs(u)))))"},
    {"logsumexp", "x", R"(    """m + log sum e^(x - m), m = max x."""
    m = np.max(x)
    if not np.isfinite(m):
        return m
    return m + np.log(np.sum(np.exp(x - m))))"},
    {"softmax", "x", R"(    """e^(x - m) / sum e^(x - m); the +inf entries share the mass."""
    m = np.max(x)
    if np.isnan(m) or m == -np.inf:
        return np.full_like(x, np.nan)
    if m == np.inf:
        top = (x == m).astype(x.dtype)
        return top / np.sum(top)
    e = np.exp(x - m)
    return e / np.sum(e))"},
    {"log_softmax", "x",
     R"(    """log(softmax(x)) = x - m - log sum e^(x - m), never forming softmax."""
    m = np.max(x)
    if np.isnan(m) or m == -np.inf:
        return np.full_like(x, np.nan)
    if m == np.inf:
        top = x == m
        return np.where(top, -np.log(np.sum(top)), -np.inf)
    return x - m - np.log(np.sum(np.exp(x - m))))"},
    {"prod_others", "x",
     R"(    """Entry i: the product of every other entry (prefix times suffix products)."""
    f = np.ravel(x, order="F")
    left = np.concatenate((np.ones(1, f.dtype), np.cumprod(f[:-1])))
    right = np.concatenate((np.cumprod(f[:0:-1])[::-1], np.ones(1, f.dtype)))
    return (left * right).reshape(np.shape(x), order="F"))"},
    {"logdet", "a", R"(    """log det A when det A > 0, NaN otherwise."""
    sign, logabs = np.linalg.slogdet(a)
    return logabs if sign > 0 else np.nan * logabs)"},
    {"logsumexp_rows", "x", R"(    m = np.max(x, axis=-1, keepdims=True)
    m = np.where(np.isfinite(m), m, 0.0)
    return np.log(np.sum(np.exp(x - m), axis=-1)) + m[..., 0])"},
    {"softmax_rows", "x", R"(    e = np.exp(x - np.max(x, axis=-1, keepdims=True))
    return e / np.sum(e, axis=-1, keepdims=True))"},
    {"log_softmax_rows", "x", R"(    m = np.max(x, axis=-1, keepdims=True)
    return x - m - np.log(np.sum(np.exp(x - m), axis=-1, keepdims=True)))"},
    {"logdet_stack", "a", R"(    sign, logabs = np.linalg.slogdet(a)
    return np.where(sign > 0, logabs, np.nan))"},
    {"vec_rows", "a", R"(    return np.swapaxes(a, -1, -2).reshape(a.shape[:-2] + (-1,)))"},
};

// Helpers a NumPy function may call (the argument checks, then the kernels); each is emitted
// only when used.
const std::map<std::string, std::string>& numpy_helpers() {
  static const std::map<std::string, std::string> h = [] {
    std::map<std::string, std::string> m = argument_checks();
    for (const ArrayKernel& k : kArrayKernels) {
      std::string name = std::string("_nabla_") + k.name;
      m[name] = "def " + name + "(" + k.params + "):\n" + k.body + "\n";
    }
    return m;
  }();
  return h;
}

class ArrayEmitter {
 public:
  ArrayEmitter(const Graph& g, const CodeFunction& f, ArrayLibrary lib, bool batch)
      : g_(g), f_(f), torch_(lib == ArrayLibrary::Torch), batch_(batch) {}

  std::string emit() {
    std::vector<int64_t> params = code_parameters(g_, f_);
    std::vector<Id> order = code_order(g_, f_);
    for (Id id : order) fold(id);
    if (batch_) {
      if (torch_) throw Error(ErrorKind::Unsupported, "batched code is generated for NumPy only");
      for (Id id : order) {
        const Node& n = g_[id];
        bool b = n.op == Op::Var && kind_of(n.shape) == Kind::Vector;
        for (Id k : n.kids) b = b || batched_.count(k);
        if (b && !folded_.count(id)) batched_.insert(id);
      }
    }
    count_uses();
    std::ostringstream body;
    // Parameters: converted (NumPy) and checked, dimensions read off them.
    for (int64_t p : params) {
      const Symbol& s = g_.symbol(p);
      std::string a = code_identifier(s.name);
      Kind k = kind_of(s.shape);
      if (!torch_) {
        const char* helper = k == Kind::Scalar ? "_nabla_scalar"
                             : k == Kind::Vector
                                 ? (batch_ ? "_nabla_batch_vector" : "_nabla_vector")
                                 : "_nabla_matrix";
        used_.insert(helper);
        body << "    " << a << " = " << helper << "(\"" << s.name << "\", " << a << ")\n";
      } else if (k == Kind::Vector) {
        body << "    if " << a << ".dim() == 2 and " << a << ".shape["
             << (is_column(s.shape) ? 1 : 0) << "] == 1:\n        " << a << " = " << a
             << ".reshape(-1)\n";
        body << "    if " << a << ".dim() != 1:\n        raise ValueError(\"" << s.name
             << " must be a vector (1-D tensor), got shape \" + str(list(" << a << ".shape)))\n";
      } else if (k == Kind::Matrix) {
        body << "    if " << a << ".dim() != 2:\n        raise ValueError(\"" << s.name
             << " must be a matrix (2-D tensor), got shape \" + str(list(" << a << ".shape)))\n";
      } else {
        body << "    if " << a << ".numel() != 1:\n        raise ValueError(\"" << s.name
             << " must be a scalar, got shape \" + str(list(" << a << ".shape)))\n";
        body << "    " << a << " = " << a << ".reshape(())\n";
      }
      if (k != Kind::Scalar && ref_.empty()) ref_ = a;
    }
    for (int64_t p : params) {
      const Symbol& s = g_.symbol(p);
      std::string a = code_identifier(s.name);
      Kind k = kind_of(s.shape);
      if (k == Kind::Vector) {
        bind(body, s.name, a + (batch_ ? ".shape[-1]" : ".shape[0]"),
             is_column(s.shape) ? s.shape.rows : s.shape.cols, "entries");
      } else if (k == Kind::Matrix) {
        bind(body, s.name, a + ".shape[0]", s.shape.rows, "rows");
        bind(body, s.name, a + ".shape[1]", s.shape.cols, "columns");
      }
    }
    // Locals: every node used more than once, and the outputs, in order.
    std::map<Id, std::string> output_name;
    for (const CodeOutput& o : f_.outputs)
      if (!output_name.count(o.expr)) output_name[o.expr] = code_identifier(o.name);
    std::ostringstream code;
    for (Id id : order) {
      if (!live_.count(id) || is_leaf(id)) continue;
      bool named = output_name.count(id) || uses_[id] > 1;
      if (!named) continue;
      std::string name = output_name.count(id) ? output_name[id] : "t" + std::to_string(++locals_);
      std::string value = expr(id).s;
      code << "    " << name << " = " << value << "\n";
      names_[id] = name;
    }
    std::string returned;
    for (size_t i = 0; i < f_.outputs.size(); ++i) {
      std::string r = result(f_.outputs[i].expr);
      // NumPy computes scalar-with-scalar arithmetic in float64: a scalar result gets the
      // arguments' dtype back.
      Shape os = g_[f_.outputs[i].expr].shape;
      ValueKind vk = value_kind(g_, f_.outputs[i].expr);
      // A result of one entry whose kind is a vector (grad w.r.t. z in R^1) or a matrix is an
      // array of that kind: (1,) or (1, 1); a one-column matrix (R^(n x 1)) is 2-D.
      const bool boxed = !torch_ && !batch_ && os.is_scalar() && vk != ValueKind::Scalar;
      if (!torch_ && !params.empty() && os.is_scalar()) {
        need_dtype_ = true;
        r = (batch_ || boxed ? "np.asarray(" + r + ", dtype=dtype)" : "dtype.type(" + r + ")");
      }
      if (boxed)
        r = "np.reshape(" + r + ", " + (vk == ValueKind::Matrix ? "(1, 1)" : "(1,)") + ")";
      else if (!torch_ && !batch_ && vk == ValueKind::Matrix && is_column(os))
        r = "np.reshape(" + r + ", (-1, 1))";
      returned += (i ? ", " : "") + r;
    }
    std::ostringstream out;
    out << "def " << code_identifier(f_.name) << "(";
    for (size_t i = 0; i < params.size(); ++i) {
      out << (i ? ", " : "") << code_identifier(g_.symbol(params[i]).name);
      if (torch_) out << ": torch.Tensor";
    }
    out << ")";
    if (torch_) {
      if (f_.outputs.size() == 1) {
        out << " -> torch.Tensor";
      } else {
        out << " -> Tuple[";
        for (size_t i = 0; i < f_.outputs.size(); ++i) out << (i ? ", " : "") << "torch.Tensor";
        out << "]";
      }
    }
    out << ":\n    \"\"\"Returns ";
    if (f_.outputs.size() > 1) out << "(";
    for (size_t i = 0; i < f_.outputs.size(); ++i) out << (i ? ", " : "") << f_.outputs[i].name;
    if (f_.outputs.size() > 1) out << ")";
    out << (torch_ ? "; tensors keep the arguments' dtype and device"
                   : "; arrays keep the arguments' float dtype")
        << ".\"\"\"\n";
    out << body.str();
    if (need_dtype_ && !torch_) {
      out << "    dtype = np.result_type(";
      bool any = false;
      for (int64_t p : params) {
        out << (any ? ", " : "") << code_identifier(g_.symbol(p).name);
        any = true;
      }
      out << (any ? ", " : "") << "1.0)\n";
    }
    out << code.str();
    out << "    return " << returned << "\n";
    return out.str();
  }

 private:
  // Scalar subexpressions without variables become numbers.
  void fold(Id id) {
    const Node& n = g_[id];
    if (!n.shape.is_scalar() || n.op == Op::Const || n.op == Op::Var) return;
    for (Id k : n.kids)
      if (!folded_.count(k) && g_[k].op != Op::Const) return;
    if (n.op == Op::Call) return;
    try {
      Matrix v = evaluate(g_, id, Bindings{});
      folded_[id] = v(0, 0);
    } catch (const Error&) {
    }
  }
  bool is_leaf(Id id) const {
    Op op = g_[id].op;
    return folded_.count(id) || op == Op::Const || op == Op::Var || op == Op::Pi;
  }

  // The node a reference to id reads: vectors' transposes are the vectors themselves (1-D).
  Id through(Id id) const {
    while (g_[id].op == Op::Transpose && kind_of(g_[id].shape) != Kind::Matrix) id = g_[id].kids[0];
    return id;
  }

  int consumers(Id id) const {
    auto it = consumers_.find(id);
    return it == consumers_.end() ? 0 : it->second;
  }

  // What the code of a node reads (after the rewrites below), each once per occurrence.
  std::vector<Id> reads(Id id) const {
    const Node& n = g_[id];
    std::vector<Id> r;
    if (is_leaf(id)) return r;
    if (n.op == Op::MatMul) {
      Id a = through(n.kids[0]), b = through(n.kids[1]);
      if (g_[a].op == Op::Diag && !g_[g_[a].kids[0]].shape.is_scalar())
        a = g_[a].kids[0];
      else if (g_[a].op == Op::Inv && consumers(a) == 1)
        a = g_[a].kids[0];
      if (g_[b].op == Op::Diag && !g_[g_[b].kids[0]].shape.is_scalar()) b = g_[b].kids[0];
      return {through(a), through(b)};
    }
    if (n.op == Op::Trace && g_[n.kids[0]].op == Op::MatMul && consumers(n.kids[0]) == 1) {
      const Node& m = g_[n.kids[0]];
      return {through(m.kids[0]), through(m.kids[1])};
    }
    if (n.op == Op::Add && is_negation(n.kids[1]))
      return {through(n.kids[0]), through(g_[n.kids[1]].kids[1])};
    if (n.op == Op::Log) {  // the stable forms read their argument's argument
      if (StableLog st = stable_log(g_, id); st.kind != StableLog::None) return {through(st.u)};
    }
    if (StableSigmoid st = stable_sigmoid(g_, id); st.kind != StableSigmoid::None)
      return {through(st.u)};
    if (n.op == Op::Power && g_[n.kids[0]].op == Op::Norm2 &&
        (folded_.count(n.kids[1]) || g_[n.kids[1]].op == Op::Const)) {
      Id u = through(g_[n.kids[0]].kids[0]);
      return {u, u};
    }
    if (n.op == Op::Power) {
      Id p = n.kids[1];
      if (folded_.count(p) || g_[p].op == Op::Const) return {through(n.kids[0])};
    }
    for (Id k : n.kids) r.push_back(through(k));
    return r;
  }

  bool is_negation(Id id) const {
    const Node& n = g_[id];
    if (n.op != Op::Scale) return false;
    Id s = n.kids[0];
    double v;
    if (folded_.count(s))
      v = folded_.at(s);
    else if (g_[s].op == Op::Const)
      v = const_value(g_, s);
    else
      return false;
    return v == -1;
  }

  void count_uses() {
    std::vector<Id> all = code_order(g_, f_);
    for (Id id : all)
      for (Id k : g_[id].kids) ++consumers_[through(k)];
    std::vector<Id> stack;
    for (const CodeOutput& o : f_.outputs) {
      Id r = through(o.expr);
      ++uses_[r];
      stack.push_back(r);
    }
    while (!stack.empty()) {
      Id id = stack.back();
      stack.pop_back();
      if (!live_.insert(id).second) continue;
      for (Id k : reads(id)) {
        ++uses_[k];
        stack.push_back(k);
      }
    }
  }

  void bind(std::ostream& o, const std::string& name, const std::string& got, Dim d,
            const char* what) {
    std::string want, dim;
    if (d.is_fixed()) {
      want = std::to_string(d.size());
      dim = want;
    } else {
      const std::string& sym = g_.dims.name(d);
      if (bound_.insert(sym).second) {
        o << "    " << dim_variable(sym) << " = " << got << "\n";
        return;
      }
      want = dim_variable(sym);
      dim = sym + " = ";
    }
    o << "    if " << got << " != " << want << ":\n        raise ValueError(";
    if (torch_)
      o << "\"" << name << " has \" + str(" << got << ") + \" " << what << ", expected " << dim
        << (d.is_fixed() ? "\")" : "\" + str(" + want + "))") << "\n";
    else
      o << "\"" << name << " has %d " << what << ", expected " << dim
        << (d.is_fixed() ? "\" % " + got + ")" : "%d\" % (" + got + ", " + want + "))") << "\n";
  }

  std::string number(double v) const {
    if (std::isnan(v)) return torch_ ? "float(\"nan\")" : "np.nan";
    if (std::isinf(v))
      return v > 0 ? (torch_ ? "float(\"inf\")" : "np.inf")
                   : (torch_ ? "-float(\"inf\")" : "-np.inf");
    return number_code(v);
  }

  // A reference to a node's value as an operand.
  Code ref(Id id) {
    id = through(id);
    if (auto it = names_.find(id); it != names_.end()) return {it->second, true};
    Code c = expr(id);
    return c;
  }
  std::string operand(Id id) {
    Code c = ref(id);
    return c.atomic ? c.s : "(" + c.s + ")";
  }
  std::string fn(const std::string& name, Id id) { return name + "(" + ref(id).s + ")"; }
  std::string lib(const char* numpy, const char* torch) const { return torch_ ? torch : numpy; }
  std::string dims_code(Shape s) {
    Kind k = kind_of(s);
    if (k == Kind::Vector) return dim_code(g_, is_column(s) ? s.rows : s.cols, bound_);
    return "(" + dim_code(g_, s.rows, bound_) + ", " + dim_code(g_, s.cols, bound_) + ")";
  }
  std::string dtype_args() {
    if (torch_) return ref_.empty() ? "" : ", dtype=" + ref_ + ".dtype, device=" + ref_ + ".device";
    need_dtype_ = true;
    return ", dtype=dtype";
  }
  // A 2-D form of a vector operand (for kron and stacks of matrices).
  std::string two_d(Id id) {
    Shape s = g_[id].shape;
    std::string o = operand(id);
    if (kind_of(s) != Kind::Vector) return o;
    return is_column(s) ? o + "[:, None]" : o + "[None, :]";
  }

  std::string result(Id id) {
    id = through(id);
    Code c = ref(id);
    if (torch_ && is_leaf(id) && g_[id].op != Op::Var)
      return "torch.tensor(" + c.s +
             (ref_.empty() ? "" : ", dtype=" + ref_ + ".dtype, device=" + ref_ + ".device") + ")";
    return c.s;
  }

  Code expr(Id id) {
    const Node& n = g_[id];
    if (auto it = folded_.find(id); it != folded_.end()) {
      std::string s = number(it->second);
      return {s, s[0] != '-'};
    }
    if (batch_ && batched_.count(id)) {
      bool handled = false;
      Code c = batched(id, handled);
      if (handled) return c;
    }
    bool s0 = !n.kids.empty() && g_[n.kids[0]].shape.is_scalar();
    auto infix = [&](const std::string& s) { return Code{s, false}; };
    if (is_elementwise_function(n.op)) {    // a row of functions.def
      if (n.op == Op::Log) return log(id);  // through the stable form its argument calls for
      const FunctionFacts& f = function_facts(n.op);
      std::string_view name = torch_ ? f.torch : f.numpy;
      if (!name.empty()) return {fn(std::string(name), n.kids[0])};
      // The rows without a library function: the generator's stable spellings.
      if (torch_ && n.op == Op::Softplus) {  // log(1 + e^u) = logaddexp(u, 0), stable at both ends
        std::string u = operand(n.kids[0]);
        return {"torch.logaddexp(" + u + ", torch.zeros_like(" + u + "))"};
      }
      if (torch_)
        throw Error(ErrorKind::Internal, "no PyTorch code for " + std::string(f.spelling));
      return {kernel(std::string(f.spelling), n.kids[0])};  // NumPy: the kernel's helper
    }
    switch (n.op) {
      case Op::Const:
      case Op::Pi: {
        std::string s = number(const_value(g_, id));
        return {s, s[0] != '-'};
      }
      case Op::Var:
        return {code_identifier(g_.symbol(n.a).name), true};
      case Op::Identity:
        if (n.shape.is_scalar()) return {"1.0"};
        return {lib("np.eye(", "torch.eye(") + dim_code(g_, n.shape.rows, bound_) + dtype_args() +
                ")"};
      case Op::Ones:
        if (n.shape.is_scalar()) return {"1.0"};
        return {lib("np.ones(", "torch.ones(") + dims_code(n.shape) + dtype_args() + ")"};
      case Op::Zeros:
        if (n.shape.is_scalar()) return {"0.0"};
        return {lib("np.zeros(", "torch.zeros(") + dims_code(n.shape) + dtype_args() + ")"};
      case Op::Commutation: {
        // K(m, n) vec(A) = vec(A'): row j + i n of K is e_(i + j m)', so row r selects column
        // r // n + (r % n) m of the identity.
        std::string m = "(" + dim_code(g_, Dim{static_cast<int32_t>(n.a)}, bound_) + ")";
        std::string k = "(" + dim_code(g_, Dim{static_cast<int32_t>(n.b)}, bound_) + ")";
        std::string r = lib("np.arange(", "torch.arange(") + m + " * " + k + ")";
        return {lib("np.eye(", "torch.eye(") + m + " * " + k + dtype_args() + ")[" + r + " // " +
                k + " + " + r + " % " + k + " * " + m + "]"};
      }
      case Op::Add: {
        // ones(n) + b is 1.0 + b: the scalar broadcasts, no array of ones is made.
        Id a = n.kids[0], b = n.kids[1];
        bool neg = is_negation(b);
        Id bb = neg ? g_[b].kids[1] : b;
        bool a1 = g_[a].op == Op::Ones, b1 = !a1 && g_[bb].op == Op::Ones;
        std::string left = a1 ? "1.0" : neg ? operand(a) : ref(a).s;
        std::string right = b1 ? "1.0" : operand(bb);
        return infix(left + (neg ? " - " : " + ") + right);
      }
      case Op::Scale:
        if (Code c; sigmoid_form(id, &c)) return c;
        if (is_negation(id)) return infix("-" + operand(n.kids[1]));
        return infix(operand(n.kids[0]) + " * " + operand(n.kids[1]));
      case Op::Hadamard:
        if (Code c; sigmoid_form(id, &c)) return c;
        return infix(operand(n.kids[0]) + " * " + operand(n.kids[1]));
      case Op::MatMul:
        return matmul(n);
      case Op::Transpose:  // a matrix's (vectors' are skipped by through()): a view
        return {operand(n.kids[0]) + ".T"};
      case Op::Power:
        if (Code c; sigmoid_form(id, &c)) return c;
        return power(n);
      case Op::Relu:  // max(u, 0)
        if (s0) return {"max(" + ref(n.kids[0]).s + ", 0.0)"};
        return {torch_ ? fn("torch.relu", n.kids[0]) : "np.maximum(" + ref(n.kids[0]).s + ", 0.0)"};
      case Op::Max:
      case Op::Min: {  // entry-wise; a scalar side broadcasts
        const bool mx = n.op == Op::Max;
        const bool sa = g_[n.kids[0]].shape.is_scalar(), sb = g_[n.kids[1]].shape.is_scalar();
        std::string a = ref(n.kids[0]).s, b = ref(n.kids[1]).s;
        if (sa && sb) return {std::string(mx ? "max(" : "min(") + a + ", " + b + ")"};
        if (!torch_) return {std::string(mx ? "np.maximum(" : "np.minimum(") + a + ", " + b + ")"};
        if (sa || sb) {
          const std::string& t = sa ? b : a;
          const std::string& c = sa ? a : b;
          return {"torch.clamp(" + t + (mx ? ", min=" : ", max=") + c + ")"};
        }
        return {std::string(mx ? "torch.maximum(" : "torch.minimum(") + a + ", " + b + ")"};
      }
      case Op::NormInf:
        if (s0) return {fn(lib("np.abs", "torch.abs"), n.kids[0])};
        return {lib("np.max(np.abs(", "torch.max(torch.abs(") + ref(n.kids[0]).s + "))"};
      case Op::Sum:
        return s0 ? ref(n.kids[0]) : Code{fn(lib("np.sum", "torch.sum"), n.kids[0])};
      case Op::Norm2:
        return s0 ? Code{fn(lib("np.abs", "torch.abs"), n.kids[0])}
                  : Code{fn(lib("np.linalg.norm", "torch.linalg.norm"), n.kids[0])};
      case Op::Trace: {
        if (s0) return ref(n.kids[0]);
        Id m = n.kids[0];
        if (g_[m].op == Op::MatMul && consumers(m) == 1) {  // tr(A B) = sum(A .* B') without A B
          const Node& p = g_[m];
          return {lib("np.sum(", "torch.sum(") + operand(p.kids[0]) + " * " + operand(p.kids[1]) +
                  ".T)"};
        }
        return {fn(lib("np.trace", "torch.trace"), m)};
      }
      case Op::Det:
        return s0 ? ref(n.kids[0]) : Code{fn(lib("np.linalg.det", "torch.linalg.det"), n.kids[0])};
      case Op::LogDet:
        if (s0) return {fn(lib("np.log", "torch.log"), n.kids[0])};
        if (torch_) return {fn("torch.logdet", n.kids[0])};
        used_.insert("_nabla_logdet");
        return {fn("_nabla_logdet", n.kids[0])};
      case Op::Inv:
        return s0 ? infix("1.0 / " + operand(n.kids[0]))
                  : Code{fn(lib("np.linalg.inv", "torch.linalg.inv"), n.kids[0])};
      case Op::Diag:
        return s0 ? ref(n.kids[0]) : Code{fn(lib("np.diag", "torch.diag"), n.kids[0])};
      case Op::DiagPart:
        return s0 ? ref(n.kids[0]) : Code{fn(lib("np.diagonal", "torch.diagonal"), n.kids[0])};
      case Op::Softmax: {
        if (s0) return {"1.0"};
        if (!torch_) {
          used_.insert("_nabla_softmax");
          return {fn("_nabla_softmax", n.kids[0])};
        }
        std::string x = operand(n.kids[0]);
        return {"torch.softmax(" + x + ".reshape(-1), 0).reshape(" + x + ".shape)"};
      }
      case Op::LogSumExp:
        if (s0) return ref(n.kids[0]);
        if (!torch_) {
          used_.insert("_nabla_logsumexp");
          return {fn("_nabla_logsumexp", n.kids[0])};
        }
        return {"torch.logsumexp(" + operand(n.kids[0]) + ".reshape(-1), 0)"};
      case Op::Prod:
        if (s0) return ref(n.kids[0]);
        return {fn(lib("np.prod", "torch.prod"), n.kids[0])};
      case Op::ProdOthers: {  // prefix times suffix products: exact at zero entries
        if (s0) return {"1.0"};
        if (!torch_) {
          used_.insert("_nabla_prod_others");
          return {fn("_nabla_prod_others", n.kids[0])};
        }
        std::string x = operand(n.kids[0]);
        return {
            "(lambda f: torch.cumprod(torch.cat([torch.ones_like(f[:1]), f[:-1]]), 0) * "
            "torch.flip(torch.cumprod(torch.flip(torch.cat([f[1:], torch.ones_like(f[:1])]), "
            "[0]), 0), [0]))(" +
            x + ".reshape(-1)).reshape(" + x + ".shape)"};
      }
      case Op::Vec:
        if (s0 || kind_of(g_[n.kids[0]].shape) == Kind::Vector) return ref(n.kids[0]);
        return {torch_ ? operand(n.kids[0]) + ".T.reshape(-1)"
                       : operand(n.kids[0]) + ".reshape(-1, order=\"F\")"};
      case Op::Kron: {
        if (n.shape.is_scalar()) return infix(operand(n.kids[0]) + " * " + operand(n.kids[1]));
        std::string k =
            lib("np.kron(", "torch.kron(") + two_d(n.kids[0]) + ", " + two_d(n.kids[1]) + ")";
        return {kind_of(n.shape) == Kind::Vector ? k + ".reshape(-1)" : k};
      }
      case Op::Stack: {
        std::string r;
        if (kind_of(n.shape) == Kind::Vector) {
          r = lib("np.concatenate([", "torch.cat([");
          for (size_t i = 0; i < n.kids.size(); ++i) {
            Id k = n.kids[i];
            std::string part = operand(k);
            if (g_[k].shape.is_scalar())
              part = is_leaf(k) && torch_ ? "torch.full((1,), " + part + dtype_args() + ")"
                     : torch_             ? part + ".reshape(1)"
                                          : "np.atleast_1d(" + part + ")";
            r += (i ? ", " : "") + part;
          }
          return {r + "])"};
        }
        r = lib("np.vstack([", "torch.vstack([");
        for (size_t i = 0; i < n.kids.size(); ++i) r += (i ? ", " : "") + two_d(n.kids[i]);
        return {r + "])"};
      }
#include "ir/function_cases.inc"  // read above, from their rows
      case Op::Call:  // rejected before any code is written (abstract functions have none)
#include "ir/query_cases.inc"
        break;
    }
    throw Error(ErrorKind::Internal, std::string("no ") + (torch_ ? "PyTorch" : "NumPy") +
                                         " code for op " + std::string(op_name(n.op)));
  }

  Code power(const Node& n) {
    Id p = n.kids[1];
    std::string x = operand(n.kids[0]);
    bool literal = folded_.count(p) || g_[p].op == Op::Const;
    double v = literal ? (folded_.count(p) ? folded_.at(p) : const_value(g_, p)) : 0;
    if (literal && v == 0.5) return {lib("np.sqrt(", "torch.sqrt(") + ref(n.kids[0]).s + ")"};
    if (literal && v == -1) return {"1.0 / " + x, false};
    if (literal && v == 1) return ref(n.kids[0]);
    if (literal && v == 2) {
      // ||u||^2 = u'u (vectors) or sum(u .* u), without the square root.
      Id base = n.kids[0];
      if (g_[base].op == Op::Norm2 && !g_[g_[base].kids[0]].shape.is_scalar()) {
        Id u = g_[base].kids[0];
        std::string uc = operand(u);
        if (kind_of(g_[u].shape) == Kind::Vector) return {uc + " @ " + uc, false};
        return {lib("np.sum(", "torch.sum(") + uc + " * " + uc + ")"};
      }
      if (names_.count(through(base)) || is_leaf(through(base))) return {x + " * " + x, false};
      return {lib("np.square(", "torch.square(") + ref(base).s + ")"};
    }
    return {x + " ** " + operand(p), false};
  }

  bool is_batched(Id id) const {
    return batched_.count(through(id)) > 0;
  }
  std::string helper(const char* name, Id id) {
    used_.insert(name);
    return std::string(name) + "(" + ref(id).s + ")";
  }
  // A kernel of kArrayKernels applied to u: _nabla_<name>(u).
  std::string kernel(const std::string& name, Id u) {
    return helper(("_nabla_" + name).c_str(), through(u));
  }

  // log(u), through the stable kernel its argument's spelling calls for (eval/patterns.h):
  // log(1 + e^u) = softplus(u), log(softmax(u)) = log_softmax(u), ...
  Code log(Id id) {
    const Node& n = g_[id];
    StableLog st = stable_log(g_, id);
    if (st.kind == StableLog::None) return {fn(lib("np.log", "torch.log"), n.kids[0])};
    const Id u = through(st.u);
    switch (st.kind) {
      case StableLog::Softplus:
      case StableLog::NegSoftplus: {
        const std::string neg = st.kind == StableLog::NegSoftplus ? "-" : "";
        if (!torch_) return {neg + kernel("softplus", u), neg.empty()};
        const std::string a = operand(u);
        return {neg + "torch.logaddexp(" + a + ", torch.zeros_like(" + a + "))", neg.empty()};
      }
      case StableLog::LogSigmoid:
        if (torch_) return {fn("torch.nn.functional.logsigmoid", u)};
        return {kernel("log_sigmoid", u)};
      case StableLog::Log1p:
        return {fn(lib("np.log1p", "torch.log1p"), u)};
      case StableLog::LogSoftmax: {
        if (g_[u].shape.is_scalar()) break;  // log(softmax(s)) = log 1: nothing to overflow
        if (torch_) {
          std::string x = operand(u);
          return {"torch.log_softmax(" + x + ".reshape(-1), 0).reshape(" + x + ".shape)"};
        }
        if (batch_ && batched_.count(u)) return {kernel("log_softmax_rows", u)};
        return {kernel("log_softmax", u)};
      }
      case StableLog::None:
        break;
    }
    return {fn(lib("np.log", "torch.log"), n.kids[0])};
  }
  // e^u (1 + e^u)^-1 = sigmoid(u), (1 + e^u)^-1 = sigmoid(-u).
  bool sigmoid_form(Id id, Code* out) {
    StableSigmoid st = stable_sigmoid(g_, id);
    if (st.kind == StableSigmoid::None) return false;
    const Id u = through(st.u);
    const std::string a = st.kind == StableSigmoid::SigmoidNeg ? "-" + operand(u) : ref(u).s;
    if (torch_) {
      *out = {"torch.sigmoid(" + a + ")"};
    } else {
      used_.insert("_nabla_sigmoid");
      *out = {"_nabla_sigmoid(" + a + ")"};
    }
    return true;
  }

  // Batched forms (batch_): vectors (b, n), scalars (b,), matrices (b, r, c) where they depend
  // on a batched vector; entry-wise operations broadcast as they are and are not listed.
  Code batched(Id id, bool& handled) {
    const Node& n = g_[id];
    handled = true;
    Kind k0 = n.kids.empty() ? Kind::Scalar : kind_of(g_[n.kids[0]].shape);
    auto axes = [](Kind k) {
      return k == Kind::Vector ? std::string("-1") : std::string("(-2, -1)");
    };
    switch (n.op) {
      case Op::Scale: {
        Id sc = n.kids[0];
        if (is_batched(sc) && !n.shape.is_scalar())
          return {operand(sc) +
                      (kind_of(n.shape) == Kind::Vector ? "[..., None]" : "[..., None, None]") +
                      " * " + operand(n.kids[1]),
                  false};
        break;
      }
      case Op::MatMul:
        return batched_matmul(n);
      case Op::Transpose:
        return {"np.swapaxes(" + ref(n.kids[0]).s + ", -1, -2)"};
      case Op::Sum:
        if (k0 == Kind::Scalar) break;
        return {"np.sum(" + ref(n.kids[0]).s + ", axis=" + axes(k0) + ")"};
      case Op::Norm2:
        if (k0 == Kind::Scalar) break;
        return {"np.linalg.norm(" + ref(n.kids[0]).s + ", axis=" + axes(k0) + ")"};
      case Op::Power: {
        Id base = n.kids[0], p = n.kids[1];
        bool two = (folded_.count(p) && folded_.at(p) == 2) ||
                   (g_[p].op == Op::Const && const_value(g_, p) == 2);
        if (two && g_[base].op == Op::Norm2 && !g_[g_[base].kids[0]].shape.is_scalar()) {
          Id u = g_[base].kids[0];
          std::string uc = operand(u);
          return {"np.sum(" + uc + " * " + uc + ", axis=" + axes(kind_of(g_[u].shape)) + ")"};
        }
        break;
      }
      case Op::Trace: {
        if (k0 == Kind::Scalar) break;
        Id m = n.kids[0];
        if (g_[m].op == Op::MatMul && consumers(m) == 1) {
          const Node& pr = g_[m];
          return {"np.sum(" + operand(pr.kids[0]) + " * np.swapaxes(" + ref(pr.kids[1]).s +
                  ", -1, -2), axis=(-2, -1))"};
        }
        return {"np.trace(" + ref(m).s + ", axis1=-2, axis2=-1)"};
      }
      case Op::Diag:
        if (k0 == Kind::Scalar) break;
        return {operand(n.kids[0]) + "[..., :, None] * np.eye(" +
                    dim_code(g_, n.shape.rows, bound_) + dtype_args() + ")",
                false};
      case Op::DiagPart:
        if (k0 == Kind::Scalar) break;
        return {"np.diagonal(" + ref(n.kids[0]).s + ", axis1=-2, axis2=-1)"};
      case Op::LogDet:
        if (k0 == Kind::Scalar) break;
        return {helper("_nabla_logdet_stack", n.kids[0])};
      case Op::Softmax:
        if (k0 != Kind::Vector) break;
        return {helper("_nabla_softmax_rows", n.kids[0])};
      case Op::LogSumExp:
        if (k0 != Kind::Vector) break;
        return {helper("_nabla_logsumexp_rows", n.kids[0])};
      case Op::Vec:
        if (k0 != Kind::Matrix) break;
        return {helper("_nabla_vec_rows", n.kids[0])};
      case Op::Kron:
      case Op::Stack:
        throw Error(ErrorKind::Unsupported,
                    std::string("no batched NumPy code for ") + std::string(op_name(n.op)),
                    "generate without batch");
#include "ir/leaf_cases.inc"
#include "ir/piecewise_cases.inc"
      case Op::Add:
      case Op::Hadamard:
#include "ir/function_cases.inc"
      case Op::NormInf:
      case Op::Det:
      case Op::Inv:
      case Op::Prod:
      case Op::ProdOthers:
      case Op::Call:
#include "ir/query_cases.inc"
        break;
    }
    handled = false;
    return {};
  }

  Code batched_matmul(const Node& n) {
    Id a = through(n.kids[0]), b = through(n.kids[1]);
    Shape sa = g_[n.kids[0]].shape, sb = g_[n.kids[1]].shape;
    if (g_[a].op == Op::Diag && !g_[g_[a].kids[0]].shape.is_scalar()) {
      std::string v = operand(g_[a].kids[0]);
      if (kind_of(sb) == Kind::Vector) return {v + " * " + operand(b), false};
      return {v + "[..., :, None] * " + operand(b), false};
    }
    if (g_[b].op == Op::Diag && !g_[g_[b].kids[0]].shape.is_scalar()) {
      std::string v = operand(g_[b].kids[0]);
      if (kind_of(sa) == Kind::Vector) return {operand(a) + " * " + v, false};
      return {operand(a) + " * " + v + "[..., None, :]", false};
    }
    if (g_[a].op == Op::Inv && consumers(a) == 1) {
      std::string m = ref(g_[a].kids[0]).s;
      if (kind_of(sb) == Kind::Vector)
        return {"np.linalg.solve(" + m + ", " + operand(b) + "[..., None])[..., 0]"};
      return {"np.linalg.solve(" + m + ", " + ref(b).s + ")"};
    }
    if (is_column(sa) && is_row(sb))
      return {operand(a) + "[..., :, None] * " + operand(b) + "[..., None, :]", false};
    if (is_row(sa) && is_column(sb))
      return {"np.sum(" + operand(a) + " * " + operand(b) + ", axis=-1)"};
    Kind ka = kind_of(sa), kb = kind_of(sb);
    if (ka == Kind::Matrix && kb == Kind::Vector) {
      if (is_batched(a))
        return {"np.einsum(\"...ij,...j->...i\", " + ref(a).s + ", " + ref(b).s + ")"};
      return {operand(b) + " @ " + operand(a) + ".T", false};
    }
    if (ka == Kind::Vector && kb == Kind::Matrix) {
      if (is_batched(b))
        return {"np.einsum(\"...i,...ij->...j\", " + ref(a).s + ", " + ref(b).s + ")"};
      return {operand(a) + " @ " + operand(b), false};
    }
    return {operand(a) + " @ " + operand(b), false};
  }

  Code matmul(const Node& n) {
    Id a = through(n.kids[0]), b = through(n.kids[1]);
    Shape sa = g_[n.kids[0]].shape, sb = g_[n.kids[1]].shape;
    // diag(v) as a factor scales rows (on the left) or columns (on the right).
    if (g_[a].op == Op::Diag && !g_[g_[a].kids[0]].shape.is_scalar()) {
      std::string v = operand(g_[a].kids[0]);
      if (kind_of(sb) == Kind::Vector) return {v + " * " + operand(b), false};
      return {v + "[:, None] * " + operand(b), false};
    }
    if (g_[b].op == Op::Diag && !g_[g_[b].kids[0]].shape.is_scalar())
      return {operand(a) + " * " + operand(g_[b].kids[0]), false};
    // inv(A) B: a solve, not an inverse.
    if (g_[a].op == Op::Inv && consumers(a) == 1)
      return {lib("np.linalg.solve(", "torch.linalg.solve(") + ref(g_[a].kids[0]).s + ", " +
              ref(b).s + ")"};
    if (is_column(sa) && is_row(sb))
      return {lib("np.outer(", "torch.outer(") + ref(a).s + ", " + ref(b).s + ")"};
    return {operand(a) + " @ " + operand(b), false};
  }

  const Graph& g_;
  const CodeFunction& f_;
  bool torch_;
  bool batch_;            // vectors may carry a leading batch axis (NumPy)
  std::set<Id> batched_;  // nodes that depend on a vector argument (batch_ only)
  std::set<std::string> bound_;
  std::set<std::string> used_;
  std::map<Id, double> folded_;
  std::map<Id, int> uses_, consumers_;
  std::set<Id> live_;
  std::map<Id, std::string> names_;
  int locals_ = 0;
  bool need_dtype_ = false;

 public:
  // The helpers the emitted function calls, and whether it needs typing.Tuple.
  const std::set<std::string>& helpers() const {
    return used_;
  }
  bool needs_tuple() const {
    return torch_ && f_.outputs.size() > 1;
  }

 private:
  std::string ref_;  // a tensor argument whose dtype and device new tensors take
};

}  // namespace

std::string emit_array_module(const Graph& g, const std::vector<CodeFunction>& functions,
                              ArrayLibrary library, bool batch) {
  bool torch = library == ArrayLibrary::Torch;
  std::set<std::string> helpers;
  bool tuple = false;
  std::string bodies;
  for (const CodeFunction& f : functions) {
    ArrayEmitter e(g, f, library, batch);
    bodies += "\n\n" + (f.comment.empty() ? "" : "# " + f.comment + "\n") + e.emit();
    helpers.insert(e.helpers().begin(), e.helpers().end());
    tuple = tuple || e.needs_tuple();
  }
  // Imports and helpers once, then the functions.
  std::string out = torch ? "import torch\n" : "import numpy as np\n";
  if (tuple) out += "from typing import Tuple\n";
  for (const std::string& h : helpers) {
    auto it = numpy_helpers().find(h);
    if (it != numpy_helpers().end()) out += "\n\n" + it->second;
  }
  return out + bodies;
}

std::string emit_array_code(const Graph& g, const CodeFunction& f, ArrayLibrary library,
                            bool batch) {
  return emit_array_module(g, {f}, library, batch);
}

}  // namespace nabla
