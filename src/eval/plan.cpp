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
  const std::vector<Id>& e = eff[at(id)].kids;
  return e.empty() ? (*g)[id].kids : e;
}

// Storage for node id's value (its own output matrix when it is an output).
double* Plan::Impl::alloc(Id id, int64_t r, int64_t c) {
  check_entries(r, c, std::string(op_name((*g)[id].op)).c_str());
  double* p;
  int o = output_of[at(id)];
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
    auto& buf = buffers[static_cast<size_t>(slot[at(id)])];
    if (buf.size() < static_cast<size_t>(r * c)) buf.resize(static_cast<size_t>(r * c));
    p = buf.data();
  }
  views[at(id)] = {p, r, c};
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
  // Stored outputs are written in place: their register points into the output; the plan's
  // outputs of large loops are computed in the thread's registers and streamed out
  // (stream_copy).
  auto& direct = k_direct;
  direct.clear();
  auto& stream = k_stream;
  stream.clear();
  const bool streaming = m >= kStreamEntries;
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
      // Streamed: the plan's outputs (the caller's; an intermediate stays cached for the
      // instruction that reads it next).
      const bool out = output_of[at(o.node)] >= 0;
      (streaming && out ? stream : direct).emplace_back(alloc(o.node, orow, ocol), o.reg);
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
    for (auto& [p, reg] : stream) stream_copy(p + off, regp_t[reg], len);
    for (size_t i = 0; i < nouts; ++i) {
      const KOut& o = k.outs[i];
      const double* s = regp_t[o.reg];
      const size_t cell = static_cast<size_t>(blk) * nouts + i;
      if (o.mode == KOut::Norm) {
        norms[cell] = NormAccumulator::block(s, len);
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
        sums[cell] = (a0 + a1) + (a2 + a3);
      }
    }
  };
  if (nthreads > 1) {
#pragma omp parallel num_threads(nthreads)
    {
#pragma omp for schedule(static) nowait
      for (int64_t blk = 0; blk < nblocks; ++blk)
        run_block(blk, thread_regp[static_cast<size_t>(omp_get_thread_num())].data());
      if (!stream.empty()) stream_fence();  // each thread's streamed stores, before the barrier
    }
  } else {
    for (int64_t blk = 0; blk < nblocks; ++blk) run_block(blk, thread_regp[0].data());
  }
  if (!stream.empty()) stream_fence();
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

void Plan::Impl::run_fallback(Id id, const Bindings& b) {
  const Graph& G = *g;
  const Node& node = G[id];
  for (Id kid : kids_of(id)) {
    View v = operand(kid);
    fallback_values[at(kid)] = MapC(v.p, v.r, v.c);
  }
  EvalContext ctx{G, b, fallback_values, id, node, &position};
  Matrix value = eval_rule(node.op)(ctx);
  double* out = alloc(id, value.rows(), value.cols());
  std::copy(value.data(), value.data() + value.size(), out);
  for (Id kid : kids_of(id)) fallback_values[at(kid)].resize(0, 0);
}

void Plan::Impl::run(const Bindings& b) {
  const Graph& G = *g;
  // Leaves: bound values in place (checked against the declared shape), constants.
  for (Id id : order) {
    Kind k = kind[at(id)];
    if (k == Kind::Scalar) {
      views[at(id)] = {&scalars[at(id)], 1, 1};
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
        views[at(id)] = {av->data, r, c};
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
      views[at(id)] = {v.data, r, c};
    } else if (k == Kind::Transpose) {
      views[at(id)] = {};  // set when computed or aliased
    }
  }
  ++runs;  // factorizations of earlier runs are stale
  for (const Instr& ins : instrs) {
    Id id = ins.node;
    Kind k = kind[at(id)];
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
      const auto& rd = output_of[at(id)];
      if (v.r == 1 || v.c == 1) {
        if (rd >= 0) {  // an output gets its own copy
          double* out = alloc(id, v.c, v.r);
          std::copy(v.p, v.p + v.r * v.c, out);
        } else {
          views[at(id)] = {v.p, v.c, v.r};  // a vector's transpose: same data
        }
      } else {
        // Read transposed by products (the view stays empty) unless another reader needs it.
        if (!product_only[at(id)]) {
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
    if (output_of[at(o)] == static_cast<int>(i) &&
        (kind[at(o)] != Kind::Scalar && kind[at(o)] != Kind::Var))
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
    if (impl_->kind[impl_->at(id)] == Kind::Var && (*impl_->g)[id].a == symbol)
      return impl_->views[impl_->at(id)].p;
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
