// The fused entry-wise loops of a compiled plan: the block interpreter and the stable
// spellings it recognizes.
#include <algorithm>
#include <cmath>
#include <limits>

#include "eval/function_kernels.h"
#include "eval/kernels.h"
#include "eval/patterns.h"
#include "eval/plan_impl.h"
#include "eval/vector_math.h"
#include "ir/build.h"
#include "ir/error.h"

namespace nabla::plan_detail {
namespace {

// ---- Fused entry-wise kernels ----

template <typename F>
inline void map1(double* __restrict d, const double* __restrict a, int64_t m, F f) {
  for (int64_t i = 0; i < m; ++i) d[i] = f(a[i]);
}

// Calls f(offset, length, e, l) for chunks of a with e = e^-|a| and (when with_log)
// l = log1p(e): softplus(a) = max(a, 0) + l, sigmoid(a) = 1/(1 + e) for a >= 0 and e/(1 + e)
// otherwise; neither overflows for any a.
template <typename F>
void exp_neg_abs_chunks(const double* a, int64_t m, bool with_log, F f) {
  constexpr int64_t kChunk = 256;
  double e[kChunk], l[kChunk];
  for (int64_t off = 0; off < m; off += kChunk) {
    const int64_t len = std::min(kChunk, m - off);
    for (int64_t i = 0; i < len; ++i) e[i] = -std::fabs(a[off + i]);
    vec_exp(e, e, len);
    if (with_log) vec_log1p(e, l, len);
    f(off, len, e, l);
  }
}

}  // namespace

void run_kinstr(const KInstr& k, double* const* r, int64_t m) {
  double* __restrict d = r[k.dst];
  const double* __restrict a = r[k.a];
  const double* __restrict b = k.b >= 0 ? r[k.b] : nullptr;
  switch (k.op) {
    case KOp::Add:
      for (int64_t i = 0; i < m; ++i) d[i] = a[i] + b[i];
      return;
    case KOp::Mul:
      for (int64_t i = 0; i < m; ++i) d[i] = a[i] * b[i];
      return;
    case KOp::PowInt: {
      const auto e = static_cast<int64_t>(k.p);
      if (e == 2) {
        for (int64_t i = 0; i < m; ++i) d[i] = a[i] * a[i];
      } else if (e == 3) {
        for (int64_t i = 0; i < m; ++i) d[i] = a[i] * a[i] * a[i];
      } else if (e == -1) {
        for (int64_t i = 0; i < m; ++i) d[i] = 1.0 / a[i];
      } else {
        map1(d, a, m, [e](double x) { return kernels::integer_power(x, e); });
      }
      return;
    }
    case KOp::Sqrt:
      for (int64_t i = 0; i < m; ++i) d[i] = std::sqrt(a[i]);
      return;
    case KOp::Pow:
      map1(d, a, m, [p = k.p](double x) { return kernels::power(x, p); });
      return;
    case KOp::PowReg:
      for (int64_t i = 0; i < m; ++i) d[i] = kernels::power(a[i], b[i]);
      return;
    case KOp::Function:
      apply_function(static_cast<Op>(static_cast<int>(k.p)), a, d, m);
      return;
    case KOp::Log:
      vec_log(a, d, m);
      return;
    // NaN in a gives NaN in e and l, so every form below gives NaN.
    case KOp::Sigmoid:
      exp_neg_abs_chunks(a, m, false, [&](int64_t o, int64_t n, const double* e, const double*) {
        for (int64_t i = 0; i < n; ++i) d[o + i] = kernels::sigmoid_given(a[o + i], e[i]);
      });
      return;
    case KOp::SigmoidNeg:  // sigmoid(-a)
      exp_neg_abs_chunks(a, m, false, [&](int64_t o, int64_t n, const double* e, const double*) {
        for (int64_t i = 0; i < n; ++i) d[o + i] = kernels::sigmoid_neg_given(a[o + i], e[i]);
      });
      return;
    case KOp::Softplus:
      exp_neg_abs_chunks(a, m, true, [&](int64_t o, int64_t n, const double*, const double* l) {
        for (int64_t i = 0; i < n; ++i) d[o + i] = kernels::softplus_given(a[o + i], l[i]);
      });
      return;
    case KOp::NegSoftplus:  // -softplus(a)
      exp_neg_abs_chunks(a, m, true, [&](int64_t o, int64_t n, const double*, const double* l) {
        for (int64_t i = 0; i < n; ++i) d[o + i] = -kernels::softplus_given(a[o + i], l[i]);
      });
      return;
    case KOp::NegSoftplusNeg:  // -softplus(-a)
      exp_neg_abs_chunks(a, m, true, [&](int64_t o, int64_t n, const double*, const double* l) {
        for (int64_t i = 0; i < n; ++i) d[o + i] = -kernels::softplus_given(-a[o + i], l[i]);
      });
      return;
    case KOp::Log1p:
      vec_log1p(a, d, m);
      return;
    case KOp::SoftplusSigmoid: {
      double* __restrict d2 = r[k.b];
      const bool neg = k.p != 0;
      exp_neg_abs_chunks(a, m, true, [&](int64_t o, int64_t n, const double* e, const double* l) {
        for (int64_t i = 0; i < n; ++i) {
          const double x = a[o + i];
          d[o + i] = kernels::softplus_given(x, l[i]);
          d2[o + i] = neg ? kernels::sigmoid_neg_given(x, e[i]) : kernels::sigmoid_given(x, e[i]);
        }
      });
      return;
    }
  }
}

// The entry-wise arithmetic (sums, scalings, products and powers of entries) and functions.
bool is_fusable_op(Op op) {
  return op == Op::Add || op == Op::Scale || op == Op::Hadamard || op == Op::Power ||
         is_elementwise_function(op);
}

Effective effective(const Graph& g, Id id) {
  const Node& n = g[id];
  switch (n.op) {
    case Op::Add:
      return {KOp::Add, {n.kids[0], n.kids[1]}};
    case Op::Scale:
    case Op::Hadamard:
      if (StableSigmoid s = stable_sigmoid(g, id); s.kind == StableSigmoid::Sigmoid)
        return {KOp::Sigmoid, {s.u}};
      return {KOp::Mul, {n.kids[0], n.kids[1]}};
    case Op::Power: {
      if (StableSigmoid s = stable_sigmoid(g, id); s.kind == StableSigmoid::SigmoidNeg)
        return {KOp::SigmoidNeg, {s.u}};
      const Node& p = g[n.kids[1]];
      if (p.op == Op::Const && p.b == 1)
        return {KOp::PowInt, {n.kids[0]}, static_cast<double>(p.a)};
      if (p.op == Op::Const && p.b == 2 && p.a == 1) return {KOp::Sqrt, {n.kids[0]}};
      if (p.op == Op::Const || p.op == Op::Pi)
        return {KOp::Pow, {n.kids[0]}, const_value(g, n.kids[1])};
      return {KOp::PowReg, {n.kids[0], n.kids[1]}};
    }
    case Op::Log: {
      StableLog s = stable_log(g, id);
      switch (s.kind) {
        case StableLog::Softplus:
          return {KOp::Softplus, {s.u}};
        case StableLog::NegSoftplus:
          return {KOp::NegSoftplus, {s.u}};
        case StableLog::LogSigmoid:
          return {KOp::NegSoftplusNeg, {s.u}};
        case StableLog::Log1p:
          return {KOp::Log1p, {s.u}};
        case StableLog::LogSoftmax:  // not entry-wise: classified as a fallback (plan.cpp)
        case StableLog::None:
          break;
      }
      return {KOp::Log, {n.kids[0]}};
    }
    case Op::Sigmoid:
      return {KOp::Sigmoid, {n.kids[0]}};
    case Op::Softplus:
      return {KOp::Softplus, {n.kids[0]}};
    // the other entry-wise functions: their kernels (eval/function_kernels.h)
    case Op::Exp:
    case Op::Sin:
    case Op::Cos:
    case Op::Tan:
    case Op::Tanh:
    case Op::Sinh:
    case Op::Cosh:
    case Op::Arcsin:
    case Op::Arccos:
    case Op::Arctan:
    case Op::Log1p:
    case Op::Expm1:
    case Op::Abs:
    case Op::Sign:
      return {KOp::Function, {n.kids[0]}, static_cast<double>(static_cast<int>(n.op))};
      // not entry-wise: never fused (is_fusable_op)
#include "ir/leaf_cases.inc"
#include "ir/matrix_function_cases.inc"
#include "ir/piecewise_cases.inc"
#include "ir/reduction_cases.inc"
#include "ir/structure_cases.inc"
    case Op::MatMul:
    case Op::Transpose:
    case Op::Call:
#include "ir/query_cases.inc"
      break;
  }
  throw Error(ErrorKind::Internal, "plan: " + std::string(op_name(n.op)) + " is not entry-wise");
}

void pair_softplus_sigmoid(std::vector<KInstr>& code) {
  for (size_t i = 0; i < code.size(); ++i) {
    if (code[i].op != KOp::Softplus && code[i].op != KOp::Sigmoid && code[i].op != KOp::SigmoidNeg)
      continue;
    for (size_t j = i + 1; j < code.size(); ++j) {
      if (code[j].a != code[i].a) continue;
      const KInstr* sp = code[i].op == KOp::Softplus ? &code[i] : &code[j];
      const KInstr* sg = sp == &code[i] ? &code[j] : &code[i];
      if (sp->op != KOp::Softplus || (sg->op != KOp::Sigmoid && sg->op != KOp::SigmoidNeg))
        continue;
      code[i] = KInstr{KOp::SoftplusSigmoid, sp->dst, sp->a, sg->dst,
                       sg->op == KOp::SigmoidNeg ? 1.0 : 0.0};
      code.erase(code.begin() + static_cast<std::ptrdiff_t>(j));
      break;
    }
  }
}

}  // namespace nabla::plan_detail
