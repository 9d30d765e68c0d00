// The compile passes of a plan (eval/plan_compile.cpp) one by one, on small expressions whose
// right outcome is known: what each pass decides, not only that the plan agrees with
// evaluate() (plan_test.cpp).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "eval/plan.h"
#include "eval/plan_impl.h"
#include "ir/build.h"
#include "parse/frontend.h"

namespace nabla {
namespace {

using plan_detail::Kind;

class PlanPasses : public ::testing::Test {
 protected:
  void SetUp() override {
    fe_.run_script("x, y, z, d in R^n; w in R^k; X in R^(n x k); A, B in R^(n x n)");
  }
  Id parse(const std::string& text) { return fe_.parse_expression(text); }
  // A plan of the outputs with its passes up to (and with) classify and find_shortcuts.
  Plan::Impl& start(std::vector<Id> outputs) {
    impl_.g = &g_;
    impl_.outputs = std::move(outputs);
    impl_.classify();
    impl_.find_shortcuts();
    return impl_;
  }
  Kind kind(Id id) const { return impl_.kind[impl_.at(id)]; }
  bool reached(Id id) const {
    return std::binary_search(impl_.order.begin(), impl_.order.end(), id);
  }

  Graph store_;
  Frontend fe_{store_};
  Graph& g_ = fe_.graph();
  Plan::Impl impl_;
};

TEST_F(PlanPasses, ClassifyReadsStableFormsThroughTheirArgument) {
  Id xw = parse("X*w"), one_plus = parse("1 + exp(X*w)"), e = parse("sum(log(1 + exp(X*w)))");
  start({e});
  EXPECT_EQ(kind(e), Kind::Reduction);
  EXPECT_EQ(kind(xw), Kind::MatMul);
  EXPECT_EQ(kind(parse("log(1 + exp(X*w))")), Kind::Fused);
  // softplus(X*w) reads X*w: 1 + exp(X*w) is not computed at all.
  EXPECT_FALSE(reached(one_plus));
  EXPECT_TRUE(reached(xw));
  // log(softmax(z)) = log_softmax(z): evaluate()'s rule on z, softmax(z) never formed.
  Id ls = parse("log(softmax(z))");
  start({ls});
  EXPECT_EQ(kind(ls), Kind::Fallback);
  EXPECT_EQ(impl_.kids_of(ls), std::vector<Id>{parse("z")});
  EXPECT_FALSE(reached(parse("softmax(z)")));
}

TEST_F(PlanPasses, ShortcutsAvoidFormingProductsDiagonalsAndTransposes) {
  Id t = parse("tr(A*B)"), ab = parse("A*B");
  start({t});
  EXPECT_EQ(kind(t), Kind::TraceProduct);
  EXPECT_EQ(kind(ab), Kind::Absorbed);
  Id gram = parse("X'*diag(d)*X");
  start({gram});
  EXPECT_EQ(kind(parse("diag(d)")), Kind::VirtualDiag);
  EXPECT_TRUE(impl_.gram[impl_.at(gram)]);
  Id lhs = parse("A'*x");
  start({lhs});
  EXPECT_TRUE(impl_.product_only[impl_.at(parse("A'"))]);
  // ones read only by an entry-wise loop is the number 1.
  Id sum = parse("x + ones(n)");
  start({sum});
  EXPECT_EQ(kind(parse("ones(n)")), Kind::Scalar);
}

TEST_F(PlanPasses, EntrywiseNodesOfNumbersAreFoldedIntoNumbers) {
  // 2^-1 as the simplifier leaves it (the parser would fold it to the constant 1/2).
  Id half = power(g_, integer(g_, 2), integer(g_, -1));
  ASSERT_EQ(g_[half].op, Op::Power);
  Id e = unary(g_, Op::Sum, scale(g_, half, unary(g_, Op::Exp, parse("x"))));
  Id grad = scale(g_, half, parse("x"));
  start({e});
  EXPECT_EQ(kind(half), Kind::Fused);
  impl_.fold_constants();
  EXPECT_EQ(kind(half), Kind::Scalar);
  EXPECT_EQ(impl_.scalars[impl_.at(half)], 0.5);
  // The whole plan: one loop (no one-entry loop for 2^-1 cutting the loops apart).
  Plan plan(g_, {e, grad});
  EXPECT_EQ(plan.instruction_count(), 1u) << plan.describe();
}

TEST_F(PlanPasses, SubtractionsAreOneOperationAndTheirNegationsShareThem) {
  Id xy = parse("x - y"), yx = parse("y - x"), e = parse("sum(x - y)");
  start({e, yx});
  // x - y is x + (-1)*y: one subtraction, (-1)*y never formed.
  EXPECT_EQ(impl_.eff[impl_.at(xy)].op, plan_detail::KOp::Sub);
  EXPECT_EQ(impl_.kids_of(xy), (std::vector<Id>{parse("x"), parse("y")}));
  EXPECT_FALSE(reached(parse("-y")));
  // y - x is -1 times x - y: (-1)*x is not computed at all.
  EXPECT_EQ(impl_.eff[impl_.at(yx)].op, plan_detail::KOp::Mul);
  EXPECT_EQ(impl_.kids_of(yx), (std::vector<Id>{parse("-1"), xy}));
  EXPECT_FALSE(reached(parse("-x")));
  // The same bits as the subtraction itself.
  Bindings b;
  b.dims[g_.dims.intern("n").symbol_index()] = 1000;
  Matrix x = Matrix::Random(1000, 1), y = Matrix::Random(1000, 1);
  b.values[g_[parse("x")].a] = x;
  b.values[g_[parse("y")].a] = y;
  Plan plan(g_, {e, yx});
  const std::vector<Matrix>& r = plan.run(b);
  const Matrix want = y - x;
  EXPECT_EQ(0, std::memcmp(r[1].data(), want.data(), sizeof(double) * 1000));
}

TEST_F(PlanPasses, ClusteringPutsAnEntrywiseChainInOneKernel) {
  Id e = parse("sum(exp(x) + sin(x) .* y)");
  start({e});
  impl_.find_sweeps();
  impl_.find_row_loop();
  impl_.cluster_fused();
  impl_.build_kernels();
  ASSERT_EQ(impl_.kernels.size(), 1u);
  const plan_detail::Kernel& k = impl_.kernels[0];
  EXPECT_EQ(k.root, e);
  EXPECT_EQ(k.members.size(), 4u);  // exp, sin, .*, +
  ASSERT_EQ(k.outs.size(), 1u);
  EXPECT_EQ(k.outs[0].mode, plan_detail::KOut::Sum);
  EXPECT_EQ(k.inputs.size(), 2u);  // x and y
}

TEST_F(PlanPasses, MergingJoinsLoopsOverTheSameEntries) {
  Id a = parse("exp(x) + y"), b = parse("sin(x) .* z");
  start({a, b});
  impl_.find_sweeps();
  impl_.find_row_loop();
  impl_.cluster_fused();
  impl_.build_kernels();
  impl_.schedule();
  EXPECT_EQ(impl_.instrs.size(), 2u);  // one loop per output
  impl_.merge_kernels();
  ASSERT_EQ(impl_.instrs.size(), 1u);  // one pass over x computes both
  const plan_detail::Kernel& k = impl_.kernels[static_cast<size_t>(impl_.instrs[0].kernel)];
  EXPECT_EQ(k.outs.size(), 2u);
}

TEST_F(PlanPasses, LivenessReusesBuffers) {
  // Four products in a chain: each intermediate dies at the next product.
  Id e = parse("A*(A*(A*(A*x)))");
  start({e});
  impl_.find_sweeps();
  impl_.find_row_loop();
  impl_.cluster_fused();
  impl_.build_kernels();
  impl_.schedule();
  impl_.merge_kernels();
  impl_.assign_buffers();
  EXPECT_EQ(impl_.instrs.size(), 4u);
  EXPECT_EQ(impl_.nslots, 2);  // A*x and A*(A*x) alternate, the last is the output
  EXPECT_EQ(impl_.slot[impl_.at(e)], -1);
}

// A script's graph holds every earlier query: a plan for a small root keeps its per-node state
// by position in the root's DAG, so its size (and the passes' cost) follows the DAG.
TEST_F(PlanPasses, PerNodeStateFollowsTheReachableDagNotTheGraph) {
  for (int i = 0; i < 1500; ++i) parse("exp(x) + " + std::to_string(i + 2) + "*y");  // below
  const Id e = parse("sum(z .* d)");
  for (int i = 0; i < 1500; ++i) parse("log(y) + " + std::to_string(i + 2) + "*x");  // above
  ASSERT_GT(g_.size(), 6000u);
  impl_.g = &g_;
  impl_.outputs = {e};
  impl_.compile();
  const size_t dag = dag_size(g_, e);
  EXPECT_EQ(impl_.order.size(), dag);
  for (size_t size : {impl_.kind.size(), impl_.eff.size(), impl_.scalars.size(),
                      impl_.output_of.size(), impl_.readers.size(), impl_.gram.size(),
                      impl_.product_only.size(), impl_.depends_on_loop.size(), impl_.cluster.size(),
                      impl_.kernel_of.size(), impl_.written_by_loop.size(), impl_.slot.size(),
                      impl_.views.size(), impl_.fallback_values.size()})
    EXPECT_EQ(size, dag);
  EXPECT_LE(impl_.position.capacity(), 4 * dag + 16);
  EXPECT_EQ(impl_.at(e), dag - 1);
  EXPECT_THROW(impl_.at(parse("log(y) + 7*x")), Error);  // outside the DAG
}

}  // namespace
}  // namespace nabla
