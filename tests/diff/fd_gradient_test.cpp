// Hand-written expressions over every op and shape: each symbolic gradient against central
// finite differences (h = 1e-5) at random points; tolerance 1e-5 relative to 1 + max|FD|.
#include <functional>

#include "diff_test_util.h"

namespace nabla {
namespace {

using namespace difftest;

struct Cast {
  Id a, b, p, x, y, q, z, A, B, C, P, r;
  Functions fn;
};

struct Case {
  const char* name;
  std::function<Id(Graph&, const Cast&)> build;
};

Id U(Graph& g, Op op, Id x) {
  return unary(g, op, x);
}
Id I(Graph& g, int64_t k) {
  return integer(g, k);
}
Id half(Graph& g) {
  return constant(g, Rational{1, 2});
}

std::vector<Case> cases() {
  return {
      {"a*b", [](Graph& g, const Cast& c) { return product(g, c.a, c.b); }},
      {"a + b*a", [](Graph& g, const Cast& c) { return add(g, c.a, product(g, c.b, c.a)); }},
      {"<x, y>", [](Graph& g, const Cast& c) { return inner(g, c.x, c.y); }},
      {"x'*A*x",
       [](Graph& g, const Cast& c) { return matmul(g, matmul(g, transpose(g, c.x), c.A), c.x); }},
      {"x'*A*y",
       [](Graph& g, const Cast& c) { return matmul(g, matmul(g, transpose(g, c.x), c.A), c.y); }},
      {"y'*C*z",
       [](Graph& g, const Cast& c) { return matmul(g, transpose(g, c.y), matmul(g, c.C, c.z)); }},
      {"sum(A*B)", [](Graph& g, const Cast& c) { return U(g, Op::Sum, matmul(g, c.A, c.B)); }},
      {"sum(A .* B)", [](Graph& g, const Cast& c) { return U(g, Op::Sum, hadamard(g, c.A, c.B)); }},
      {"tr(A*B)", [](Graph& g, const Cast& c) { return U(g, Op::Trace, matmul(g, c.A, c.B)); }},
      {"tr(A'*B*A)",
       [](Graph& g, const Cast& c) {
         return U(g, Op::Trace, matmul(g, transpose(g, c.A), matmul(g, c.B, c.A)));
       }},
      {"tr(C*C')",
       [](Graph& g, const Cast& c) { return U(g, Op::Trace, matmul(g, c.C, transpose(g, c.C))); }},
      {"det(P)", [](Graph& g, const Cast& c) { return U(g, Op::Det, c.P); }},
      {"logdet(P)", [](Graph& g, const Cast& c) { return U(g, Op::LogDet, c.P); }},
      {"x'*inv(P)*y",
       [](Graph& g, const Cast& c) {
         return matmul(g, transpose(g, c.x), matmul(g, U(g, Op::Inv, c.P), c.y));
       }},
      {"tr(A*inv(P)*B)",
       [](Graph& g, const Cast& c) {
         return U(g, Op::Trace, matmul(g, c.A, matmul(g, U(g, Op::Inv, c.P), c.B)));
       }},
      {"det(P)*a", [](Graph& g, const Cast& c) { return product(g, U(g, Op::Det, c.P), c.a); }},
      {"logdet(P + a^2*I)",
       [](Graph& g, const Cast& c) {
         return U(g, Op::LogDet,
                  add(g, c.P, scale(g, power(g, c.a, I(g, 2)), identity(g, Dim::fixed(3)))));
       }},
      {"sum(exp(x))", [](Graph& g, const Cast& c) { return U(g, Op::Sum, U(g, Op::Exp, c.x)); }},
      {"exp(a)", [](Graph& g, const Cast& c) { return U(g, Op::Exp, c.a); }},
      {"log(p)", [](Graph& g, const Cast& c) { return U(g, Op::Log, c.p); }},
      {"sum(log(q))", [](Graph& g, const Cast& c) { return U(g, Op::Sum, U(g, Op::Log, c.q)); }},
      {"sin(a)*cos(b)",
       [](Graph& g, const Cast& c) { return product(g, U(g, Op::Sin, c.a), U(g, Op::Cos, c.b)); }},
      {"sum(sin(A) .* cos(B))",
       [](Graph& g, const Cast& c) {
         return U(g, Op::Sum, hadamard(g, U(g, Op::Sin, c.A), U(g, Op::Cos, c.B)));
       }},
      {"tan(a)", [](Graph& g, const Cast& c) { return U(g, Op::Tan, c.a); }},
      {"sum(tan(x))", [](Graph& g, const Cast& c) { return U(g, Op::Sum, U(g, Op::Tan, c.x)); }},
      {"tanh(a*b)", [](Graph& g, const Cast& c) { return U(g, Op::Tanh, product(g, c.a, c.b)); }},
      {"sum(tanh(A*x))",
       [](Graph& g, const Cast& c) { return U(g, Op::Sum, U(g, Op::Tanh, matmul(g, c.A, c.x))); }},
      {"sigmoid(x'*y)",
       [](Graph& g, const Cast& c) { return U(g, Op::Sigmoid, inner(g, c.x, c.y)); }},
      {"y'*sigmoid(A*x)",
       [](Graph& g, const Cast& c) {
         return matmul(g, transpose(g, c.y), U(g, Op::Sigmoid, matmul(g, c.A, c.x)));
       }},
      {"softplus(a)", [](Graph& g, const Cast& c) { return U(g, Op::Softplus, c.a); }},
      {"sum(softplus(C'*x))",
       [](Graph& g, const Cast& c) {
         return U(g, Op::Sum, U(g, Op::Softplus, matmul(g, transpose(g, c.C), c.x)));
       }},
      {"log1p(p)", [](Graph& g, const Cast& c) { return U(g, Op::Log1p, c.p); }},
      {"sum(log1p(q .* q))",
       [](Graph& g, const Cast& c) {
         return U(g, Op::Sum, U(g, Op::Log1p, hadamard(g, c.q, c.q)));
       }},
      {"expm1(a)", [](Graph& g, const Cast& c) { return U(g, Op::Expm1, c.a); }},
      {"sum(expm1(A))",
       [](Graph& g, const Cast& c) { return U(g, Op::Sum, U(g, Op::Expm1, c.A)); }},
      {"abs(p)*a", [](Graph& g, const Cast& c) { return product(g, U(g, Op::Abs, c.p), c.a); }},
      {"sum(abs(q) .* x)",
       [](Graph& g, const Cast& c) { return U(g, Op::Sum, hadamard(g, U(g, Op::Abs, c.q), c.x)); }},
      {"sign(p)*a", [](Graph& g, const Cast& c) { return product(g, U(g, Op::Sign, c.p), c.a); }},
      {"sum(sign(q) .* x)",
       [](Graph& g, const Cast& c) {
         return U(g, Op::Sum, hadamard(g, U(g, Op::Sign, c.q), c.x));
       }},
      {"p^3", [](Graph& g, const Cast& c) { return power(g, c.p, I(g, 3)); }},
      {"sqrt(p)", [](Graph& g, const Cast& c) { return power(g, c.p, half(g)); }},
      {"p^a", [](Graph& g, const Cast& c) { return power(g, c.p, c.a); }},
      {"sum(q.^a)", [](Graph& g, const Cast& c) { return U(g, Op::Sum, power(g, c.q, c.a)); }},
      {"sum(q.^-1)",
       [](Graph& g, const Cast& c) { return U(g, Op::Sum, power(g, c.q, I(g, -1))); }},
      {"sum(A.^2)", [](Graph& g, const Cast& c) { return U(g, Op::Sum, power(g, c.A, I(g, 2))); }},
      {"a/p", [](Graph& g, const Cast& c) { return divide(g, c.a, c.p); }},
      {"norm2(x)", [](Graph& g, const Cast& c) { return U(g, Op::Norm2, c.x); }},
      {"norm2(A)", [](Graph& g, const Cast& c) { return U(g, Op::Norm2, c.A); }},
      {"norm2(A*x - y)^2/2",
       [](Graph& g, const Cast& c) {
         return product(g, half(g),
                        power(g, U(g, Op::Norm2, sub(g, matmul(g, c.A, c.x), c.y)), I(g, 2)));
       }},
      {"logsumexp(x)", [](Graph& g, const Cast& c) { return U(g, Op::LogSumExp, c.x); }},
      {"logsumexp(C'*x)",
       [](Graph& g, const Cast& c) {
         return U(g, Op::LogSumExp, matmul(g, transpose(g, c.C), c.x));
       }},
      {"y'*softmax(x)",
       [](Graph& g, const Cast& c) {
         return matmul(g, transpose(g, c.y), U(g, Op::Softmax, c.x));
       }},
      {"sum(log(softmax(A*x)) .* y)",
       [](Graph& g, const Cast& c) {
         return U(g, Op::Sum,
                  hadamard(g, U(g, Op::Log, U(g, Op::Softmax, matmul(g, c.A, c.x))), c.y));
       }},
      {"sum(diag(x)*A)",
       [](Graph& g, const Cast& c) { return U(g, Op::Sum, matmul(g, U(g, Op::Diag, c.x), c.A)); }},
      {"y'*diag(A)",
       [](Graph& g, const Cast& c) {
         return matmul(g, transpose(g, c.y), U(g, Op::DiagPart, c.A));
       }},
      {"tr(diag(x .* y))",
       [](Graph& g, const Cast& c) {
         return U(g, Op::Trace, U(g, Op::Diag, hadamard(g, c.x, c.y)));
       }},
      {"diag(a)*b", [](Graph& g, const Cast& c) { return product(g, U(g, Op::Diag, c.a), c.b); }},
      {"sum(vec(A) .* vec(B))",
       [](Graph& g, const Cast& c) {
         return U(g, Op::Sum, hadamard(g, U(g, Op::Vec, c.A), U(g, Op::Vec, c.B)));
       }},
      {"norm2(vec(C))",
       [](Graph& g, const Cast& c) { return U(g, Op::Norm2, U(g, Op::Vec, c.C)); }},
      {"sum(vec(x') .* y)",
       [](Graph& g, const Cast& c) {
         return U(g, Op::Sum, hadamard(g, U(g, Op::Vec, transpose(g, c.x)), c.y));
       }},
      {"sum(exp(vec(x)))",
       [](Graph& g, const Cast& c) { return U(g, Op::Sum, U(g, Op::Exp, U(g, Op::Vec, c.x))); }},
      {"r*x", [](Graph& g, const Cast& c) { return matmul(g, c.r, c.x); }},
      {"r*A*r'",
       [](Graph& g, const Cast& c) { return matmul(g, matmul(g, c.r, c.A), transpose(g, c.r)); }},
      {"sum(exp(r) .* r)",
       [](Graph& g, const Cast& c) { return U(g, Op::Sum, hadamard(g, U(g, Op::Exp, c.r), c.r)); }},
      {"y'*[a; b; a*b]",
       [](Graph& g, const Cast& c) {
         return matmul(g, transpose(g, c.y), stack(g, {c.a, c.b, product(g, c.a, c.b)}));
       }},
      {"sum(exp([x; z]))",
       [](Graph& g, const Cast& c) {
         return U(g, Op::Sum, U(g, Op::Exp, stack(g, {c.x, c.z})));
       }},
      {"sum([x'; y'; r] .* A)",
       [](Graph& g, const Cast& c) {
         return U(g, Op::Sum,
                  hadamard(g, stack(g, {transpose(g, c.x), transpose(g, c.y), c.r}), c.A));
       }},
      {"sum([A; C'] .* [B; C'])",
       [](Graph& g, const Cast& c) {
         return U(
             g, Op::Sum,
             hadamard(g, stack(g, {c.A, transpose(g, c.C)}), stack(g, {c.B, transpose(g, c.C)})));
       }},
      {"a*x'*y", [](Graph& g, const Cast& c) { return product(g, c.a, inner(g, c.x, c.y)); }},
      {"sum((a*A) .* B)",
       [](Graph& g, const Cast& c) { return U(g, Op::Sum, hadamard(g, scale(g, c.a, c.A), c.B)); }},
      {"r*(a*y)", [](Graph& g, const Cast& c) { return matmul(g, c.r, scale(g, c.a, c.y)); }},
      {"(a*r)*y", [](Graph& g, const Cast& c) { return matmul(g, scale(g, c.a, c.r), c.y); }},
      {"tr(A^3)", [](Graph& g, const Cast& c) { return U(g, Op::Trace, matrix_power(g, c.A, 3)); }},
      {"x'*(A + A')*x",
       [](Graph& g, const Cast& c) {
         return matmul(g, transpose(g, c.x), matmul(g, add(g, c.A, transpose(g, c.A)), c.x));
       }},
      {"sum(x*y')",
       [](Graph& g, const Cast& c) { return U(g, Op::Sum, matmul(g, c.x, transpose(g, c.y))); }},
      {"sum(log(1 + exp(-y .* (A*x))))",
       [](Graph& g, const Cast& c) {
         return U(g, Op::Sum,
                  U(g, Op::Log,
                    add(g, ones(g, Shape::vector(Dim::fixed(3))),
                        U(g, Op::Exp, neg(g, hadamard(g, c.y, matmul(g, c.A, c.x)))))));
       }},
      {"norm2(A - x*y')^2",
       [](Graph& g, const Cast& c) {
         return power(g, U(g, Op::Norm2, sub(g, c.A, matmul(g, c.x, transpose(g, c.y)))), I(g, 2));
       }},
      {"a*pi", [](Graph& g, const Cast& c) { return product(g, c.a, pi(g)); }},
      {"sum(A + ones)",
       [](Graph& g, const Cast& c) { return U(g, Op::Sum, add(g, c.A, ones(g, g[c.A].shape))); }},
      {"h(a)", [](Graph& g, const Cast& c) { return call(g, c.fn.h, kCallValue, {c.a}); }},
      {"h(a*b)^2",
       [](Graph& g, const Cast& c) {
         return power(g, call(g, c.fn.h, kCallValue, {product(g, c.a, c.b)}), I(g, 2));
       }},
      {"g(A*x)",
       [](Graph& g, const Cast& c) { return call(g, c.fn.gs, kCallValue, {matmul(g, c.A, c.x)}); }},
      {"y'*f(x)",
       [](Graph& g, const Cast& c) {
         return matmul(g, transpose(g, c.y), call(g, c.fn.f, kCallValue, {c.x}));
       }},
      {"sum(f(A*x) .* y)",
       [](Graph& g, const Cast& c) {
         return U(g, Op::Sum, hadamard(g, call(g, c.fn.f, kCallValue, {matmul(g, c.A, c.x)}), c.y));
       }},
      {"L(a, b, a*b)",
       [](Graph& g, const Cast& c) {
         return call(g, c.fn.L, kCallValue, {c.a, c.b, product(g, c.a, c.b)});
       }},
      {"L(x'*y, a, sin(b))",
       [](Graph& g, const Cast& c) {
         return call(g, c.fn.L, kCallValue, {inner(g, c.x, c.y), c.a, U(g, Op::Sin, c.b)});
       }},
      {"y'*c(a)",
       [](Graph& g, const Cast& c) {
         return matmul(g, transpose(g, c.y), call(g, c.fn.c, kCallValue, {c.a}));
       }},
      {"g(f(x))",
       [](Graph& g, const Cast& c) {
         return call(g, c.fn.gs, kCallValue, {call(g, c.fn.f, kCallValue, {c.x})});
       }},
      {"x (scalar var itself)", [](Graph&, const Cast& c) { return c.a; }},
  };
}

class FdGradient : public ::testing::Test {
 protected:
  World w{20240601};
  Cast c{};
  void SetUp() override {
    Shape s = Shape::scalar(), v3 = Shape::vector(Dim::fixed(3));
    c.a = w.var("a", s);
    c.b = w.var("b", s);
    c.p = w.var("p", s, 0.5, 2);
    c.x = w.var("x", v3);
    c.y = w.var("y", v3);
    c.q = w.var("q", v3, 0.5, 2);
    c.z = w.var("z", Shape::vector(Dim::fixed(4)));
    c.A = w.var("A", Shape::matrix(Dim::fixed(3), Dim::fixed(3)));
    c.B = w.var("B", Shape::matrix(Dim::fixed(3), Dim::fixed(3)));
    c.C = w.var("C", Shape::matrix(Dim::fixed(3), Dim::fixed(4)));
    c.P = w.wellcond("P", 3);
    c.r = w.var("r", Shape::matrix(Dim::fixed(1), Dim::fixed(3)));
    c.fn.declare(w);
  }
};

TEST_F(FdGradient, HandWrittenExpressionsMatchCentralDifferences) {
  auto all = cases();
  ASSERT_GE(all.size(), 60u);
  size_t checked = 0;
  for (const Case& k : all) {
    Id e = k.build(w.g, c);
    ASSERT_TRUE(w.g[e].shape.is_scalar()) << k.name;
    bool any = false;
    for (Id v : w.vars) {
      if (!depends_on(w.g, e, w.g[v].a)) continue;
      any = true;
      for (int trial = 0; trial < 2; ++trial) {
        std::string msg = check_grad(w.g, w.b, e, v, 1e-5);
        EXPECT_TRUE(msg.empty()) << k.name << ": " << msg;
        w.rebind();
        ++checked;
      }
    }
    EXPECT_TRUE(any) << k.name;
  }
  EXPECT_GE(checked, 200u);
}

TEST_F(FdGradient, IndependentVariableGivesZeroOfItsShape) {
  Id e = inner(w.g, c.x, c.y);
  Id gr = grad(w.g, e, c.A);
  EXPECT_EQ(w.g[gr].shape, w.g[c.A].shape);
  EXPECT_EQ(evaluate(w.g, gr, w.b).cwiseAbs().maxCoeff(), 0.0);
}

TEST_F(FdGradient, GradientHasTheVariableShape) {
  Id e = matmul(w.g, matmul(w.g, c.r, c.A), transpose(w.g, c.r));
  Id gr = grad(w.g, e, c.r);  // grows the graph: index it afterwards
  EXPECT_EQ(w.g[gr].shape, w.g[c.r].shape);
  Id e2 = U(w.g, Op::Trace, matmul(w.g, c.C, transpose(w.g, c.C)));
  Id gr2 = grad(w.g, e2, c.C);
  EXPECT_EQ(w.g[gr2].shape, w.g[c.C].shape);
}

TEST_F(FdGradient, UnsupportedCasesSayWhy) {
  Graph& g = w.g;
  Id e = U(g, Op::Sum, kron(g, c.A, c.B));
  try {
    grad(g, e, c.A);
    FAIL() << "kron gradient should be unsupported";
  } catch (const Error& err) {
    EXPECT_EQ(err.kind(), ErrorKind::Unsupported);
    EXPECT_NE(std::string(err.what()).find("kron"), std::string::npos) << err.what();
  }
  // Second derivatives of abstract functions are supported; third ones say why not.
  Id d2 = call(g, c.fn.h, kCallSecond, {c.a});
  try {
    grad(g, d2, c.a);
    FAIL() << "third derivative of an abstract function should be unsupported";
  } catch (const Error& err) {
    EXPECT_EQ(err.kind(), ErrorKind::Unsupported);
    EXPECT_NE(std::string(err.what()).find("third derivative"), std::string::npos) << err.what();
  }
  EXPECT_THROW(grad(g, c.x, c.x), Error);                 // not a scalar
  EXPECT_THROW(grad(g, c.a, inner(g, c.x, c.y)), Error);  // not a variable
}

TEST_F(FdGradient, StepsNameTheRules) {
  StepLog log;
  Graph& g = w.g;
  Id e = U(g, Op::Sum, U(g, Op::Exp, matmul(g, c.A, c.x)));
  grad(g, e, c.x, &log);
  std::string all;
  for (auto& l : log.lines) all += l + "\n";
  // Each line names the rule and the sub-expression it was applied to, in the order applied.
  size_t sum = all.find("linearity on sum(exp(A*x)): d sum(X) = sum(dX)");
  size_t exp = all.find("chain rule through exp: d exp(u) = exp(u) .* du with u = A*x");
  size_t lin = all.find("known Jacobian on A*x: J(A*x) = A");
  EXPECT_NE(sum, std::string::npos) << all;
  EXPECT_NE(exp, std::string::npos) << all;
  EXPECT_NE(lin, std::string::npos) << all;
  EXPECT_LT(sum, exp) << all;
  EXPECT_LT(exp, lin) << all;
  // One line per distinct rule, no flooding.
  std::set<std::string> distinct(log.lines.begin(), log.lines.end());
  EXPECT_EQ(distinct.size(), log.lines.size());
}

}  // namespace
}  // namespace nabla
