// Compiling a plan (Plan::Impl::compile): named passes over the reachable DAG, in this order.
//   classify          the kind of every reachable node (how it is computed) and its readers
//   (fold_constants: plan_kernels.cpp) entry-wise nodes of numbers computed at compile time
//   find_shortcuts    virtual diag(v) and A + B, tr(A B) and X' diag(d) X without the product,
//                     ones / zeros as broadcast numbers, transposes read only by products
//   (find_sweeps, find_row_loop: plan_matrix.cpp, plan_row_loop.cpp)
//   cluster_fused     which fused loop each entry-wise node is computed in
//   build_kernels     each loop's registers, code and outputs
//   schedule          the instruction list (the row loop as one instruction)
//   merge_kernels     loops over the same entries merged, outputs kept in registers
//   assign_buffers    liveness: a buffer per stored value, reused after its last reader
// Each pass reads what the earlier ones left in Plan::Impl; tests/eval/plan_passes_test.cpp runs
// them one by one.
#include <algorithm>
#include <numbers>
#include <string>
#include <unordered_set>

#include "eval/patterns.h"
#include "eval/plan.h"
#include "eval/plan_impl.h"
#include "eval/threads.h"
#include "ir/build.h"
#include "ir/error.h"

namespace nabla {

using namespace plan_detail;

void Plan::Impl::compile() {
  classify();
  fold_constants();
  find_shortcuts();
  find_sweeps();
  find_row_loop();
  cluster_fused();
  build_kernels();
  schedule();
  merge_kernels();
  assign_buffers();
  prepare_run_state();
}

Kind Plan::Impl::kind_of_op(Id id, Effective& e, double& scalar) const {
  const Graph& G = *g;
  const Node& node = G[id];
  switch (node.op) {
#include "ir/query_cases.inc"
    throw Error(ErrorKind::Internal, "expand queries before evaluating");
    case Op::Const:
    case Op::Pi:
      scalar = node.op == Op::Pi ? std::numbers::pi : const_value(G, id);
      return Kind::Scalar;
    case Op::Var:
      return Kind::Var;
    case Op::MatMul:
      return Kind::MatMul;
    case Op::Transpose:
      return Kind::Transpose;
    case Op::Sum:
    case Op::Norm2:
      return Kind::Reduction;
    case Op::Det:
    case Op::LogDet:
    case Op::Inv:
      return Kind::Factored;
#include "ir/piecewise_cases.inc"
#include "ir/structure_cases.inc"
    case Op::Identity:
    case Op::Ones:
    case Op::Zeros:
    case Op::Commutation:
    case Op::Add:
    case Op::Scale:
    case Op::Hadamard:
    case Op::Power:
#include "ir/function_cases.inc"
    case Op::NormInf:
    case Op::Trace:
    case Op::Softmax:
    case Op::LogSumExp:
    case Op::Prod:
    case Op::ProdOthers:
    case Op::Call:
      if (StableLog s;
          node.op == Op::Log && (s = stable_log(G, id)).kind == StableLog::LogSoftmax) {
        // log(softmax(u)) = log_softmax(u), by evaluate()'s rule, which reads u.
        e.kids = {s.u};
        return Kind::Fallback;
      }
      if (is_fusable_op(node.op)) {
        e = effective(G, id);
        if (auto it = negated_twin.find(id); it != negated_twin.end())
          e = {KOp::Mul, {it->second.second, it->second.first}};  // q - p = -(p - q), the same bits
        return Kind::Fused;
      }
      return Kind::Fallback;
  }
  throw Error(ErrorKind::Internal, "not an op");
}

void Plan::Impl::classify() {
  const Graph& G = *g;
  for (Id o : outputs)
    if (o < 0 || static_cast<size_t>(o) >= G.size())
      throw Error(ErrorKind::Internal, "plan: no such node");
  find_negated_twins();
  // Reachable nodes through the effective children, each classified once.
  struct Found {
    Id id;
    Kind kind;
    Effective eff;
    double scalar = 0;
  };
  std::vector<Found> found;
  std::unordered_set<Id> seen;
  std::vector<Id> stack(outputs.begin(), outputs.end());
  while (!stack.empty()) {
    Id id = stack.back();
    stack.pop_back();
    if (!seen.insert(id).second) continue;
    Found f{id, Kind::Fallback, {}, 0};
    f.kind = kind_of_op(id, f.eff, f.scalar);
    for (Id kid : f.eff.kids.empty() ? G[id].kids : f.eff.kids) stack.push_back(kid);
    found.push_back(std::move(f));
  }
  std::sort(found.begin(), found.end(), [](const Found& a, const Found& b) { return a.id < b.id; });
  const size_t n = found.size();
  order.resize(n);
  kind.resize(n);
  eff.resize(n);
  scalars.resize(n);
  for (size_t i = 0; i < n; ++i) {
    order[i] = found[i].id;
    kind[i] = found[i].kind;
    eff[i] = std::move(found[i].eff);
    scalars[i] = found[i].scalar;
  }
  position = NodePositions(order);
  output_of.assign(n, -1);
  for (size_t i = 0; i < outputs.size(); ++i)
    if (output_of[at(outputs[i])] < 0) output_of[at(outputs[i])] = static_cast<int>(i);
  readers.assign(n, {});
  for (Id id : order)
    for (Id kid : kids_of(id)) readers[at(kid)].push_back(id);
}

// diag(v) read only as a factor of products (a scaling), A + B read only as the left factor of
// matrix-vector products.
void Plan::Impl::find_virtual_factors() {
  const Graph& G = *g;
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    Id id = *it;
    const Node& node = G[id];
    const auto& rd = readers[at(id)];
    if (output_of[at(id)] >= 0 || rd.empty()) continue;
    auto all = [&](auto pred) { return std::all_of(rd.begin(), rd.end(), pred); };
    if (node.op == Op::Diag && all([&](Id r) { return G[r].op == Op::MatMul; })) {
      kind[at(id)] = Kind::VirtualDiag;
    } else if (node.op == Op::Add && node.shape.is_matrix() && all([&](Id r) {
                 return G[r].op == Op::MatMul && G[r].kids[0] == id && G[r].kids[1] != id &&
                        G[G[r].kids[1]].shape.cols.is_one();
               })) {
      kind[at(id)] = Kind::VirtualAdd;
    }
  }
}

// Products computed implicitly by their only reader: tr(A B), and X' diag(d) X.
void Plan::Impl::find_absorbed_products() {
  const Graph& G = *g;
  gram.assign(kind.size(), 0);
  auto only_reader = [&](Id x, Id r) {
    const auto& rd = readers[at(x)];
    return output_of[at(x)] < 0 && !rd.empty() &&
           std::all_of(rd.begin(), rd.end(), [r](Id y) { return y == r; });
  };
  auto plain_factor = [&](Id x) {
    return kind[at(x)] != Kind::VirtualAdd && kind[at(x)] != Kind::VirtualDiag;
  };
  auto is_diag = [&](Id x) { return kind[at(x)] == Kind::VirtualDiag; };
  auto transpose_of = [&](Id t, Id x) { return G[t].op == Op::Transpose && G[t].kids[0] == x; };
  auto product = [&](Id x) { return G[x].op == Op::MatMul && kind[at(x)] == Kind::MatMul; };
  for (Id id : order) {
    const Node& node = G[id];
    if (node.op == Op::Trace && kind[at(node.kids[0])] == Kind::MatMul) {
      Id p = node.kids[0];
      if (only_reader(p, id) && plain_factor(G[p].kids[0]) && plain_factor(G[p].kids[1])) {
        kind[at(id)] = Kind::TraceProduct;
        kind[at(p)] = Kind::Absorbed;
      }
    } else if (product(id)) {
      Id l = node.kids[0], r = node.kids[1];
      if (product(l) && only_reader(l, id) && transpose_of(G[l].kids[0], r) &&
          is_diag(G[l].kids[1])) {  // (X' diag(d)) X
        kind[at(l)] = Kind::Absorbed;
        gram[at(id)] = 1;
      } else if (product(r) && only_reader(r, id) && is_diag(G[r].kids[0]) &&
                 transpose_of(l, G[r].kids[1])) {  // X' (diag(d) X)
        kind[at(r)] = Kind::Absorbed;
        gram[at(id)] = 1;
      }
    }
  }
}

void Plan::Impl::find_shortcuts() {
  const Graph& G = *g;
  find_virtual_factors();
  find_absorbed_products();
  // ones and zeros read only inside entry-wise loops are broadcast numbers, never formed.
  for (Id id : order) {
    Op op = G[id].op;
    if ((op != Op::Ones && op != Op::Zeros) || output_of[at(id)] >= 0) continue;
    const auto& rd = readers[at(id)];
    if (std::all_of(rd.begin(), rd.end(), [&](Id r) {
          return kind[at(r)] == Kind::Fused ||
                 (kind[at(r)] == Kind::Reduction && G[r].op == Op::Sum);
        })) {
      kind[at(id)] = Kind::Scalar;
      scalars[at(id)] = op == Op::Ones ? 1.0 : 0.0;
    }
  }
  // A virtual add's children are read by the products directly.
  for (Id id : order)
    if (kind[at(id)] == Kind::VirtualAdd)
      for (Id kid : G[id].kids)
        for (Id r : readers[at(id)]) readers[at(kid)].push_back(r);
  // A transpose read only by products is never formed: they read it transposed.
  product_only.assign(kind.size(), 0);
  for (Id id : order) {
    if (kind[at(id)] != Kind::Transpose || output_of[at(id)] >= 0) continue;
    const auto& rd = readers[at(id)];
    product_only[at(id)] = std::all_of(rd.begin(), rd.end(), [&](Id r) {
      Kind k = kind[at(r)];
      return k == Kind::MatMul || k == Kind::VirtualAdd || k == Kind::Absorbed;
    });
  }
}

// Fused clusters, from the top: a fused node is inlined into its readers' loop when every reader
// is an entry-wise node of the same shape (or a sum) in one and the same loop; otherwise it is
// the root of its own loop and its value is stored.
void Plan::Impl::cluster_fused() {
  const Graph& G = *g;
  cluster.assign(kind.size(), kNoId);
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    Id id = *it;
    Kind k = kind[at(id)];
    if (k == Kind::Reduction) {
      cluster[at(id)] = id;
      continue;
    }
    if (k != Kind::Fused) continue;
    Id c = kNoId;
    bool inline_ok = output_of[at(id)] < 0;
    for (Id r : readers[at(id)]) {
      if (!inline_ok) break;
      Kind rk = kind[at(r)];
      bool same_loop = (rk == Kind::Fused && G[r].shape == G[id].shape) || rk == Kind::Reduction;
      // A fused reader must not see this node as a broadcast scalar.
      if (rk == Kind::Fused && G[id].shape.is_scalar() != G[r].shape.is_scalar()) same_loop = false;
      Id rc = cluster[at(r)];
      if (!same_loop || rc == kNoId || (c != kNoId && rc != c)) inline_ok = false;
      c = rc;
    }
    cluster[at(id)] = inline_ok && c != kNoId ? c : id;
  }
}

// One kernel per cluster root; its members (the cluster's nodes, in increasing order) computed
// in registers, its other reads (inputs) loaded from their stored values.
void Plan::Impl::build_kernels() {
  const Graph& G = *g;
  kernels.clear();
  kernel_of.assign(kind.size(), -1);
  for (Id id : order) {
    Kind k = kind[at(id)];
    if ((k == Kind::Fused || k == Kind::Reduction) && cluster[at(id)] == id) {
      Kernel kr;
      kr.root = id;
      kr.loop = k == Kind::Reduction ? G[id].kids[0] : id;
      kernel_of[at(id)] = static_cast<int>(kernels.size());
      kernels.push_back(std::move(kr));
    }
  }
  std::vector<int> reg(kind.size(), -1);
  for (Kernel& kr : kernels) {
    std::vector<Id> members;
    for (Id id : order)
      if (cluster[at(id)] == kr.root && kind[at(id)] == Kind::Fused) members.push_back(id);
    auto reg_of = [&](Id x) {
      if (reg[at(x)] >= 0) return reg[at(x)];
      int r = kr.nregs++;
      reg[at(x)] = r;
      if (cluster[at(x)] != kr.root || kind[at(x)] != Kind::Fused) kr.inputs.emplace_back(x, r);
      return r;
    };
    for (Id id : members) {
      const Effective& e = eff[at(id)];
      KInstr ins{e.op, -1, reg_of(e.kids[0]), e.kids.size() > 1 ? reg_of(e.kids[1]) : -1, e.p};
      ins.dst = reg_of(id);
      kr.code.push_back(ins);
    }
    if (kind[at(kr.root)] == Kind::Reduction)
      kr.outs.push_back({G[kr.root].op == Op::Norm2 ? KOut::Norm : KOut::Sum, kr.root,
                         reg_of(G[kr.root].kids[0])});
    else
      kr.outs.push_back({KOut::Store, kr.root, reg[at(kr.root)]});
    for (Id id : members) kr.members.emplace_back(id, reg[at(id)]);
    for (Id id : members) reg[at(id)] = -1;
    for (auto& [x, r] : kr.inputs) reg[at(x)] = -1;
  }
}

// The instruction list in id order, except that the row loop runs as one instruction at its last
// node, and the nodes before that which read its results wait until after it.
void Plan::Impl::schedule() {
  Id loop_last = kNoId;
  written_by_loop.assign(kind.size(), 0);
  if (row_loop) {
    for (const RowStep& st : row_loop->steps) loop_last = std::max(loop_last, st.node);
    for (Id w : row_loop->writes) written_by_loop[at(w)] = 1;
  }
  std::vector<int> sweep_of(kind.size(), -1);
  for (size_t i = 0; i < sweeps.size(); ++i) {
    sweep_of[at(sweeps[i].sum_node)] = static_cast<int>(i);
    if (sweeps[i].transposed_node != kNoId)
      sweep_of[at(sweeps[i].transposed_node)] = static_cast<int>(i);
  }
  std::vector<char> sweep_done(sweeps.size(), 0);
  std::vector<Instr> deferred;
  instrs.clear();
  for (Id id : order) {
    Kind k = kind[at(id)];
    if (k == Kind::Scalar || k == Kind::Var || k == Kind::VirtualAdd || k == Kind::VirtualDiag ||
        k == Kind::Absorbed)
      continue;
    if (k == Kind::RowLoop) {
      if (id == loop_last) {
        instrs.push_back({id, -1, true});
        instrs.insert(instrs.end(), deferred.begin(), deferred.end());
        deferred.clear();
      }
      continue;
    }
    if ((k == Kind::Fused || k == Kind::Reduction) && cluster[at(id)] != id) continue;
    Instr ins{id, kernel_of[at(id)]};
    if (k == Kind::Sweep) {  // at the first of its nodes
      int s = sweep_of[at(id)];
      if (sweep_done[static_cast<size_t>(s)]) continue;
      sweep_done[static_cast<size_t>(s)] = 1;
      ins.sweep = s;
    }
    if (loop_last != kNoId && id < loop_last && depends_on_loop[at(id)])
      deferred.push_back(ins);
    else
      instrs.push_back(ins);
  }
}

// The instruction defining each node's stored value, -1 none.
std::vector<int> Plan::Impl::defining_instructions() const {
  std::vector<int> pos(kind.size(), -1);
  for (size_t t = 0; t < instrs.size(); ++t)
    for (Id x : defs(instrs[t])) pos[at(x)] = static_cast<int>(t);
  return pos;
}

// Merges each kernel into an earlier one over the same entries when all its inputs are ready
// there (leaves, values computed before it, or that kernel's own stored outputs).
void Plan::Impl::merge_kernels() {
  const Graph& G = *g;
  std::vector<int> pos = defining_instructions();
  std::vector<char> removed(instrs.size(), 0);
  for (size_t t2 = 0; t2 < instrs.size(); ++t2) {
    if (instrs[t2].kernel < 0) continue;
    Kernel& k2 = kernels[static_cast<size_t>(instrs[t2].kernel)];
    if (G[k2.loop].shape.is_scalar()) continue;
    for (size_t t1 = 0; t1 < t2; ++t1) {
      if (removed[t1] || instrs[t1].kernel < 0) continue;
      Kernel& k1 = kernels[static_cast<size_t>(instrs[t1].kernel)];
      if (!(G[k1.loop].shape == G[k2.loop].shape) || !inputs_ready(k1, k2, pos, t1)) continue;
      merge_into(k1, k2);
      for (const KOut& o : k2.outs) pos[at(o.node)] = static_cast<int>(t1);
      removed[t2] = 1;
      break;
    }
  }
  std::vector<Instr> kept;
  for (size_t t = 0; t < instrs.size(); ++t)
    if (!removed[t]) kept.push_back(instrs[t]);
  instrs = std::move(kept);
  keep_loop_outputs_in_registers();
  for (Kernel& k : kernels) pair_softplus_sigmoid(k.code);
}

// Whether every input of k2 is available in k1's loop at instruction t1: a leaf, a member of k1,
// or stored by an instruction before t1.
bool Plan::Impl::inputs_ready(const Kernel& k1, const Kernel& k2, const std::vector<int>& pos,
                              size_t t1) const {
  for (const auto& [x, r] : k2.inputs) {
    Kind xk = kind[at(x)];
    if (xk == Kind::Var || xk == Kind::Scalar || member_register(k1, x) >= 0) continue;
    if (!(pos[at(x)] >= 0 && pos[at(x)] < static_cast<int>(t1))) return false;
  }
  return true;
}

int Plan::Impl::member_register(const Kernel& k, Id x) {
  for (const auto& [y, r] : k.members)
    if (y == x) return r;
  return -1;
}

// Appends k2's code to k1, its registers renumbered into k1's; k2's inputs that k1 computes are
// read from k1's registers.
void Plan::Impl::merge_into(Kernel& k1, const Kernel& k2) {
  std::vector<int> map(static_cast<size_t>(k2.nregs), -1);
  for (const auto& [x, r] : k2.inputs) {
    int mr = member_register(k1, x);
    if (mr < 0)
      for (const auto& [y, yr] : k1.inputs)
        if (y == x) mr = yr;
    if (mr < 0) {
      mr = k1.nregs++;
      k1.inputs.emplace_back(x, mr);
    }
    map[static_cast<size_t>(r)] = mr;
  }
  for (int& r : map)
    if (r < 0) r = k1.nregs++;
  for (KInstr ins : k2.code) {
    ins.dst = map[static_cast<size_t>(ins.dst)];
    ins.a = map[static_cast<size_t>(ins.a)];
    if (ins.b >= 0) ins.b = map[static_cast<size_t>(ins.b)];
    k1.code.push_back(ins);
  }
  for (auto [x, r] : k2.members) k1.members.emplace_back(x, map[static_cast<size_t>(r)]);
  for (KOut o : k2.outs) {
    o.reg = map[static_cast<size_t>(o.reg)];
    k1.outs.push_back(o);
  }
}

// Stored outputs now read only inside their own loop stay in registers.
void Plan::Impl::keep_loop_outputs_in_registers() {
  std::vector<char> inside(kind.size(), 0);
  std::vector<Id> marked;
  for (const Instr& ins : instrs) {
    if (ins.kernel < 0) continue;
    Kernel& k = kernels[static_cast<size_t>(ins.kernel)];
    for (auto& [x, r] : k.members) marked.push_back(x);
    for (const KOut& o : k.outs) marked.push_back(o.node);
    for (Id x : marked) inside[at(x)] = 1;
    std::erase_if(k.outs, [&](const KOut& o) {
      if (o.mode != KOut::Store || output_of[at(o.node)] >= 0) return false;
      const auto& rd = readers[at(o.node)];
      return !rd.empty() && std::all_of(rd.begin(), rd.end(), [&](Id r) { return inside[at(r)]; });
    });
    for (Id x : marked) inside[at(x)] = 0;
    marked.clear();
  }
}

// Whether node id's value is stored in a buffer (or the caller's output storage).
bool Plan::Impl::stored(Id id) const {
  switch (kind[at(id)]) {
    case Kind::Fused:
    case Kind::Reduction:
    case Kind::MatMul:
    case Kind::Fallback:
    case Kind::Transpose:
    case Kind::Factored:
    case Kind::TraceProduct:
    case Kind::Sweep:
      return true;
    case Kind::RowLoop:
      return written_by_loop[at(id)] != 0;
    default:
      return false;
  }
}

// The nodes an instruction stores.
std::vector<Id> Plan::Impl::defs(const Instr& ins) const {
  if (ins.row_loop) return row_loop->writes;
  if (ins.kernel >= 0) {
    std::vector<Id> out;
    for (const KOut& o : kernels[static_cast<size_t>(ins.kernel)].outs) out.push_back(o.node);
    return out;
  }
  if (ins.sweep >= 0) {
    const Sweep& s = sweeps[static_cast<size_t>(ins.sweep)];
    if (s.transposed_node == kNoId) return {s.sum_node};
    return {s.sum_node, s.transposed_node};
  }
  return {ins.node};
}

// The stored values an instruction reads: through virtual nodes, absorbed products and
// transposes (free: of vectors, or read only by products) down to the buffers they read.
std::vector<Id> Plan::Impl::stored_reads(const Instr& ins) const {
  const Graph& G = *g;
  std::vector<Id> todo, out;
  if (ins.kernel >= 0) {
    for (auto& [x, r] : kernels[static_cast<size_t>(ins.kernel)].inputs) todo.push_back(x);
  } else if (ins.row_loop) {
    todo = row_loop->reads;
  } else if (ins.sweep >= 0) {
    todo = {sweeps[static_cast<size_t>(ins.sweep)].m, sweeps[static_cast<size_t>(ins.sweep)].x};
  } else {
    todo = kids_of(ins.node);
  }
  while (!todo.empty()) {
    Id x = todo.back();
    todo.pop_back();
    Kind k = kind[at(x)];
    if (k == Kind::VirtualAdd || k == Kind::VirtualDiag || k == Kind::Transpose ||
        k == Kind::Absorbed)
      for (Id kid : G[x].kids) todo.push_back(kid);
    if (stored(x)) out.push_back(x);
  }
  return out;
}

// Liveness: a stored value's buffer is reused once the last instruction reading it has run.
void Plan::Impl::assign_buffers() {
  std::vector<int> last(kind.size(), -1);
  for (size_t t = 0; t < instrs.size(); ++t)
    for (Id x : stored_reads(instrs[t])) last[at(x)] = static_cast<int>(t);
  slot.assign(kind.size(), -1);
  nslots = 0;
  std::vector<int> free_slots;
  std::vector<std::vector<Id>> dies(instrs.size());
  for (Id id : order)
    if (stored(id) && last[at(id)] >= 0 && output_of[at(id)] < 0)
      dies[static_cast<size_t>(last[at(id)])].push_back(id);
  for (size_t t = 0; t < instrs.size(); ++t) {
    for (Id id : defs(instrs[t])) {
      if (output_of[at(id)] >= 0) continue;
      if (free_slots.empty()) {
        slot[at(id)] = nslots++;
      } else {
        slot[at(id)] = free_slots.back();
        free_slots.pop_back();
      }
      if (last[at(id)] < 0) dies[t].push_back(id);  // computed, never read
    }
    for (Id d : dies[t]) free_slots.push_back(slot[at(d)]);
  }
}

// The run-time state a first run needs: buffers, views, one thread's registers.
void Plan::Impl::prepare_run_state() {
  buffers.resize(static_cast<size_t>(nslots));
  views.assign(kind.size(), {});
  results.resize(outputs.size());
  fallback_values.resize(kind.size());
  int maxregs = 0;
  for (const Kernel& kr : kernels) maxregs = std::max(maxregs, kr.nregs);
  thread_regs.assign(1, std::vector<std::vector<double>>(static_cast<size_t>(maxregs),
                                                         std::vector<double>(kBlock)));
  thread_regp.assign(1, std::vector<double*>(static_cast<size_t>(maxregs)));
  (void)plan_threads();  // reads NABLA_THREADS, sets Eigen's threads
}

}  // namespace nabla
