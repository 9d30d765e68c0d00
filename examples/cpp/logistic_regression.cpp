// Logistic regression trained by gradient descent with nabla::value_and_grad.
//   loss(w; X, y) = mean_i log(1 + exp(-y_i x_i'w)) + lambda/2 |w|^2,  y_i in {-1, 1}
#include <nabla/nabla.h>

#include <cstdio>
#include <random>

int main() {
  const int samples = 200, features = 3;
  std::mt19937 gen(42);
  std::normal_distribution<double> normal(0, 1);
  Eigen::VectorXd w_true(features);
  w_true << 2.0, -1.0, 0.5;
  Eigen::MatrixXd X(samples, features);
  Eigen::VectorXd y(samples);
  for (int i = 0; i < samples; ++i) {
    for (int j = 0; j < features; ++j) X(i, j) = normal(gen);
    y(i) = X.row(i).dot(w_true) + 0.3 * normal(gen) > 0 ? 1.0 : -1.0;
  }

  // Differentiate w.r.t. argument 0 (w); X and y are data.
  auto loss = nabla::value_and_grad<0>([](auto w, auto X, auto y) {
    return sum(softplus(-hadamard(y, X * w))) / X.rows() + 0.005 * dot(w, w);
  });

  Eigen::VectorXd w = Eigen::VectorXd::Zero(features);
  double first = 0, value = 0;
  for (int step = 0; step < 300; ++step) {
    auto [v, g] = loss(w, X, y);  // traced once, then evaluated
    if (step == 0) first = v;
    value = v;
    w -= 1.0 * g;
  }
  int correct = 0;
  for (int i = 0; i < samples; ++i) correct += (X.row(i).dot(w) > 0) == (y(i) > 0);
  std::printf("loss %.4f -> %.4f, w = [%.3f, %.3f, %.3f], accuracy %.1f%%\n", first, value, w(0),
              w(1), w(2), 100.0 * correct / samples);
  return value < first && correct > 0.85 * samples ? 0 : 1;
}
