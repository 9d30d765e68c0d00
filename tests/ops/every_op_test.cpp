// Every op through every stage: evaluate, a compiled plan, reverse mode (grad), forward mode
// (diff), the Jacobian and the Hessian sweeps, the three printers, the C++, NumPy and PyTorch
// generators, and check's sampling in the op's domain. A stage that has no rule for an op fails
// here with the op's name (an Error of kind Internal, or a value that is not finite); a new op
// does not compile until `example` below builds it (the switch has no default).
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <string>

#include "check/sampling.h"
#include "codegen/codegen.h"
#include "diff/diff.h"
#include "eval/evaluate.h"
#include "eval/plan.h"
#include "ir/build.h"
#include "ir/error.h"
#include "ir/functions.h"
#include "print/print.h"

namespace nabla {
namespace {

constexpr int kN = 3;

struct World {
  Graph g;
  Id x, t, c, A, S;  // x in R^3 (the variable), t in R, c in R^3, A and S (SPD) in R^(3x3)
  int32_t f;         // f : R^3 -> R
  Bindings b;
  World() {
    x = variable(g, g.declare_variable("x", Shape::vector(Dim::fixed(kN))));
    t = variable(g, g.declare_variable("t", Shape::scalar()));
    c = variable(g, g.declare_variable("c", Shape::vector(Dim::fixed(kN))));
    Shape sq = Shape::matrix(Dim::fixed(kN), Dim::fixed(kN));
    A = variable(g, g.declare_variable("A", sq));
    S = variable(g, g.declare_variable("S", sq));
    f = g.declare_function("f", {Shape::vector(Dim::fixed(kN))}, Shape::scalar());
    b.values[g[x].a] = (Matrix(kN, 1) << 0.3, -0.2, 0.4).finished();
    b.values[g[t].a] = Matrix::Constant(1, 1, 0.7);
    b.values[g[c].a] = (Matrix(kN, 1) << 0.5, -0.3, 0.2).finished();
    b.values[g[A].a] = (Matrix(kN, kN) << 2, 0.1, 0.3, -0.2, 1.5, 0.1, 0.4, 0.2, 1.8).finished();
    b.values[g[S].a] = (Matrix(kN, kN) << 2, 0.3, 0.1, 0.3, 1.5, 0.2, 0.1, 0.2, 1.8).finished();
    // f(u) = sum(u.^2)/2 + sum(u): value, gradient u + 1, Hessian I.
    b.functions[f] = [](int64_t deriv, const std::vector<Matrix>& args) -> Matrix {
      const Matrix& u = args[0];
      if (deriv == kCallValue) return Matrix::Constant(1, 1, 0.5 * u.squaredNorm() + u.sum());
      if (deriv == kCallDerivative) return (u.array() + 1.0).matrix();
      return Matrix::Identity(u.rows(), u.rows());
    };
  }
  Id k(int64_t v) { return integer(g, v); }
  Id I() { return identity(g, Dim::fixed(kN)); }
};

// max(a, b), min(a, b), as the parser builds them.
Id binary_node(Graph& g, Op op, Id a, Id b) {
  Node n;
  n.op = op;
  n.kids = {a, b};
  n.shape = result_shape(g, op, n.kids);
  return g.add(n);
}

// An argument in the domain of an entry-wise function, built from v.
Id in_domain(World& w, Op op, Id v) {
  Graph& g = w.g;
  switch (function_facts(op).domain) {
    case FunctionDomain::Real:
    case FunctionDomain::Nonzero:
      return v;
    case FunctionDomain::Positive:
      return unary(g, Op::Exp, v);
    case FunctionDomain::Unit:  // tanh(v)/2 in (-1/2, 1/2)
      return scale(g, constant(g, Rational{1, 2}), unary(g, Op::Tanh, v));
  }
  return v;
}

// An expression that uses `op` and depends on the vector v (the variable x, or t*c for forward
// mode). No default: a new op must get an example here.
Id example(World& w, Op op, Id v) {
  Graph& g = w.g;
  Id vv = matmul(g, v, transpose(g, v));  // v*v', 3 x 3
  switch (op) {
    case Op::Const:
      return scale(g, constant(g, Rational{3, 2}), v);
    case Op::Pi:
      return scale(g, pi(g), v);
    case Op::Var:
      return v;
    case Op::Identity:
      return matmul(g, w.I(), v);
    case Op::Ones:
      return add(g, ones(g, g[v].shape), v);
    case Op::Zeros:
      return add(g, zeros(g, g[v].shape), v);
    case Op::Commutation:
      return matmul(g, commutation(g, Dim::fixed(kN), Dim::fixed(kN)), unary(g, Op::Vec, vv));
    case Op::Add:
      return add(g, v, hadamard(g, v, v));
    case Op::Scale:
      return scale(g, unary(g, Op::Sum, v), v);
    case Op::MatMul:
      return matmul(g, w.A, v);
    case Op::Hadamard:
      return hadamard(g, v, unary(g, Op::Sin, v));
    case Op::Transpose:
      return transpose(g, v);
    case Op::Power:
      return power(g, unary(g, Op::Exp, v), unary(g, Op::Sum, v));
#include "ir/function_cases.inc"
      return unary(g, op, in_domain(w, op, v));
    case Op::Relu:
      return unary(g, Op::Relu, v);
    case Op::Max:
      return binary_node(g, Op::Max, v, constant(g, Rational{1, 10}));
    case Op::Min:
      return binary_node(g, Op::Min, v, hadamard(g, v, v));
    case Op::Sum:
    case Op::Prod:
    case Op::ProdOthers:
    case Op::Norm2:
    case Op::NormInf:
    case Op::Softmax:
    case Op::LogSumExp:
      return unary(g, op, v);
    case Op::Trace:
      return unary(g, Op::Trace, matmul(g, w.A, vv));
    case Op::Det:
    case Op::Inv:
      return unary(g, op, add(g, w.A, vv));
    case Op::LogDet:
      return unary(g, op, add(g, w.S, vv));
    case Op::Diag:
      return unary(g, Op::Diag, v);
    case Op::DiagPart:
      return unary(g, Op::DiagPart, add(g, w.A, vv));
    case Op::Vec:
      return unary(g, Op::Vec, vv);
    case Op::Kron:
      return kron(g, w.A, v);
    case Op::Stack:
      return stack(g, {v, hadamard(g, v, v)});
    case Op::Call:
      return call(g, w.f, kCallValue, {v});
    case Op::Grad:
      return grad_query(g, unary(g, Op::Sum, hadamard(g, v, w.x)), {w.x});
    case Op::Jacobian:
    case Op::Hessian:
      return query(g, op, unary(g, Op::LogSumExp, hadamard(g, v, w.x)), w.x);
    case Op::Derivative:
      return query(g, op, hadamard(g, v, w.c), w.t);
    case Op::Simplify:
      return simplify_query(g, add(g, v, v));
  }
  throw Error(ErrorKind::Internal, "no example");
}

// Stages that decline an op by design (Error of kind Unsupported, with a message for the user).
bool declines(Op op, const std::string& stage) {
  if (op == Op::Kron) return stage == "grad" || stage == "jacobian" || stage == "hessian";
  if (op == Op::Call) return stage == "C++" || stage == "NumPy" || stage == "PyTorch";
  // Second derivatives of prod (the derivative of prod_others) are not written yet.
  if (op == Op::Prod) return stage == "hessian";
  if (op == Op::ProdOthers)
    return stage != "evaluate" && stage != "plan" && stage != "print" && stage != "C++" &&
           stage != "NumPy" && stage != "PyTorch" && stage != "sampling";
  return false;
}

bool uses(const Graph& g, Id root, Op op) {
  for (Id id : reachable(g, root))
    if (g[id].op == op) return true;
  return false;
}

void expect_finite(const Matrix& m, const std::string& what) {
  for (Eigen::Index i = 0; i < m.size(); ++i)
    ASSERT_TRUE(std::isfinite(m.data()[i])) << what << ": entry " << i << " is " << m.data()[i];
}

class EveryOp : public ::testing::TestWithParam<int> {};

TEST_P(EveryOp, ThroughEveryStage) {
  const Op op = static_cast<Op>(GetParam());
  const std::string name(op_name(op));
  World w;
  Graph& g = w.g;
  const Id raw = example(w, op, w.x);
  ASSERT_TRUE(uses(g, raw, op)) << name << ": the example does not use the op";
  const Id e = expand_queries(g, raw);
  const Id e_t = expand_queries(g, example(w, op, scale(g, w.t, w.c)));
  const Id s = g[e].shape.is_scalar() ? e : unary(g, Op::Sum, e);

  // Runs one stage; an Internal error (no rule) or an unexpected decline fails the test.
  auto stage = [&](const std::string& what, const std::function<void()>& run) {
    SCOPED_TRACE(name + " / " + what);
    try {
      run();
    } catch (const Error& err) {
      if (err.kind() == ErrorKind::Unsupported && declines(op, what)) return;
      ADD_FAILURE() << name << ": stage " << what << " failed: " << err.what();
    }
  };
  Matrix value;
  stage("evaluate", [&] {
    value = evaluate(g, e, w.b);
    expect_finite(value, "evaluate");
  });
  stage("plan", [&] {
    Plan plan(g, {e});
    const Matrix& p = plan.run(w.b)[0];
    ASSERT_EQ(p.rows(), value.rows());
    ASSERT_EQ(p.cols(), value.cols());
    EXPECT_LE((p - value).cwiseAbs().maxCoeff(), 1e-9 * (1 + value.cwiseAbs().maxCoeff()));
  });
  stage("grad", [&] { expect_finite(evaluate(g, grad(g, s, w.x), w.b), "grad"); });
  stage("diff", [&] { expect_finite(evaluate(g, derivative(g, e_t, w.t), w.b), "diff"); });
  stage("jacobian", [&] { expect_finite(evaluate(g, jacobian(g, e, w.x), w.b), "jacobian"); });
  stage("hessian", [&] { expect_finite(evaluate(g, hessian(g, s, w.x), w.b), "hessian"); });
  for (Format f : {Format::Text, Format::Unicode, Format::Latex})
    stage("print", [&] { EXPECT_FALSE(print(g, raw, f).empty()); });
  CodeFunction fn{"f_" + name, {{"value", e}}, ""};
  stage("C++", [&] { EXPECT_NE(emit_cpp(g, fn).find("f_" + name), std::string::npos); });
  stage("NumPy", [&] { EXPECT_NE(emit_numpy(g, fn).find("def "), std::string::npos); });
  stage("PyTorch", [&] { EXPECT_NE(emit_torch(g, fn).find("def "), std::string::npos); });
  // check's draws: an entry-wise function applied to the variable itself must be defined at
  // every draw of its domain (arcsin inside (-1, 1), log above 0, ...).
  stage("sampling", [&] {
    Id probe = is_elementwise_function(op) ? unary(g, op, w.x) : e;
    SampleSpace space = analyze(g, {probe});
    Rng rng(7);
    for (int draw = 0; draw < 20; ++draw) {
      Bindings b = w.b;
      for (int64_t v : space.variables) b.values[v] = draw_value(g, v, space.needs[v], b, rng);
      expect_finite(evaluate(g, probe, b), "a value drawn by check");
    }
  });
}

INSTANTIATE_TEST_SUITE_P(Ops, EveryOp, ::testing::Range(0, kOpCount),
                         [](const ::testing::TestParamInfo<int>& p) {
                           return std::string(op_name(static_cast<Op>(p.param)));
                         });

}  // namespace
}  // namespace nabla
