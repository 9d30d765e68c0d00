// C++ generator: one self-contained function on Eigen types per CodeFunction.
#include <sstream>

#include "codegen/codegen.h"
#include "codegen/common.h"
#include "ir/error.h"

namespace nabla {
namespace {

// Helpers of every generated function, once per translation unit. Each states its math.
constexpr const char* kPrelude = R"(#include <Eigen/Dense>
#include <cmath>
#include <stdexcept>
#include <string>

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
// x^p: integer p by repeated multiplication (negative bases work), 1/2 by sqrt, else std::pow.
inline double power(double x, double p) {
  if (p == 0.5) return std::sqrt(x);
  if (p == std::floor(p) && std::abs(p) <= 64) {
    long k = static_cast<long>(std::abs(p));
    double r = 1, b = x;
    for (; k; k >>= 1, b *= b)
      if (k & 1) r *= b;
    return p < 0 ? 1 / r : r;
  }
  return std::pow(x, p);
}
inline Mat power(const Mat& x, double p) {
  return x.unaryExpr([p](double u) { return power(u, p); });
}
// sigmoid(u) = 1 / (1 + e^-u), as e^u / (1 + e^u) for u < 0 so nothing overflows.
inline double sigmoid(double u) {
  if (u >= 0) return 1 / (1 + std::exp(-u));
  double e = std::exp(u);
  return e / (1 + e);
}
// softplus(u) = log(1 + e^u) = max(u, 0) + log1p(e^-|u|).
inline double softplus(double u) { return std::max(u, 0.0) + std::log1p(std::exp(-std::abs(u))); }
inline double sign(double u) { return u > 0 ? 1.0 : u < 0 ? -1.0 : u; }
inline double relu(double u) { return u > 0 ? u : 0.0; }
#define NABLA_ENTRYWISE(name, fn)                                    \
  inline double name(double u) { return fn(u); }                     \
  inline Mat name(const Mat& x) {                                    \
    return x.unaryExpr([](double u) { return name(u); });            \
  }
NABLA_ENTRYWISE(exp_, std::exp)
NABLA_ENTRYWISE(log_, std::log)
NABLA_ENTRYWISE(sin_, std::sin)
NABLA_ENTRYWISE(cos_, std::cos)
NABLA_ENTRYWISE(tan_, std::tan)
NABLA_ENTRYWISE(tanh_, std::tanh)
NABLA_ENTRYWISE(log1p_, std::log1p)
NABLA_ENTRYWISE(expm1_, std::expm1)
NABLA_ENTRYWISE(abs_, std::abs)
NABLA_ENTRYWISE(sigmoid_, sigmoid)
NABLA_ENTRYWISE(softplus_, softplus)
NABLA_ENTRYWISE(sign_, sign)
NABLA_ENTRYWISE(relu_, relu)
#undef NABLA_ENTRYWISE
inline Mat as_mat(double v) { return Mat::Constant(1, 1, v); }
inline const Mat& as_mat(const Mat& m) { return m; }
// max(a, b), min(a, b) entry-wise; a 1 x 1 side broadcasts.
template <bool kMax>
inline Mat extremum(const Mat& a, const Mat& b) {
  auto f = [](double x, double y) { return kMax ? std::max(x, y) : std::min(x, y); };
  if (a.size() == 1 && b.size() != 1) return b.unaryExpr([&](double y) { return f(a(0, 0), y); });
  if (b.size() == 1 && a.size() != 1) return a.unaryExpr([&](double x) { return f(x, b(0, 0)); });
  return a.binaryExpr(b, f);
}
// log sum_i e^{x_i} = m + log sum_i e^{x_i - m}, m = max x.
inline double logsumexp(const Mat& x) {
  double m = x.maxCoeff();
  if (!std::isfinite(m)) return m;
  return m + std::log((x.array() - m).exp().sum());
}
// softmax(x)_i = e^{x_i - m} / sum_j e^{x_j - m}.
inline Mat softmax(const Mat& x) {
  Mat e = (x.array() - x.maxCoeff()).exp().matrix();
  return e / e.sum();
}
// log det A = sum_i log|u_ii| of A = P L U when det A > 0, NaN otherwise.
inline double logdet(const Mat& a) {
  Eigen::PartialPivLU<Mat> lu(a);
  double s = lu.permutationP().determinant(), l = 0;
  for (Eigen::Index i = 0; i < a.rows(); ++i) {
    double u = lu.matrixLU()(i, i);
    if (u < 0) s = -s;
    l += std::log(std::abs(u));
  }
  return s > 0 ? l : NAN;
}
// A^-1 by LU; singular or badly conditioned A is an error.
inline Mat inverse(const Mat& a) {
  Eigen::PartialPivLU<Mat> lu(a);
  if (!(lu.rcond() > static_cast<double>(a.rows()) * 2.220446049250313e-16))
    throw std::domain_error("matrix is singular to working precision");
  return lu.inverse();
}
inline Mat diag(const Mat& v) { return Eigen::VectorXd(v.reshaped()).asDiagonal(); }
inline Mat diag_part(const Mat& a) { return a.diagonal(); }
inline Mat vec(const Mat& a) { return a.reshaped(); }
// K(m, n): K vec(A) = vec(A') for m x n A.
inline Mat commutation(Eigen::Index m, Eigen::Index n) {
  Mat k = Mat::Zero(m * n, m * n);
  for (Eigen::Index i = 0; i < m; ++i)
    for (Eigen::Index j = 0; j < n; ++j) k(j + i * n, i + j * m) = 1;
  return k;
}
// (A kron B)[i p + k, j q + l] = A[i, j] B[k, l].
inline Mat kron(const Mat& a, const Mat& b) {
  Mat r(a.rows() * b.rows(), a.cols() * b.cols());
  for (Eigen::Index i = 0; i < a.rows(); ++i)
    for (Eigen::Index j = 0; j < a.cols(); ++j)
      r.block(i * b.rows(), j * b.cols(), b.rows(), b.cols()) = a(i, j) * b;
  return r;
}
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
)";

std::string type_of(Shape s) {
  if (s.is_scalar()) return "double";
  if (s.cols.is_fixed() && s.cols.size() == 1) return "Eigen::VectorXd";
  return "Eigen::MatrixXd";
}

class CppEmitter {
 public:
  CppEmitter(const Graph& g, const CodeFunction& f) : g_(g), f_(f) {}

  std::string emit() {
    std::string fname = code_identifier(f_.name);
    std::vector<int64_t> params = code_parameters(g_, f_);
    std::vector<Id> order = code_order(g_, f_);
    std::ostringstream o;
    o << kPrelude << "\n";
    o << "struct " << fname << "_result {\n";
    for (const CodeOutput& out : f_.outputs)
      o << "  " << type_of(g_[out.expr].shape) << " " << code_identifier(out.name) << ";\n";
    o << "};\n\n";
    o << "inline " << fname << "_result " << fname << "(";
    for (size_t i = 0; i < params.size(); ++i) {
      const Symbol& s = g_.symbol(params[i]);
      std::string t = type_of(s.shape);
      o << (i ? ", " : "") << (t == "double" ? t : "const " + t + "&") << " "
        << code_identifier(s.name);
    }
    o << ") {\n";
    // Dimensions: the first argument with a symbolic dimension fixes it, the others must agree.
    for (int64_t p : params) {
      const Symbol& s = g_.symbol(p);
      if (s.shape.is_scalar()) continue;
      std::string arg = code_identifier(s.name);
      bind(o, s.name, arg + ".rows()", s.shape.rows, "rows");
      bind(o, s.name, arg + ".cols()", s.shape.cols, "columns");
    }
    for (const std::string& d : bound_) o << "  (void)" << dim_variable(d) << ";\n";
    for (Id id : order) {
      const Node& n = g_[id];
      o << "  const " << (n.shape.is_scalar() ? "double" : "Eigen::MatrixXd") << " t_" << id
        << " = " << expr(id) << ";\n";
    }
    o << "  return {";
    for (size_t i = 0; i < f_.outputs.size(); ++i) {
      Id r = f_.outputs[i].expr;
      std::string t = type_of(g_[r].shape);
      o << (i ? ", " : "")
        << (t == "Eigen::VectorXd" ? "Eigen::VectorXd(t_" + std::to_string(r) + ".reshaped())"
                                   : "t_" + std::to_string(r));
    }
    o << "};\n}\n";
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

  std::string t(Id id) const { return "t_" + std::to_string(id); }
  std::string kid(const Node& n, size_t i) const { return t(n.kids[i]); }
  bool scalar_kid(const Node& n, size_t i) const { return g_[n.kids[i]].shape.is_scalar(); }
  std::string mat(const Node& n, size_t i) const {
    return scalar_kid(n, i) ? "nabla_generated::as_mat(" + kid(n, i) + ")" : kid(n, i);
  }
  std::string dims(Shape s) const {
    return dim_code(g_, s.rows, bound_) + ", " + dim_code(g_, s.cols, bound_);
  }
  std::string fn(const char* name, const Node& n) const {
    return std::string("nabla_generated::") + name + "(" + kid(n, 0) + ")";
  }

  std::string expr(Id id) const {
    const Node& n = g_[id];
    bool s = n.shape.is_scalar();
    bool s0 = !n.kids.empty() && scalar_kid(n, 0);
    switch (n.op) {
      case Op::Const:
      case Op::Pi:
        return const_code(g_, id);
      case Op::Var:
        return code_identifier(g_.symbol(n.a).name);
      case Op::Identity:
        return s ? "1.0" : "Eigen::MatrixXd::Identity(" + dims(n.shape) + ")";
      case Op::Ones:
        return s ? "1.0" : "Eigen::MatrixXd::Ones(" + dims(n.shape) + ")";
      case Op::Zeros:
        return s ? "0.0" : "Eigen::MatrixXd::Zero(" + dims(n.shape) + ")";
      case Op::Commutation:
        return "commutation(" + dim_code(g_, Dim{static_cast<int32_t>(n.a)}, bound_) + ", " +
               dim_code(g_, Dim{static_cast<int32_t>(n.b)}, bound_) + ")";
      case Op::Add:
        return kid(n, 0) + " + " + kid(n, 1);
      case Op::Scale:
        return kid(n, 0) + " * " + kid(n, 1);
      case Op::MatMul:
        return s ? "(" + mat(n, 0) + " * " + mat(n, 1) + ").eval()(0, 0)"
                 : mat(n, 0) + " * " + mat(n, 1);
      case Op::Hadamard:
        return s ? kid(n, 0) + " * " + kid(n, 1) : kid(n, 0) + ".cwiseProduct(" + kid(n, 1) + ")";
      case Op::Transpose:
        return s ? kid(n, 0) : kid(n, 0) + ".transpose()";
      case Op::Power:
        return "nabla_generated::power(" + kid(n, 0) + ", " + kid(n, 1) + ")";
      case Op::Exp:
        return fn("exp_", n);
      case Op::Log:
        return fn("log_", n);
      case Op::Sin:
        return fn("sin_", n);
      case Op::Cos:
        return fn("cos_", n);
      case Op::Tan:
        return fn("tan_", n);
      case Op::Tanh:
        return fn("tanh_", n);
      case Op::Sigmoid:
        return fn("sigmoid_", n);
      case Op::Softplus:
        return fn("softplus_", n);
      case Op::Log1p:
        return fn("log1p_", n);
      case Op::Expm1:
        return fn("expm1_", n);
      case Op::Abs:
        return fn("abs_", n);
      case Op::Sign:
        return fn("sign_", n);
      case Op::Relu:
        return fn("relu_", n);
      case Op::Max:
      case Op::Min: {
        const char* name = n.op == Op::Max ? "max" : "min";
        if (s) return std::string("std::") + name + "(" + kid(n, 0) + ", " + kid(n, 1) + ")";
        return std::string("nabla_generated::extremum<") + (n.op == Op::Max ? "true" : "false") +
               ">(" + mat(n, 0) + ", " + mat(n, 1) + ")";
      }
      case Op::NormInf:
        return s0 ? "std::abs(" + kid(n, 0) + ")" : kid(n, 0) + ".cwiseAbs().maxCoeff()";
      case Op::Sum:
        return s0 ? kid(n, 0) : kid(n, 0) + ".sum()";
      case Op::Norm2:
        return s0 ? "std::abs(" + kid(n, 0) + ")" : kid(n, 0) + ".stableNorm()";
      case Op::Trace:
        return s0 ? kid(n, 0) : kid(n, 0) + ".trace()";
      case Op::Det:
        return s0 ? kid(n, 0) : kid(n, 0) + ".determinant()";
      case Op::LogDet:
        return s0 ? "(" + kid(n, 0) + " > 0 ? std::log(" + kid(n, 0) + ") : NAN)" : fn("logdet", n);
      case Op::Inv:
        return s0 ? "1.0 / " + kid(n, 0) : fn("inverse", n);
      case Op::Diag:
        return s0 ? kid(n, 0) : fn("diag", n);
      case Op::DiagPart:
        return s0 ? kid(n, 0) : fn("diag_part", n);
      case Op::Softmax:
        return s0 ? "(std::isnan(" + kid(n, 0) + ") ? NAN : 1.0)" : fn("softmax", n);
      case Op::LogSumExp:
        return s0 ? kid(n, 0) : fn("logsumexp", n);
      case Op::Vec:
        return s0 ? kid(n, 0) : fn("vec", n);
      case Op::Kron:
        return s ? kid(n, 0) + " * " + kid(n, 1)
                 : "nabla_generated::kron(" + mat(n, 0) + ", " + mat(n, 1) + ")";
      case Op::Stack: {
        std::string r = "nabla_generated::stack({";
        for (size_t i = 0; i < n.kids.size(); ++i) r += (i ? ", " : "") + mat(n, i);
        r += "})";
        return s ? r + "(0, 0)" : r;
      }
      default:
        throw Error(ErrorKind::Internal, "no C++ code for op " + std::string(op_name(n.op)));
    }
  }

  const Graph& g_;
  const CodeFunction& f_;
  std::set<std::string> bound_;
};

}  // namespace

std::string emit_cpp(const Graph& g, const CodeFunction& f) {
  return CppEmitter(g, f).emit();
}

}  // namespace nabla
