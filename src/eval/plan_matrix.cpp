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
    const MapC X(x.p, x.r, x.c);
    // One thread: Eigen's triangular product. Several: the lower triangle by panels of columns,
    // panel [j0, j0 + w) the rectangle from row j0 down, X(:, j0:)' Y(:, j0:j0+w), shared among
    // the threads; panels are fixed by the size alone and each entry comes from one product, so
    // the result repeats from run to run (and agrees with one thread's to rounding).
    const int64_t n = x.c, panel = 32;
    const int64_t npanels = (n + panel - 1) / panel;
    const int nthreads = x.r * n * n / 2 >= kParallelEntries * 64
                             ? static_cast<int>(std::min<int64_t>(plan_threads(), npanels))
                             : 1;
    auto scale_panel = [&](int64_t p) {
      const int64_t j0 = p * panel, w = std::min(panel, n - j0);
      gram_scratch.middleCols(j0, w).noalias() =
          MapC(d.p, d.r, 1).col(0).asDiagonal() * X.middleCols(j0, w);
    };
    auto product_panel = [&](int64_t p) {
      const int64_t j0 = p * panel, w = std::min(panel, n - j0);
      dst.block(j0, j0, n - j0, w).noalias() =
          X.rightCols(n - j0).transpose() * gram_scratch.middleCols(j0, w);
    };
    if (nthreads > 1) {
#pragma omp parallel num_threads(nthreads)
      {
#pragma omp for schedule(static)
        for (int64_t p = 0; p < npanels; ++p) scale_panel(p);
#pragma omp for schedule(dynamic, 1)
        for (int64_t p = 0; p < npanels; ++p) product_panel(p);
      }
    } else {
      gram_scratch.noalias() = MapC(d.p, d.r, 1).col(0).asDiagonal() * X;
      dst.triangularView<Eigen::Lower>() = X.transpose() * gram_scratch;
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
  Y.setZero();
  // Eight columns at a time: they stay in cache between the two products.
  constexpr int64_t kCols = 8;
  for (int64_t j = 0; j < n; j += kCols) {
    const int64_t w = std::min(kCols, n - j);
    Y.noalias() += M.middleCols(j, w) * X.segment(j, w);
    Z.segment(j, w).noalias() = M.middleCols(j, w).transpose() * X;
  }
  Y += Z;
}

}  // namespace nabla
