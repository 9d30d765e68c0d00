// The fused entry-wise loops of a compiled plan: the block interpreter and the stable
// spellings it recognizes.
#include <algorithm>
#include <cmath>
#include <limits>
#include <tuple>
#include <unordered_set>

#if defined(__SSE2__)
#include <immintrin.h>
#endif

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

Id negated(const Graph& g, Id x) {
  const Node& n = g[x];
  return n.op == Op::Scale && is_const(g, n.kids[0], -1) ? n.kids[1] : kNoId;
}

void run_kinstr(const KInstr& k, double* const* r, int64_t m) {
  double* __restrict d = r[k.dst];
  const double* __restrict a = r[k.a];
  const double* __restrict b = k.b >= 0 ? r[k.b] : nullptr;
  switch (k.op) {
    case KOp::Add:
      for (int64_t i = 0; i < m; ++i) d[i] = a[i] + b[i];
      return;
    case KOp::Sub:
      for (int64_t i = 0; i < m; ++i) d[i] = a[i] - b[i];
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

void stream_copy(double* dst, const double* src, int64_t n) {
#if defined(__AVX__)
  int64_t i = 0;
  for (; i < n && (reinterpret_cast<uintptr_t>(dst + i) & 31) != 0; ++i) dst[i] = src[i];
  for (; i + 4 <= n; i += 4) _mm256_stream_pd(dst + i, _mm256_loadu_pd(src + i));
  for (; i < n; ++i) dst[i] = src[i];
#elif defined(__SSE2__)
  int64_t i = 0;
  for (; i < n && (reinterpret_cast<uintptr_t>(dst + i) & 15) != 0; ++i) dst[i] = src[i];
  for (; i + 2 <= n; i += 2) _mm_stream_pd(dst + i, _mm_loadu_pd(src + i));
  for (; i < n; ++i) dst[i] = src[i];
#else
  std::copy(src, src + n, dst);
#endif
}

void stream_fence() {
#if defined(__SSE2__)
  _mm_sfence();
#endif
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
      if (Id q = negated(g, n.kids[1]); q != kNoId) return {KOp::Sub, {n.kids[0], q}};
      if (Id q = negated(g, n.kids[0]); q != kNoId) return {KOp::Sub, {n.kids[1], q}};
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

namespace nabla {

// p - q and q - p both reachable (a value and its gradient often hold both: X - U*V' and
// U*V' - X): the later one is computed as -1 times the earlier (round to nearest is symmetric,
// so the same bits), and whatever only it read (-X, say) is not computed at all.
void Plan::Impl::find_negated_twins() {
  using namespace plan_detail;
  const Graph& G = *g;
  negated_twin.clear();
  std::unordered_set<Id> seen;  // sized by the outputs' DAG, not the graph
  std::vector<Id> stack(outputs.begin(), outputs.end()), subs;
  while (!stack.empty()) {
    Id id = stack.back();
    stack.pop_back();
    if (!seen.insert(id).second) continue;
    if (G[id].op == Op::Add) subs.push_back(id);
    for (Id kid : G[id].kids) stack.push_back(kid);
  }
  // (p, q, the (-1)*q node) of each p + (-1)*q, by id.
  struct Form {
    Id p, q, neg;
    Id id;
  };
  std::vector<Form> forms;
  for (Id id : subs) {
    const Node& a = G[id];
    for (int side = 1; side >= 0; --side)
      if (Id q = negated(G, a.kids[static_cast<size_t>(side)]); q != kNoId) {
        forms.push_back(
            {a.kids[static_cast<size_t>(1 - side)], q, a.kids[static_cast<size_t>(side)], id});
        break;
      }
  }
  std::sort(forms.begin(), forms.end(), [](const Form& x, const Form& y) {
    return std::tie(x.p, x.q, x.id) < std::tie(y.p, y.q, y.id);
  });
  for (const Form& f : forms) {
    // The earliest p' - q' with p' = f.q, q' = f.p.
    auto it = std::lower_bound(forms.begin(), forms.end(), f.q,
                               [](const Form& x, Id p) { return x.p < p; });
    for (; it != forms.end() && it->p == f.q; ++it)
      if (it->q == f.p && it->id < f.id && !negated_twin.count(it->id)) {
        negated_twin[f.id] = {it->id, G[f.neg].kids[0]};
        break;
      }
  }
}

// An entry-wise scalar node whose operands are all numbers known at compile time (1/2 spelled
// 2^-1, -3*2, ...) is one more number: computed here by the same kernel, it costs no loop at run
// time, and the loops around it are not cut apart by a one-entry loop scheduled between them.
void Plan::Impl::fold_constants() {
  using namespace plan_detail;
  const Graph& G = *g;
  for (Id id : order) {
    const size_t i = at(id);
    if (kind[i] != Kind::Fused || !G[id].shape.is_scalar()) continue;
    const std::vector<Id>& kids = kids_of(id);
    if (kids.empty() ||
        !std::all_of(kids.begin(), kids.end(), [&](Id k) { return kind[at(k)] == Kind::Scalar; }))
      continue;
    const Effective& e = eff[i];
    double regs[3] = {scalars[at(e.kids[0])], e.kids.size() > 1 ? scalars[at(e.kids[1])] : 0.0,
                      0.0};
    double* regp[3] = {&regs[0], &regs[1], &regs[2]};
    run_kinstr(KInstr{e.op, 2, 0, e.kids.size() > 1 ? 1 : -1, e.p}, regp, 1);
    kind[i] = Kind::Scalar;
    scalars[i] = regs[2];
    eff[i] = {};
  }
}

}  // namespace nabla
