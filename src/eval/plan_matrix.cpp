// Matrix instructions of a compiled plan: products (plain, transposed, diagonal scalings,
// (A + B) x, symmetric X' diag(d) X), det/logdet/inv from one shared factorization, and
// tr(A B) without the product.
#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>
#include <string>

#include "eval/eval_rules.h"
#include "eval/plan_impl.h"
#include "eval/threads.h"
#include "ir/error.h"

namespace nabla {

using namespace plan_detail;

namespace {

// Calls part(i0, h) for the segments of [0, n) in chunks fixed by n alone (multiples of eight
// entries, at most 16 of them), shared among the plan's threads.
template <typename F>
void parallel_segments(int64_t n, F part) {
  const int64_t groups = (n + 7) / 8, nchunks = std::min<int64_t>(16, groups);
  const int64_t per = (groups + nchunks - 1) / nchunks * 8;
  const int nthreads = static_cast<int>(std::min<int64_t>(plan_threads(), nchunks));
  auto chunk = [&](int64_t c) {
    const int64_t i0 = c * per;
    if (i0 < n) part(i0, std::min(per, n - i0));
  };
  if (nthreads > 1) {
#pragma omp parallel for num_threads(nthreads) schedule(static)
    for (int64_t c = 0; c < nchunks; ++c) chunk(c);
  } else {
    for (int64_t c = 0; c < nchunks; ++c) chunk(c);
  }
}

}  // namespace

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
    Kind k = kind[at(x)];
    if (k == Kind::VirtualDiag) {
      f.diag = true;
      f.v = operand(G[x].kids[0]);
    } else if (k == Kind::Transpose && views[at(x)].p == nullptr) {
      f.t = true;
      f.v = operand(G[x].kids[0]);
    } else {
      f.v = operand(x);
    }
    return f;
  };
  auto misfit = [&]() { throw Error(ErrorKind::Value, "*: the values do not fit the product"); };
  // dst (+)= a b for plain or transposed factors.
  auto gemm = [&](const Factor& a, const Factor& bb, bool accumulate) {
    MapC A(a.v.p, a.v.r, a.v.c), B(bb.v.p, bb.v.r, bb.v.c);
    const int64_t ak = a.t ? a.v.r : a.v.c, bk = bb.t ? bb.v.c : bb.v.r;
    const int64_t ar = a.t ? a.v.c : a.v.r, bc = bb.t ? bb.v.r : bb.v.c;
    if (ak != bk || ar != rows || bc != cols) misfit();
    // A large matrix times a vector (Eigen's GEMV runs on one thread): y = op(M) v by chunks
    // of y's entries, each entry from one dot product as in the whole product.
    if ((bc == 1 && ar > 1 && ak > 1) || (ar == 1 && bc > 1 && ak > 1)) {
      const bool left = bc == 1;  // y = op(A) b, else y' = a op(B), i.e. y = op(B)' a'
      const Factor& mf = left ? a : bb;
      const Factor& vf = left ? bb : a;
      const bool t = left ? mf.t : !mf.t;  // y = (t ? M' : M) v
      if (mf.v.r * mf.v.c >= kParallelEntries * 4) {
        const MapC M(mf.v.p, mf.v.r, mf.v.c);
        const Eigen::Map<const Eigen::VectorXd> v(vf.v.p, ak);
        Eigen::Map<Eigen::VectorXd> y(out, left ? rows : cols);
        parallel_segments(y.size(), [&](int64_t i0, int64_t h) {
          if (t && accumulate)
            y.segment(i0, h).noalias() += M.middleCols(i0, h).transpose() * v;
          else if (t)
            y.segment(i0, h).noalias() = M.middleCols(i0, h).transpose() * v;
          else if (accumulate)
            y.segment(i0, h).noalias() += M.middleRows(i0, h) * v;
          else
            y.segment(i0, h).noalias() = M.middleRows(i0, h) * v;
        });
        return;
      }
    }
    if (ak == 1 && ar > 1 && bc > 1) {  // an outer product: no GEMM (packing, zeroing)
      const auto u = A.reshaped(ar, 1).col(0);
      const auto v = B.reshaped(1, bc).row(0);
      if (accumulate)
        dst.noalias() += u * v;
      else
        dst.noalias() = u * v;
      return;
    }
    if (!accumulate) {
      if (a.t && bb.t)
        dst.noalias() = A.transpose() * B.transpose();
      else if (a.t)
        dst.noalias() = A.transpose() * B;
      else if (bb.t)
        dst.noalias() = A * B.transpose();
      else
        dst.noalias() = A * B;
    } else {
      if (a.t && bb.t)
        dst.noalias() += A.transpose() * B.transpose();
      else if (a.t)
        dst.noalias() += A.transpose() * B;
      else if (bb.t)
        dst.noalias() += A * B.transpose();
      else
        dst.noalias() += A * B;
    }
  };
  Id l = node.kids[0], r = node.kids[1];
  if (gram[at(id)]) {
    // X' diag(d) X (either grouping) is symmetric: Y = diag(d) X, then the lower triangle of
    // X' Y, mirrored. Half the multiplications of the general product.
    const bool left = kind[at(l)] == Kind::Absorbed;
    Id half = left ? l : r;
    Id diag = left ? G[half].kids[1] : G[half].kids[0];
    View x = operand(left ? r : G[half].kids[1]);
    View d = operand(G[diag].kids[0]);
    if (d.r != x.r || d.c != 1 || x.c != rows || rows != cols) misfit();
    gram_scratch.resize(x.r, x.c);
    const MapC X(x.p, x.r, x.c), D(d.p, d.r, 1);
    // The rows of X in chunks fixed by the size alone (kGramChunks of them when X is large):
    // chunk c's rows give Y_c = diag(d_c) X_c and the lower triangle of its own X_c' Y_c
    // (Eigen's triangular product, half the multiplications of the general one), and the
    // lower triangle of X' diag(d) X is their sum in chunk order, mirrored. Threads share the
    // chunks; the result is the same bits on any number of them.
    const int64_t n = x.c, m = x.r;
    constexpr int64_t kGramChunks = 8, kGramMinRows = 256;
    const int64_t nchunks = m * n * n / 2 >= kParallelEntries * 64
                                ? std::clamp<int64_t>(m / kGramMinRows, 1, kGramChunks)
                                : 1;
    const int64_t per = (m + nchunks - 1) / nchunks;
    if (nchunks == 1) {
      gram_scratch.noalias() = D.col(0).asDiagonal() * X;
      dst.triangularView<Eigen::Lower>() = X.transpose() * gram_scratch;
    } else {
      gram_partials.resize(n, n * nchunks);
      auto chunk = [&](int64_t c) {
        const int64_t r0 = c * per, h = std::max<int64_t>(0, std::min(per, m - r0));
        auto P = gram_partials.middleCols(c * n, n);
        if (h == 0) {
          P.setZero();
          return;
        }
        gram_scratch.middleRows(r0, h).noalias() =
            D.col(0).segment(r0, h).asDiagonal() * X.middleRows(r0, h);
        P.triangularView<Eigen::Lower>() =
            X.middleRows(r0, h).transpose() * gram_scratch.middleRows(r0, h);
      };
      const int nthreads = static_cast<int>(std::min<int64_t>(plan_threads(), nchunks));
      if (nthreads > 1) {
#pragma omp parallel for num_threads(nthreads) schedule(static)
        for (int64_t c = 0; c < nchunks; ++c) chunk(c);
      } else {
        for (int64_t c = 0; c < nchunks; ++c) chunk(c);
      }
      for (int64_t j = 0; j < n; ++j) {
        auto col = dst.col(j).tail(n - j);
        col = gram_partials.col(j).tail(n - j);
        for (int64_t c = 1; c < nchunks; ++c) col += gram_partials.col(c * n + j).tail(n - j);
      }
    }
    dst.triangularView<Eigen::StrictlyUpper>() = dst.transpose();
    return;
  }
  if (kind[at(l)] == Kind::VirtualAdd) {
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
    if (bb.t)
      dst.noalias() = v.col(0).asDiagonal() * B.transpose();
    else
      dst.noalias() = v.col(0).asDiagonal() * B;
  } else if (bb.diag) {
    // X diag(v): column j of X times v_j.
    MapC v(bb.v.p, bb.v.r, 1), A(a.v.p, a.v.r, a.v.c);
    if (v.rows() != cols) misfit();
    if (a.t)
      dst.noalias() = A.transpose() * v.col(0).asDiagonal();
    else
      dst.noalias() = A * v.col(0).asDiagonal();
  } else {
    gemm(a, bb, false);
  }
}

// det, logdet, inv: the factorization of their matrix is computed once per run.
void Plan::Impl::run_factored(Id id) {
  const Graph& G = *g;
  const Node& node = G[id];
  Id kid = node.kids[0];
  View v = operand(kid);
  if (v.r != v.c)
    throw Error(ErrorKind::Value, std::string(op_name(node.op)) + " needs a square matrix, given " +
                                      std::to_string(v.r) + "×" + std::to_string(v.c));
  // Factorized once per run, straight from the operand's buffer, into storage kept from the
  // last run.
  Factored& entry = factorizations[kid];
  if (entry.run != runs) {
    entry.f.compute(MapC(v.p, v.r, v.c));
    entry.run = runs;
  }
  const SquareFactorization& f = entry.f;
  if (node.op == Op::Inv) {
    f.inverse(Eigen::Map<Matrix>(alloc(id, v.r, v.c), v.r, v.c));
  } else {
    alloc(id, 1, 1)[0] = node.op == Op::Det ? f.det() : f.log_det();
  }
}

// tr(A B) = sum_ij A_ij B_ji: n^2 work instead of the n^3 of forming A B.
void Plan::Impl::run_trace_product(Id id) {
  const Graph& G = *g;
  Id prod = G[id].kids[0];
  auto side = [&](Id x, bool& t) {
    t = kind[at(x)] == Kind::Transpose && views[at(x)].p == nullptr;
    return operand(t ? G[x].kids[0] : x);
  };
  bool ta, tb;
  View a = side(G[prod].kids[0], ta), b = side(G[prod].kids[1], tb);
  // Effective shapes: A is (ta ? a' : a), B likewise; tr(A B) needs A m x k, B k x m.
  const int64_t ar = ta ? a.c : a.r, ac = ta ? a.r : a.c, br = tb ? b.c : b.r, bc = tb ? b.r : b.c;
  if (ac != br || ar != bc) throw Error(ErrorKind::Value, "*: the values do not fit the product");
  MapC A(a.p, a.r, a.c), B(b.p, b.r, b.c);
  double s;
  // tr(A B) = sum(A .* B'); with A' or B' read in place.
  if (ta == tb)
    s = A.cwiseProduct(B.transpose()).sum();
  else
    s = A.cwiseProduct(B).sum();
  alloc(id, 1, 1)[0] = s;
}

// Finds (M + M') x products: one pass over M's columns computes them, and x' M for the same M
// and x when the plan needs it too.
void Plan::Impl::find_sweeps() {
  const Graph& G = *g;
  for (Id id : order) {
    const Node& node = G[id];
    if (node.op != Op::MatMul || kind[at(id)] != Kind::MatMul || gram[at(id)]) continue;
    Id l = node.kids[0], x = node.kids[1];
    if (kind[at(l)] != Kind::VirtualAdd || !G[x].shape.cols.is_one()) continue;
    Kind xk = kind[at(x)];
    if (xk == Kind::VirtualAdd || xk == Kind::VirtualDiag || xk == Kind::Absorbed ||
        xk == Kind::Transpose)
      continue;
    Id p = G[l].kids[0], q = G[l].kids[1];
    auto transpose_of = [&](Id t, Id m) { return G[t].op == Op::Transpose && G[t].kids[0] == m; };
    Id m = transpose_of(q, p) ? p : transpose_of(p, q) ? q : kNoId;
    if (m == kNoId) continue;
    Sweep s{id, kNoId, m, x};
    for (Id r : readers[at(m)])
      if (G[r].op == Op::MatMul && kind[at(r)] == Kind::MatMul && !gram[at(r)] &&
          G[r].kids[1] == m && transpose_of(G[r].kids[0], x) &&
          kind[at(G[r].kids[0])] == Kind::Transpose)
        s.transposed_node = r;
    kind[at(id)] = Kind::Sweep;
    if (s.transposed_node != kNoId) kind[at(s.transposed_node)] = Kind::Sweep;
    sweeps.push_back(s);
  }
}

void Plan::Impl::run_sweep(const Sweep& s) {
  const View m = operand(s.m), x = operand(s.x);
  const int64_t n = m.r;
  if (m.c != n || x.r != n || x.c != 1)
    throw Error(ErrorKind::Value, "*: the values do not fit the product");
  double* y = alloc(s.sum_node, n, 1);
  double* z;
  if (s.transposed_node != kNoId) {
    z = alloc(s.transposed_node, 1, n);
  } else {
    sweep_scratch.resize(n, 1);
    z = sweep_scratch.data();
  }
  MapC M(m.p, n, n);
  Eigen::Map<const Eigen::VectorXd> X(x.p, n);
  Eigen::Map<Eigen::VectorXd> Y(y, n), Z(z, n);
  // The columns in chunks fixed by the size alone (at most kSweepChunks, of whole groups of
  // eight), shared among the threads; chunk c adds its columns' M_j x_j into its own partial
  // P_c, and y = P_0 + P_1 + ... in chunk order: the same bits on any number of threads.
  constexpr int64_t kCols = 8, kSweepChunks = 16;
  const int64_t groups = (n + kCols - 1) / kCols;
  const int64_t nchunks = n * n >= kParallelEntries ? std::min(kSweepChunks, groups) : 1;
  const int64_t per_chunk = (groups + nchunks - 1) / nchunks * kCols;
  sweep_partials.resize(n, nchunks);
  auto chunk = [&](int64_t c) {
    auto P = sweep_partials.col(c);
    P.setZero();
    const int64_t end = std::min(n, (c + 1) * per_chunk);
    // Eight columns at a time: they stay in cache between the two products.
    for (int64_t j = c * per_chunk; j < end; j += kCols) {
      const int64_t w = std::min(kCols, end - j);
      P.noalias() += M.middleCols(j, w) * X.segment(j, w);
      Z.segment(j, w).noalias() = M.middleCols(j, w).transpose() * X;
    }
  };
  const int nthreads = static_cast<int>(std::min<int64_t>(plan_threads(), nchunks));
  if (nthreads > 1) {
#pragma omp parallel for num_threads(nthreads) schedule(static)
    for (int64_t c = 0; c < nchunks; ++c) chunk(c);
  } else {
    for (int64_t c = 0; c < nchunks; ++c) chunk(c);
  }
  Y = sweep_partials.col(0);
  for (int64_t c = 1; c < nchunks; ++c) Y += sweep_partials.col(c);
  Y += Z;
}

}  // namespace nabla
