#include "eval/plan.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <string>
#include <utility>

#include "eval/eval_rules.h"
#include "eval/patterns.h"
#include "eval/stable.h"
#include "ir/build.h"
#include "ir/error.h"

namespace nabla {
namespace {

using MapC = Eigen::Map<const Matrix>;
using MapM = Eigen::Map<Matrix>;

// Entries per block of a fused entry-wise loop: small enough that every register of the
// block stays in L1, large enough that the per-block dispatch is negligible.
constexpr int64_t kBlock = 256;

// ---- Fused entry-wise kernels ----

// Operations of the block interpreter. Each reads one or two registers (blocks of entries)
// and writes one.
enum class KOp : uint8_t {
  Add,            // a + b
  Mul,            // a b (Hadamard, or scale by a broadcast scalar)
  PowInt,         // a^k, k integer (exact repeated multiplication)
  Sqrt,           // a^(1/2)
  Pow,            // a^p, p a constant
  PowReg,         // a^b entry-wise (b a broadcast scalar)
  Exp,            // e^a
  Log,            // log a
  Sin,            // sin a
  Cos,            // cos a
  Tan,            // tan a
  Tanh,           // tanh a
  Sigmoid,        // 1 / (1 + e^-a), stable
  SigmoidNeg,     // sigmoid(-a) = (1 + e^a)^-1
  Softplus,       // log(1 + e^a), stable
  NegSoftplus,    // -softplus(a) = log((1 + e^a)^-1)
  NegSoftplusNeg, // -softplus(-a) = log(sigmoid(a))
  Log1p,          // log(1 + a)
  Expm1,          // e^a - 1
  Abs,            // |a|
  Sign,           // sign a
};

struct KInstr {
  KOp op;
  int dst, a, b;
  double p = 0;
};

template <typename F>
inline void map1(double* __restrict d, const double* __restrict a, int64_t m, F f) {
  for (int64_t i = 0; i < m; ++i) d[i] = f(a[i]);
}

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
        map1(d, a, m, [e](double x) { return integer_power(x, e); });
      }
      return;
    }
    case KOp::Sqrt:
      for (int64_t i = 0; i < m; ++i) d[i] = std::sqrt(a[i]);
      return;
    case KOp::Pow:
      map1(d, a, m, [p = k.p](double x) { return power(x, p); });
      return;
    case KOp::PowReg:
      for (int64_t i = 0; i < m; ++i) d[i] = power(a[i], b[i]);
      return;
    case KOp::Exp:
      map1(d, a, m, [](double x) { return std::exp(x); });
      return;
    case KOp::Log:
      map1(d, a, m, [](double x) { return std::log(x); });
      return;
    case KOp::Sin:
      map1(d, a, m, [](double x) { return std::sin(x); });
      return;
    case KOp::Cos:
      map1(d, a, m, [](double x) { return std::cos(x); });
      return;
    case KOp::Tan:
      map1(d, a, m, [](double x) { return std::tan(x); });
      return;
    case KOp::Tanh:
      map1(d, a, m, [](double x) { return std::tanh(x); });
      return;
    case KOp::Sigmoid:
      map1(d, a, m, [](double x) { return sigmoid(x); });
      return;
    case KOp::SigmoidNeg:
      map1(d, a, m, [](double x) { return sigmoid(-x); });
      return;
    case KOp::Softplus:
      map1(d, a, m, [](double x) { return softplus(x); });
      return;
    case KOp::NegSoftplus:
      map1(d, a, m, [](double x) { return -softplus(x); });
      return;
    case KOp::NegSoftplusNeg:
      map1(d, a, m, [](double x) { return -softplus(-x); });
      return;
    case KOp::Log1p:
      map1(d, a, m, [](double x) { return std::log1p(x); });
      return;
    case KOp::Expm1:
      map1(d, a, m, [](double x) { return std::expm1(x); });
      return;
    case KOp::Abs:
      for (int64_t i = 0; i < m; ++i) d[i] = std::fabs(a[i]);
      return;
    case KOp::Sign:
      map1(d, a, m, [](double x) { return sign(x); });
      return;
  }
}

bool is_fusable_op(Op op) {
  switch (op) {
    case Op::Add:
    case Op::Scale:
    case Op::Hadamard:
    case Op::Power:
      return true;
    default:
      return is_elementwise_function(op);
  }
}

KOp unary_kop(Op op) {
  switch (op) {
    case Op::Exp: return KOp::Exp;
    case Op::Log: return KOp::Log;
    case Op::Sin: return KOp::Sin;
    case Op::Cos: return KOp::Cos;
    case Op::Tan: return KOp::Tan;
    case Op::Tanh: return KOp::Tanh;
    case Op::Sigmoid: return KOp::Sigmoid;
    case Op::Softplus: return KOp::Softplus;
    case Op::Log1p: return KOp::Log1p;
    case Op::Expm1: return KOp::Expm1;
    case Op::Abs: return KOp::Abs;
    case Op::Sign: return KOp::Sign;
    default: throw Error(ErrorKind::Internal, "plan: not an entry-wise function");
  }
}

// What a fusable node computes, after the stable spellings are recognized: an op over
// "effective" children (which may skip nodes, e.g. log(1 + exp(u)) reads u directly).
struct Effective {
  KOp op = KOp::Add;
  std::vector<Id> kids;
  double p = 0;
};

Effective effective(const Graph& g, Id id) {
  const Node& n = g[id];
  Id u;
  switch (n.op) {
    case Op::Add: return {KOp::Add, {n.kids[0], n.kids[1]}};
    case Op::Scale:
    case Op::Hadamard:
      if (match_exp_over_one_plus_exp(g, n, &u)) return {KOp::Sigmoid, {u}};
      return {KOp::Mul, {n.kids[0], n.kids[1]}};
    case Op::Power: {
      if (match_inverse_one_plus_exp(g, id, &u)) return {KOp::SigmoidNeg, {u}};
      const Node& p = g[n.kids[1]];
      if (p.op == Op::Const && p.b == 1) return {KOp::PowInt, {n.kids[0]}, static_cast<double>(p.a)};
      if (p.op == Op::Const && p.b == 2 && p.a == 1) return {KOp::Sqrt, {n.kids[0]}};
      if (p.op == Op::Const || p.op == Op::Pi)
        return {KOp::Pow, {n.kids[0]}, const_value(g, n.kids[1])};
      return {KOp::PowReg, {n.kids[0], n.kids[1]}};
    }
    case Op::Log: {
      Id kid = strip_unit_scale(g, n.kids[0]);
      if (match_one_plus_exp(g, kid, &u)) return {KOp::Softplus, {u}};
      if (match_inverse_one_plus_exp(g, kid, &u)) return {KOp::NegSoftplus, {u}};
      if (g[kid].op == Op::Sigmoid) return {KOp::NegSoftplusNeg, {g[kid].kids[0]}};
      if (match_one_plus(g, kid, &u)) return {KOp::Log1p, {u}};
      return {KOp::Log, {n.kids[0]}};
    }
    default: return {unary_kop(n.op), {n.kids[0]}};
  }
}

// How a node is computed.
enum class Kind : uint8_t {
  Scalar,     // Const, Pi: a number known at compile time
  Var,        // the bound value, used in place
  Fused,      // entry-wise, computed inside a fused loop (root or inlined)
  Sum,        // sum(...), accumulated inside a fused loop
  MatMul,     // GEMM / GEMV / scaling
  Transpose,  // a transposed copy, or free (vector, or read transposed by products)
  VirtualAdd, // (A + B) read only as the left factor of matrix-vector products
  VirtualDiag,// diag(v) read only as a factor of products: a scaling
  Fallback,   // evaluate()'s rule
};

// A kernel: one fused loop computing `root` (a Fused node, or a Sum node reducing its child).
struct Kernel {
  Id root = kNoId;
  bool reduce = false;
  int nregs = 0;
  std::vector<std::pair<Id, int>> inputs;  // materialized node -> register
  std::vector<KInstr> code;
  int out_reg = -1;  // register holding the loop's result
};

struct Instr {
  Id node;
  int kernel = -1;  // index into kernels when the node is a kernel root
};

// A read-only view of a value: column-major data, rows x cols.
struct View {
  const double* p = nullptr;
  int64_t r = 0, c = 0;
};

}  // namespace

struct Plan::Impl {
  const Graph* g = nullptr;
  std::vector<Id> outputs;
  std::vector<Id> order;             // reachable nodes, increasing
  std::vector<Kind> kind;            // per node id
  std::vector<Effective> eff;        // per node id (Fused only)
  std::vector<int> slot;             // per node id: buffer index, -1 none
  std::vector<int> output_of;        // per node id: the first output index it is, -1 none
  std::vector<double> scalars;       // per node id: Scalar kinds' values
  std::vector<char> product_only;    // per node id: a transpose read only by products
  std::vector<Kernel> kernels;
  std::vector<Instr> instrs;
  int nslots = 0;
  // Run-time state.
  std::vector<std::vector<double>> buffers;  // per slot
  std::vector<View> views;                   // per node id
  std::vector<Matrix> results;
  std::vector<std::vector<double>> regs;     // kernel registers
  std::vector<Matrix> fallback_values;       // per node id, only for Fallback children
  std::vector<double*> regp;

  void compile();
  void run(const Bindings& b);
  View operand(Id id) const { return views[static_cast<size_t>(id)]; }
  double* alloc(Id id, int64_t r, int64_t c);
  void run_kernel(const Kernel& k, const Bindings& b);
  void run_matmul(Id id, const Bindings& b);
  void run_fallback(Id id, const Bindings& b);
};

void Plan::Impl::compile() {
  const Graph& G = *g;
  size_t n = 0;
  for (Id o : outputs) {
    if (o < 0 || static_cast<size_t>(o) >= G.size())
      throw Error(ErrorKind::Internal, "plan: no such node");
    n = std::max(n, static_cast<size_t>(o) + 1);
  }
  kind.assign(n, Kind::Fallback);
  eff.assign(n, {});
  scalars.assign(n, 0.0);
  output_of.assign(n, -1);
  for (size_t i = 0; i < outputs.size(); ++i)
    if (output_of[static_cast<size_t>(outputs[i])] < 0)
      output_of[static_cast<size_t>(outputs[i])] = static_cast<int>(i);

  // Reachable nodes through the effective children.
  std::vector<char> seen(n, 0);
  std::vector<Id> stack(outputs.begin(), outputs.end());
  auto kids_of = [&](Id id) -> const std::vector<Id>& {
    return kind[static_cast<size_t>(id)] == Kind::Fused ? eff[static_cast<size_t>(id)].kids
                                                         : G[id].kids;
  };
  while (!stack.empty()) {
    Id id = stack.back();
    stack.pop_back();
    if (seen[static_cast<size_t>(id)]) continue;
    seen[static_cast<size_t>(id)] = 1;
    const Node& node = G[id];
    Kind k = Kind::Fallback;
    switch (node.op) {
      case Op::Grad:
      case Op::Jacobian:
      case Op::Hessian:
      case Op::Derivative:
      case Op::Simplify:
        throw Error(ErrorKind::Internal, "expand queries before evaluating");
      case Op::Const:
      case Op::Pi:
        k = Kind::Scalar;
        scalars[static_cast<size_t>(id)] =
            node.op == Op::Pi ? std::numbers::pi : const_value(G, id);
        break;
      case Op::Var: k = Kind::Var; break;
      case Op::MatMul: k = Kind::MatMul; break;
      case Op::Transpose: k = Kind::Transpose; break;
      case Op::Sum: k = Kind::Sum; break;
      default:
        if (is_fusable_op(node.op)) {
          k = Kind::Fused;
          eff[static_cast<size_t>(id)] = effective(G, id);
        }
    }
    kind[static_cast<size_t>(id)] = k;
    for (Id kid : kids_of(id)) stack.push_back(kid);
  }
  for (size_t i = 0; i < n; ++i)
    if (seen[i]) order.push_back(static_cast<Id>(i));

  // Readers of each node.
  std::vector<std::vector<Id>> readers(n);
  for (Id id : order)
    for (Id kid : kids_of(id)) readers[static_cast<size_t>(kid)].push_back(id);
  auto is_vec_dim = [](Dim d) { return d.is_one(); };

  // Structural shortcuts: diag(v) and (A + B) read only as factors of products, A' read only
  // by products.
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    Id id = *it;
    const Node& node = G[id];
    const auto& rd = readers[static_cast<size_t>(id)];
    if (output_of[static_cast<size_t>(id)] >= 0 || rd.empty()) continue;
    auto all = [&](auto pred) { return std::all_of(rd.begin(), rd.end(), pred); };
    if (node.op == Op::Diag && all([&](Id r) { return G[r].op == Op::MatMul; })) {
      kind[static_cast<size_t>(id)] = Kind::VirtualDiag;
    } else if (node.op == Op::Add && node.shape.is_matrix() && all([&](Id r) {
                 return G[r].op == Op::MatMul && G[r].kids[0] == id && G[r].kids[1] != id &&
                        is_vec_dim(G[G[r].kids[1]].shape.cols);
               })) {
      kind[static_cast<size_t>(id)] = Kind::VirtualAdd;
    }
  }
  // A virtual add's children are read by the products directly.
  for (Id id : order)
    if (kind[static_cast<size_t>(id)] == Kind::VirtualAdd)
      for (Id kid : G[id].kids)
        for (Id r : readers[static_cast<size_t>(id)]) readers[static_cast<size_t>(kid)].push_back(r);
  product_only.assign(n, 0);
  for (Id id : order) {
    if (kind[static_cast<size_t>(id)] != Kind::Transpose || output_of[static_cast<size_t>(id)] >= 0)
      continue;
    const auto& rd = readers[static_cast<size_t>(id)];
    product_only[static_cast<size_t>(id)] = std::all_of(rd.begin(), rd.end(), [&](Id r) {
      return kind[static_cast<size_t>(r)] == Kind::MatMul || kind[static_cast<size_t>(r)] == Kind::VirtualAdd;
    });
  }

  // Fused clusters, from the top: a fused node is inlined into its readers' loop when every
  // reader is an entry-wise node of the same shape (or a sum) in one and the same loop;
  // otherwise it is the root of its own loop and its value is stored.
  std::vector<Id> cluster(n, kNoId);
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    Id id = *it;
    Kind k = kind[static_cast<size_t>(id)];
    if (k == Kind::Sum) {
      cluster[static_cast<size_t>(id)] = id;
      continue;
    }
    if (k != Kind::Fused) continue;
    Id c = kNoId;
    bool inline_ok = output_of[static_cast<size_t>(id)] < 0;
    for (Id r : readers[static_cast<size_t>(id)]) {
      if (!inline_ok) break;
      Kind rk = kind[static_cast<size_t>(r)];
      bool same_loop = (rk == Kind::Fused && G[r].shape == G[id].shape) || rk == Kind::Sum;
      // A fused reader must not see this node as a broadcast scalar.
      if (rk == Kind::Fused && G[id].shape.is_scalar() != G[r].shape.is_scalar()) same_loop = false;
      Id rc = cluster[static_cast<size_t>(r)];
      if (!same_loop || rc == kNoId || (c != kNoId && rc != c)) inline_ok = false;
      c = rc;
    }
    cluster[static_cast<size_t>(id)] = inline_ok && c != kNoId ? c : id;
  }

  // Kernels and the instruction list, in topological order.
  std::vector<int> kernel_of(n, -1);
  for (Id id : order) {
    Kind k = kind[static_cast<size_t>(id)];
    if ((k == Kind::Fused || k == Kind::Sum) && cluster[static_cast<size_t>(id)] == id) {
      Kernel kr;
      kr.root = id;
      kr.reduce = k == Kind::Sum;
      kernel_of[static_cast<size_t>(id)] = static_cast<int>(kernels.size());
      kernels.push_back(std::move(kr));
    }
  }
  std::vector<int> reg(n, -1);
  for (Kernel& kr : kernels) {
    // Members: the nodes of this cluster, in increasing order.
    std::vector<Id> members;
    for (Id id : order)
      if (cluster[static_cast<size_t>(id)] == kr.root && kind[static_cast<size_t>(id)] == Kind::Fused)
        members.push_back(id);
    auto reg_of = [&](Id x) {
      if (reg[static_cast<size_t>(x)] >= 0) return reg[static_cast<size_t>(x)];
      int r = kr.nregs++;
      reg[static_cast<size_t>(x)] = r;
      // Not a member: an input read from its stored value.
      if (cluster[static_cast<size_t>(x)] != kr.root || kind[static_cast<size_t>(x)] != Kind::Fused)
        kr.inputs.emplace_back(x, r);
      return r;
    };
    for (Id id : members) {
      const Effective& e = eff[static_cast<size_t>(id)];
      KInstr ins{e.op, -1, reg_of(e.kids[0]), e.kids.size() > 1 ? reg_of(e.kids[1]) : -1, e.p};
      ins.dst = reg_of(id);
      kr.code.push_back(ins);
    }
    if (kr.reduce)
      kr.out_reg = reg_of(G[kr.root].kids[0]);
    else
      kr.out_reg = reg[static_cast<size_t>(kr.root)];
    for (Id id : members) reg[static_cast<size_t>(id)] = -1;
    for (auto& [x, r] : kr.inputs) reg[static_cast<size_t>(x)] = -1;
  }
  for (Id id : order) {
    Kind k = kind[static_cast<size_t>(id)];
    if (k == Kind::Scalar || k == Kind::Var || k == Kind::VirtualAdd || k == Kind::VirtualDiag)
      continue;
    if ((k == Kind::Fused || k == Kind::Sum) && cluster[static_cast<size_t>(id)] != id) continue;
    instrs.push_back({id, kernel_of[static_cast<size_t>(id)]});
  }

  // Liveness: a stored value's buffer is reused once the last instruction reading it has run.
  // Free transposes (of vectors, or read only by products) read their child's buffer.
  auto stored = [&](Id id) {
    Kind k = kind[static_cast<size_t>(id)];
    return k == Kind::Fused || k == Kind::Sum || k == Kind::MatMul || k == Kind::Fallback ||
           k == Kind::Transpose;
  };
  std::vector<int> last(n, -1);
  std::vector<std::vector<Id>> reads(instrs.size());
  for (size_t t = 0; t < instrs.size(); ++t) {
    Id id = instrs[t].node;
    std::vector<Id> direct;
    if (instrs[t].kernel >= 0) {
      for (auto& [x, r] : kernels[static_cast<size_t>(instrs[t].kernel)].inputs) direct.push_back(x);
    } else {
      direct = G[id].kids;
    }
    // Through virtual nodes and transposes, down to the stored values.
    std::vector<Id> todo = direct;
    while (!todo.empty()) {
      Id x = todo.back();
      todo.pop_back();
      Kind k = kind[static_cast<size_t>(x)];
      if (k == Kind::VirtualAdd || k == Kind::VirtualDiag || k == Kind::Transpose)
        for (Id kid : G[x].kids) todo.push_back(kid);
      if (stored(x)) last[static_cast<size_t>(x)] = static_cast<int>(t);
    }
  }
  slot.assign(n, -1);
  std::vector<int> free_slots;
  std::vector<std::vector<Id>> dies(instrs.size());
  for (Id id : order)
    if (stored(id) && last[static_cast<size_t>(id)] >= 0 && output_of[static_cast<size_t>(id)] < 0)
      dies[static_cast<size_t>(last[static_cast<size_t>(id)])].push_back(id);
  for (size_t t = 0; t < instrs.size(); ++t) {
    Id id = instrs[t].node;
    if (output_of[static_cast<size_t>(id)] < 0) {
      if (free_slots.empty()) {
        slot[static_cast<size_t>(id)] = nslots++;
      } else {
        slot[static_cast<size_t>(id)] = free_slots.back();
        free_slots.pop_back();
      }
      if (last[static_cast<size_t>(id)] < 0) dies[t].push_back(id);  // computed, never read
    }
    for (Id d : dies[t]) free_slots.push_back(slot[static_cast<size_t>(d)]);
  }
  buffers.resize(static_cast<size_t>(nslots));
  views.assign(n, {});
  results.resize(outputs.size());
  fallback_values.resize(n);
  int maxregs = 0;
  for (const Kernel& kr : kernels) maxregs = std::max(maxregs, kr.nregs);
  regs.assign(static_cast<size_t>(maxregs), std::vector<double>(kBlock));
  regp.resize(static_cast<size_t>(maxregs));
}

// Storage for node id's value (its own output matrix when it is an output).
double* Plan::Impl::alloc(Id id, int64_t r, int64_t c) {
  check_entries(r, c, std::string(op_name((*g)[id].op)).c_str());
  double* p;
  int o = output_of[static_cast<size_t>(id)];
  if (o >= 0) {
    results[static_cast<size_t>(o)].resize(r, c);
    p = results[static_cast<size_t>(o)].data();
  } else {
    auto& buf = buffers[static_cast<size_t>(slot[static_cast<size_t>(id)])];
    if (buf.size() < static_cast<size_t>(r * c)) buf.resize(static_cast<size_t>(r * c));
    p = buf.data();
  }
  views[static_cast<size_t>(id)] = {p, r, c};
  return p;
}

void Plan::Impl::run_kernel(const Kernel& k, const Bindings& b) {
  const Graph& G = *g;
  Id src = k.reduce ? G[k.root].kids[0] : k.root;
  auto [r, c] = shape_size(G, G[src].shape, b);
  const int64_t m = static_cast<int64_t>(r) * c;
  // Inputs: full-size values are read in place, scalars are broadcast into their register.
  std::vector<std::pair<const double*, int>> streamed;
  for (auto& [x, reg] : k.inputs) {
    View v = operand(x);
    if (v.r * v.c == m && m != 1) {
      streamed.emplace_back(v.p, reg);
    } else if (v.r * v.c == 1) {
      std::fill(regs[static_cast<size_t>(reg)].begin(), regs[static_cast<size_t>(reg)].end(), v.p[0]);
      regp[static_cast<size_t>(reg)] = regs[static_cast<size_t>(reg)].data();
    } else {
      throw Error(ErrorKind::Value, "entry-wise operation: the values do not fit (" +
                                        std::to_string(v.r) + "×" + std::to_string(v.c) +
                                        " in a loop over " + std::to_string(r) + "×" +
                                        std::to_string(c) + ")");
    }
  }
  for (int i = 0; i < k.nregs; ++i)
    if (std::none_of(k.inputs.begin(), k.inputs.end(), [i](auto& in) { return in.second == i; }))
      regp[static_cast<size_t>(i)] = regs[static_cast<size_t>(i)].data();
  double* out = k.reduce ? alloc(k.root, 1, 1) : alloc(k.root, r, c);
  // Each member register is written before it is read, block by block; the root writes
  // straight into the output.
  const bool direct = !k.reduce && !k.code.empty();
  double acc = 0;
  for (int64_t off = 0; off < m; off += kBlock) {
    const int64_t len = std::min(kBlock, m - off);
    for (auto& [p, reg] : streamed) regp[static_cast<size_t>(reg)] = const_cast<double*>(p + off);
    if (direct) regp[static_cast<size_t>(k.out_reg)] = out + off;
    for (const KInstr& ins : k.code) run_kinstr(ins, regp.data(), len);
    if (k.reduce) {
      const double* s = regp[static_cast<size_t>(k.out_reg)];
      double a0 = 0, a1 = 0, a2 = 0, a3 = 0;
      int64_t i = 0;
      for (; i + 4 <= len; i += 4) {
        a0 += s[i];
        a1 += s[i + 1];
        a2 += s[i + 2];
        a3 += s[i + 3];
      }
      for (; i < len; ++i) a0 += s[i];
      acc += (a0 + a1) + (a2 + a3);
    } else if (!direct) {
      std::copy(regp[static_cast<size_t>(k.out_reg)], regp[static_cast<size_t>(k.out_reg)] + len,
                out + off);
    }
  }
  if (k.reduce) out[0] = acc;
}

void Plan::Impl::run_matmul(Id id, const Bindings& b) {
  const Graph& G = *g;
  const Node& node = G[id];
  // Plain variables, not a structured binding: lambdas below capture them (clang < 16).
  const std::pair<int32_t, int32_t> size = shape_size(G, node.shape, b);
  const int32_t rows = size.first, cols = size.second;
  double* out = alloc(id, rows, cols);
  MapM dst(out, rows, cols);
  // One factor: plain, read transposed, or a diagonal.
  struct Factor {
    View v;
    bool t = false;
    bool diag = false;
  };
  auto factor = [&](Id x) {
    Factor f;
    Kind k = kind[static_cast<size_t>(x)];
    if (k == Kind::VirtualDiag) {
      f.diag = true;
      f.v = operand(G[x].kids[0]);
    } else if (k == Kind::Transpose && views[static_cast<size_t>(x)].p == nullptr) {
      f.t = true;
      f.v = operand(G[x].kids[0]);
    } else {
      f.v = operand(x);
    }
    return f;
  };
  auto misfit = [&]() {
    throw Error(ErrorKind::Value, "*: the values do not fit the product");
  };
  // dst (+)= a b for plain or transposed factors.
  auto gemm = [&](const Factor& a, const Factor& bb, bool accumulate) {
    MapC A(a.v.p, a.v.r, a.v.c), B(bb.v.p, bb.v.r, bb.v.c);
    const int64_t ak = a.t ? a.v.r : a.v.c, bk = bb.t ? bb.v.c : bb.v.r;
    const int64_t ar = a.t ? a.v.c : a.v.r, bc = bb.t ? bb.v.r : bb.v.c;
    if (ak != bk || ar != rows || bc != cols) misfit();
    if (!accumulate) {
      if (a.t && bb.t) dst.noalias() = A.transpose() * B.transpose();
      else if (a.t) dst.noalias() = A.transpose() * B;
      else if (bb.t) dst.noalias() = A * B.transpose();
      else dst.noalias() = A * B;
    } else {
      if (a.t && bb.t) dst.noalias() += A.transpose() * B.transpose();
      else if (a.t) dst.noalias() += A.transpose() * B;
      else if (bb.t) dst.noalias() += A * B.transpose();
      else dst.noalias() += A * B;
    }
  };
  Id l = node.kids[0], r = node.kids[1];
  if (kind[static_cast<size_t>(l)] == Kind::VirtualAdd) {
    // (A + B) x = A x + B x.
    Factor x = factor(r);
    gemm(factor(G[l].kids[0]), x, false);
    gemm(factor(G[l].kids[1]), x, true);
    return;
  }
  Factor a = factor(l), bb = factor(r);
  if (a.diag && bb.diag) {
    // diag(u) diag(v) = diag(u .* v)
    if (a.v.r != bb.v.r || rows != a.v.r) misfit();
    dst.setZero();
    for (int64_t i = 0; i < rows; ++i) dst(i, i) = a.v.p[i] * bb.v.p[i];
  } else if (a.diag) {
    // diag(v) X: row i of X times v_i.
    MapC v(a.v.p, a.v.r, 1), B(bb.v.p, bb.v.r, bb.v.c);
    if (v.rows() != rows) misfit();
    if (bb.t) dst.noalias() = v.col(0).asDiagonal() * B.transpose();
    else dst.noalias() = v.col(0).asDiagonal() * B;
  } else if (bb.diag) {
    // X diag(v): column j of X times v_j.
    MapC v(bb.v.p, bb.v.r, 1), A(a.v.p, a.v.r, a.v.c);
    if (v.rows() != cols) misfit();
    if (a.t) dst.noalias() = A.transpose() * v.col(0).asDiagonal();
    else dst.noalias() = A * v.col(0).asDiagonal();
  } else {
    gemm(a, bb, false);
  }
}

void Plan::Impl::run_fallback(Id id, const Bindings& b) {
  const Graph& G = *g;
  const Node& node = G[id];
  for (Id kid : node.kids) {
    View v = operand(kid);
    fallback_values[static_cast<size_t>(kid)] = MapC(v.p, v.r, v.c);
  }
  EvalContext ctx{G, b, fallback_values, id, node};
  Matrix value = eval_rule(node.op)(ctx);
  double* out = alloc(id, value.rows(), value.cols());
  std::copy(value.data(), value.data() + value.size(), out);
  for (Id kid : node.kids) fallback_values[static_cast<size_t>(kid)].resize(0, 0);
}

void Plan::Impl::run(const Bindings& b) {
  const Graph& G = *g;
  // Leaves: bound values in place (checked against the declared shape), constants.
  for (Id id : order) {
    Kind k = kind[static_cast<size_t>(id)];
    if (k == Kind::Scalar) {
      views[static_cast<size_t>(id)] = {&scalars[static_cast<size_t>(id)], 1, 1};
    } else if (k == Kind::Var) {
      const Node& node = G[id];
      const Symbol& sym = G.symbol(node.a);
      auto it = b.values.find(node.a);
      if (it == b.values.end()) throw Error(ErrorKind::Value, "no value for '" + sym.name + "'");
      auto [r, c] = shape_size(G, sym.shape, b);
      const Matrix& v = it->second;
      if (v.rows() != r || v.cols() != c)
        throw Error(ErrorKind::Value, "the value of '" + sym.name + "' is " +
                                          std::to_string(v.rows()) + "×" +
                                          std::to_string(v.cols()) + " but it is declared " +
                                          G.dims.to_string(sym.shape));
      views[static_cast<size_t>(id)] = {v.data(), r, c};
    } else if (k == Kind::Transpose) {
      views[static_cast<size_t>(id)] = {};  // set when computed or aliased
    }
  }
  for (const Instr& ins : instrs) {
    Id id = ins.node;
    Kind k = kind[static_cast<size_t>(id)];
    if (ins.kernel >= 0) {
      run_kernel(kernels[static_cast<size_t>(ins.kernel)], b);
    } else if (k == Kind::MatMul) {
      run_matmul(id, b);
    } else if (k == Kind::Transpose) {
      View v = operand(G[id].kids[0]);
      const auto& rd = output_of[static_cast<size_t>(id)];
      if (v.r == 1 || v.c == 1) {
        if (rd >= 0) {  // an output gets its own copy
          double* out = alloc(id, v.c, v.r);
          std::copy(v.p, v.p + v.r * v.c, out);
        } else {
          views[static_cast<size_t>(id)] = {v.p, v.c, v.r};  // a vector's transpose: same data
        }
      } else {
        // Read transposed by products (the view stays empty) unless another reader needs it.
        if (!product_only[static_cast<size_t>(id)]) {
          double* out = alloc(id, v.c, v.r);
          MapM(out, v.c, v.r) = MapC(v.p, v.r, v.c).transpose();
        }
      }
    } else {
      run_fallback(id, b);
    }
  }
  // Outputs that are leaves, aliases or repeated: copied.
  for (size_t i = 0; i < outputs.size(); ++i) {
    Id o = outputs[i];
    if (output_of[static_cast<size_t>(o)] == static_cast<int>(i) &&
        (kind[static_cast<size_t>(o)] != Kind::Scalar && kind[static_cast<size_t>(o)] != Kind::Var))
      continue;
    View v = operand(o);
    results[i] = MapC(v.p, v.r, v.c);
  }
}

}  // namespace nabla

namespace nabla {

Plan::Plan(const Graph& g, std::vector<Id> outputs) : impl_(std::make_unique<Impl>()) {
  impl_->g = &g;
  impl_->outputs = std::move(outputs);
  impl_->compile();
}
Plan::~Plan() = default;
Plan::Plan(Plan&&) noexcept = default;
Plan& Plan::operator=(Plan&&) noexcept = default;

std::vector<Matrix>& Plan::run(const Bindings& bindings) {
  impl_->run(bindings);
  return impl_->results;
}

size_t Plan::instruction_count() const { return impl_->instrs.size(); }
size_t Plan::buffer_count() const { return static_cast<size_t>(impl_->nslots); }

namespace {
std::vector<Id> with_value(Id f, const std::vector<Id>& grads) {
  std::vector<Id> out{f};
  out.insert(out.end(), grads.begin(), grads.end());
  return out;
}
}  // namespace

ValueAndGrad::ValueAndGrad(const Graph& g, Id f, std::vector<Id> grads)
    : grad_ids_(std::move(grads)), plan_(g, with_value(f, grad_ids_)) {
  if (!g[f].shape.is_scalar())
    throw Error(ErrorKind::Shape, "value_and_grad needs a scalar function");
  result_.grads.resize(grad_ids_.size());
}

const ValueAndGradResult& ValueAndGrad::run(const Bindings& bindings) {
  std::vector<Matrix>& r = plan_.run(bindings);
  result_.value = r[0](0, 0);
  // Swapped, not copied: the plan writes the next run into the previous result's storage.
  for (size_t i = 0; i < grad_ids_.size(); ++i) result_.grads[i].swap(r[i + 1]);
  return result_;
}

}  // namespace nabla
