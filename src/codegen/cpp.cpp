// C++ generator: one self-contained function on Eigen types per CodeFunction.
#include <sstream>

#include "codegen/codegen.h"
#include "codegen/common.h"
#include "codegen/kernels_text.h"
#include "eval/patterns.h"
#include "ir/build.h"
#include "ir/error.h"
#include "ir/functions.h"
#include "ir/value_kind.h"

namespace nabla {
namespace {

// Helpers of every generated function, once per translation unit: nabla's kernel library
// (src/eval/kernels.h, embedded verbatim at build time, so the generated code computes with the
// very code of the evaluator and the plans), then the generated code's names for its kernels.
std::string prelude() {
  return std::string(R"(#include <Eigen/Dense>
#include <cmath>
#include <stdexcept>
#include <string>

)") + kKernelsText +
         R"nabla(
#ifndef NABLA_GENERATED_PRELUDE
#define NABLA_GENERATED_PRELUDE
namespace nabla_generated {
using Mat = Eigen::MatrixXd;
inline void check_size(const char* arg, const char* what, Eigen::Index got, Eigen::Index want,
                       const char* dim) {
  if (got != want)
    throw std::invalid_argument(std::string(arg) + " has " + std::to_string(got) + " " + what +
                                ", expected " + dim + " = " + std::to_string(want));
}
using nabla::kernels::power;
using nabla::kernels::sigmoid;
using nabla::kernels::softplus;
using nabla::kernels::sign;
using nabla::kernels::commutation;
using nabla::kernels::kron;
using nabla::kernels::prod_others;
using nabla::kernels::logsumexp;
using nabla::kernels::log_softmax;
using nabla::kernels::norm2;
using nabla::kernels::softmax;
inline Mat as_mat(double v) { return Mat::Constant(1, 1, v); }
inline const Mat& as_mat(const Mat& m) { return m; }
inline double det(const Eigen::Ref<const Mat>& a) {
  return nabla::kernels::SquareFactorization(a).det();
}
inline double logdet(const Eigen::Ref<const Mat>& a) {
  return nabla::kernels::SquareFactorization(a).log_det();
}
// A^-1; a matrix singular to working precision is an error.
inline Mat inverse(const Eigen::Ref<const Mat>& a) {
  Mat out(a.rows(), a.cols());
  double rcond = 0;
  if (!nabla::kernels::SquareFactorization(a).inverse(Eigen::Map<Mat>(out.data(), a.rows(),
                                                                      a.cols()), &rcond))
    throw std::domain_error("matrix is singular to working precision (reciprocal condition "
                            "number " + std::to_string(rcond) + ")");
  return out;
}
inline Mat diag(const Eigen::Ref<const Mat>& v) { return Eigen::VectorXd(v.reshaped()).asDiagonal(); }
inline Mat stack(std::initializer_list<Mat> parts) {
  Eigen::Index rows = 0;
  for (const Mat& p : parts) rows += p.rows();
  Mat r(rows, parts.begin()->cols());
  Eigen::Index at = 0;
  for (const Mat& p : parts) {
    r.middleRows(at, p.rows()) = p;
    at += p.rows();
  }
  return r;
}
}  // namespace nabla_generated
#endif  // NABLA_GENERATED_PRELUDE
)nabla";
}

// The C++ type of a value of shape s and kind k: a vector of length 1 (R^1) is an
// Eigen::VectorXd and a 1 x 1 or one-column matrix an Eigen::MatrixXd, as their kinds say.
std::string type_of(Shape s, ValueKind k) {
  if (!kind_fits(k, s)) k = kind_of_shape(s);
  if (k == ValueKind::Scalar) return "double";
  if (k == ValueKind::Vector) return "Eigen::VectorXd";
  return "Eigen::MatrixXd";
}

// A parameter or output whose kind is not a scalar while its shape is 1 x 1: the generated
// code computes with a double and converts at the boundary.
bool boxed_scalar(Shape s, ValueKind k) {
  return s.is_scalar() && k != ValueKind::Scalar && kind_fits(k, s);
}

// The code of a value: a double, an Eigen matrix expression, or an Eigen array expression
// (entry-wise chains stay array expressions, so that Eigen evaluates a whole chain in one loop
// with no temporaries). `named`: a variable (a parameter or a computed temporary), cheap to read
// twice.
struct Code {
  enum Form { Scalar, Matrix, Array } form = Matrix;
  std::string text;
  bool named = false;
  bool costly = false;   // holds a transcendental function: read it twice only once named
  bool product = false;  // a (scaled) matrix product: assigned with noalias()
  std::string lhs, rhs;  // its factors (the scale goes into lhs, where Eigen's BLAS folds it)
  static Code make(Form form, std::string text, bool named, bool costly) {
    Code c;
    c.form = form;
    c.text = std::move(text);
    c.named = named;
    c.costly = costly;
    return c;
  }
};

// Generated code reads the graph once, children first. A node becomes a named temporary when
// it is read more than once (the hash-consed graph has merged its repeats: computed once), when
// it is an output, or when Eigen would evaluate it anyway (products, factorizations); otherwise
// its code is inlined into its reader. Inputs are read where they are (no copies), transposes
// are views, diag(v) read by a product is a scaling (asDiagonal), and entry-wise chains are
// array expressions: one loop per materialized value.
class CppEmitter {
 public:
  CppEmitter(const Graph& g, const CodeFunction& f) : g_(g), f_(f) {}

  std::string emit() {
    std::string fname = code_identifier(f_.name);
    std::vector<int64_t> params = code_parameters(g_, f_);
    std::vector<Id> order = code_order(g_, f_);
    std::ostringstream o;
    o << prelude() << "\n";
    o << "struct " << fname << "_result {\n";
    for (const CodeOutput& out : f_.outputs)
      o << "  " << type_of(g_[out.expr].shape, value_kind(g_, out.expr)) << " "
        << code_identifier(out.name) << ";\n";
    o << "};\n\n";
    o << "inline " << fname << "_result " << fname << "(";
    for (size_t i = 0; i < params.size(); ++i) {
      const Symbol& s = g_.symbol(params[i]);
      std::string t = type_of(s.shape, s.value_kind);
      // z in R^1 arrives as a vector of length 1 (z_value) and is read as the double z.
      std::string arg = code_identifier(s.name);
      if (boxed_scalar(s.shape, s.value_kind)) arg += "_value";
      o << (i ? ", " : "") << (t == "double" ? t : "const " + t + "&") << " " << arg;
    }
    o << ") {\n";
    // Dimensions: the first argument with a symbolic dimension fixes it, the others must agree.
    for (int64_t p : params) {
      const Symbol& s = g_.symbol(p);
      if (s.shape.is_scalar() && !boxed_scalar(s.shape, s.value_kind)) continue;
      std::string arg = code_identifier(s.name);
      if (boxed_scalar(s.shape, s.value_kind)) arg += "_value";
      bind(o, s.name, arg + ".rows()", s.shape.rows, "rows");
      bind(o, s.name, arg + ".cols()", s.shape.cols, "columns");
      if (boxed_scalar(s.shape, s.value_kind))
        o << "  const double " << code_identifier(s.name) << " = " << arg << "(0, 0);\n";
    }
    for (const std::string& d : bound_) o << "  (void)" << dim_variable(d) << ";\n";
    o << "  " << fname << "_result _nabla_r;\n";

    // Readers of each needed node (an output counts as a reader).
    readers_.assign(g_.size(), 0);
    product_readers_.assign(g_.size(), 1);
    scale_readers_.assign(g_.size(), 1);
    // Live nodes: those the outputs read, through what each node's code reads (a stable form
    // such as log(1 + exp(u)) reads u, not 1 + exp(u)).
    std::vector<char> live(g_.size(), 0);
    for (const CodeOutput& out : f_.outputs) live[static_cast<size_t>(out.expr)] = 1;
    for (auto it = order.rbegin(); it != order.rend(); ++it)
      if (live[static_cast<size_t>(*it)])
        for (Id k : reads(*it)) live[static_cast<size_t>(k)] = 1;
    std::erase_if(order, [&](Id id) { return !live[static_cast<size_t>(id)]; });
    for (Id id : order)
      for (Id k : reads(id)) {
        ++readers_[static_cast<size_t>(k)];
        if (g_[id].op != Op::MatMul) product_readers_[static_cast<size_t>(k)] = 0;
        if (g_[id].op != Op::Scale) scale_readers_[static_cast<size_t>(k)] = 0;
      }
    for (const CodeOutput& out : f_.outputs) scale_readers_[static_cast<size_t>(out.expr)] = 0;
    std::vector<int> output_of(g_.size(), -1);
    for (size_t i = 0; i < f_.outputs.size(); ++i)
      if (output_of[static_cast<size_t>(f_.outputs[i].expr)] < 0)
        output_of[static_cast<size_t>(f_.outputs[i].expr)] = static_cast<int>(i);

    code_.assign(g_.size(), {});
    for (Id id : order) {
      Code c = expr(id);
      o << pending_;  // kids named on the way (read twice by a formula) come first
      pending_.clear();
      const Node& n = g_[id];
      const size_t at = static_cast<size_t>(id);
      const int out = output_of[at];
      bool materialize = out >= 0 || (!c.named && readers_[at] > 1 && n.op != Op::Transpose &&
                                      !(n.op == Op::Diag && product_readers_[at]));
      // A product is evaluated once, into a temporary, unless its only reader is a scaling
      // (which Eigen folds into the product).
      if (c.product && !c.named && !(readers_[at] == 1 && scaled_only(id))) materialize = true;
      if (!materialize) {
        code_[at] = c;
        continue;
      }
      std::string name =
          out >= 0 ? "_nabla_r." + code_identifier(f_.outputs[static_cast<size_t>(out)].name)
                   : "t_" + std::to_string(id);
      if (c.form == Code::Scalar && out >= 0 &&
          boxed_scalar(n.shape, value_kind(g_, f_.outputs[static_cast<size_t>(out)].expr))) {
        // An output of one entry whose kind is a vector or matrix: a 1 x 1 Eigen value.
        o << "  " << name << " = " << type_of(n.shape, ValueKind::Matrix) << "::Constant(1, 1, "
          << c.text << ");\n";
        code_[at] = Code::make(Code::Scalar, name + "(0, 0)", true, false);
      } else if (c.form == Code::Scalar) {
        o << "  " << (out >= 0 ? "" : "const double ") << name << " = " << c.text << ";\n";
        code_[at] = Code::make(Code::Scalar, name, true, false);
      } else {
        std::string rhs = c.form == Code::Array ? "(" + c.text + ").matrix()" : c.text;
        if (out >= 0)
          o << "  " << name << (c.product ? ".noalias()" : "") << " = " << rhs << ";\n";
        else
          o << "  const Eigen::MatrixXd " << name << " = " << rhs << ";\n";
        code_[at] = Code::make(Code::Matrix, name, true, false);
      }
    }
    // Outputs that are repeated: copied from the first.
    for (size_t i = 0; i < f_.outputs.size(); ++i) {
      Id r = f_.outputs[i].expr;
      if (output_of[static_cast<size_t>(r)] != static_cast<int>(i))
        o << "  _nabla_r." << code_identifier(f_.outputs[i].name) << " = "
          << code_[static_cast<size_t>(r)].text << ";\n";
    }
    o << "  return _nabla_r;\n}\n";
    return o.str();
  }

 private:
  void bind(std::ostream& o, const std::string& name, const std::string& got, Dim d,
            const char* what) {
    std::string arg = "\"" + name + "\"";
    if (d.is_fixed()) {
      o << "  nabla_generated::check_size(" << arg << ", \"" << what << "\", " << got << ", "
        << d.size() << ", \"" << d.size() << "\");\n";
      return;
    }
    const std::string& sym = g_.dims.name(d);
    if (bound_.insert(sym).second) {
      o << "  const Eigen::Index " << dim_variable(sym) << " = " << got << ";\n";
    } else {
      o << "  nabla_generated::check_size(" << arg << ", \"" << what << "\", " << got << ", "
        << dim_variable(sym) << ", \"" << sym << "\");\n";
    }
  }

  // The nodes whose code the code of id reads.
  std::vector<Id> reads(Id id) const {
    const Node& n = g_[id];
    if (n.op == Op::Log)
      if (StableLog st = stable_log(g_, id); st.kind != StableLog::None) return {st.u};
    if (StableSigmoid st = stable_sigmoid(g_, id); st.kind != StableSigmoid::None) return {st.u};
    return n.kids;
  }

  const Code& kid(const Node& n, size_t i) const { return code_[static_cast<size_t>(n.kids[i])]; }
  bool scalar_kid(const Node& n, size_t i) const { return g_[n.kids[i]].shape.is_scalar(); }
  std::string dims(Shape s) const {
    return dim_code(g_, s.rows, bound_) + ", " + dim_code(g_, s.cols, bound_);
  }
  static std::string paren(const Code& c) { return c.named ? c.text : "(" + c.text + ")"; }
  // The code as a matrix expression / an array expression / a value for a const Mat& helper.
  static std::string as_matrix(const Code& c) {
    return c.form == Code::Array ? paren(c) + ".matrix()" : paren(c);
  }
  static std::string as_array(const Code& c) {
    return c.form == Code::Array ? paren(c) : paren(c) + ".array()";
  }
  static std::string as_mat(const Code& c) {
    return c.form == Code::Scalar ? "nabla_generated::as_mat(" + c.text + ")" : as_matrix(c);
  }
  static Code scalar(std::string text, bool costly = false) {
    return Code::make(Code::Scalar, std::move(text), false, costly);
  }
  static Code matrix(std::string text, bool costly = false) {
    return Code::make(Code::Matrix, std::move(text), false, costly);
  }
  static Code array(std::string text, bool costly) {
    return Code::make(Code::Array, std::move(text), false, costly);
  }
  // Whether every reader of id is a scaling (Scale, or a product by a scalar).
  bool scaled_only(Id id) const { return scale_readers_[static_cast<size_t>(id)] != 0; }
  // Makes a kid a named temporary (declared before its reader).
  void name_kid(Id id) {
    Code& c = code_[static_cast<size_t>(id)];
    if (c.named || c.form == Code::Scalar) return;
    std::string name = "t_" + std::to_string(id);
    pending_ += "  const Eigen::MatrixXd " + name + " = " + as_matrix(c) + ";\n";
    c = Code::make(Code::Matrix, name, true, false);
  }
  // An entry-wise function: a scalar call for scalars, an array expression otherwise.
  Code unary(const Node& n, const char* scalar_fn, const std::string& array_method) {
    return unary_of(kid(n, 0), scalar_fn, array_method);
  }
  Code unary_of(const Code& a, const char* scalar_fn, const std::string& array_method) {
    if (a.form == Code::Scalar) return scalar(std::string(scalar_fn) + "(" + a.text + ")", true);
    return array(as_array(a) + "." + array_method + "()", true);
  }
  // A kernel of nabla::kernels applied to u entry by entry, f(u), or -f(u) (`negate`), or f(-u)
  // (`negate_arg`): the stable functions (sigmoid, softplus, ...) and their spellings.
  Code kernel_of(Id u, const std::string& name, bool negate = false, bool negate_arg = false) {
    const Code& a = code_[static_cast<size_t>(u)];
    const std::string f = "nabla::kernels::" + name, sign = negate ? "-" : "";
    if (a.form == Code::Scalar)
      return scalar("(" + sign + f + "(" + (negate_arg ? "-" : "") + paren(a) + "))", true);
    return array(as_array(a) + ".unaryExpr([](double v) { return " + sign + f + "(" +
                     (negate_arg ? "-v" : "v") + "); })",
                 true);
  }

  Code expr(Id id) {
    const Node& n = g_[id];
    const bool s = n.shape.is_scalar();
    const bool s0 = !n.kids.empty() && scalar_kid(n, 0);
    auto costly = [&] {
      for (size_t i = 0; i < n.kids.size(); ++i)
        if (kid(n, i).costly && !kid(n, i).named) return true;
      return false;
    };
    if (is_elementwise_function(n.op)) {    // a row of functions.def
      if (n.op == Op::Log) return log(id);  // through the stable form its argument calls for
      const FunctionFacts& f = function_facts(n.op);
      if (!f.eigen.empty()) return unary(n, std::string(f.cpp).c_str(), std::string(f.eigen));
      // The rows without an Eigen method: the kernel of the same name (eval/kernels.h).
      return kernel_of(n.kids[0], std::string(f.spelling));
    }
    switch (n.op) {
      case Op::Const:
      case Op::Pi:
        return Code::make(Code::Scalar, const_code(g_, id), true, false);
      case Op::Var:
        return Code::make(s ? Code::Scalar : Code::Matrix, code_identifier(g_.symbol(n.a).name),
                          true, false);
      case Op::Identity:
        return s ? scalar("1.0") : matrix("Eigen::MatrixXd::Identity(" + dims(n.shape) + ")");
      case Op::Ones:
        return s ? scalar("1.0") : matrix("Eigen::MatrixXd::Ones(" + dims(n.shape) + ")");
      case Op::Zeros:
        return s ? scalar("0.0") : matrix("Eigen::MatrixXd::Zero(" + dims(n.shape) + ")");
      case Op::Commutation:
        return matrix("nabla_generated::commutation(" +
                      dim_code(g_, Dim{static_cast<int32_t>(n.a)}, bound_) + ", " +
                      dim_code(g_, Dim{static_cast<int32_t>(n.b)}, bound_) + ")");
      case Op::Add: {
        const Code &a = kid(n, 0), &b = kid(n, 1);
        if (s) return scalar(paren(a) + " + " + paren(b), costly());
        if (a.form == Code::Array || b.form == Code::Array)
          return array(as_array(a) + " + " + as_array(b), costly());
        return matrix(paren(a) + " + " + paren(b), costly());
      }
      case Op::Scale: {
        const Code &a = kid(n, 0), &b = kid(n, 1);
        if (StableSigmoid st = stable_sigmoid(g_, id); st.kind == StableSigmoid::Sigmoid)
          return kernel_of(st.u, "sigmoid");  // e^u (1 + e^u)^-1
        if (s) return scalar(paren(a) + " * " + paren(b), costly());
        const Code& sc = a.form == Code::Scalar ? a : b;
        const Code& m = a.form == Code::Scalar ? b : a;
        const std::string by = sc.text == "(-1.0)" ? "-" : paren(sc) + " * ";
        if (m.product && !m.named) {
          Code r = matrix("(" + by + m.lhs + ") * " + m.rhs);
          r.product = true;
          r.lhs = "(" + by + m.lhs + ")";
          r.rhs = m.rhs;
          return r;
        }
        return m.form == Code::Array ? array(by + paren(m), costly())
                                     : matrix(by + paren(m), costly());
      }
      case Op::MatMul: {
        const Code &a = kid(n, 0), &b = kid(n, 1);
        if (a.form == Code::Scalar || b.form == Code::Scalar) {
          if (s) return scalar(paren(a) + " * " + paren(b), costly());
          const Code& sc = a.form == Code::Scalar ? a : b;
          const Code& m = a.form == Code::Scalar ? b : a;
          return m.form == Code::Array ? array(paren(sc) + " * " + paren(m), costly())
                                       : matrix(paren(sc) + " * " + paren(m), costly());
        }
        std::string prod = factor(n.kids[0]) + " * " + factor(n.kids[1]);
        if (s) return scalar("(" + prod + ").value()");
        Code r = matrix(prod);
        r.product = true;
        r.lhs = factor(n.kids[0]);
        r.rhs = factor(n.kids[1]);
        return r;
      }
      case Op::Hadamard: {
        const Code &a = kid(n, 0), &b = kid(n, 1);
        if (StableSigmoid st = stable_sigmoid(g_, id); st.kind == StableSigmoid::Sigmoid)
          return kernel_of(st.u, "sigmoid");  // e^u .* (1 + e^u).^-1
        if (s) return scalar(paren(a) + " * " + paren(b), costly());
        return array(as_array(a) + " * " + as_array(b), costly());
      }
      case Op::Transpose: {
        const Code& a = kid(n, 0);
        if (s) return a;
        return Code::make(Code::Matrix, as_matrix(a) + ".transpose()", false, a.costly && !a.named);
      }
      case Op::Power:
        if (StableSigmoid st = stable_sigmoid(g_, id); st.kind == StableSigmoid::SigmoidNeg)
          return kernel_of(st.u, "sigmoid", false, true);  // (1 + e^u)^-1 = sigmoid(-u)
        return power(n);
      case Op::Relu: {
        // relu(u) = max(u, 0); relu'(0) = 0 is the derivative's business, not the value's.
        const Code& a = kid(n, 0);
        if (a.form == Code::Scalar) return scalar("std::max(" + a.text + ", 0.0)", true);
        return array(as_array(a) + ".max(0.0)", true);
      }
      case Op::Max:
      case Op::Min: {
        // max(a, b), min(a, b) entry-wise; a scalar side broadcasts.
        const Code &a = kid(n, 0), &b = kid(n, 1);
        const std::string f = n.op == Op::Max ? "max" : "min";
        if (a.form == Code::Scalar && b.form == Code::Scalar)
          return scalar("std::" + f + "(" + a.text + ", " + b.text + ")", true);
        if (a.form == Code::Scalar) return array(as_array(b) + "." + f + "(" + a.text + ")", true);
        if (b.form == Code::Scalar) return array(as_array(a) + "." + f + "(" + b.text + ")", true);
        return array(as_array(a) + "." + f + "(" + as_array(b) + ")", true);
      }
      case Op::NormInf:
        if (s0) return scalar("std::abs(" + kid(n, 0).text + ")");
        return scalar(as_matrix(kid(n, 0)) + ".cwiseAbs().maxCoeff()");
      case Op::Sum:
        if (s0) return kid(n, 0);
        return scalar(paren(kid(n, 0)) + ".sum()", false);
      case Op::Norm2: {
        if (s0) return scalar("std::abs(" + kid(n, 0).text + ")");
        return scalar(helper("norm2", n));
      }
      case Op::Trace: {
        if (s0) return kid(n, 0);
        // tr(A B) = sum(A .* B'), without the product.
        Id a = n.kids[0];
        if (g_[a].op == Op::MatMul && readers_[static_cast<size_t>(a)] == 1 &&
            !code_[static_cast<size_t>(a)].named)
          return scalar("(" + factor(g_[a].kids[0]) + ").cwiseProduct((" + factor(g_[a].kids[1]) +
                        ").transpose()).sum()");
        return scalar(as_matrix(kid(n, 0)) + ".trace()");
      }
      case Op::Det:
        return s0 ? kid(n, 0) : scalar(helper("det", n));
      case Op::LogDet:
        return s0 ? scalar("(" + kid(n, 0).text + " > 0 ? std::log(" + kid(n, 0).text + ") : NAN)")
                  : scalar(helper("logdet", n));
      case Op::Inv:
        return s0 ? scalar("1.0 / " + paren(kid(n, 0))) : matrix(helper("inverse", n));
      case Op::Diag:
        if (s0) return kid(n, 0);
        if (product_readers_[static_cast<size_t>(id)]) {
          // A scaling reads each entry of v once per row or column: v is computed first.
          name_kid(n.kids[0]);
          return matrix(as_matrix(kid(n, 0)) + ".reshaped().asDiagonal()");
        }
        return matrix(helper("diag", n));
      case Op::DiagPart:
        return s0 ? kid(n, 0) : matrix(as_matrix(kid(n, 0)) + ".diagonal()");
      case Op::Softmax:
        return s0 ? scalar("(std::isnan(" + kid(n, 0).text + ") ? NAN : 1.0)")
                  : matrix(helper("softmax", n));
      case Op::LogSumExp:
        return s0 ? kid(n, 0) : scalar(helper("logsumexp", n));
      case Op::Prod:
        return s0 ? kid(n, 0) : scalar(as_matrix(kid(n, 0)) + ".prod()");
      case Op::ProdOthers:  // one entry: the empty product
        return s0 ? scalar("1.0") : matrix(helper("prod_others", n));
      case Op::Vec:
        return s0 ? kid(n, 0) : matrix(as_matrix(kid(n, 0)) + ".reshaped()");
      case Op::Kron:
        return s ? scalar(paren(kid(n, 0)) + " * " + paren(kid(n, 1)))
                 : matrix("nabla_generated::kron(" + as_mat(kid(n, 0)) + ", " + as_mat(kid(n, 1)) +
                          ")");
      case Op::Stack: {
        std::string r = "nabla_generated::stack({";
        for (size_t i = 0; i < n.kids.size(); ++i)
          r += (i ? ", " : "") + std::string("Eigen::MatrixXd(") + as_mat(kid(n, i)) + ")";
        r += "})";
        return s ? scalar(r + "(0, 0)") : matrix(r);
      }
#include "ir/function_cases.inc"  // read above, from their rows
      case Op::Call:  // rejected before any code is written (abstract functions have none)
      case Op::Grad:
      case Op::Jacobian:
      case Op::Hessian:
      case Op::Derivative:
      case Op::Simplify:
        break;
    }
    throw Error(ErrorKind::Internal, "no C++ code for op " + std::string(op_name(n.op)));
  }

  // A factor of a product, as a matrix expression (a diagonal stays a diagonal).
  std::string factor(Id id) const {
    const Code& c = code_[static_cast<size_t>(id)];
    if (c.form == Code::Scalar) return "nabla_generated::as_mat(" + c.text + ")";
    return as_matrix(c);
  }

  std::string helper(const char* name, const Node& n) const {
    return std::string("nabla_generated::") + name + "(" + as_mat(kid(n, 0)) + ")";
  }

  // log(u) entry-wise, through the stable kernel its argument's spelling calls for
  // (eval/patterns.h): log(1 + e^u) = softplus(u), log(softmax(u)) = log_softmax(u), ...
  Code log(Id id) {
    const Node& n = g_[id];
    StableLog st = stable_log(g_, id);
    switch (st.kind) {
      case StableLog::Softplus:
        return kernel_of(st.u, "softplus");
      case StableLog::NegSoftplus:
        return kernel_of(st.u, "softplus", true);
      case StableLog::LogSigmoid:
        return kernel_of(st.u, "log_sigmoid");
      case StableLog::Log1p:
        return unary_of(code_[static_cast<size_t>(st.u)], "std::log1p", "log1p");
      case StableLog::LogSoftmax: {
        std::string r =
            "nabla_generated::log_softmax(" + as_mat(code_[static_cast<size_t>(st.u)]) + ")";
        return n.shape.is_scalar() ? scalar(r + "(0, 0)", true) : matrix(r, true);
      }
      case StableLog::None:
        break;
    }
    return unary(n, "std::log", "log");
  }

  // x.^p: squares and cubes by multiplication, 1/2 by sqrt, -1 by inverse, else the helper.
  Code power(const Node& n) {
    const Code& x = kid(n, 0);
    const Node& pn = g_[n.kids[1]];
    const bool constant = pn.op == Op::Const;
    const double p = constant ? const_value(g_, n.kids[1]) : 0;
    // norm2(e)^2 = the sum of squares: overflows or underflows only where the result does.
    const Node& xn = g_[n.kids[0]];
    if (constant && p == 2 && xn.op == Op::Norm2 && !x.named && !scalar_kid(xn, 0))
      return scalar(as_matrix(code_[static_cast<size_t>(xn.kids[0])]) + ".squaredNorm()");
    if (x.form == Code::Scalar || !constant)
      return x.form == Code::Scalar
                 ? scalar("nabla_generated::power(" + x.text + ", " + kid(n, 1).text + ")", true)
                 : array(as_array(x) + ".unaryExpr([p = " + kid(n, 1).text +
                             "](double u) { return nabla_generated::power(u, p); })",
                         true);
    const bool cheap = !(x.costly && !x.named);
    if (p == 1) return x;
    if (p == 2) return array(as_array(x) + ".square()", !cheap);
    if (p == 3) return array(as_array(x) + ".cube()", !cheap);
    if (p == 0.5) return array(as_array(x) + ".sqrt()", true);
    if (p == -1) return array(as_array(x) + ".inverse()", !cheap);
    if (p == -2) return array(as_array(x) + ".square().inverse()", !cheap);
    return array(as_array(x) + ".unaryExpr([](double u) { return nabla_generated::power(u, " +
                     number_code(p) + "); })",
                 true);
  }

  const Graph& g_;
  const CodeFunction& f_;
  std::set<std::string> bound_;
  std::vector<Code> code_;
  std::vector<int> readers_;
  std::vector<char> product_readers_;  // every reader is a product
  std::vector<char> scale_readers_;    // every reader is a scaling
  std::string pending_;                // declarations of kids named on the way
};

}  // namespace

std::string emit_cpp(const Graph& g, const CodeFunction& f) {
  return CppEmitter(g, f).emit();
}

}  // namespace nabla
