// The row loop of a compiled plan (see RowLoop in plan_impl.h): a gradient such as
// X'*(y .* sigmoid(-y .* (X*w))) together with the value sum(softplus(-y .* (X*w))) is computed
// in one pass over blocks of X's rows, instead of one pass for X*w and another for X'*r.
#include <algorithm>
#include <string>

#ifdef _OPENMP
#include <omp.h>
#else
inline int omp_get_thread_num() {
  return 0;
}
#endif

#include "eval/plan_impl.h"
#include "eval/threads.h"
#include "ir/error.h"

namespace nabla {

using namespace plan_detail;

namespace {

// Entries of the widest block (rows x the widest operand) kept in cache per block: 512 KiB.
constexpr int64_t kRowBlockEntries = 65536;
// Blocks per chunk of the pass (the unit threads share, and of the partial reductions).
constexpr int64_t kChunkBlocks = 2;

}  // namespace

void Plan::Impl::find_row_loop() {
  const Graph& G = *g;
  const size_t n = kind.size();
  depends_on_loop.assign(n, 0);

  for (Id m : order) {
    Kind mk = kind[at(m)];
    if (mk != Kind::Var && mk != Kind::MatMul && mk != Kind::Fallback && mk != Kind::Factored)
      continue;
    const Shape ms = G[m].shape;
    if (ms.rows.is_one() || ms.cols.is_one()) continue;
    const Dim rows = ms.rows;

    auto L = std::make_unique<RowLoop>();
    L->matrix = m;
    L->member.assign(n, 0);
    std::vector<char> in_loop(n, 0), dep(n, 0);
    // A value computed before the loop, read whole.
    auto whole = [&](Id x) {
      if (in_loop[at(x)] || dep[at(x)]) return false;
      Kind k = kind[at(x)];
      return k != Kind::VirtualAdd && k != Kind::VirtualDiag && k != Kind::Absorbed;
    };
    // A value with the loop's rows: a block of a member, of M, or of a stored whole value.
    auto row_operand = [&](Id x) {
      if (L->member[at(x)]) return true;
      if (!(G[x].shape.rows == rows) || G[x].shape.is_scalar()) return false;
      if (x == m) return true;
      return whole(x) && kind[at(x)] != Kind::Transpose && kind[at(x)] != Kind::Scalar;
    };
    // A whole factor of a product: plain, or a transpose read in place.
    auto factor = [&](Id x, Id* v, bool* t) {
      if (!whole(x) || kind[at(x)] == Kind::VirtualDiag) return false;
      *t = kind[at(x)] == Kind::Transpose;
      *v = *t ? G[x].kids[0] : x;
      return *t ? whole(*v) : true;
    };
    bool any_product = false, any_reduction = false;
    for (Id id : order) {
      if (id <= m) continue;
      const Node& node = G[id];
      Kind k = kind[at(id)];
      bool reads_loop = false;
      for (Id kid : kids_of(id)) reads_loop = reads_loop || in_loop[at(kid)] || dep[at(kid)];
      RowStep st;
      st.node = id;
      bool join = false, is_member = false;
      if (k == Kind::MatMul && !gram[at(id)]) {
        Id l = node.kids[0], r = node.kids[1];
        if (l == m && factor(r, &st.b, &st.tb)) {
          // M v, one block of rows at a time.
          st.type = RowStep::Product;
          st.a = m;
          join = is_member = true;
          any_product = true;
        } else if (L->member[at(l)] && factor(r, &st.b, &st.tb)) {
          // H S for a member H.
          st.type = RowStep::BlockProduct;
          st.a = l;
          join = is_member = true;
        } else if (G[l].op == Op::Transpose && kind[at(l)] == Kind::Transpose &&
                   row_operand(G[l].kids[0]) && row_operand(r)) {
          // A' B = sum over row blocks of A_b' B_b.
          Id a = G[l].kids[0];
          if (L->member[at(a)] || L->member[at(r)] || a == m || r == m) {
            st.type = RowStep::Accumulate;
            st.a = a;
            st.b = r;
            join = true;
            any_reduction = true;
          }
        }
      } else if (k == Kind::Fused && G[id].shape.rows == rows && !G[id].shape.is_scalar()) {
        const Effective& e = eff[at(id)];
        bool ok = true, any_member = false;
        for (Id kid : e.kids) {
          if (L->member[at(kid)]) {
            any_member = true;
          } else if (G[kid].shape.is_scalar() || kind[at(kid)] == Kind::Scalar) {
            ok = ok && whole(kid);
          } else {
            ok = ok && row_operand(kid) && G[kid].shape == G[id].shape;
          }
        }
        if (ok && any_member) {
          st.type = RowStep::Entrywise;
          st.a = e.kids[0];
          st.b = e.kids.size() > 1 ? e.kids[1] : kNoId;
          st.k = KInstr{e.op, 0, 1, e.kids.size() > 1 ? 2 : -1, e.p};
          join = is_member = true;
        }
      } else if (k == Kind::Reduction && L->member[at(node.kids[0])]) {
        st.type = RowStep::Reduce;
        st.a = node.kids[0];
        join = true;
        any_reduction = true;
      }
      if (join) {
        in_loop[at(id)] = 1;
        L->member[at(id)] = is_member;
        L->steps.push_back(st);
      } else {
        dep[at(id)] = reads_loop;
      }
    }
    if (!any_product || !any_reduction) continue;

    // Transposes of members read only inside the loop are never formed.
    for (Id id : order) {
      if (kind[at(id)] != Kind::Transpose || !L->member[at(G[id].kids[0])]) continue;
      const auto& rd = readers[at(id)];
      if (output_of[at(id)] < 0 &&
          std::all_of(rd.begin(), rd.end(), [&](Id r) { return in_loop[at(r)] != 0; })) {
        in_loop[at(id)] = 1;
        dep[at(id)] = 0;
      }
    }
    // Members read outside the loop (or outputs) are stored whole; so is every reduction.
    for (RowStep& st : L->steps) {
      Id id = st.node;
      if (!L->member[at(id)]) {
        L->writes.push_back(id);
        continue;
      }
      const auto& rd = readers[at(id)];
      st.materialize = output_of[at(id)] >= 0 ||
                       std::any_of(rd.begin(), rd.end(), [&](Id r) { return !in_loop[at(r)]; });
      if (st.materialize) L->writes.push_back(id);
    }
    // Whole values read.
    L->reads.push_back(m);
    auto read = [&](Id x) {
      if (x != kNoId && !L->member[at(x)]) L->reads.push_back(x);
    };
    for (const RowStep& st : L->steps) {
      read(st.a);
      read(st.b);
    }
    std::sort(L->reads.begin(), L->reads.end());
    L->reads.erase(std::unique(L->reads.begin(), L->reads.end()), L->reads.end());

    for (Id id : order) {
      if (in_loop[at(id)]) kind[at(id)] = Kind::RowLoop;
      depends_on_loop[at(id)] = dep[at(id)];
    }
    L->block_of.assign(n, -1);
    for (size_t i = 0; i < L->steps.size(); ++i)
      L->block_of[at(L->steps[i].node)] = static_cast<int>(i);
    row_loop = std::move(L);
    return;  // one row loop per plan
  }
}

void Plan::Impl::run_row_loop(const Bindings& b) {
  const Graph& G = *g;
  RowLoop& L = *row_loop;
  const View mv = operand(L.matrix);
  const int64_t N = mv.r, d = mv.c;
  auto misfit = [&]() {
    throw Error(ErrorKind::Value, "the values do not fit the products of the row loop over '" +
                                      std::string(op_name(G[L.matrix].op)) + "' (" +
                                      std::to_string(N) + " rows)");
  };
  // Columns of each step's value, and the block height.
  const size_t ns = L.steps.size();
  auto& cols = L.cols;
  cols.assign(ns, 0);
  int64_t width = std::max<int64_t>(d, 1);
  for (size_t i = 0; i < ns; ++i) {
    auto [r, c] = shape_size(G, G[L.steps[i].node].shape, b);
    cols[i] = c;
    if (L.member[at(L.steps[i].node)] && r != N) misfit();
    width = std::max<int64_t>(width, c);
  }
  for (Id x : L.reads)
    if (x != L.matrix) width = std::max<int64_t>(width, operand(x).c);
  int64_t B = std::clamp<int64_t>(kRowBlockEntries / width, 8, 1024);
  B -= B % 8;
  // Chunks of about kChunkBlocks blocks, as many as a multiple of four (two or four threads
  // get the same number of rows) and of equal heights (multiples of eight rows); threads take
  // whole chunks, and the blocks of a chunk are of equal heights too.
  auto round8 = [](int64_t x) { return (x + 7) / 8 * 8; };
  int64_t nchunks = std::max<int64_t>(1, (N + kChunkBlocks * B - 1) / (kChunkBlocks * B));
  if (nchunks > 1) nchunks = std::max<int64_t>(1, std::min((nchunks + 3) / 4 * 4, N / 8));
  const int64_t chunk_rows = round8((N + nchunks - 1) / nchunks);
  nchunks = std::max<int64_t>(1, (N + chunk_rows - 1) / chunk_rows);
  const int64_t chunk_blocks = (chunk_rows + B - 1) / B;
  B = std::min(B, round8((chunk_rows + chunk_blocks - 1) / chunk_blocks));
  const int64_t work = N * width;
  const int nthreads =
      work >= kParallelEntries ? static_cast<int>(std::min<int64_t>(plan_threads(), nchunks)) : 1;
  auto& out = L.out;
  out.assign(ns, nullptr);
  if (L.workers.size() < static_cast<size_t>(nthreads))
    L.workers.resize(static_cast<size_t>(nthreads));
  if (L.partials.size() < static_cast<size_t>(nchunks))
    L.partials.resize(static_cast<size_t>(nchunks));
  for (size_t i = 0; i < ns; ++i) {
    const RowStep& st = L.steps[i];
    Id id = st.node;
    switch (st.type) {
      case RowStep::Accumulate: {
        int64_t ra =
            L.member[at(st.a)] ? cols[static_cast<size_t>(L.block_of[at(st.a)])] : operand(st.a).c;
        int64_t cb =
            L.member[at(st.b)] ? cols[static_cast<size_t>(L.block_of[at(st.b)])] : operand(st.b).c;
        out[i] = alloc(id, ra, cb);
        for (int64_t ch = 0; ch < nchunks; ++ch) {
          auto& acc = L.partials[static_cast<size_t>(ch)].acc;
          acc.resize(ns);
          acc[i].assign(static_cast<size_t>(ra * cb), 0.0);
        }
        break;
      }
      case RowStep::Reduce:
        out[i] = alloc(id, 1, 1);
        break;
      default:
        if (st.materialize) out[i] = alloc(id, N, cols[i]);
    }
  }
  for (int64_t ch = 0; ch < nchunks; ++ch) {
    auto& part = L.partials[static_cast<size_t>(ch)];
    part.acc.resize(ns);
    part.sums.assign(ns, 0.0);
    part.norms.assign(ns, NormAccumulator{});
  }
  for (int t = 0; t < nthreads; ++t) {
    RowLoop::Worker& w = L.workers[static_cast<size_t>(t)];
    w.blocks.resize(ns);
    w.scratch.resize(2 * ns);
    for (size_t i = 0; i < ns; ++i) {
      const RowStep& st = L.steps[i];
      if (L.member[at(st.node)]) w.blocks[i].resize(static_cast<size_t>(B * cols[i]));
      if (st.type != RowStep::Entrywise) continue;
      for (int j = 0; j < 2; ++j) {
        Id x = j == 0 ? st.a : st.b;
        if (x == kNoId || L.member[at(x)]) continue;
        if (G[x].shape.is_scalar() || kind[at(x)] == Kind::Scalar) {
          View v = operand(x);
          if (v.r * v.c != 1) misfit();
          w.scratch[2 * i + static_cast<size_t>(j)].assign(static_cast<size_t>(B * cols[i]),
                                                           v.p[0]);
        }
      }
    }
  }
  // Shapes are checked before the pass (a throw inside a parallel region would terminate).
  for (size_t i = 0; i < ns; ++i) {
    const RowStep& st = L.steps[i];
    const int64_t c = cols[i];
    if (st.type == RowStep::Product || st.type == RowStep::BlockProduct) {
      View v = operand(st.b);
      int64_t hc = d;
      if (st.type == RowStep::BlockProduct)
        hc = L.member[at(st.a)] ? cols[static_cast<size_t>(L.block_of[at(st.a)])] : operand(st.a).c;
      if ((st.tb ? v.c : v.r) != hc || (st.tb ? v.r : v.c) != c) misfit();
    }
    if (st.type == RowStep::Entrywise)
      for (Id x : {st.a, st.b})
        if (x != kNoId && !L.member[at(x)] &&
            !(G[x].shape.is_scalar() || kind[at(x)] == Kind::Scalar)) {
          View v = operand(x);
          if (v.r != N || v.c != c) misfit();
        }
    if (st.type == RowStep::Accumulate || st.type == RowStep::BlockProduct)
      for (Id x : {st.a, st.b})
        if (x != kNoId && !L.member[at(x)] && (st.type == RowStep::Accumulate || x == st.a) &&
            operand(x).r != N)
          misfit();
  }

  auto run_chunk = [&](int64_t ch, RowLoop::Worker& w) {
    RowLoop::Partial& part = L.partials[static_cast<size_t>(ch)];
    auto whole_rows = [&](Id x, int64_t r0, int64_t len) {
      View v = operand(x);
      return StridedC(v.p + r0, len, v.c, Eigen::OuterStride<>(v.r));
    };
    auto rows_of = [&](Id x, int64_t r0, int64_t len) {
      int s = L.block_of[at(x)];
      if (s >= 0 && L.member[at(x)])
        return StridedC(w.blocks[static_cast<size_t>(s)].data(), len, cols[static_cast<size_t>(s)],
                        Eigen::OuterStride<>(len));
      return whole_rows(x, r0, len);
    };
    const int64_t end = std::min(N, (ch + 1) * chunk_rows);
    for (int64_t r0 = ch * chunk_rows; r0 < end; r0 += B) {
      const int64_t len = std::min(B, end - r0);
      const StridedC mb(mv.p + r0, len, d, Eigen::OuterStride<>(N));
      for (size_t i = 0; i < ns; ++i) {
        const RowStep& st = L.steps[i];
        const int64_t c = cols[i];
        double* blk = w.blocks[i].data();
        switch (st.type) {
          case RowStep::Product:
          case RowStep::BlockProduct: {
            View v = operand(st.b);
            MapC V(v.p, v.r, v.c);
            MapM dst(blk, len, c);
            if (st.type == RowStep::Product) {
              if (st.tb)
                dst.noalias() = mb * V.transpose();
              else
                dst.noalias() = mb * V;
            } else {
              const StridedC h = rows_of(st.a, r0, len);
              if (h.cols() == 1)  // an outer product: Eigen's GEMM would pack and zero first
                dst.noalias() = h.col(0) * Eigen::Map<const Eigen::RowVectorXd>(v.p, c);
              else if (st.tb)
                dst.noalias() = h * V.transpose();
              else
                dst.noalias() = h * V;
            }
            break;
          }
          case RowStep::Entrywise: {
            // Registers: the block, member blocks, broadcast numbers, and the rows of whole
            // values read in place (column by column when they have several).
            double* r[3] = {blk, nullptr, nullptr};
            int64_t stride[3] = {len, 0, 0};  // from one column to the next
            bool in_place = false;
            for (int j = 0; j < 2; ++j) {
              Id x = j == 0 ? st.a : st.b;
              if (x == kNoId) continue;
              auto& s = w.scratch[2 * i + static_cast<size_t>(j)];
              if (L.member[at(x)]) {
                r[j + 1] = w.blocks[static_cast<size_t>(L.block_of[at(x)])].data();
                stride[j + 1] = len;
              } else if (G[x].shape.is_scalar() || kind[at(x)] == Kind::Scalar) {
                r[j + 1] = s.data();
              } else {
                const View v = operand(x);
                r[j + 1] = const_cast<double*>(v.p + r0);
                stride[j + 1] = v.r;
                in_place = in_place || c > 1;
              }
            }
            if (!in_place) {
              run_kinstr(st.k, r, len * c);
            } else {
              for (int64_t col = 0; col < c; ++col) {
                double* rc[3];
                for (int j = 0; j < 3; ++j) rc[j] = r[j] ? r[j] + col * stride[j] : nullptr;
                run_kinstr(st.k, rc, len);
              }
            }
            break;
          }
          case RowStep::Accumulate: {
            const StridedC a = rows_of(st.a, r0, len), bb = rows_of(st.b, r0, len);
            MapM(part.acc[i].data(), a.cols(), bb.cols()).noalias() += a.transpose() * bb;
            break;
          }
          case RowStep::Reduce: {
            int s = L.block_of[at(st.a)];
            const double* p = w.blocks[static_cast<size_t>(s)].data();
            const int64_t m = len * cols[static_cast<size_t>(s)];
            if (G[st.node].op == Op::Norm2) {
              part.norms[i].add(p, m);
            } else {
              double acc = 0;
              for (int64_t j = 0; j < m; ++j) acc += p[j];
              part.sums[i] += acc;
            }
            break;
          }
        }
        if (st.materialize) {
          if (c == 1)
            std::copy(blk, blk + len, out[i] + r0);
          else
            StridedM(out[i] + r0, len, c, Eigen::OuterStride<>(N)) = MapC(blk, len, c);
        }
      }
    }
  };
  if (nthreads > 1) {
#pragma omp parallel for num_threads(nthreads) schedule(static)
    for (int64_t ch = 0; ch < nchunks; ++ch)
      run_chunk(ch, L.workers[static_cast<size_t>(omp_get_thread_num())]);
  } else {
    for (int64_t ch = 0; ch < nchunks; ++ch) run_chunk(ch, L.workers[0]);
  }
  // The chunks' partials, in chunk order.
  for (size_t i = 0; i < ns; ++i) {
    const RowStep& st = L.steps[i];
    if (st.type == RowStep::Accumulate) {
      const auto& first = L.partials[0].acc[i];
      std::copy(first.begin(), first.end(), out[i]);
      for (int64_t ch = 1; ch < nchunks; ++ch) {
        const auto& p = L.partials[static_cast<size_t>(ch)].acc[i];
        for (size_t j = 0; j < p.size(); ++j) out[i][j] += p[j];
      }
    } else if (st.type == RowStep::Reduce) {
      if (G[st.node].op == Op::Norm2) {
        NormAccumulator acc;
        for (int64_t ch = 0; ch < nchunks; ++ch)
          acc.merge(L.partials[static_cast<size_t>(ch)].norms[i]);
        out[i][0] = acc.value();
      } else {
        double acc = 0;
        for (int64_t ch = 0; ch < nchunks; ++ch) acc += L.partials[static_cast<size_t>(ch)].sums[i];
        out[i][0] = acc;
      }
    }
  }
}

}  // namespace nabla
