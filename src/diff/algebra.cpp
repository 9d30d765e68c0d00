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
  // The mixed product: kron(P, Q)*kron(R, S) = kron(P*R, Q*S) when the factors fit.
  if (g[a].op == Op::Kron && g[b].op == Op::Kron) {
    Id p = g[a].kids[0], q = g[a].kids[1], r = g[b].kids[0], s = g[b].kids[1];
    if (g[p].shape.cols == g[r].shape.rows && g[q].shape.cols == g[s].shape.rows)
      return kron_of(g, mul(g, p, r), mul(g, q, s));
  }
  return product(g, a, b);
}

Id kron_of(Graph& g, Id a, Id b) {
  Shape sa = g[a].shape, sb = g[b].shape;
  if (sa.is_scalar()) return mul(g, a, b);  // kron(s, B) = s B
  if (sb.is_scalar()) return mul(g, b, a);
  // kron(a', b) = b*a' and kron(a, b') = a*b' for vectors a, b
  if (sa.is_row() && sb.is_column()) return mul(g, b, a);
  if (sa.is_column() && sb.is_row()) return mul(g, a, b);
  // kron(I_m, I_n) = I_mn
  if (g[a].op == Op::Identity && g[b].op == Op::Identity)
    return identity(g, g.dims.product(sa.rows, sb.rows));
  return kron(g, a, b);
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
  if (g[a].op == Op::Ones) return unary(g, Op::Sum, b);  // <ones, b> = sum(b)
  if (g[b].op == Op::Ones) return unary(g, Op::Sum, a);
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
    case Op::Relu:  // relu'(u) = 1 for u > 0, 0 for u <= 0 (PyTorch's relu'(0) = 0) = sign(relu(u))
      return unary(g, Op::Sign, y);
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
    case Op::Relu:
      return {"relu", "sign(relu(u)) .* du"};
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
    case Op::Relu:
      return "chain rule: relu'(u) = 1 for u > 0, 0 for u <= 0";
    default:
      return "chain rule";
  }
}

std::string extremum_rule_text(Op op) {
  return std::string("d ") + (op == Op::Max ? "max" : "min") +
         "(a, b) = w .* da + (1 - w) .* db, w = 1 where a wins, 1/2 at ties";
}

ExtremumWeights extremum_weights(Graph& g, Id y) {
  const Node n = g[y];
  Shape s = n.shape;
  auto spread = [&](Id k) { return g[k].shape == s ? k : mul(g, k, one_like(g, s)); };
  // s = sign(a - b): 1 where a > b, -1 where a < b, 0 at ties
  Id sg = unary(g, Op::Sign, sub(g, spread(n.kids[0]), spread(n.kids[1])));
  Id half = constant(g, Rational{1, 2});
  Id up = mul(g, half, add(g, one_like(g, s), sg));    // (1 + s)/2
  Id down = mul(g, half, sub(g, one_like(g, s), sg));  // (1 - s)/2
  if (n.op == Op::Max) return {up, down};
  return {down, up};
}

Id norm_inf_gradient(Graph& g, Id y) {
  Id x = g[y].kids[0];
  Shape s = g[x].shape;
  // e = 1 - sign(norm(x, inf) - |x|): 1 where |x_i| is the maximum, else 0
  Id e = sub(g, one_like(g, s),
             unary(g, Op::Sign, sub(g, mul(g, y, one_like(g, s)), unary(g, Op::Abs, x))));
  if (s.is_scalar()) return unary(g, Op::Sign, x);
  return divide(g, emul(g, unary(g, Op::Sign, x), e), unary(g, Op::Sum, e));
}

Id second_derivative_block(Graph& g, Id y, size_t j) {
  const Node n = g[y];
  const Symbol f = g.symbol(n.a);
  const int32_t fn = static_cast<int32_t>(n.a);
  if (n.b == kCallSecond || is_call_partial2(n.b))
    throw Error(ErrorKind::Unsupported,
                "third derivatives of the abstract function '" + f.name + "' are not supported",
                "give '" + f.name + "' a concrete definition");
  bool vector_args = true;
  for (const Shape& p : f.params) vector_args = vector_args && p.is_vector_like();
  if (!f.shape.is_scalar() || !vector_args)
    throw Error(ErrorKind::Unsupported,
                "second derivatives of the abstract function '" + f.name +
                    "' have no matrix form (it is vector-valued or takes a matrix)",
                "give '" + f.name + "' a concrete definition");
  // d h'(u) = h''(u) du;  d grad(g)(u) = hessian(g)(u) du
  if (n.b == kCallDerivative) return call(g, fn, kCallSecond, n.kids);
  // d partial(L, k)(...) = sum_j partial(L, k, j)(...) d a_j, stored with k <= j (Schwarz)
  const int64_t k = n.b, jj = static_cast<int64_t>(j) + 1;
  Id block = call(g, fn, call_partial2(k, jj), n.kids);
  return k > jj ? tr(g, block) : block;
}

bool is_query_op(Op op) {
  return op == Op::Grad || op == Op::Jacobian || op == Op::Hessian || op == Op::Derivative ||
         op == Op::Simplify;
}

}  // namespace nabla::diffalg
