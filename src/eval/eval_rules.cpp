#include "eval/eval_rules.h"
#include "eval/patterns.h"

#include <cmath>
#include <numbers>
#include <string>

#include "eval/factorization.h"
#include "eval/kernels.h"
#include "ir/build.h"
#include "ir/error.h"

namespace nabla {
namespace {

std::string size_text(const Matrix& m) {
  return std::to_string(m.rows()) + "×" + std::to_string(m.cols());
}

// Values that do not fit the op (only possible when a binding or a function implementation
// returned something of the wrong size).
[[noreturn]] void misfit(const EvalContext& c, const std::string& what) {
  throw Error(ErrorKind::Value,
              std::string(op_spelling(c.node.op)) + ": the values do not fit: " + what);
}

void require_scalar(const EvalContext& c, const Matrix& m, const char* which) {
  if (m.rows() != 1 || m.cols() != 1)
    misfit(c, std::string(which) + " should be a scalar but is " + size_text(m));
}

void require_square(const EvalContext& c, const Matrix& m) {
  if (m.rows() != m.cols()) misfit(c, "needs a square matrix, given " + size_text(m));
}

void require_same(const EvalContext& c, const Matrix& a, const Matrix& b) {
  if (a.rows() != b.rows() || a.cols() != b.cols())
    misfit(c, "sizes " + size_text(a) + " and " + size_text(b) + " differ");
}

Matrix scalar(double v) {
  return Matrix::Constant(1, 1, v);
}

// Resolved rows x cols of the node being evaluated, checked against the entry limit.
std::pair<int32_t, int32_t> node_size(const EvalContext& c) {
  auto [r, k] = shape_size(c.g, c.node.shape, c.bindings);
  check_entries(r, k, std::string(op_name(c.node.op)).c_str());
  return {r, k};
}

template <typename F>
Matrix map(const Matrix& x, F f) {
  return x.unaryExpr(f);
}

// ---- Leaves ----

// Const: the rational a/b, or the double f when b = 0.
Matrix rule_const(const EvalContext& c) {
  return scalar(const_value(c.g, c.id));
}

// pi = 3.14159...
Matrix rule_pi(const EvalContext&) {
  return scalar(std::numbers::pi);
}

// Var: its bound value, whose size must be the declared shape under the bound dimensions.
Matrix rule_var(const EvalContext& c) {
  const Symbol& sym = c.g.symbol(c.node.a);
  auto it = c.bindings.values.find(c.node.a);
  Matrix viewed;
  if (it == c.bindings.values.end()) {
    auto view = c.bindings.views.find(c.node.a);
    if (view == c.bindings.views.end())
      throw Error(ErrorKind::Value, "no value for '" + sym.name + "'");
    viewed = Eigen::Map<const Matrix>(view->second.data, view->second.rows, view->second.cols);
  }
  auto [r, k] = shape_size(c.g, sym.shape, c.bindings);
  const Matrix& v = it == c.bindings.values.end() ? viewed : it->second;
  if (v.rows() != r || v.cols() != k)
    throw Error(ErrorKind::Value, "the value of '" + sym.name + "' is " + size_text(v) +
                                      " but it is declared " + c.g.dims.to_string(sym.shape) +
                                      " (" + std::to_string(r) + "×" + std::to_string(k) + ")");
  return v;
}

// I: the n x n identity.
Matrix rule_identity(const EvalContext& c) {
  auto [r, k] = node_size(c);
  return Matrix::Identity(r, k);
}

// K(m, n): the mn x mn permutation with K vec(A) = vec(A') for m x n A (column-major vec):
// entry i + j m of vec(A) (A(i, j)) goes to entry j + i n of vec(A').
Matrix rule_commutation(const EvalContext& c) {
  Dim dm{static_cast<int32_t>(c.node.a)}, dn{static_cast<int32_t>(c.node.b)};
  const int32_t m = dim_size(c.g, dm, c.bindings), n = dim_size(c.g, dn, c.bindings);
  node_size(c);  // checks the size
  return kernels::commutation(m, n);
}

// ones: every entry 1.
Matrix rule_ones(const EvalContext& c) {
  auto [r, k] = node_size(c);
  return Matrix::Ones(r, k);
}

// zeros: every entry 0.
Matrix rule_zeros(const EvalContext& c) {
  auto [r, k] = node_size(c);
  return Matrix::Zero(r, k);
}

// ---- Linear structure ----

// A + B, entry by entry.
Matrix rule_add(const EvalContext& c) {
  require_same(c, c.kid(0), c.kid(1));
  return c.kid(0) + c.kid(1);
}

// s X: every entry of X times the scalar s. e^u (1 + e^u)^-1 is evaluated as sigmoid(u).
Matrix rule_scale(const EvalContext& c) {
  require_scalar(c, c.kid(0), "the factor");
  StableSigmoid form = stable_sigmoid(c.g, c.id);
  if (form.kind == StableSigmoid::Sigmoid) return map(c.value(form.u), kernels::sigmoid);
  return c.kid(0)(0, 0) * c.kid(1);
}

// A B, the matrix product: (AB)_ij = sum_k A_ik B_kj.
Matrix rule_matmul(const EvalContext& c) {
  const Matrix &a = c.kid(0), &b = c.kid(1);
  if (a.cols() != b.rows()) misfit(c, "cannot multiply " + size_text(a) + " by " + size_text(b));
  check_entries(a.rows(), b.cols(), "a matrix product");
  return a * b;
}

// A .* B: (A .* B)_ij = A_ij B_ij. e^u .* (1 + e^u).^-1 is evaluated as sigmoid(u).
Matrix rule_hadamard(const EvalContext& c) {
  require_same(c, c.kid(0), c.kid(1));
  StableSigmoid form = stable_sigmoid(c.g, c.id);
  if (form.kind == StableSigmoid::Sigmoid) return map(c.value(form.u), kernels::sigmoid);
  return c.kid(0).cwiseProduct(c.kid(1));
}

// A': (A')_ij = A_ji.
Matrix rule_transpose(const EvalContext& c) {
  return c.kid(0).transpose();
}

// X.^p entry-wise; integer p by repeated multiplication, p = 1/2 by sqrt, a non-integer power
// of a negative entry is NaN. (1 + e^u).^-1 is evaluated as sigmoid(-u).
Matrix rule_power(const EvalContext& c) {
  require_scalar(c, c.kid(1), "the exponent");
  StableSigmoid form = stable_sigmoid(c.g, c.id);
  if (form.kind == StableSigmoid::SigmoidNeg)
    return map(c.value(form.u), [](double x) { return kernels::sigmoid(-x); });
  const Node& p = c.kid_node(1);
  if (p.op == Op::Const && p.b == 1) {
    int64_t k = p.a;
    return map(c.kid(0), [k](double x) { return kernels::integer_power(x, k); });
  }
  if (p.op == Op::Const && p.b == 2 && p.a == 1) return c.kid(0).cwiseSqrt();
  double e = c.kid(1)(0, 0);
  return map(c.kid(0), [e](double x) { return kernels::power(x, e); });
}

// ---- Entry-wise functions ----

// f(x) entry-wise, f one of the kernels of eval/kernels.h: rule_exp, rule_log, ...
#define NABLA_ENTRYWISE_RULE(name, kernel)   \
  Matrix rule_##name(const EvalContext& c) { \
    return map(c.kid(0), kernel);            \
  }
NABLA_KERNELS_ENTRYWISE(NABLA_ENTRYWISE_RULE)
#undef NABLA_ENTRYWISE_RULE

// log(x) entry-wise (NaN below 0), through the stable form of its argument's spelling (see
// eval/patterns.h): log(1 + e^u) = softplus(u), log(softmax(u)) = log_softmax(u), ...
Matrix rule_log_stable(const EvalContext& c) {
  StableLog form = stable_log(c.g, c.id);
  switch (form.kind) {
    case StableLog::Softplus:
      return map(c.value(form.u), kernels::softplus);
    case StableLog::NegSoftplus:
      return map(c.value(form.u), [](double x) { return -kernels::softplus(x); });
    case StableLog::LogSigmoid:
      return map(c.value(form.u), kernels::log_sigmoid);
    case StableLog::Log1p:
      return map(c.value(form.u), [](double x) { return std::log1p(x); });
    case StableLog::LogSoftmax:
      return kernels::log_softmax(c.value(form.u));
    case StableLog::None:
      break;
  }
  return rule_log(c);
}

// max(a, b), min(a, b) entry-wise; a scalar side broadcasts.
template <bool kMax>
Matrix rule_extremum(const EvalContext& c) {
  const Matrix &a = c.kid(0), &b = c.kid(1);
  auto pick = [](double x, double y) { return kMax ? std::max(x, y) : std::min(x, y); };
  if (a.size() == 1 && b.size() != 1) return map(b, [&](double y) { return pick(a(0, 0), y); });
  if (b.size() == 1 && a.size() != 1) return map(a, [&](double x) { return pick(x, b(0, 0)); });
  require_same(c, a, b);
  return a.binaryExpr(b, pick);
}

// ---- Reductions and matrix functions ----

// sum(X) = sum_ij X_ij.
Matrix rule_sum(const EvalContext& c) {
  return scalar(c.kid(0).sum());
}
// norm2(X) = sqrt(sum_ij X_ij^2), overflow-safe.
Matrix rule_norm2(const EvalContext& c) {
  return scalar(kernels::norm2(c.kid(0)));
}
// norm(x, inf) = max_ij |X_ij| (0 for an empty value).
Matrix rule_norm_inf(const EvalContext& c) {
  return scalar(c.kid(0).size() ? c.kid(0).cwiseAbs().maxCoeff() : 0.0);
}
// tr(A) = sum_i A_ii.
Matrix rule_trace(const EvalContext& c) {
  require_square(c, c.kid(0));
  return scalar(c.kid(0).trace());
}
// det(A) via LU.
Matrix rule_det(const EvalContext& c) {
  require_square(c, c.kid(0));
  return scalar(SquareFactorization(c.kid(0)).det());
}
// logdet(A) = sum_i log|u_ii| of an LU of A; NaN when det A <= 0.
Matrix rule_logdet(const EvalContext& c) {
  require_square(c, c.kid(0));
  return scalar(SquareFactorization(c.kid(0)).log_det());
}
// inv(A) = A^-1 via LU; a singular matrix is an Error(Value).
Matrix rule_inv(const EvalContext& c) {
  require_square(c, c.kid(0));
  return SquareFactorization(c.kid(0)).inverse();
}
// diag(x): the matrix with x on its diagonal, zeros elsewhere.
Matrix rule_diag(const EvalContext& c) {
  const Matrix& x = c.kid(0);
  if (x.cols() != 1) misfit(c, "diag needs a vector, given " + size_text(x));
  check_entries(x.rows(), x.rows(), "diag");
  return x.col(0).asDiagonal();
}
// diag(A): the vector (A_11, ..., A_nn).
Matrix rule_diag_part(const EvalContext& c) {
  require_square(c, c.kid(0));
  return c.kid(0).diagonal();
}
// softmax(x)_i = e^{x_i - m} / sum_j e^{x_j - m}, m = max_j x_j.
Matrix rule_softmax(const EvalContext& c) {
  return kernels::softmax(c.kid(0));
}
// logsumexp(X) = m + log sum_ij e^{X_ij - m}, m = max X.
Matrix rule_logsumexp(const EvalContext& c) {
  return scalar(kernels::logsumexp(c.kid(0)));
}
// vec(A): the columns of A stacked.
Matrix rule_vec(const EvalContext& c) {
  return Matrix(c.kid(0).reshaped());
}
// kron(A, B): the block matrix [A_ij B].
Matrix rule_kron(const EvalContext& c) {
  const Matrix &a = c.kid(0), &b = c.kid(1);
  check_entries(a.rows() * b.rows(), a.cols() * b.cols(), "kron");
  return kernels::kron(a, b);
}

// ---- Structure ----

// [a; b; c]: the parts stacked vertically.
Matrix rule_stack(const EvalContext& c) {
  int64_t rows = 0;
  const Eigen::Index cols = c.kid(0).cols();
  for (size_t i = 0; i < c.node.kids.size(); ++i) {
    if (c.kid(i).cols() != cols)
      misfit(c, "stacked parts have " + std::to_string(cols) + " and " +
                    std::to_string(c.kid(i).cols()) + " columns");
    rows += c.kid(i).rows();
  }
  check_entries(rows, cols, "a stack");
  Matrix out(rows, cols);
  Eigen::Index at = 0;
  for (size_t i = 0; i < c.node.kids.size(); ++i) {
    out.middleRows(at, c.kid(i).rows()) = c.kid(i);
    at += c.kid(i).rows();
  }
  return out;
}

// f(args), J(f)(x), partial(f, k)(args): the bound implementation applied to the arguments.
Matrix rule_call(const EvalContext& c) {
  const Symbol& f = c.g.symbol(c.node.a);
  auto it = c.bindings.functions.find(c.node.a);
  if (it == c.bindings.functions.end() || !it->second)
    throw Error(ErrorKind::Value, "no implementation for the function '" + f.name + "'");
  std::vector<Matrix> args;
  args.reserve(c.node.kids.size());
  for (size_t i = 0; i < c.node.kids.size(); ++i) args.push_back(c.kid(i));
  Matrix out = it->second(c.node.b, args);
  auto r = find_dim_size(c.g, c.node.shape.rows, c.bindings);
  auto k = find_dim_size(c.g, c.node.shape.cols, c.bindings);
  if ((r && out.rows() != *r) || (k && out.cols() != *k))
    throw Error(ErrorKind::Value, "the implementation of '" + f.name + "' returned " +
                                      size_text(out) + ", expected " +
                                      c.g.dims.to_string(c.node.shape));
  return out;
}

// Queries must be expanded (diff/expand.h) before anything is evaluated.
Matrix rule_query(const EvalContext&) {
  throw Error(ErrorKind::Internal, "expand queries before evaluating");
}

std::array<EvalRule, kOpCount> make_table() {
  std::array<EvalRule, kOpCount> t{};
  auto set = [&t](Op op, EvalRule r) { t[static_cast<size_t>(op)] = r; };
  set(Op::Const, rule_const);
  set(Op::Pi, rule_pi);
  set(Op::Var, rule_var);
  set(Op::Identity, rule_identity);
  set(Op::Commutation, rule_commutation);
  set(Op::Ones, rule_ones);
  set(Op::Zeros, rule_zeros);
  set(Op::Add, rule_add);
  set(Op::Scale, rule_scale);
  set(Op::MatMul, rule_matmul);
  set(Op::Hadamard, rule_hadamard);
  set(Op::Transpose, rule_transpose);
  set(Op::Power, rule_power);
  set(Op::Exp, rule_exp);
  set(Op::Log, rule_log_stable);
  set(Op::Sin, rule_sin);
  set(Op::Cos, rule_cos);
  set(Op::Tan, rule_tan);
  set(Op::Tanh, rule_tanh);
  set(Op::Sigmoid, rule_sigmoid);
  set(Op::Softplus, rule_softplus);
  set(Op::Log1p, rule_log1p);
  set(Op::Expm1, rule_expm1);
  set(Op::Abs, rule_abs);
  set(Op::Sign, rule_sign);
  set(Op::Relu, rule_relu);
  set(Op::Max, rule_extremum<true>);
  set(Op::Min, rule_extremum<false>);
  set(Op::NormInf, rule_norm_inf);
  set(Op::Sum, rule_sum);
  set(Op::Norm2, rule_norm2);
  set(Op::Trace, rule_trace);
  set(Op::Det, rule_det);
  set(Op::LogDet, rule_logdet);
  set(Op::Inv, rule_inv);
  set(Op::Diag, rule_diag);
  set(Op::DiagPart, rule_diag_part);
  set(Op::Softmax, rule_softmax);
  set(Op::LogSumExp, rule_logsumexp);
  set(Op::Vec, rule_vec);
  set(Op::Kron, rule_kron);
  set(Op::Stack, rule_stack);
  set(Op::Call, rule_call);
  set(Op::Grad, rule_query);
  set(Op::Jacobian, rule_query);
  set(Op::Hessian, rule_query);
  set(Op::Derivative, rule_query);
  set(Op::Simplify, rule_query);
  return t;
}

}  // namespace

const std::array<EvalRule, kOpCount>& eval_rules() {
  static const std::array<EvalRule, kOpCount> table = make_table();
  return table;
}

EvalRule eval_rule(Op op) {
  EvalRule r = eval_rules()[static_cast<size_t>(op)];
  if (!r) throw Error(ErrorKind::Internal, "no evaluation rule for " + std::string(op_name(op)));
  return r;
}

void check_entries(int64_t rows, int64_t cols, const char* what) {
  if (rows < 0 || cols < 0 || (cols > 0 && rows > kMaxEntries / cols))
    throw Error(ErrorKind::Limit, std::string(what) + " would be " + std::to_string(rows) + "×" +
                                      std::to_string(cols) + ", more than 10^8 entries");
}

}  // namespace nabla
