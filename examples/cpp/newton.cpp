// Newton's method with nabla::grad and nabla::hessian on a smooth convex function:
//   f(x) = logsumexp(A x) + 1/2 x'x
#include <nabla/nabla.h>

#include <cstdio>

int main() {
  auto f = [](auto x, auto A) { return logsumexp(A * x) + 0.5 * dot(x, x); };
  auto df = nabla::grad(f);
  auto d2f = nabla::hessian(f);
  Eigen::MatrixXd A(4, 2);
  A << 1, 2, -1, 0.5, 0.3, -2, 2, 1;
  Eigen::VectorXd x = Eigen::VectorXd::Ones(2);
  for (int step = 0; step < 8; ++step) {
    Eigen::VectorXd g = df(x, A);
    std::printf("step %d: |grad| = %.3e\n", step, g.norm());
    if (g.norm() < 1e-12) break;
    x -= d2f(x, A).ldlt().solve(g);
  }
  std::printf("minimizer x = [%.6f, %.6f]\n", x(0), x(1));
  return df(x, A).norm() < 1e-10 ? 0 : 1;
}
