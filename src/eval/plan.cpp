#include "eval/plan.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <string>
#include <utility>

#ifdef _OPENMP
#include <omp.h>
#else
inline int omp_get_thread_num() {
  return 0;
}
#endif

#include "eval/eval_rules.h"
#include "eval/patterns.h"
#include "eval/plan_impl.h"
#include "eval/threads.h"
#include "ir/build.h"
#include "ir/error.h"

namespace nabla {

using namespace plan_detail;

const std::vector<Id>& Plan::Impl::kids_of(Id id) const {
  const std::vector<Id>& e = eff[static_cast<size_t>(id)].kids;
  return e.empty() ? (*g)[id].kids : e;
}

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
      case Op::Var:
        k = Kind::Var;
        break;
      case Op::MatMul:
        k = Kind::MatMul;
        break;
      case Op::Transpose:
        k = Kind::Transpose;
        break;
      case Op::Sum:
      case Op::Norm2:
        k = Kind::Sum;
        break;
      case Op::Det:
      case Op::LogDet:
      case Op::Inv:
        k = Kind::Factored;
        break;
      default:
        if (StableLog s;
            node.op == Op::Log && (s = stable_log(G, id)).kind == StableLog::LogSoftmax) {
          // log(softmax(u)) = log_softmax(u), by evaluate()'s rule, which reads u.
          eff[static_cast<size_t>(id)].kids = {s.u};
        } else if (is_fusable_op(node.op)) {
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
  readers.assign(n, {});
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
  // Products computed implicitly by their only reader: tr(A B), and X' diag(d) X.
  gram.assign(n, 0);
  auto only_reader = [&](Id x, Id r) {
    const auto& rd = readers[static_cast<size_t>(x)];
    return output_of[static_cast<size_t>(x)] < 0 && !rd.empty() &&
           std::all_of(rd.begin(), rd.end(), [r](Id y) { return y == r; });
  };
  auto plain_factor = [&](Id x) {
    Kind k = kind[static_cast<size_t>(x)];
    return k != Kind::VirtualAdd && k != Kind::VirtualDiag;
  };
  for (Id id : order) {
    const Node& node = G[id];
    if (node.op == Op::Trace && kind[static_cast<size_t>(node.kids[0])] == Kind::MatMul) {
      Id p = node.kids[0];
      if (only_reader(p, id) && plain_factor(G[p].kids[0]) && plain_factor(G[p].kids[1])) {
        kind[static_cast<size_t>(id)] = Kind::TraceProduct;
        kind[static_cast<size_t>(p)] = Kind::Absorbed;
      }
    } else if (node.op == Op::MatMul && kind[static_cast<size_t>(id)] == Kind::MatMul) {
      Id l = node.kids[0], r = node.kids[1];
      auto is_diag = [&](Id x) { return kind[static_cast<size_t>(x)] == Kind::VirtualDiag; };
      auto transpose_of = [&](Id t, Id x) { return G[t].op == Op::Transpose && G[t].kids[0] == x; };
      // (X' diag(d)) X
      if (G[l].op == Op::MatMul && kind[static_cast<size_t>(l)] == Kind::MatMul &&
          only_reader(l, id) && transpose_of(G[l].kids[0], r) && is_diag(G[l].kids[1])) {
        kind[static_cast<size_t>(l)] = Kind::Absorbed;
        gram[static_cast<size_t>(id)] = 1;
        // X' (diag(d) X)
      } else if (G[r].op == Op::MatMul && kind[static_cast<size_t>(r)] == Kind::MatMul &&
                 only_reader(r, id) && is_diag(G[r].kids[0]) && transpose_of(l, G[r].kids[1])) {
        kind[static_cast<size_t>(r)] = Kind::Absorbed;
        gram[static_cast<size_t>(id)] = 1;
      }
    }
  }
  // ones and zeros read only inside entry-wise loops are broadcast numbers, never formed.
  for (Id id : order) {
    Op op = G[id].op;
    if ((op != Op::Ones && op != Op::Zeros) || output_of[static_cast<size_t>(id)] >= 0) continue;
    const auto& rd = readers[static_cast<size_t>(id)];
    if (std::all_of(rd.begin(), rd.end(), [&](Id r) {
          Kind k = kind[static_cast<size_t>(r)];
          return k == Kind::Fused || (k == Kind::Sum && G[r].op == Op::Sum);
        })) {
      kind[static_cast<size_t>(id)] = Kind::Scalar;
      scalars[static_cast<size_t>(id)] = op == Op::Ones ? 1.0 : 0.0;
    }
  }
  // A virtual add's children are read by the products directly.
  for (Id id : order)
    if (kind[static_cast<size_t>(id)] == Kind::VirtualAdd)
      for (Id kid : G[id].kids)
        for (Id r : readers[static_cast<size_t>(id)])
          readers[static_cast<size_t>(kid)].push_back(r);
  product_only.assign(n, 0);
  for (Id id : order) {
    if (kind[static_cast<size_t>(id)] != Kind::Transpose || output_of[static_cast<size_t>(id)] >= 0)
      continue;
    const auto& rd = readers[static_cast<size_t>(id)];
    product_only[static_cast<size_t>(id)] = std::all_of(rd.begin(), rd.end(), [&](Id r) {
      Kind k = kind[static_cast<size_t>(r)];
      return k == Kind::MatMul || k == Kind::VirtualAdd || k == Kind::Absorbed;
    });
  }
  find_sweeps();
  find_row_loop();

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
      kr.loop = k == Kind::Sum ? G[id].kids[0] : id;
      kernel_of[static_cast<size_t>(id)] = static_cast<int>(kernels.size());
      kernels.push_back(std::move(kr));
    }
  }
  std::vector<int> reg(n, -1);
  for (Kernel& kr : kernels) {
    // Members: the nodes of this cluster, in increasing order.
    std::vector<Id> members;
    for (Id id : order)
      if (cluster[static_cast<size_t>(id)] == kr.root &&
          kind[static_cast<size_t>(id)] == Kind::Fused)
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
    if (kind[static_cast<size_t>(kr.root)] == Kind::Sum)
      kr.outs.push_back({G[kr.root].op == Op::Norm2 ? KOut::Norm : KOut::Sum, kr.root,
                         reg_of(G[kr.root].kids[0])});
    else
      kr.outs.push_back({KOut::Store, kr.root, reg[static_cast<size_t>(kr.root)]});
    for (Id id : members) kr.members.emplace_back(id, reg[static_cast<size_t>(id)]);
    for (Id id : members) reg[static_cast<size_t>(id)] = -1;
    for (auto& [x, r] : kr.inputs) reg[static_cast<size_t>(x)] = -1;
  }
  // The instruction list in id order, except that the row loop runs as one instruction at its
  // last node, and the nodes before that which read its results wait until after it.
  Id loop_last = kNoId;
  std::vector<char> written_by_loop(n, 0);
  if (row_loop) {
    for (const RowStep& st : row_loop->steps) loop_last = std::max(loop_last, st.node);
    for (Id w : row_loop->writes) written_by_loop[static_cast<size_t>(w)] = 1;
  }
  std::vector<int> sweep_of(n, -1);
  for (size_t i = 0; i < sweeps.size(); ++i) {
    sweep_of[static_cast<size_t>(sweeps[i].sum_node)] = static_cast<int>(i);
    if (sweeps[i].transposed_node != kNoId)
      sweep_of[static_cast<size_t>(sweeps[i].transposed_node)] = static_cast<int>(i);
  }
  std::vector<char> sweep_done(sweeps.size(), 0);
  std::vector<Instr> deferred;
  for (Id id : order) {
    Kind k = kind[static_cast<size_t>(id)];
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
    if ((k == Kind::Fused || k == Kind::Sum) && cluster[static_cast<size_t>(id)] != id) continue;
    Instr ins{id, kernel_of[static_cast<size_t>(id)]};
    if (k == Kind::Sweep) {  // at the first of its nodes
      int s = sweep_of[static_cast<size_t>(id)];
      if (sweep_done[static_cast<size_t>(s)]) continue;
      sweep_done[static_cast<size_t>(s)] = 1;
      ins.sweep = s;
    }
    if (loop_last != kNoId && id < loop_last && depends_on_loop[static_cast<size_t>(id)])
      deferred.push_back(ins);
    else
      instrs.push_back(ins);
  }

  merge_kernels();

  // Liveness: a stored value's buffer is reused once the last instruction reading it has run.
  // Free transposes (of vectors, or read only by products) read their child's buffer.
  auto stored = [&](Id id) {
    switch (kind[static_cast<size_t>(id)]) {
      case Kind::Fused:
      case Kind::Sum:
      case Kind::MatMul:
      case Kind::Fallback:
      case Kind::Transpose:
      case Kind::Factored:
      case Kind::TraceProduct:
      case Kind::Sweep:
        return true;
      case Kind::RowLoop:
        return written_by_loop[static_cast<size_t>(id)] != 0;
      default:
        return false;
    }
  };
  auto defs = [&](const Instr& ins) -> std::vector<Id> {
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
  };
  std::vector<int> last(n, -1);
  for (size_t t = 0; t < instrs.size(); ++t) {
    Id id = instrs[t].node;
    std::vector<Id> todo;
    if (instrs[t].kernel >= 0) {
      for (auto& [x, r] : kernels[static_cast<size_t>(instrs[t].kernel)].inputs) todo.push_back(x);
    } else if (instrs[t].row_loop) {
      todo = row_loop->reads;
    } else if (instrs[t].sweep >= 0) {
      todo = {sweeps[static_cast<size_t>(instrs[t].sweep)].m,
              sweeps[static_cast<size_t>(instrs[t].sweep)].x};
    } else {
      todo = kids_of(id);
    }
    // Through virtual nodes and transposes, down to the stored values.
    while (!todo.empty()) {
      Id x = todo.back();
      todo.pop_back();
      Kind k = kind[static_cast<size_t>(x)];
      if (k == Kind::VirtualAdd || k == Kind::VirtualDiag || k == Kind::Transpose ||
          k == Kind::Absorbed)
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
    for (Id id : defs(instrs[t])) {
      if (output_of[static_cast<size_t>(id)] >= 0) continue;
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
  thread_regs.assign(1, std::vector<std::vector<double>>(static_cast<size_t>(maxregs),
                                                         std::vector<double>(kBlock)));
  thread_regp.assign(1, std::vector<double*>(static_cast<size_t>(maxregs)));
  (void)plan_threads();  // reads NABLA_THREADS, sets Eigen's threads
}

// Storage for node id's value (its own output matrix when it is an output).
double* Plan::Impl::alloc(Id id, int64_t r, int64_t c) {
  check_entries(r, c, std::string(op_name((*g)[id].op)).c_str());
  double* p;
  int o = output_of[static_cast<size_t>(id)];
  if (o >= 0 && static_cast<size_t>(o) < out_views.size() &&
      out_views[static_cast<size_t>(o)].data) {
    const OutputView& ov = out_views[static_cast<size_t>(o)];
    if (ov.rows * ov.cols != r * c)
      throw Error(ErrorKind::Value, "output " + std::to_string(o) + " is " + std::to_string(r) +
                                        "×" + std::to_string(c) + " but its storage holds " +
                                        std::to_string(ov.rows) + "×" + std::to_string(ov.cols));
    p = ov.data;
  } else if (o >= 0) {
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
  auto [r, c] = shape_size(G, G[k.loop].shape, b);
  const int64_t m = static_cast<int64_t>(r) * c;
  const int64_t nblocks = (m + kBlock - 1) / kBlock;
  // Threads: blocks are split among them; each has its own registers.
  const int nthreads =
      m >= kParallelEntries ? static_cast<int>(std::min<int64_t>(plan_threads(), nblocks)) : 1;
  if (thread_regs.size() < static_cast<size_t>(nthreads)) {
    thread_regs.resize(static_cast<size_t>(nthreads));
    thread_regp.resize(static_cast<size_t>(nthreads));
  }
  for (int t = 0; t < nthreads; ++t) {
    auto& rg = thread_regs[static_cast<size_t>(t)];
    if (rg.size() < static_cast<size_t>(k.nregs))
      rg.resize(static_cast<size_t>(k.nregs), std::vector<double>(kBlock));
    auto& rp = thread_regp[static_cast<size_t>(t)];
    rp.resize(std::max(rp.size(), static_cast<size_t>(k.nregs)));
    for (int i = 0; i < k.nregs; ++i)
      rp[static_cast<size_t>(i)] = rg[static_cast<size_t>(i)].data();
  }
  // Inputs: full-size values are read in place, scalars are broadcast into their register.
  auto& streamed = k_streamed;
  streamed.clear();
  for (auto& [x, reg] : k.inputs) {
    View v = operand(x);
    if (v.r * v.c == m && m != 1) {
      streamed.emplace_back(v.p, reg);
    } else if (v.r * v.c == 1) {
      for (int t = 0; t < nthreads; ++t) {
        auto& rg = thread_regs[static_cast<size_t>(t)][static_cast<size_t>(reg)];
        std::fill(rg.begin(), rg.end(), v.p[0]);
      }
    } else {
      throw Error(ErrorKind::Value, "entry-wise operation: the values do not fit (" +
                                        std::to_string(v.r) + "×" + std::to_string(v.c) +
                                        " in a loop over " + std::to_string(r) + "×" +
                                        std::to_string(c) + ")");
    }
  }
  // Stored outputs are written in place: their register points into the output.
  auto& direct = k_direct;
  direct.clear();
  const size_t nouts = k.outs.size();
  auto& reduced = k_reduced;
  reduced.assign(nouts, nullptr);
  bool any_sum = false, any_norm = false;
  for (size_t i = 0; i < nouts; ++i) {
    const KOut& o = k.outs[i];
    if (o.mode == KOut::Store) {
      auto [orow, ocol] = shape_size(G, G[o.node].shape, b);
      if (static_cast<int64_t>(orow) * ocol != m)
        throw Error(ErrorKind::Value, "entry-wise operation: the values do not fit");
      direct.emplace_back(alloc(o.node, orow, ocol), o.reg);
    } else {
      reduced[i] = alloc(o.node, 1, 1);
      (o.mode == KOut::Norm ? any_norm : any_sum) = true;
    }
  }
  // Partial sums and norms per block, reduced in block order afterwards: the same result
  // whatever the number of threads.
  auto& sums = k_sums;
  if (any_sum) sums.assign(static_cast<size_t>(nblocks) * nouts, 0.0);
  auto& norms = k_norms;
  if (any_norm) norms.assign(static_cast<size_t>(nblocks) * nouts, NormAccumulator{});
  auto run_block = [&](int64_t blk, double** regp_t) {
    const int64_t off = blk * kBlock;
    const int64_t len = std::min(kBlock, m - off);
    for (auto& [p, reg] : streamed) regp_t[reg] = const_cast<double*>(p + off);
    for (auto& [p, reg] : direct) regp_t[reg] = p + off;
    for (const KInstr& ins : k.code) run_kinstr(ins, regp_t, len);
    for (size_t i = 0; i < nouts; ++i) {
      const KOut& o = k.outs[i];
      const double* s = regp_t[o.reg];
      const size_t at = static_cast<size_t>(blk) * nouts + i;
      if (o.mode == KOut::Norm) {
        norms[at] = NormAccumulator::block(s, len);
      } else if (o.mode == KOut::Sum) {
        double a0 = 0, a1 = 0, a2 = 0, a3 = 0;
        int64_t j = 0;
        for (; j + 4 <= len; j += 4) {
          a0 += s[j];
          a1 += s[j + 1];
          a2 += s[j + 2];
          a3 += s[j + 3];
        }
        for (; j < len; ++j) a0 += s[j];
        sums[at] = (a0 + a1) + (a2 + a3);
      }
    }
  };
  if (nthreads > 1) {
#pragma omp parallel for num_threads(nthreads) schedule(static)
    for (int64_t blk = 0; blk < nblocks; ++blk)
      run_block(blk, thread_regp[static_cast<size_t>(omp_get_thread_num())].data());
  } else {
    for (int64_t blk = 0; blk < nblocks; ++blk) run_block(blk, thread_regp[0].data());
  }
  for (size_t i = 0; i < nouts; ++i) {
    if (!reduced[i]) continue;
    if (k.outs[i].mode == KOut::Norm) {
      NormAccumulator acc;
      for (int64_t blk = 0; blk < nblocks; ++blk)
        acc.merge(norms[static_cast<size_t>(blk) * nouts + i]);
      reduced[i][0] = acc.value();
    } else {
      double acc = 0;
      for (int64_t blk = 0; blk < nblocks; ++blk) acc += sums[static_cast<size_t>(blk) * nouts + i];
      reduced[i][0] = acc;
    }
  }
}

// Merges each kernel into an earlier one over the same entries when all its inputs are ready
// there (leaves, values computed before it, or that kernel's own stored outputs). A stored
// output read only inside the merged loop is no longer stored.
void Plan::Impl::merge_kernels() {
  const Graph& G = *g;
  const size_t n = kind.size();
  auto at = [](Id x) { return static_cast<size_t>(x); };
  std::vector<int> pos(n, -1);  // instruction defining each node
  for (size_t t = 0; t < instrs.size(); ++t) {
    const Instr& ins = instrs[t];
    if (ins.kernel >= 0) {
      for (const KOut& o : kernels[static_cast<size_t>(ins.kernel)].outs)
        pos[at(o.node)] = static_cast<int>(t);
    } else if (ins.row_loop) {
      for (Id w : row_loop->writes) pos[at(w)] = static_cast<int>(t);
    } else if (ins.sweep >= 0) {
      const Sweep& sw = sweeps[static_cast<size_t>(ins.sweep)];
      pos[at(sw.sum_node)] = static_cast<int>(t);
      if (sw.transposed_node != kNoId) pos[at(sw.transposed_node)] = static_cast<int>(t);
    } else {
      pos[at(ins.node)] = static_cast<int>(t);
    }
  }
  std::vector<char> removed(instrs.size(), 0);
  for (size_t t2 = 0; t2 < instrs.size(); ++t2) {
    if (instrs[t2].kernel < 0) continue;
    Kernel& k2 = kernels[static_cast<size_t>(instrs[t2].kernel)];
    if (G[k2.loop].shape.is_scalar()) continue;
    for (size_t t1 = 0; t1 < t2; ++t1) {
      if (removed[t1] || instrs[t1].kernel < 0) continue;
      Kernel& k1 = kernels[static_cast<size_t>(instrs[t1].kernel)];
      if (!(G[k1.loop].shape == G[k2.loop].shape)) continue;
      auto member_reg = [&](Id x) {
        for (auto& [y, r] : k1.members)
          if (y == x) return r;
        return -1;
      };
      bool ok = true;
      for (auto& [x, r] : k2.inputs) {
        Kind xk = kind[at(x)];
        if (xk == Kind::Var || xk == Kind::Scalar) continue;
        if (member_reg(x) >= 0) continue;  // a stored output of k1: already in a register
        int p = pos[at(x)];
        ok = ok && p >= 0 && p < static_cast<int>(t1);
      }
      if (!ok) continue;
      // Registers of k2 in k1.
      std::vector<int> map(static_cast<size_t>(k2.nregs), -1);
      for (auto& [x, r] : k2.inputs) {
        int mr = member_reg(x);
        if (mr < 0)
          for (auto& [y, yr] : k1.inputs)
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
        pos[at(o.node)] = static_cast<int>(t1);
      }
      k2.merged_away = true;
      removed[t2] = 1;
      break;
    }
  }
  // Stored outputs now read only inside their own loop stay in registers.
  for (size_t t = 0; t < instrs.size(); ++t) {
    if (removed[t] || instrs[t].kernel < 0) continue;
    Kernel& k = kernels[static_cast<size_t>(instrs[t].kernel)];
    std::vector<char> inside(n, 0);
    for (auto& [x, r] : k.members) inside[at(x)] = 1;
    for (const KOut& o : k.outs) inside[at(o.node)] = 1;
    std::erase_if(k.outs, [&](const KOut& o) {
      if (o.mode != KOut::Store || output_of[at(o.node)] >= 0) return false;
      const auto& rd = readers[at(o.node)];
      return !rd.empty() &&
             std::all_of(rd.begin(), rd.end(), [&](Id r) { return inside[at(r)] != 0; });
    });
  }
  std::vector<Instr> kept;
  for (size_t t = 0; t < instrs.size(); ++t)
    if (!removed[t]) kept.push_back(instrs[t]);
  for (Kernel& k : kernels) pair_softplus_sigmoid(k.code);
  instrs = std::move(kept);
}

void Plan::Impl::run_fallback(Id id, const Bindings& b) {
  const Graph& G = *g;
  const Node& node = G[id];
  for (Id kid : kids_of(id)) {
    View v = operand(kid);
    fallback_values[static_cast<size_t>(kid)] = MapC(v.p, v.r, v.c);
  }
  EvalContext ctx{G, b, fallback_values, id, node};
  Matrix value = eval_rule(node.op)(ctx);
  double* out = alloc(id, value.rows(), value.cols());
  std::copy(value.data(), value.data() + value.size(), out);
  for (Id kid : kids_of(id)) fallback_values[static_cast<size_t>(kid)].resize(0, 0);
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
      const ArgumentView* av = nullptr;
      for (const ArgumentView& a : arg_views)
        if (a.symbol == node.a) av = &a;
      if (av) {
        auto [r, c] = shape_size(G, sym.shape, b);
        if (av->rows != r || av->cols != c)
          throw Error(ErrorKind::Value, "the value of '" + sym.name + "' is " +
                                            std::to_string(av->rows) + "×" +
                                            std::to_string(av->cols) + " but it is declared " +
                                            G.dims.to_string(sym.shape));
        views[static_cast<size_t>(id)] = {av->data, r, c};
        continue;
      }
      auto it = b.values.find(node.a);
      ValueView v;
      if (it != b.values.end()) {
        v = {it->second.data(), it->second.rows(), it->second.cols()};
      } else {
        auto view = b.views.find(node.a);  // the caller's buffer, read in place
        if (view == b.views.end()) throw Error(ErrorKind::Value, "no value for '" + sym.name + "'");
        v = view->second;
      }
      auto [r, c] = shape_size(G, sym.shape, b);
      if (v.rows != r || v.cols != c)
        throw Error(ErrorKind::Value, "the value of '" + sym.name + "' is " +
                                          std::to_string(v.rows) + "×" + std::to_string(v.cols) +
                                          " but it is declared " + G.dims.to_string(sym.shape));
      views[static_cast<size_t>(id)] = {v.data, r, c};
    } else if (k == Kind::Transpose) {
      views[static_cast<size_t>(id)] = {};  // set when computed or aliased
    }
  }
  ++runs;  // factorizations of earlier runs are stale
  for (const Instr& ins : instrs) {
    Id id = ins.node;
    Kind k = kind[static_cast<size_t>(id)];
    if (ins.row_loop) {
      run_row_loop(b);
    } else if (ins.sweep >= 0) {
      run_sweep(sweeps[static_cast<size_t>(ins.sweep)]);
    } else if (ins.kernel >= 0) {
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
    } else if (k == Kind::Factored) {
      run_factored(id);
    } else if (k == Kind::TraceProduct) {
      run_trace_product(id);
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
    if (i < out_views.size() && out_views[i].data) {
      if (out_views[i].rows * out_views[i].cols != v.r * v.c)
        throw Error(ErrorKind::Value, "output " + std::to_string(i) + " does not fit its storage");
      if (out_views[i].data != v.p) std::copy(v.p, v.p + v.r * v.c, out_views[i].data);
    } else {
      results[i] = MapC(v.p, v.r, v.c);
    }
  }
}

Plan::Plan(const Graph& g, std::vector<Id> outputs) : impl_(std::make_unique<Impl>()) {
  impl_->g = &g;
  impl_->outputs = std::move(outputs);
  impl_->compile();
}
Plan::~Plan() = default;
Plan::Plan(Plan&&) noexcept = default;
Plan& Plan::operator=(Plan&&) noexcept = default;

std::vector<Matrix>& Plan::run(const Bindings& bindings) {
  return run(bindings, {}, {});
}

std::vector<Matrix>& Plan::run(const Bindings& bindings, std::span<const ArgumentView> arguments,
                               std::span<const OutputView> outputs) {
  struct Reset {  // the views are the caller's only during this run
    Impl& p;
    ~Reset() {
      p.arg_views = {};
      p.out_views = {};
    }
  } reset{*impl_};
  impl_->arg_views = arguments;
  impl_->out_views = outputs;
  impl_->run(bindings);
  return impl_->results;
}

const double* Plan::bound_data(int64_t symbol) const {
  for (Id id : impl_->order)
    if (impl_->kind[static_cast<size_t>(id)] == Kind::Var && (*impl_->g)[id].a == symbol)
      return impl_->views[static_cast<size_t>(id)].p;
  return nullptr;
}

size_t Plan::instruction_count() const {
  return impl_->instrs.size();
}
size_t Plan::buffer_count() const {
  return static_cast<size_t>(impl_->nslots);
}
std::string Plan::describe() const {
  const Impl& p = *impl_;
  const Graph& G = *p.g;
  std::string out;
  auto name = [&](Id x) { return std::string(op_name(G[x].op)) + "#" + std::to_string(x); };
  for (const Instr& ins : p.instrs) {
    if (ins.row_loop) {
      out += "row loop over the rows of " + name(p.row_loop->matrix) + ":";
      for (const RowStep& st : p.row_loop->steps) out += " " + name(st.node);
    } else if (ins.sweep >= 0) {
      out += "column sweep: " + name(p.sweeps[static_cast<size_t>(ins.sweep)].sum_node);
    } else if (ins.kernel >= 0) {
      const Kernel& k = p.kernels[static_cast<size_t>(ins.kernel)];
      out += "fused loop, " + std::to_string(k.code.size()) + " operations, outputs:";
      for (const KOut& o : k.outs) out += " " + name(o.node);
    } else {
      out += name(ins.node);
    }
    out += "\n";
  }
  return out;
}

const double* Plan::input_data(int64_t symbol) const {
  const Impl& p = *impl_;
  for (Id id : p.order)
    if (p.kind[static_cast<size_t>(id)] == Kind::Var && (*p.g)[id].a == symbol)
      return p.views[static_cast<size_t>(id)].p;
  return nullptr;
}

size_t Plan::row_loop_steps() const {
  return impl_->row_loop ? impl_->row_loop->steps.size() : 0;
}

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
