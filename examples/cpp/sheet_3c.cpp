// Exercise 3c of the sheet from C++: the gradient of <x, A x> w.r.t. x, symbolically (printed,
// checked against (A + A')x) and as a traced lambda evaluated on Eigen values.
#include <nabla/nabla.h>

#include <cstdio>

int main() {
  nabla::Expr x = nabla::vector("x", "n");
  nabla::Expr A = nabla::matrix("A", "n", "n");
  nabla::Expr g = nabla::grad(dot(x, A * x), x);
  std::printf("grad(<x, A*x>, x) = %s\n", nabla::to_string(g).c_str());
  std::printf("LaTeX: %s\n", nabla::to_latex(g).c_str());
  nabla::CheckReport r = nabla::check(g, (A + A.t()) * x);
  std::printf("check grad == (A + A')*x: %s (%d trials)\n", r.holds ? "holds" : "FAILS", r.trials);

  auto df = nabla::grad([](auto x, auto A) { return dot(x, A * x); });
  Eigen::MatrixXd A0(2, 2);
  A0 << 1, 2, 3, 4;
  Eigen::VectorXd x0(2);
  x0 << 1, -1;
  Eigen::VectorXd g0 = df(x0, A0);
  std::printf("at x = [1, -1], A = [1 2; 3 4]: grad = [%g, %g]\n", g0(0), g0(1));
  std::printf("as C++:\n%s",
              nabla::generate_cpp("sheet_3c", {{"value", dot(x, A * x)}, {"grad_x", g}}).c_str());
  return r.holds && g0.isApprox((A0 + A0.transpose()) * x0) ? 0 : 1;
}
