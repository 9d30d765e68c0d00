// `nabla eval` agrees, to 1e-12 relative, with values computed here directly with Eigen,
// on expressions covering every operator and built-in.
#include <gtest/gtest.h>

#include <Eigen/Dense>
#include <cmath>
#include <functional>
#include <nlohmann/json.hpp>

#include "run_nabla.h"

namespace nabla::testing {
namespace {

using M = Eigen::MatrixXd;
using V = Eigen::VectorXd;

struct Point {
  double t = 1.5, u = -0.75;
  V x{{0.3, -1.2, 2.0}}, y{{1.1, 0.4, -0.7}}, p{{0.5, 1.5, 2.5}};
  M A{{2.0, -1.0, 0.5}, {0.3, 1.7, -0.4}, {1.2, 0.1, 3.1}};
  M B{{0.4, 1.3, -0.2}, {-0.9, 0.6, 1.1}, {0.7, -0.5, 0.8}};
  M C{{1.0, 0.5}, {-0.3, 2.0}, {0.8, -1.1}};
  M S{{2.0, 0.3, -0.1}, {0.3, 1.5, 0.2}, {-0.1, 0.2, 1.2}};
};

const Point P;

nlohmann::json to_json(const M& m) {
  nlohmann::json rows = nlohmann::json::array();
  for (Eigen::Index i = 0; i < m.rows(); ++i) {
    nlohmann::json row = nlohmann::json::array();
    for (Eigen::Index j = 0; j < m.cols(); ++j) row.push_back(m(i, j));
    rows.push_back(row);
  }
  return rows;
}
nlohmann::json to_json(const V& v) {
  nlohmann::json l = nlohmann::json::array();
  for (Eigen::Index i = 0; i < v.size(); ++i) l.push_back(v(i));
  return l;
}

std::string values_file() {
  nlohmann::json j{{"t", P.t},          {"u", P.u},          {"x", to_json(P.x)},
                   {"y", to_json(P.y)}, {"p", to_json(P.p)}, {"A", to_json(P.A)},
                   {"B", to_json(P.B)}, {"C", to_json(P.C)}, {"S", to_json(P.S)}};
  return write_file("point.json", j.dump()).string();
}

const char* kLet = "t, u in R; x, y, p in R^n; A, B in R^(n x n); S in Sym(n); C in R^(n x m)";

struct Case {
  std::string expr;
  std::function<M()> expected;
  bool row = false;  // a 1 x n result (printed as a matrix)
};

M s(double v) {
  return M::Constant(1, 1, v);
}
M col(const V& v) {
  return v;
}
double sigmoid(double z) {
  return 1 / (1 + std::exp(-z));
}
double softplus(double z) {
  return std::max(z, 0.0) + std::log1p(std::exp(-std::abs(z)));
}
V map(const V& v, double (*f)(double)) {
  V r = v;
  for (auto& e : r) e = f(e);
  return r;
}
double sgn(double z) {
  return (z > 0) - (z < 0);
}
V softmax(const V& v) {
  V e = (v.array() - v.maxCoeff()).exp();
  return e / e.sum();
}

std::vector<Case> cases() {
  const Point& q = P;
  return {
      {"t + u", [&] { return s(q.t + q.u); }},
      {"t - u", [&] { return s(q.t - q.u); }},
      {"t*u", [&] { return s(q.t * q.u); }},
      {"t/u", [&] { return s(q.t / q.u); }},
      {"t^3", [&] { return s(q.t * q.t * q.t); }},
      {"-t^2", [&] { return s(-(q.t * q.t)); }},
      {"u^-2", [&] { return s(1 / (q.u * q.u)); }},
      {"t^u", [&] { return s(std::pow(q.t, q.u)); }},
      {"1/2*t", [&] { return s(0.5 * q.t); }},
      {"x + y", [&] { return col(q.x + q.y); }},
      {"x - 2*y", [&] { return col(q.x - 2 * q.y); }},
      {"t*x", [&] { return col(q.t * q.x); }},
      {"x/t", [&] { return col(q.x / q.t); }},
      {"A*x", [&] { return col(q.A * q.x); }},
      {"A'*x", [&] { return col(q.A.transpose() * q.x); }},
      {"x'*A*x", [&] { return s(q.x.dot(q.A * q.x)); }},
      {"x'", [&] { return M(q.x.transpose()); }, true},
      {"x*y'", [&] { return M(q.x * q.y.transpose()); }},
      {"A*B", [&] { return M(q.A * q.B); }},
      {"A'", [&] { return M(q.A.transpose()); }},
      {"-A", [&] { return M(-q.A); }},
      {"A .* B", [&] { return M(q.A.cwiseProduct(q.B)); }},
      {"A ./ B", [&] { return M(q.A.cwiseQuotient(q.B)); }},
      {"x .^ 2", [&] { return col(q.x.array().square().matrix()); }},
      {"p .^ (1/3)", [&] { return col(q.p.array().pow(1.0 / 3).matrix()); }},
      {"A^2", [&] { return M(q.A * q.A); }},
      {"A^3", [&] { return M(q.A * q.A * q.A); }},
      {"A^-1", [&] { return M(q.A.inverse()); }},
      {"exp(x)", [&] { return col(q.x.array().exp().matrix()); }},
      {"log(p)", [&] { return col(q.p.array().log().matrix()); }},
      {"ln(t)", [&] { return s(std::log(q.t)); }},
      {"sqrt(p)", [&] { return col(q.p.array().sqrt().matrix()); }},
      {"sin(x)", [&] { return col(q.x.array().sin().matrix()); }},
      {"cos(x)", [&] { return col(q.x.array().cos().matrix()); }},
      {"tan(x)", [&] { return col(q.x.array().tan().matrix()); }},
      {"tanh(x)", [&] { return col(q.x.array().tanh().matrix()); }},
      {"sigmoid(x)", [&] { return col(map(q.x, sigmoid)); }},
      {"softplus(x)", [&] { return col(map(q.x, softplus)); }},
      {"log1p(p)", [&] { return col(q.p.array().log1p().matrix()); }},
      {"expm1(x)", [&] { return col(map(q.x, [](double z) { return std::expm1(z); })); }},
      {"abs(x)", [&] { return col(q.x.array().abs().matrix()); }},
      {"sign(x)", [&] { return col(map(q.x, sgn)); }},
      {"sum(A)", [&] { return s(q.A.sum()); }},
      {"sum(x)", [&] { return s(q.x.sum()); }},
      {"norm2(x)", [&] { return s(q.x.norm()); }},
      {"norm2(A)", [&] { return s(q.A.norm()); }},
      {"tr(A)", [&] { return s(q.A.trace()); }},
      {"trace(A*B')", [&] { return s((q.A * q.B.transpose()).trace()); }},
      {"det(A)", [&] { return s(q.A.determinant()); }},
      {"logdet(S)", [&] { return s(std::log(q.S.determinant())); }},
      {"inv(A)", [&] { return M(q.A.inverse()); }},
      {"diag(x)", [&] { return M(q.x.asDiagonal()); }},
      {"diag(A)", [&] { return col(q.A.diagonal()); }},
      {"softmax(x)", [&] { return col(softmax(q.x)); }},
      {"logsumexp(x)", [&] { return s(std::log(q.x.array().exp().sum())); }},
      {"vec(C)", [&] { return col(Eigen::Map<const V>(q.C.data(), q.C.size())); }},
      {"I + A", [&] { return M(M::Identity(3, 3) + q.A); }},
      {"x + ones", [&] { return col(q.x.array() + 1.0); }},
      {"x + zeros", [&] { return col(q.x); }},
      {"pi*t", [&] { return s(M_PI * q.t); }},
      {"<x, y>", [&] { return s(q.x.dot(q.y)); }},
      {"<A, B>", [&] { return s(q.A.cwiseProduct(q.B).sum()); }},
      {"[t; u]",
       [&] {
         return col(V{{q.t, q.u}});
       }},
      {"[x; y]",
       [&] {
         V r(6);
         r << q.x, q.y;
         return col(r);
       }},
      {"C'*A*C", [&] { return M(q.C.transpose() * q.A * q.C); }},
      {"x'*S*x", [&] { return s(q.x.dot(q.S * q.x)); }},
      {"log(1 + exp(1000*t))", [&] { return s(1000 * q.t); }},
      {"sigmoid(-1000*t)", [&] { return s(0.0); }},
      {"exp(-t)*x", [&] { return col(std::exp(-q.t) * q.x); }},
      {"det(inv(A))", [&] { return s(1 / q.A.determinant()); }},
      {"grad(x'*A*x, x)", [&] { return col((q.A + q.A.transpose()) * q.x); }},
      {"grad(x'*A*x, A)", [&] { return M(q.x * q.x.transpose()); }},
      {"jacobian(A*x, x)", [&] { return q.A; }},
      {"hessian(x'*A*x, x)", [&] { return M(q.A + q.A.transpose()); }},
      {"grad(logsumexp(x), x)", [&] { return col(softmax(q.x)); }},
      {"diff(t^3*x, t)", [&] { return col(3 * q.t * q.t * q.x); }},
  };
}

class EvalAgreement : public ::testing::TestWithParam<Case> {};

TEST_P(EvalAgreement, MatchesEigen) {
  static const std::string values = values_file();
  const Case& c = GetParam();
  RunResult r = run_nabla({"eval", c.expr, "--let", kLet, "--values", values, "--format", "json"});
  ASSERT_EQ(r.status, 0) << c.expr << "\n" << r.err;
  nlohmann::json j = nlohmann::json::parse(r.out);
  M want = c.expected();
  nlohmann::json shape = j.at("shape");
  M got;
  if (shape.empty()) {
    got = s(j.at("value").get<double>());
  } else if (shape.size() == 1) {
    std::vector<double> v = j.at("value").get<std::vector<double>>();
    got = Eigen::Map<V>(v.data(), static_cast<Eigen::Index>(v.size()));
  } else {
    auto rows = j.at("value").get<std::vector<std::vector<double>>>();
    got.resize(static_cast<Eigen::Index>(rows.size()), static_cast<Eigen::Index>(rows[0].size()));
    for (size_t i = 0; i < rows.size(); ++i)
      for (size_t k = 0; k < rows[i].size(); ++k)
        got(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(k)) = rows[i][k];
  }
  ASSERT_EQ(got.rows(), want.rows()) << c.expr << "\n" << r.out;
  ASSERT_EQ(got.cols(), want.cols()) << c.expr << "\n" << r.out;
  for (Eigen::Index i = 0; i < want.size(); ++i) {
    double w = want.data()[i], g = got.data()[i];
    EXPECT_LE(std::abs(g - w), 1e-12 * std::max(1.0, std::abs(w)))
        << c.expr << " entry " << i << ": nabla " << g << ", Eigen " << w;
  }
}

INSTANTIATE_TEST_SUITE_P(Expressions, EvalAgreement, ::testing::ValuesIn(cases()),
                         [](const ::testing::TestParamInfo<Case>& info) {
                           return "e" + std::to_string(info.index);
                         });

TEST(EvalAgreementTable, HasAtLeastSixtyExpressions) {
  EXPECT_GE(cases().size(), 60u);
}

}  // namespace
}  // namespace nabla::testing
