// The smallest outside program: find_package(nabla), link nabla::nabla, differentiate.
#include <nabla/nabla.h>

#include <cstdio>

int main() {
  auto df = nabla::grad([](auto x) { return 0.5 * dot(x, x) + sum(exp(x)); });
  Eigen::VectorXd x(3);
  x << 0.1, -0.2, 0.3;
  Eigen::VectorXd g = df(x);
  Eigen::VectorXd want = x + x.array().exp().matrix();
  std::printf("grad = [%g, %g, %g]\n", g(0), g(1), g(2));
  return g.isApprox(want) ? 0 : 1;
}
