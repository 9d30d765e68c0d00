// Every rule table covers every op of ops.def (queries excepted: they are expanded first), and
// derivatives of long chains stay small and fast (no expression swell, no recursion).
#include <chrono>
#include <functional>

#include "diff/rules.h"
#include "diff_test_util.h"

namespace nabla {
namespace {

TEST(RuleTables, CoverEveryNonQueryOp) {
  for (int i = 0; i < kOpCount; ++i) {
    Op op = static_cast<Op>(i);
    if (is_query_op(op)) {
      EXPECT_FALSE(has_jvp_rule(op)) << op_name(op);
      try {
        jvp_rule(op);
        ADD_FAILURE() << "query op has a rule: " << op_name(op);
      } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::Internal);
      }
      EXPECT_THROW(transpose_rule(op), Error);
      EXPECT_THROW(jacobian_rule(op), Error);
      continue;
    }
    EXPECT_TRUE(has_jvp_rule(op)) << "the differential misses " << op_name(op);
  }
}

// Only the linear ops have a transpose rule and a vectorize rule (ops.def's linearity column:
// Linear, or Bilinear with one tangent side), and leaves (coefficients of a linear expression) pass
// nothing.
TEST(RuleTables, TransposeRulesExactlyForTheLinearOps) {
  for (Op op : kAllOps) {
    const OpLinearity l = op_record(op).linearity;
    const bool linear =
        l == OpLinearity::Linear || l == OpLinearity::Bilinear || l == OpLinearity::Constant;
    EXPECT_EQ(has_transpose_rule(op), linear && !is_query_op(op)) << op_name(op);
    EXPECT_EQ(has_jacobian_rule(op), linear && !is_query_op(op)) << op_name(op);
    if (!linear) {
      EXPECT_THROW(transpose_rule(op), Error) << op_name(op);
      EXPECT_THROW(jacobian_rule(op), Error) << op_name(op);
    }
  }
}

// The transpose and vectorize sweeps see only linear expressions: a bilinear op of two tangents
// (dX'*dX) or a nonlinear op of the tangent (exp(dX)) is an Internal error, never a result.
TEST(RuleTables, LinearSweepsRefuseWhatIsNotLinearInTheTangent) {
  Graph g;
  Id x = variable(g, g.declare_variable("x", Shape::vector(Dim::fixed(3))));
  Id dx = placeholder_tangent(g, g[x].a);
  EXPECT_EQ(placeholder_tangent(g, g[x].a), dx);  // one placeholder per variable
  EXPECT_TRUE(g[dx].shape == g[x].shape);
  Id quadratic = matmul(g, transpose(g, dx), dx);
  TransposeContext t(g, quadratic, g[dx].a, nullptr);
  t.cot.assign(t.order.size(), std::nullopt);
  JacobianContext v(g, quadratic, g[dx].a, nullptr);
  v.tan.assign(v.order.size(), std::nullopt);
  for (auto attempt :
       {std::function<void()>([&] { transpose_rule(Op::MatMul)(t, quadratic, integer(g, 1)); }),
        std::function<void()>([&] { jacobian_rule(Op::MatMul)(v, quadratic); }),
        std::function<void()>([&] { transpose_rule(Op::Exp); })}) {
    try {
      attempt();
      ADD_FAILURE() << "a nonlinear use of the tangent was accepted";
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::Internal) << e.what();
    }
  }
  // and grad's result never holds the placeholder
  Id e = unary(g, Op::Sum, unary(g, Op::Exp, x));
  EXPECT_FALSE(depends_on(g, grad(g, e, x), g[dx].a));
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// u_{k+1} = sin(u_k) .* u_k + exp(u_k), `steps` times.
Id chain(Graph& g, Id u, int steps) {
  for (int k = 0; k < steps; ++k) {
    Id s = unary(g, Op::Sin, u);
    Id prod = g[u].shape.is_scalar() ? product(g, s, u) : hadamard(g, s, u);
    u = add(g, prod, unary(g, Op::Exp, u));
  }
  return u;
}

TEST(Swell, TenThousandStepChainScalar) {
  Graph g;
  Id t = variable(g, g.declare_variable("t", Shape::scalar()));
  Id e = chain(g, t, 10000);
  size_t fsize = dag_size(g, e);
  auto t0 = std::chrono::steady_clock::now();
  Id d = grad(g, e, t);
  double secs = seconds_since(t0);
  EXPECT_LE(dag_size(g, d), 5 * fsize);
  EXPECT_LT(secs, 3.0);  // well under a second in Release; generous for sanitizers
  Id fwd = derivative(g, e, t);
  EXPECT_LE(dag_size(g, fwd), 5 * fsize);
  // a short chain is also numerically right
  Id e3 = chain(g, t, 3);
  Bindings b;
  b.values[g[t].a] = Matrix::Constant(1, 1, 0.3);
  Matrix gv = evaluate(g, grad(g, e3, t), b);
  Matrix fd = difftest::fd_grad(g, e3, g[t].a, b);
  EXPECT_LT(difftest::rel_err(gv, fd), 1e-6);
  EXPECT_LT(difftest::rel_err(evaluate(g, derivative(g, e3, t), b), fd), 1e-6);
}

TEST(Swell, TenThousandStepChainVector) {
  Graph g;
  Id x = variable(g, g.declare_variable("x", Shape::vector(g.dims.intern("n"))));
  Id e = unary(g, Op::Sum, chain(g, x, 10000));
  size_t fsize = dag_size(g, e);
  auto t0 = std::chrono::steady_clock::now();
  Id d = grad(g, e, x);
  EXPECT_LT(seconds_since(t0), 3.0);
  EXPECT_LE(dag_size(g, d), 5 * fsize);
  Id J = jacobian(g, chain(g, x, 10000), x);
  EXPECT_LE(dag_size(g, J), 5 * fsize);
}

TEST(Swell, HundredThousandDeepInputNoStackOverflow) {
  Graph g;
  Id t = variable(g, g.declare_variable("t", Shape::scalar()));
  Id u = t;
  for (int k = 0; k < 100000; ++k) u = unary(g, (k % 2) ? Op::Sin : Op::Tanh, u);
  Id d = grad(g, u, t);
  EXPECT_GT(dag_size(g, d), 100000u);
  Id f = derivative(g, u, t);
  EXPECT_GT(dag_size(g, f), 100000u);
  Id root = add(g, grad_query(g, u, {t}), t);
  (void)root;  // expansion simplifies; depth handling there belongs to the simplifier
}

}  // namespace
}  // namespace nabla
