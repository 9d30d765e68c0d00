#include "diff/algebra.h"

#include "ir/error.h"

namespace nabla::diffalg {

bool is_one_const(const Graph& g, Id id) {
  const Node& n = g[id];
  return n.op == Op::Const && n.b == 1 && n.a == 1;
}

Id mul(Graph& g, Id a, Id b) {
  if (is_one_const(g, a)) return b;
  if (is_one_const(g, b)) return a;
  if (g[a].op == Op::Identity && !g[b].shape.is_scalar()) return b;
  if (g[b].op == Op::Identity && !g[a].shape.is_scalar()) return a;
  return product(g, a, b);
}

Id emul(Graph& g, Id a, Id b) {
  if (g[a].shape.is_scalar() || g[b].shape.is_scalar()) return mul(g, a, b);
  if (g[a].op == Op::Ones) return b;
  if (g[b].op == Op::Ones) return a;
  return hadamard(g, a, b);
}

Id dot(Graph& g, Id a, Id b) {
  Shape s = g[a].shape;
  if (s.is_scalar()) return mul(g, a, b);
  if (s.is_column()) return mul(g, tr(g, a), b);
  if (s.is_row()) return mul(g, a, tr(g, b));
  return unary(g, Op::Sum, emul(g, a, b));
}

Id tr(Graph& g, Id a) {
  if (g[a].shape.is_scalar()) return a;
  if (g[a].op == Op::Transpose) return g[a].kids[0];
  if (g[a].op == Op::Identity) return a;
  return transpose(g, a);
}

Id one_like(Graph& g, Shape s) {
  return s.is_scalar() ? integer(g, 1) : ones(g, s);
}
Id zero_like(Graph& g, Shape s) {
  return s.is_scalar() ? integer(g, 0) : zeros(g, s);
}

Id pow(Graph& g, Id x, Id p) {
  if (is_one_const(g, p)) return x;
  return power(g, x, p);
}

Id minus_one(Graph& g, Id p) {
  if (is_rational_const(g, p)) {
    if (auto r = add(rational_value(g, p), Rational{-1, 1})) return constant(g, *r);
  }
  if (g[p].op == Op::Const) return constant(g, const_value(g, p) - 1.0);
  return add(g, p, integer(g, -1));
}

Id vec_of(Graph& g, Id y) {
  Shape s = g[y].shape;
  if (s.is_vector_like()) return y;
  if (s.is_row()) return tr(g, y);
  return unary(g, Op::Vec, y);
}

Dim vec_dim(Graph& g, Id y) {
  return g[vec_of(g, y)].shape.rows;
}

Id plus(Graph& g, std::optional<Id> acc, Id term) {
  return acc ? add(g, *acc, term) : term;
}

std::optional<Id> elementwise_derivative(Graph& g, Op op, Id u, Id y) {
  Shape s = g[u].shape;
  switch (op) {
    case Op::Exp:  // exp' = exp
      return y;
    case Op::Log:  // log'(u) = u.^-1
      return power(g, u, integer(g, -1));
    case Op::Sin:  // sin' = cos
      return unary(g, Op::Cos, u);
    case Op::Cos:  // cos' = -sin
      return neg(g, unary(g, Op::Sin, u));
    case Op::Tan:  // tan' = cos.^-2
      return power(g, unary(g, Op::Cos, u), integer(g, -2));
    case Op::Tanh:  // tanh' = 1 - tanh.^2
      return sub(g, one_like(g, s), power(g, y, integer(g, 2)));
    case Op::Sigmoid:  // sigmoid' = sigmoid .* (1 - sigmoid)
      return emul(g, y, sub(g, one_like(g, s), y));
    case Op::Softplus:  // softplus' = sigmoid
      return unary(g, Op::Sigmoid, u);
    case Op::Log1p:  // log1p'(u) = (1 + u).^-1
      return power(g, add(g, one_like(g, s), u), integer(g, -1));
    case Op::Expm1:  // expm1' = exp
      return unary(g, Op::Exp, u);
    case Op::Abs:  // abs' = sign (a.e.)
      return unary(g, Op::Sign, u);
    case Op::Sign:  // sign' = 0 a.e.
      return std::nullopt;
    default:
      throw Error(ErrorKind::Internal, "not an entry-wise function: " + std::string(op_name(op)));
  }
}

ElementwiseFormula elementwise_formula(Op op) {
  switch (op) {
    case Op::Exp:
      return {"exp", "exp(u) .* du"};
    case Op::Log:
      return {"log", "du/u"};
    case Op::Sin:
      return {"sin", "cos(u) .* du"};
    case Op::Cos:
      return {"cos", "-sin(u) .* du"};
    case Op::Tan:
      return {"tan", "du ./ cos(u).^2"};
    case Op::Tanh:
      return {"tanh", "(1 - tanh(u).^2) .* du"};
    case Op::Sigmoid:
      return {"sigmoid", "sigmoid(u) .* (1 - sigmoid(u)) .* du"};
    case Op::Softplus:
      return {"softplus", "sigmoid(u) .* du"};
    case Op::Log1p:
      return {"log1p", "du ./ (1 + u)"};
    case Op::Expm1:
      return {"expm1", "exp(u) .* du"};
    case Op::Abs:
      return {"abs", "sign(u) .* du"};
    case Op::Sign:
      return {"sign", "0 almost everywhere"};
    default:
      return {"f", "f'(u) .* du"};
  }
}

const char* elementwise_rule_text(Op op) {
  switch (op) {
    case Op::Exp:
      return "chain rule: exp' = exp";
    case Op::Log:
      return "chain rule: log'(u) = 1/u";
    case Op::Sin:
      return "chain rule: sin' = cos";
    case Op::Cos:
      return "chain rule: cos' = -sin";
    case Op::Tan:
      return "chain rule: tan' = 1/cos^2";
    case Op::Tanh:
      return "chain rule: tanh' = 1 - tanh^2";
    case Op::Sigmoid:
      return "chain rule: sigmoid' = sigmoid .* (1 - sigmoid)";
    case Op::Softplus:
      return "chain rule: softplus' = sigmoid";
    case Op::Log1p:
      return "chain rule: log1p'(u) = 1/(1 + u)";
    case Op::Expm1:
      return "chain rule: expm1' = exp";
    case Op::Abs:
      return "chain rule: abs' = sign";
    case Op::Sign:
      return "chain rule: sign' = 0 almost everywhere";
    default:
      return "chain rule";
  }
}

bool is_query_op(Op op) {
  return op == Op::Grad || op == Op::Jacobian || op == Op::Hessian || op == Op::Derivative ||
         op == Op::Simplify;
}

}  // namespace nabla::diffalg
