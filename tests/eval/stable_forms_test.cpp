// The overflow-prone spellings at ±1000 (log(1 + exp(u)), cross-entropy -y'*log(softmax(z)),
// logsumexp) through both evaluators: evaluate() and a compiled plan give the exact finite
// value. The kernels of eval/kernels.h on their own: the limits at ±inf and NaN.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "eval/evaluate.h"
#include "eval/kernels.h"
#include "eval/plan.h"
#include "parse/frontend.h"

namespace nabla {
namespace {

struct Case {
  const char* text;
  std::vector<double> want;  // column-major entries
};

class StableForms : public ::testing::Test {
 protected:
  void SetUp() override {
    fe_.run_script("u in R; z, y in R^2; Z in R^(2 x 2)");
    bind("u", Matrix::Constant(1, 1, 1000));
    bind("z", Matrix(Eigen::Vector2d(1000, -1000)));
    bind("y", Matrix(Eigen::Vector2d(0, 1)));
    Matrix zz(2, 2);
    zz << 1000, -1000, -1000, 1000;
    bind("Z", zz);
  }
  void bind(const char* name, Matrix value) {
    b_.values[g_[fe_.parse_expression(name)].a] = std::move(value);
  }
  // evaluate() and a plan of text both give want, exactly up to one rounding.
  void expect(const Case& c) {
    Id e = fe_.parse_expression(c.text);
    Matrix by_eval = evaluate(g_, e, b_);
    Plan plan(g_, {e});
    Matrix by_plan = plan.run(b_)[0];
    ASSERT_EQ(by_eval.size(), static_cast<Eigen::Index>(c.want.size())) << c.text;
    ASSERT_EQ(by_plan.size(), by_eval.size()) << c.text;
    for (size_t i = 0; i < c.want.size(); ++i) {
      const double tol = 1e-15 * std::max(1.0, std::fabs(c.want[i]));
      EXPECT_NEAR(by_eval.data()[i], c.want[i], tol) << c.text << " evaluate() entry " << i;
      EXPECT_NEAR(by_plan.data()[i], c.want[i], tol) << c.text << " plan entry " << i;
    }
  }
  Graph store_;
  Frontend fe_{store_};
  Graph& g_ = fe_.graph();
  Bindings b_;
};

TEST_F(StableForms, LogOnePlusExpAtPlusAndMinus1000) {
  expect({"log(1 + exp(u))", {1000}});
  expect({"log(1 + exp(-u))", {0}});
  expect({"log(1 + exp(z))", {1000, 0}});
  expect({"log((1 + exp(z)).^-1)", {-1000, 0}});
  expect({"log(1/(1 + exp(u)))", {-1000}});
  expect({"log(sigmoid(z))", {0, -1000}});
}

TEST_F(StableForms, CrossEntropyAtLogitsPlusAndMinus1000) {
  // -y'*log(softmax(z)) with y the second class: -(z_2 - logsumexp(z)) = 2000.
  expect({"-y'*log(softmax(z))", {2000}});
  expect({"log(softmax(z))", {0, -2000}});
  expect({"log(softmax(-z))", {-2000, 0}});
  expect({"sum(log(softmax(z)) .* y)", {-2000}});
}

TEST_F(StableForms, LogSumExpAtPlusAndMinus1000) {
  expect({"logsumexp(z)", {1000}});
  expect({"logsumexp(-z)", {1000}});
  expect({"logsumexp(z - 2000*ones(2))", {-1000}});
  expect({"logsumexp([u; u])", {1000 + std::log(2.0)}});
  expect({"logsumexp([-u; -u])", {-1000 + std::log(2.0)}});
}

TEST(Kernels, LogSoftmaxLimits) {
  const double inf = std::numeric_limits<double>::infinity();
  Matrix x(3, 1);
  x << inf, 0, inf;  // the +inf entries share the mass
  Matrix l = kernels::log_softmax(x);
  EXPECT_DOUBLE_EQ(l(0), -std::log(2.0));
  EXPECT_EQ(l(1), -inf);
  EXPECT_DOUBLE_EQ(l(2), -std::log(2.0));
  x << -inf, -inf, -inf;  // softmax is NaN: so is its log
  EXPECT_TRUE(kernels::log_softmax(x).array().isNaN().all());
  x << 1, std::nan(""), 2;
  EXPECT_TRUE(kernels::log_softmax(x).array().isNaN().all());
  // Agrees with log(softmax(x)) where softmax does not underflow.
  x << 0.5, -1, 2;
  EXPECT_LT((kernels::log_softmax(x) - Matrix(kernels::softmax(x).array().log())).norm(), 1e-15);
}

TEST(Kernels, SigmoidAndSoftplusFromOneExponential) {
  for (double u : {-1000.0, -30.0, -1.0, 0.0, 0.5, 30.0, 1000.0}) {
    const double e = std::exp(-std::fabs(u));
    EXPECT_EQ(kernels::sigmoid_given(u, e), kernels::sigmoid(u)) << u;
    EXPECT_EQ(kernels::sigmoid_neg_given(u, e), kernels::sigmoid(-u)) << u;
    EXPECT_EQ(kernels::softplus_given(u, std::log1p(e)), kernels::softplus(u)) << u;
    EXPECT_TRUE(std::isfinite(kernels::softplus(u)) && std::isfinite(kernels::log_sigmoid(u)));
  }
  EXPECT_EQ(kernels::softplus(1000), 1000);
  EXPECT_EQ(kernels::log_sigmoid(-1000), -1000);
}

}  // namespace
}  // namespace nabla
