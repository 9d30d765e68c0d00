// Generated C++ against hand-written Eigen on BENCH.md's logreg, lsq, mlp and hess-logreg:
// <id>/generated_cpp runs the function `nabla bench/codegen/<id>.nabla --format cpp` generates
// (value and every gradient, or value and Hessian), <id>/hand_cpp the same figures written by
// hand in Eigen the way a careful user would (stable softplus and sigmoid, products without
// transposed copies, X' diag(s) X as a scaling). Both get the same Eigen::MatrixXd / VectorXd
// arguments; before timing, their results are compared (a mismatch skips the problem).
#include <benchmark/benchmark.h>

#include <Eigen/Dense>
#include <cmath>
#include <cstdio>
#include <stdexcept>
#include <string>

#include "bench_main.h"
#include "problems.h"

// Each generated file is a query_1 with its helpers: one namespace each, helpers (the kernel
// library and the prelude) included in each.
namespace gen_logreg {
#include "logreg.h"
}
#undef NABLA_GENERATED_PRELUDE
#undef NABLA_KERNELS_H
namespace gen_lsq {
#include "lsq.h"
}
#undef NABLA_GENERATED_PRELUDE
#undef NABLA_KERNELS_H
namespace gen_mlp {
#include "mlp.h"
}
#undef NABLA_GENERATED_PRELUDE
#undef NABLA_KERNELS_H
namespace gen_hess {
#include "hess-logreg.h"
}

namespace {

using Eigen::ArrayXd;
using Eigen::MatrixXd;
using Eigen::VectorXd;

MatrixXd mat(const bench::Problem& p, const std::string& name) {
  const bench::Array& a = bench::get(p, name);
  return Eigen::Map<const MatrixXd>(a.v.data(), a.rows, a.cols);
}
VectorXd vec(const bench::Problem& p, const std::string& name) {
  const bench::Array& a = bench::get(p, name);
  return Eigen::Map<const VectorXd>(a.v.data(), a.rows * a.cols);
}

// softplus(u) = max(u, 0) + log1p(e^-|u|), sigmoid(u) = 1 / (1 + e^-u).
ArrayXd softplus(const ArrayXd& u) {
  return u.max(0.0) + (-u.abs()).exp().log1p();
}
ArrayXd sigmoid(const ArrayXd& u) {
  return (1.0 + (-u).exp()).inverse();
}

struct Hand {
  double value = 0;
  MatrixXd g1;
  VectorXd g2;
};

Hand hand_logreg(const MatrixXd& X, const VectorXd& y, const VectorXd& w) {
  Hand h;
  const ArrayXd u = -y.array() * (X * w).array();
  h.value = softplus(u).sum();
  h.g2.noalias() = -X.transpose() * (y.array() * sigmoid(u)).matrix();
  return h;
}
Hand hand_lsq(const MatrixXd& X, const VectorXd& y, const VectorXd& w) {
  Hand h;
  const VectorXd r = X * w - y;
  h.value = 0.5 * r.squaredNorm();
  h.g2.noalias() = X.transpose() * r;
  return h;
}
Hand hand_mlp(const MatrixXd& X, const VectorXd& y, const MatrixXd& W, const VectorXd& v) {
  Hand h;
  const MatrixXd T = (X * W).array().tanh().matrix();
  const ArrayXd u = -y.array() * (T * v).array();
  h.value = softplus(u).sum();
  const VectorXd r = -(y.array() * sigmoid(u)).matrix();
  h.g2.noalias() = T.transpose() * r;
  const MatrixXd G = ((r * v.transpose()).array() * (1.0 - T.array().square())).matrix();
  h.g1.noalias() = X.transpose() * G;
  return h;
}
Hand hand_hess(const MatrixXd& X, const VectorXd& w) {
  Hand h;
  const ArrayXd z = X * w;
  h.value = softplus(z).sum();
  const ArrayXd s = sigmoid(z);
  const VectorXd d = (s * (1.0 - s)).matrix();
  h.g1.noalias() = X.transpose() * d.asDiagonal() * X;
  return h;
}

double rel_diff(const MatrixXd& a, const MatrixXd& b) {
  if (a.size() != b.size()) return INFINITY;
  double scale = std::max(1.0, b.cwiseAbs().maxCoeff());
  return (a.reshaped() - b.reshaped()).cwiseAbs().maxCoeff() / scale;
}

template <class Gen, class HandFn>
void add(const std::string& id, Gen gen, HandFn hand, double diff) {
  if (diff > 1e-8) {
    std::fprintf(stderr, "codegen: %s: generated and hand-written differ by %.1e\n", id.c_str(),
                 diff);
    return;
  }
  benchmark::RegisterBenchmark((id + "/generated_cpp").c_str(), [gen](benchmark::State& st) {
    for (auto _ : st) benchmark::DoNotOptimize(gen());
  })->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark((id + "/hand_cpp").c_str(), [hand](benchmark::State& st) {
    for (auto _ : st) benchmark::DoNotOptimize(hand());
  })->Unit(benchmark::kMillisecond);
}

void register_all() {
  static const std::vector<bench::Problem> problems = bench::problems();
  for (const bench::Problem& p : problems) {
    if (p.id == "logreg" || p.id == "lsq") {
      auto* X = new MatrixXd(mat(p, "X"));
      auto* y = new VectorXd(vec(p, "y"));
      auto* w = new VectorXd(vec(p, "w"));
      const bool lr = p.id == "logreg";
      auto g = lr ? gen_logreg::query_1(*X, *y, *w).grad_w : gen_lsq::query_1(*X, *y, *w).grad_w;
      auto gv = lr ? gen_logreg::query_1(*X, *y, *w).value : gen_lsq::query_1(*X, *y, *w).value;
      Hand h = lr ? hand_logreg(*X, *y, *w) : hand_lsq(*X, *y, *w);
      double diff =
          std::max(rel_diff(g, h.g2), std::abs(gv - h.value) / std::max(1.0, std::abs(h.value)));
      if (lr)
        add(
            p.id, [=] { return gen_logreg::query_1(*X, *y, *w).grad_w(0); },
            [=] { return hand_logreg(*X, *y, *w).g2(0); }, diff);
      else
        add(
            p.id, [=] { return gen_lsq::query_1(*X, *y, *w).grad_w(0); },
            [=] { return hand_lsq(*X, *y, *w).g2(0); }, diff);
    } else if (p.id == "mlp") {
      auto* X = new MatrixXd(mat(p, "X"));
      auto* y = new VectorXd(vec(p, "y"));
      auto* W = new MatrixXd(mat(p, "W"));
      auto* v = new VectorXd(vec(p, "v"));
      auto r = gen_mlp::query_1(*X, *y, *W, *v);
      Hand h = hand_mlp(*X, *y, *W, *v);
      double diff = std::max({rel_diff(r.grad_W, h.g1), rel_diff(r.grad_v, h.g2),
                              std::abs(r.value - h.value) / std::max(1.0, std::abs(h.value))});
      add(
          p.id, [=] { return gen_mlp::query_1(*X, *y, *W, *v).grad_W(0, 0); },
          [=] { return hand_mlp(*X, *y, *W, *v).g1(0, 0); }, diff);
    } else if (p.id == "hess-logreg") {
      auto* X = new MatrixXd(mat(p, "X"));
      auto* w = new VectorXd(vec(p, "w"));
      auto r = gen_hess::query_1(*X, *w);
      Hand h = hand_hess(*X, *w);
      double diff = std::max(rel_diff(r.hessian_w, h.g1),
                             std::abs(r.value - h.value) / std::max(1.0, std::abs(h.value)));
      add(
          p.id, [=] { return gen_hess::query_1(*X, *w).hessian_w(0, 0); },
          [=] { return hand_hess(*X, *w).g1(0, 0); }, diff);
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  return bench::run_benchmarks(argc, argv, register_all);
}
