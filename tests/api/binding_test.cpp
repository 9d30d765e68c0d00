// Traced functions at plan speed: arguments are read in place (their data pointers reach the
// plan), results go into the caller's storage (nabla::into), and a call after the first at the
// same shapes allocates nothing: every heap allocation of this program (malloc, and so
// operator new and Eigen's aligned allocations) is counted.
#include <gtest/gtest.h>

#include <atomic>
#include <cerrno>
#include <cstddef>
#include <cstdlib>
#include <thread>
#include <vector>

#include "fd.h"
#include "nabla/nabla.h"

// Counting every allocation: glibc's malloc family is interposed (the program's definitions
// win over libc's). AddressSanitizer interposes them itself, so under it nothing is counted
// and the allocation tests are skipped.
#if defined(__GLIBC__) && !defined(__SANITIZE_ADDRESS__)
#define NABLA_COUNTS_ALLOCATIONS 1
namespace {
std::atomic<long> g_allocations{0};
}
extern "C" {
void* __libc_malloc(size_t);
void* __libc_calloc(size_t, size_t);
void* __libc_realloc(void*, size_t);
void* __libc_memalign(size_t, size_t);
void* malloc(size_t n) noexcept {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  return __libc_malloc(n);
}
void* calloc(size_t n, size_t m) noexcept {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  return __libc_calloc(n, m);
}
void* realloc(void* p, size_t n) noexcept {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  return __libc_realloc(p, n);
}
void* memalign(size_t a, size_t n) noexcept {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  return __libc_memalign(a, n);
}
void* aligned_alloc(size_t a, size_t n) noexcept {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  return __libc_memalign(a, n);
}
int posix_memalign(void** p, size_t a, size_t n) noexcept {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  *p = __libc_memalign(a, n);
  return *p ? 0 : ENOMEM;
}
}
#endif

namespace nabla {
namespace {

using testing::random_matrix;
using testing::random_vector;

long allocations() {
#ifdef NABLA_COUNTS_ALLOCATIONS
  return g_allocations.load();
#else
  return 0;
#endif
}

// Allocations made by f().
template <class F>
long allocations_of(F&& f) {
  long before = allocations();
  f();
  return allocations() - before;
}

#ifdef NABLA_COUNTS_ALLOCATIONS
#define SKIP_UNLESS_COUNTING()
#else
#define SKIP_UNLESS_COUNTING() GTEST_SKIP() << "allocations are not counted under ASan"
#endif

auto logreg = [](auto w, auto X, auto y) { return sum(softplus(-hadamard(y, X * w))); };
auto mlp = [](auto W, auto v, auto X, auto y) {
  return sum(softplus(-hadamard(y, tanh(X * W) * v)));
};

TEST(Binding, TheAllocationCounterSeesAllocations) {
  SKIP_UNLESS_COUNTING();
  EXPECT_GE(allocations_of([] { Eigen::VectorXd v = Eigen::VectorXd::Ones(100); }), 1);
  EXPECT_GE(allocations_of([] { std::vector<int> v(100); }), 1);
}

TEST(Binding, ArgumentsReachThePlanInPlace) {
  const Eigen::MatrixXd X = random_matrix(60, 8, 1);
  const Eigen::VectorXd w = random_vector(8, 2), y = random_vector(60, 3);
  auto vg = nabla::value_and_grad<0>(logreg);
  auto [v, g] = vg(w, X, y);
  auto addresses = detail::bound_addresses(*vg.plan(w, X, y));
  ASSERT_EQ(addresses.size(), 3u);
  EXPECT_EQ(addresses[0], w.data());
  EXPECT_EQ(addresses[1], X.data());
  EXPECT_EQ(addresses[2], y.data());
  // Maps and Refs of the caller's storage, and a contiguous block of columns, too.
  std::vector<double> storage(X.data(), X.data() + X.size());
  Eigen::Map<const Eigen::MatrixXd> Xm(storage.data(), 60, 8);
  Eigen::Ref<const Eigen::VectorXd> wr(w);
  auto [v2, g2] = vg(wr, Xm, y);
  addresses = detail::bound_addresses(*vg.plan(wr, Xm, y));
  EXPECT_EQ(addresses[0], w.data());
  EXPECT_EQ(addresses[1], storage.data());
  EXPECT_EQ(v2, v);
  EXPECT_EQ(g2, g);
  const Eigen::MatrixXd wide = random_matrix(60, 10, 4);
  auto [v3, g3] = vg(w, wide.leftCols(8), y);
  EXPECT_EQ(detail::bound_addresses(*vg.plan(w, wide.leftCols(8), y))[1], wide.data());
  const Eigen::MatrixXd left = wide.leftCols(8);
  auto [v3c, g3c] = vg(w, left, y);
  EXPECT_EQ(v3, v3c);
  EXPECT_EQ(g3, g3c);
  // Storage the plan cannot read in place (row-major, strided) is copied, with the same result.
  Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> Xr = X;
  auto [v4, g4] = vg(w, Xr, y);
  EXPECT_NE(detail::bound_addresses(*vg.plan(w, Xr, y))[1], Xr.data());
  EXPECT_NEAR(v4, v, 1e-12 * std::abs(v));
  EXPECT_TRUE(g4.isApprox(g, 1e-12));
  auto [v5, g5] = vg(w, X.transpose().transpose(), y);  // an expression: evaluated first
  EXPECT_NEAR(v5, v, 1e-12 * std::abs(v));
}

TEST(Binding, ResultsGoIntoTheCallersStorage) {
  const Eigen::MatrixXd X = random_matrix(40, 6, 5);
  const Eigen::VectorXd w = random_vector(6, 6), y = random_vector(40, 7);
  auto vg = nabla::value_and_grad<0>(logreg);
  auto [v, g] = vg(w, X, y);
  Eigen::VectorXd into_g(6);
  const double* p = into_g.data();
  double value = vg(nabla::into(into_g), w, X, y);
  EXPECT_EQ(into_g.data(), p);  // written in place, not reallocated
  EXPECT_EQ(value, v);
  EXPECT_EQ(into_g, g);
  // A Map over the caller's array; a wrongly sized target is refused.
  std::vector<double> buf(6, 0.0);
  Eigen::Map<Eigen::VectorXd> m(buf.data(), 6);
  vg(nabla::into(m), w, X, y);
  EXPECT_EQ(Eigen::VectorXd(m), g);
  Eigen::Map<Eigen::VectorXd> small(buf.data(), 5);
  EXPECT_THROW(vg(nabla::into(small), w, X, y), std::invalid_argument);
  // Several gradients, a Hessian, a jit value.
  const Eigen::MatrixXd W = random_matrix(6, 3, 8);
  const Eigen::VectorXd u = random_vector(3, 9);
  auto dmlp = nabla::grad<0, 1>(mlp);
  auto [gW, gu] = dmlp(W, u, X, y);
  Eigen::MatrixXd iW;
  Eigen::VectorXd iu;
  dmlp(nabla::into(iW, iu), W, u, X, y);
  EXPECT_EQ(iW, gW);
  EXPECT_EQ(iu, gu);
  auto h = nabla::hessian<0>(logreg);
  Eigen::MatrixXd H = h(w, X, y), iH(6, 6);
  h(nabla::into(iH), w, X, y);
  EXPECT_EQ(iH, H);
  auto jf = nabla::jit([](auto A, auto b) { return A * b; });
  Eigen::VectorXd Ab(40);
  jf(nabla::into(Ab), X, w);
  EXPECT_TRUE(Ab.isApprox(X * w, 1e-14));
}

TEST(Binding, ASecondCallAllocatesNothing) {
  SKIP_UNLESS_COUNTING();
  const Eigen::MatrixXd X = random_matrix(300, 20, 10);
  const Eigen::VectorXd w = random_vector(20, 11), y = random_vector(300, 12);
  auto vg = nabla::value_and_grad<0>(logreg);
  Eigen::VectorXd g(20);
  vg(nabla::into(g), w, X, y);  // traces and compiles
  EXPECT_EQ(allocations_of([&] { vg(nabla::into(g), w, X, y); }), 0);
  // The returning form allocates only its result.
  EXPECT_EQ(allocations_of([&] { auto r = vg(w, X, y); }), 1);

  // A small MLP layer (the per-call overhead case), its two gradients into caller storage.
  const Eigen::MatrixXd X4 = random_matrix(4, 3, 13), W = random_matrix(3, 5, 14);
  const Eigen::VectorXd v = random_vector(5, 15), y4 = random_vector(4, 16);
  auto vgm = nabla::value_and_grad<0, 1>(mlp);
  Eigen::MatrixXd gW(3, 5);
  Eigen::VectorXd gv(5);
  vgm(nabla::into(gW, gv), W, v, X4, y4);
  EXPECT_EQ(allocations_of([&] { vgm(nabla::into(gW, gv), W, v, X4, y4); }), 0);

  // A Hessian (X' diag(s) X), and jit: arguments by Map.
  auto h = nabla::hessian<0>([](auto w, auto X) { return sum(softplus(X * w)); });
  Eigen::MatrixXd H(20, 20);
  Eigen::Map<const Eigen::MatrixXd> Xm(X.data(), X.rows(), X.cols());
  h(nabla::into(H), w, Xm);
  EXPECT_EQ(allocations_of([&] { h(nabla::into(H), w, Xm); }), 0);
  auto jf = nabla::jit([](auto A, auto b) { return exp(A * b); });
  Eigen::VectorXd out(300);
  jf(nabla::into(out), X, w);
  EXPECT_EQ(allocations_of([&] { jf(nabla::into(out), X, w); }), 0);
}

TEST(Binding, ConcurrentCallsAgreeWithOneThread) {
  const Eigen::MatrixXd X = random_matrix(200, 10, 20);
  const Eigen::VectorXd w = random_vector(10, 21), y = random_vector(200, 22);
  auto vg = nabla::value_and_grad<0>(logreg);
  auto [v, g] = vg(w, X, y);
  std::vector<std::thread> threads;
  std::vector<int> ok(4, 0);
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      Eigen::VectorXd gt(10);
      bool same = true;
      for (int i = 0; i < 50; ++i) same = same && vg(nabla::into(gt), w, X, y) == v && gt == g;
      ok[static_cast<size_t>(t)] = same;
    });
  for (auto& th : threads) th.join();
  for (int t = 0; t < 4; ++t) EXPECT_TRUE(ok[static_cast<size_t>(t)]) << t;
}

}  // namespace
}  // namespace nabla
