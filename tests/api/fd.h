#pragma once
// Finite-difference checks of traced gradients for tests/api.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <tuple>
#include <type_traits>
#include <vector>

#include "nabla/nabla.h"

namespace nabla::testing {

template <class T>
Eigen::Index entry_count(const T& v) {
  if constexpr (std::is_arithmetic_v<T>)
    return 1;
  else
    return v.size();
}
template <class T>
double& entry(T& v, Eigen::Index j) {
  if constexpr (std::is_arithmetic_v<T>)
    return v;
  else
    return v.data()[j];
}

// Compares nabla::grad(f, argnums{wrt}) at args with central differences of the traced value
// nabla::jit(f): |g - fd| <= 1e-5 max(1, |g|) entry by entry.
template <class F, class... Args>
void expect_grad_matches_fd(const std::string& label, F f, std::vector<int> wrt,
                            const Args&... args) {
  SCOPED_TRACE(label);
  auto df = nabla::grad(f, nabla::argnums(wrt));
  auto value = nabla::jit(f);
  std::vector<Eigen::MatrixXd> g = df(args...);
  ASSERT_EQ(g.size(), wrt.size());
  std::tuple<Args...> point(args...);
  auto at = [&](const std::tuple<Args...>& p) {
    return std::apply([&](const auto&... a) { return value(a...)(0, 0); }, p);
  };
  for (size_t w = 0; w < wrt.size(); ++w) {
    size_t index = 0;
    std::apply(
        [&](auto&... arg) {
          auto visit = [&](auto& a) {
            if (index++ != static_cast<size_t>(wrt[w])) return;
            ASSERT_EQ(g[w].size(), entry_count(a)) << "gradient shape of argument " << wrt[w];
            for (Eigen::Index j = 0; j < entry_count(a); ++j) {
              double saved = entry(a, j);
              double h = 1e-6 * std::max(1.0, std::abs(saved));
              entry(a, j) = saved + h;
              double up = at(point);
              entry(a, j) = saved - h;
              double down = at(point);
              entry(a, j) = saved;
              double fd = (up - down) / (2 * h);
              double got = g[w].data()[j];
              EXPECT_NEAR(got, fd, 1e-5 * std::max(1.0, std::abs(got)))
                  << "argument " << wrt[w] << " entry " << j;
            }
          };
          (visit(arg), ...);
        },
        point);
  }
}

inline Eigen::MatrixXd random_matrix(int r, int c, unsigned seed) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<double> u(-1, 1);
  Eigen::MatrixXd m(r, c);
  for (Eigen::Index i = 0; i < m.size(); ++i) m.data()[i] = u(gen);
  return m;
}
inline Eigen::VectorXd random_vector(int n, unsigned seed) {
  return random_matrix(n, 1, seed);
}
// Well conditioned, positive determinant: random + n I.
inline Eigen::MatrixXd random_spd_like(int n, unsigned seed) {
  return random_matrix(n, n, seed) + n * Eigen::MatrixXd::Identity(n, n);
}

}  // namespace nabla::testing
