#include <cmath>

#include "print/layout.h"
#include "print_fixture.h"

namespace nabla {
namespace {

using TextGolden = PrintTest;

TEST_F(TextGolden, Leaves) {
  EXPECT_EQ(text(num(3)), "3");
  EXPECT_EQ(text(num(-3)), "-3");
  EXPECT_EQ(text(num(1, 2)), "1/2");
  EXPECT_EQ(text(num(-3, 4)), "-3/4");
  EXPECT_EQ(text(constant(g, 0.1)), "0.1");
  EXPECT_EQ(text(constant(g, 1e-300)), "1e-300");
  EXPECT_EQ(text(constant(g, -2.5e20)), "-2.5e20");
  EXPECT_EQ(text(pi(g)), "pi");
  EXPECT_EQ(text(V("x")), "x");
  // Alone, a constant says its size (nothing else determines it); 1 x 1 ones are numbers.
  EXPECT_EQ(text(identity(g, n)), "I(n)");
  EXPECT_EQ(text(ones(g, Shape::vector(n))), "ones(n)");
  EXPECT_EQ(text(zeros(g, Shape::matrix(n, n))), "zeros(n, n)");
  EXPECT_EQ(text(ones(g, Shape::matrix(Dim::fixed(1), n))), "ones(1, n)");
  EXPECT_EQ(text(ones(g, Shape::scalar())), "1");
  EXPECT_EQ(text(zeros(g, Shape::scalar())), "0");
}

TEST_F(TextGolden, DoublesUseShortestRoundTripSpelling) {
  for (double v : {0.1, 1.0 / 3.0, 2.0 / 3.0, 1e-300, 6.02214076e23, 1e15, 0.5, 123.456, 5e-324,
                   1.7976931348623157e308}) {
    std::string s = format_double(v);
    EXPECT_EQ(std::strtod(s.c_str(), nullptr), v) << s;
    EXPECT_EQ(s.find('+'), std::string::npos) << s;
    EXPECT_TRUE(s.find('.') != std::string::npos || s.find('e') != std::string::npos) << s;
  }
  EXPECT_EQ(format_double(1.0 / 3.0), "0.3333333333333333");
  EXPECT_EQ(format_double(1e15), "1e15");
  EXPECT_EQ(format_double(1e-5), "1e-5");
  EXPECT_EQ(format_double(3.0), "3.0");
}

TEST_F(TextGolden, SumsResugarSubtraction) {
  Id a = V("a"), b = V("b"), c = V("c");
  EXPECT_EQ(text(add(g, a, b)), "a + b");
  EXPECT_EQ(text(sub(g, a, b)), "a - b");
  EXPECT_EQ(text(add(g, a, scale(g, num(-2), b))), "a - 2*b");
  EXPECT_EQ(text(add(g, a, scale(g, num(-1, 2), b))), "a - 1/2*b");
  EXPECT_EQ(text(add(g, a, scale(g, constant(g, -0.25), b))), "a - 0.25*b");
  EXPECT_EQ(text(add(g, a, num(-3))), "a - 3");
  EXPECT_EQ(text(sub(g, add(g, a, b), c)), "a + b - c");
  EXPECT_EQ(text(add(g, a, sub(g, b, c))), "a + b - c");  // associativity: no parentheses
  EXPECT_EQ(text(sub(g, a, sub(g, b, c))), "a - (b - c)");
  EXPECT_EQ(text(sub(g, a, add(g, b, c))), "a - (b + c)");
  EXPECT_EQ(text(add(g, neg(g, a), b)), "-a + b");
  EXPECT_EQ(text(add(g, scale(g, num(-2), a), b)), "-2*a + b");
  EXPECT_EQ(text(add(g, a, neg(g, neg(g, b)))), "a + b");
  EXPECT_EQ(text(add(g, a, neg(g, scale(g, num(-2), b)))), "a + 2*b");
  EXPECT_EQ(text(add(g, a, scale(g, b, neg(g, c)))), "a + b*(-c)");
  EXPECT_EQ(text(add(g, a, product(g, neg(g, b), c))), "a - b*c");  // builder floats -1 out
}

TEST_F(TextGolden, ScalingResugars) {
  Id x = V("x"), a = V("a"), b = V("b");
  EXPECT_EQ(text(neg(g, x)), "-x");
  EXPECT_EQ(text(scale(g, num(2), x)), "2*x");
  EXPECT_EQ(text(scale(g, num(-2), x)), "-2*x");
  EXPECT_EQ(text(scale(g, num(1, 2), x)), "1/2*x");
  EXPECT_EQ(text(scale(g, num(-1, 2), x)), "-1/2*x");
  EXPECT_EQ(text(scale(g, pi(g), x)), "pi*x");
  EXPECT_EQ(text(divide(g, x, a)), "x/a");
  EXPECT_EQ(text(divide(g, x, add(g, num(1), fun(Op::Exp, a)))), "x/(1 + exp(a))");
  EXPECT_EQ(text(divide(g, x, product(g, a, b))), "x/(a*b)");
  EXPECT_EQ(text(divide(g, x, power(g, a, num(2)))), "x/a^2");
  EXPECT_EQ(text(divide(g, x, neg(g, a))), "x/(-a)");
  EXPECT_EQ(text(scale(g, a, x)), "a*x");
  EXPECT_EQ(text(scale(g, add(g, a, b), x)), "(a + b)*x");
  EXPECT_EQ(text(scale(g, a, add(g, x, V("y")))), "a*(x + y)");
  EXPECT_EQ(text(scale(g, a, scale(g, b, x))), "a*b*x");
  EXPECT_EQ(text(scale(g, num(2), divide(g, x, a))), "2*x/a");
  EXPECT_EQ(text(neg(g, add(g, a, b))), "-(a + b)");
  EXPECT_EQ(text(neg(g, scale(g, a, x))), "-a*x");
  EXPECT_EQ(text(neg(g, num(-2))), "-(-2)");
  EXPECT_EQ(text(divide(g, num(1), a)), "1/a");
  EXPECT_EQ(text(scale(g, a, num(1, 2))), "a*(1/2)");
}

TEST_F(TextGolden, PowersAndRoots) {
  Id a = V("a"), b = V("b"), x = V("x"), A = V("A");
  EXPECT_EQ(text(power(g, a, num(2))), "a^2");
  EXPECT_EQ(text(power(g, x, num(2))), "x.^2");
  EXPECT_EQ(text(power(g, A, num(3))), "A.^3");
  EXPECT_EQ(text(power(g, a, num(1, 2))), "sqrt(a)");
  EXPECT_EQ(text(power(g, x, num(1, 2))), "sqrt(x)");
  EXPECT_EQ(text(power(g, a, num(-1))), "1/a");
  EXPECT_EQ(text(power(g, x, num(-1))), "1 ./ x");
  EXPECT_EQ(text(power(g, a, num(-2))), "1/a^2");
  EXPECT_EQ(text(power(g, a, num(2, 3))), "a^(2/3)");
  EXPECT_EQ(text(power(g, a, power(g, b, num(2)))), "a^b^2");  // right-associative
  EXPECT_EQ(text(power(g, power(g, a, b), num(2))), "(a^b)^2");
  EXPECT_EQ(text(neg(g, power(g, a, num(2)))), "-a^2");
  EXPECT_EQ(text(power(g, neg(g, a), num(2))), "(-a)^2");
  EXPECT_EQ(text(power(g, num(-2), a)), "(-2)^a");
  EXPECT_EQ(text(power(g, num(1, 2), a)), "(1/2)^a");
  EXPECT_EQ(text(power(g, transpose(g, a), num(2))), "a'^2");
  EXPECT_EQ(text(power(g, add(g, a, b), num(2))), "(a + b)^2");
  EXPECT_EQ(text(power(g, fun(Op::Norm2, x), num(2))), "norm2(x)^2");
  EXPECT_EQ(text(power(g, a, add(g, a, b))), "a^(a + b)");
}

TEST_F(TextGolden, ProductsAndChains) {
  Id A = V("A"), B = V("B"), C = V("C"), x = V("x"), y = V("y"), a = V("a");
  EXPECT_EQ(text(matmul(g, A, B)), "A*B");
  EXPECT_EQ(text(matmul(g, matmul(g, A, B), x)), "A*B*x");
  EXPECT_EQ(text(matmul(g, A, matmul(g, B, x))), "A*B*x");
  EXPECT_EQ(text(matmul(g, matmul(g, A, B), matmul(g, C, x))), "A*B*C*x");
  EXPECT_EQ(text(matmul(g, add(g, A, transpose(g, A)), x)), "(A + A')*x");
  EXPECT_EQ(text(matmul(g, x, transpose(g, x))), "x*x'");
  EXPECT_EQ(text(matmul(g, transpose(g, x), y)), "x'*y");
  EXPECT_EQ(text(hadamard(g, x, y)), "x .* y");
  EXPECT_EQ(text(elementwise_divide(g, x, y)), "x ./ y");
  EXPECT_EQ(text(hadamard(g, x, hadamard(g, y, V("w")))), "x .* y .* w");
  EXPECT_EQ(text(hadamard(g, matmul(g, A, x), y)), "A*x .* y");
  EXPECT_EQ(text(hadamard(g, y, matmul(g, A, x))), "y .* (A*x)");
  EXPECT_EQ(text(matmul(g, A, hadamard(g, x, y))), "A*(x .* y)");
  EXPECT_EQ(text(elementwise_divide(g, x, hadamard(g, y, y))), "x ./ (y .* y)");
  EXPECT_EQ(text(matmul(g, A, scale(g, a, x))), "A*a*x");
  EXPECT_EQ(text(scale(g, a, matmul(g, A, x))), "a*A*x");
  EXPECT_EQ(text(scale(g, a, hadamard(g, x, y))), "a*x .* y");
  EXPECT_EQ(text(matmul(g, A, neg(g, x))), "A*(-x)");
  EXPECT_EQ(text(hadamard(g, neg(g, y), matmul(g, A, x))), "-y .* (A*x)");
  EXPECT_EQ(text(matmul(g, A, divide(g, x, a))), "A*x/a");
}

TEST_F(TextGolden, Transposes) {
  Id A = V("A"), B = V("B"), x = V("x");
  EXPECT_EQ(text(transpose(g, x)), "x'");
  EXPECT_EQ(text(transpose(g, transpose(g, x))), "x''");
  EXPECT_EQ(text(transpose(g, add(g, A, B))), "(A + B)'");
  EXPECT_EQ(text(transpose(g, matmul(g, A, x))), "(A*x)'");
  EXPECT_EQ(text(transpose(g, matmul(g, A, B))), "(A*B)'");
  EXPECT_EQ(text(transpose(g, neg(g, x))), "(-x)'");
  EXPECT_EQ(text(transpose(g, power(g, x, num(2)))), "(x.^2)'");
  EXPECT_EQ(text(transpose(g, fun(Op::Inv, A))), "inv(A)'");
  EXPECT_EQ(text(neg(g, transpose(g, x))), "-x'");
}

TEST_F(TextGolden, EveryFunction) {
  Id x = V("x"), A = V("A"), a = V("a");
  const std::pair<Op, const char*> vector_functions[] = {{Op::Exp, "exp(x)"},
                                                         {Op::Log, "log(x)"},
                                                         {Op::Sin, "sin(x)"},
                                                         {Op::Cos, "cos(x)"},
                                                         {Op::Tan, "tan(x)"},
                                                         {Op::Tanh, "tanh(x)"},
                                                         {Op::Sinh, "sinh(x)"},
                                                         {Op::Cosh, "cosh(x)"},
                                                         {Op::Arcsin, "arcsin(x)"},
                                                         {Op::Arccos, "arccos(x)"},
                                                         {Op::Arctan, "arctan(x)"},
                                                         {Op::Sigmoid, "sigmoid(x)"},
                                                         {Op::Softplus, "softplus(x)"},
                                                         {Op::Log1p, "log1p(x)"},
                                                         {Op::Expm1, "expm1(x)"},
                                                         {Op::Abs, "abs(x)"},
                                                         {Op::Sign, "sign(x)"},
                                                         {Op::Sum, "sum(x)"},
                                                         {Op::Prod, "prod(x)"},
                                                         {Op::ProdOthers, "prod_others(x)"},
                                                         {Op::Norm2, "norm2(x)"},
                                                         {Op::Diag, "diag(x)"},
                                                         {Op::Softmax, "softmax(x)"},
                                                         {Op::LogSumExp, "logsumexp(x)"},
                                                         {Op::Vec, "vec(x)"}};
  for (auto [op, golden] : vector_functions) EXPECT_EQ(text(fun(op, x)), golden);
  const std::pair<Op, const char*> matrix_functions[] = {
      {Op::Trace, "tr(A)"}, {Op::Det, "det(A)"},       {Op::LogDet, "logdet(A)"},
      {Op::Inv, "inv(A)"},  {Op::DiagPart, "diag(A)"}, {Op::Vec, "vec(A)"}};
  for (auto [op, golden] : matrix_functions) EXPECT_EQ(text(fun(op, A)), golden);
  EXPECT_EQ(g[fun(Op::Diag, A)].op, Op::DiagPart);
  EXPECT_EQ(text(kron(g, A, V("B"))), "kron(A, B)");
  EXPECT_EQ(text(fun(Op::Exp, add(g, a, V("b")))), "exp(a + b)");
  EXPECT_EQ(text(stack(g, {V("a"), V("b"), V("c")})), "[a; b; c]");
  EXPECT_EQ(text(stack(g, {x, V("y")})), "[x; y]");
  EXPECT_EQ(text(stack(g, {add(g, a, a), neg(g, a)})), "[a + a; -a]");
}

TEST_F(TextGolden, AbstractFunctionCalls) {
  Id x = V("x"), t = V("t");
  EXPECT_EQ(text(call1("f", kCallValue, x)), "f(x)");
  EXPECT_EQ(text(call1("f", kCallDerivative, x)), "J(f)(x)");
  EXPECT_EQ(text(call1("F", kCallDerivative, x)), "J(F)(x)");
  EXPECT_EQ(text(call1("s", kCallDerivative, x)), "grad(s)(x)");
  EXPECT_EQ(text(call1("h1", kCallDerivative, t)), "h1'(t)");
  EXPECT_EQ(text(call1("r", kCallDerivative, t)), "J(r)(t)");
  Id args[] = {V("a"), V("b"), V("c")};
  EXPECT_EQ(text(call(g, fn["L"], kCallValue, {args[0], args[1], args[2]})), "L(a, b, c)");
  EXPECT_EQ(text(call(g, fn["L"], 2, {args[0], args[1], args[2]})), "partial(L, 2)(a, b, c)");
  EXPECT_EQ(text(transpose(g, call1("f", kCallDerivative, x))), "J(f)(x)'");
}

TEST_F(TextGolden, Queries) {
  Id x = V("x"), y = V("y"), a = V("a"), b = V("b");
  Id e = matmul(g, transpose(g, x), y);
  EXPECT_EQ(text(grad_query(g, e, {x})), "grad(x'*y, x)");
  EXPECT_EQ(text(grad_query(g, product(g, a, b), {a, b})), "grad(a*b, a, b)");
  EXPECT_EQ(text(query(g, Op::Jacobian, matmul(g, V("A"), x), x)), "jacobian(A*x, x)");
  EXPECT_EQ(text(query(g, Op::Hessian, e, x)), "hessian(x'*y, x)");
  EXPECT_EQ(text(query(g, Op::Derivative, scale(g, a, x), a)), "diff(a*x, a)");
  EXPECT_EQ(text(simplify_query(g, add(g, x, x))), "simplify(x + x)");
  EXPECT_EQ(text(add(g, grad_query(g, e, {x}), y)), "grad(x'*y, x) + y");
}

// The compact forms the identities and the reference sheet print.
TEST_F(TextGolden, CompactResults) {
  Id x = V("x"), w = V("w"), y = V("y"), X = V("X"), a = V("v");
  EXPECT_EQ(text(neg(g, scale(g, fun(Op::Sigmoid, neg(g, matmul(g, transpose(g, w), x))), x))),
            "-sigmoid(-w'*x)*x");
  Id Xinv = fun(Op::Inv, X);
  EXPECT_EQ(text(scale(g, fun(Op::Det, X), transpose(g, Xinv))), "det(X)*inv(X)'");
  Id inner = hadamard(g, neg(g, y), matmul(g, X, w));
  EXPECT_EQ(text(neg(g, matmul(g, transpose(g, X), hadamard(g, y, fun(Op::Sigmoid, inner))))),
            "-X'*(y .* sigmoid(-y .* (X*w)))");
  Id d = sub(g, x, a);
  EXPECT_EQ(text(divide(g, d, fun(Op::Norm2, d))), "(x - v)/norm2(x - v)");
  Id f = call1("f", kCallValue, x), gx = call1("g", kCallValue, x);
  Id Jf = call1("f", kCallDerivative, x), Jg = call1("g", kCallDerivative, x);
  EXPECT_EQ(text(add(g, matmul(g, transpose(g, Jf), gx), matmul(g, transpose(g, Jg), f))),
            "J(f)(x)'*g(x) + J(g)(x)'*f(x)");
  // chain rule through h2(h1(s(x))) with s: R^n -> R
  Id sx = call1("s", kCallValue, x);
  Id h1 = call1("h1", kCallValue, sx);
  Id e = scale(g, call1("h2", kCallDerivative, h1),
               scale(g, call1("h1", kCallDerivative, sx), call1("s", kCallDerivative, x)));
  EXPECT_EQ(text(e), "h2'(h1(s(x)))*h1'(s(x))*grad(s)(x)");
  Id t = V("t");
  Id xs = call1("h1", kCallValue, t), ys = call1("h2", kCallValue, t);
  Id partial = call(g, fn["L"], 1, {xs, ys, t});
  EXPECT_EQ(text(scale(g, partial, call1("h1", kCallDerivative, t))),
            "partial(L, 1)(h1(t), h2(t), t)*h1'(t)");
  Id A = V("A"), s = V("a");
  EXPECT_EQ(text(scale(g, num(-2),
                       matmul(g, matmul(g, transpose(g, A), V("B")), sub(g, x, scale(g, s, y))))),
            "-2*A'*B*(x - a*y)");
  Id sig = fun(Op::Sigmoid, matmul(g, A, x));
  EXPECT_EQ(
      text(matmul(g, fun(Op::Diag, hadamard(g, sig, sub(g, ones(g, Shape::vector(n)), sig))), A)),
      "diag(sigmoid(A*x) .* (ones - sigmoid(A*x)))*A");
  EXPECT_EQ(text(scale(g, num(1, 2), matmul(g, transpose(g, x), x))), "1/2*x'*x");
}

}  // namespace
}  // namespace nabla
