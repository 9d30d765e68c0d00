// Plans on several threads: the same results as on one (within 1e-12 relative, bit for bit
// where the work is split in fixed chunks), and bit for bit the same from run to run. Sizes are
// large enough that fused loops, the row loop and products really split.
#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "eval/evaluate.h"
#include "eval/plan.h"
#include "eval/threads.h"
#include "parse/frontend.h"

namespace nabla {
namespace {

struct Problem {
  std::string decls;
  std::vector<std::string> outputs;  // the value, then its derivatives (as nabla derives them)
};

// The BENCH.md shapes, smaller: logreg, lsq, mlp (row loops), sheet4a (fused loops), mf
// (products), hess-logreg (X' diag(d) X).
const std::vector<Problem> kProblems = {
    {"X in R^(n x d); w in R^d; y in R^n",
     {"sum(log(1 + exp(-y .* (X*w))))", "-X'*(y .* sigmoid(-y .* (X*w)))"}},
    {"X in R^(n x d); w in R^d; y in R^n", {"1/2*norm2(X*w - y)^2", "X'*(X*w - y)"}},
    {"X in R^(n x d); W in R^(d x h); v in R^h; y in R^n",
     {"sum(softplus(-y .* (tanh(X*W)*v)))",
      "-X'*(y .* sigmoid(-y .* (tanh(X*W)*v))*v' .* (ones - tanh(X*W).^2))",
      "-tanh(X*W)'*(y .* sigmoid(-y .* (tanh(X*W)*v)))"}},
    {"x, y, z in R^m",
     {"sum(1/2*x.^2 + y.*z - log(1 + exp(x.^2 .* y.^3 .* z)))",
      "x - 2*x .* y.^3 .* z .* sigmoid(x.^2 .* y.^3 .* z)", "norm2(x .* y - z)"}},
    {"X in R^(n x e); U in R^(n x k); V in R^(e x k)",
     {"norm2(X - U*V')^2", "-2*(X - U*V')*V", "-2*(X - U*V')'*U"}},
    {"X in R^(n x d); w in R^d",
     {"sum(log(1 + exp(X*w)))", "X'*diag(sigmoid(X*w) .* sigmoid(-X*w))*X"}},
    // quad: the column sweep for (A + A')*x and x'*A, matrix-vector products split by rows
    // and by columns; an outer product.
    {"A in R^(q x q); x in R^q", {"x'*A*x", "(A + A')*x", "A*x", "x'*A", "A'*x", "(A*x)*x'"}},
};

struct Compiled {
  Graph store;
  Frontend fe{store};
  Graph& g = fe.graph();
  Bindings b;
  std::unique_ptr<Plan> plan;
};

std::unique_ptr<Compiled> compile(const Problem& p) {
  auto c = std::make_unique<Compiled>();
  c->fe.run_script(p.decls);
  std::vector<Id> outs;
  for (const std::string& e : p.outputs) outs.push_back(c->fe.parse_expression(e));
  c->plan = std::make_unique<Plan>(c->g, outs);
  const std::pair<const char*, int> dims[] = {{"n", 20000}, {"d", 40}, {"h", 16}, {"m", 300000},
                                              {"e", 300},   {"k", 32}, {"q", 600}};
  for (auto [name, size] : dims) c->b.dims[c->g.dims.intern(name).symbol_index()] = size;
  std::mt19937 rng(11);
  std::uniform_real_distribution<double> u(-1, 1);
  for (size_t i = 0; i < c->g.symbol_count(); ++i) {
    const Symbol& s = c->g.symbol(static_cast<int64_t>(i));
    if (s.kind != SymbolKind::Variable) continue;
    auto [r, k] = shape_size(c->g, s.shape, c->b);
    Matrix m(r, k);
    for (Eigen::Index j = 0; j < m.size(); ++j) m.data()[j] = (s.name == "W" ? 0.1 : 1.0) * u(rng);
    c->b.values[static_cast<int64_t>(i)] = m;
  }
  return c;
}

std::vector<Matrix> run_on(Compiled& c, int threads) {
  set_plan_threads(threads);
  return c.plan->run(c.b);
}

TEST(Threads, SameResultsOnOneAndSeveralThreadsAndFromRunToRun) {
  for (const Problem& p : kProblems) {
    SCOPED_TRACE(p.outputs[0]);
    auto c = compile(p);
    const std::vector<Matrix> one = run_on(*c, 1);
    const std::vector<Matrix> four = run_on(*c, 4);
    for (int again = 0; again < 3; ++again) {
      const std::vector<Matrix> two = run_on(*c, 2), four_again = run_on(*c, 4);
      ASSERT_EQ(four_again.size(), four.size());
      for (size_t i = 0; i < four.size(); ++i) {
        // Bit for bit from run to run at a given thread count.
        EXPECT_EQ(0, std::memcmp(four_again[i].data(), four[i].data(),
                                 sizeof(double) * static_cast<size_t>(four[i].size())))
            << "output " << i;
        EXPECT_EQ(two[i].rows(), one[i].rows());
        // Within 1e-12 of one thread.
        const double scale = std::max(1e-300, one[i].cwiseAbs().maxCoeff());
        EXPECT_LE((two[i] - one[i]).cwiseAbs().maxCoeff() / scale, 1e-12) << "output " << i;
        EXPECT_LE((four[i] - one[i]).cwiseAbs().maxCoeff() / scale, 1e-12) << "output " << i;
      }
    }
  }
  set_plan_threads(0);
}

TEST(Threads, FusedLoopsAndRowPassesAreBitwiseTheSameOnAnyThreadCount) {
  // No product through Eigen's threaded GEMM: chunks fixed by the sizes alone (fused loops, row
  // passes, X' diag(d) X by chunks of rows, matrix-vector products, the column sweep).
  for (size_t k : {0u, 1u, 3u, 5u, 6u}) {
    SCOPED_TRACE(kProblems[k].outputs[0]);
    auto c = compile(kProblems[k]);
    const std::vector<Matrix> one = run_on(*c, 1), three = run_on(*c, 3);
    for (size_t i = 0; i < one.size(); ++i)
      EXPECT_EQ(0, std::memcmp(one[i].data(), three[i].data(),
                               sizeof(double) * static_cast<size_t>(one[i].size())))
          << "output " << i;
  }
  set_plan_threads(0);
}

TEST(Threads, SplitWorkAgreesWithTheTreeEvaluator) {
  // evaluate() computes each node whole on one thread: the plan's chunked loops, streamed
  // outputs, split products and per-chunk partial sums give the same values.
  for (const Problem& p : kProblems) {
    SCOPED_TRACE(p.outputs[0]);
    auto c = compile(p);
    const std::vector<Matrix> two = run_on(*c, 2);
    for (size_t i = 0; i < p.outputs.size(); ++i) {
      // evaluate() forms diag(v) (n x n): its reference scales the rows instead.
      std::string e = p.outputs[i];
      if (e == "X'*diag(sigmoid(X*w) .* sigmoid(-X*w))*X")
        e = "X'*((sigmoid(X*w) .* sigmoid(-X*w))*ones(d)' .* X)";
      const Matrix want = evaluate(c->g, c->fe.parse_expression(e), c->b);
      ASSERT_EQ(want.rows(), two[i].rows()) << "output " << i;
      ASSERT_EQ(want.cols(), two[i].cols()) << "output " << i;
      const double scale = std::max(1e-300, want.cwiseAbs().maxCoeff());
      EXPECT_LE((two[i] - want).cwiseAbs().maxCoeff() / scale, 1e-12) << "output " << i;
    }
  }
  set_plan_threads(0);
}

TEST(Threads, TheCountIsReadAndSet) {
  set_plan_threads(3);
  EXPECT_EQ(plan_threads(), 3);
  set_plan_threads(0);
  EXPECT_GE(plan_threads(), 1);
}

}  // namespace
}  // namespace nabla
