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
  // ones(1, n)*diag(v) = v' (and ones(1, n)*diag(v)*R = v'*R): the row sums of a diagonal
  if (g[a].op == Op::Ones && g[a].shape.rows.is_one()) {
    if (g[b].op == Op::Diag && g[g[b].kids[0]].shape.is_column())
      return transpose_of(g, g[b].kids[0]);
    if (g[b].op == Op::MatMul && g[g[b].kids[0]].op == Op::Diag &&
        g[g[g[b].kids[0]].kids[0]].shape.is_column())
      return mul(g, transpose_of(g, g[g[b].kids[0]].kids[0]), g[b].kids[1]);
  }
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
  if (s.is_column()) return mul(g, transpose_of(g, a), b);
  if (s.is_row()) return mul(g, a, transpose_of(g, b));
  return unary(g, Op::Sum, emul(g, a, b));
}

Id transpose_of(Graph& g, Id a) {
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
  if (s.is_row()) return transpose_of(g, y);
  return unary(g, Op::Vec, y);
}

Dim vec_dim(Graph& g, Id y) {
  return g[vec_of(g, y)].shape.rows;
}

Id plus(Graph& g, std::optional<Id> acc, Id term) {
  return acc ? add(g, *acc, term) : term;
}

namespace {

// One entry per row of functions.def: f'(u) and the chain rule's wording.
struct FunctionDerivative {
  std::optional<Id> (*derivative)(Graph& g, Id u, Id y, Shape s);
  const char* spelling;
  const char* formula;
};
#define FUNCTION(Name, api, spelling, unicode, latex, cpp, eigen, numpy, torch, domain, at_zero, \
                 positive, kernel, vector, derivative, formula)                                  \
  {[](Graph& g, Id u, Id y, Shape s) -> std::optional<Id> {                                      \
     (void)g, (void)u, (void)y, (void)s;                                                         \
     return derivative;                                                                          \
   },                                                                                            \
   spelling, formula},
constexpr FunctionDerivative kFunctionDerivatives[] = {
#include "ir/functions.def"
};
#undef FUNCTION

const FunctionDerivative& function_derivative(Op op) {
  if (!is_elementwise_function(op))
    throw Error(ErrorKind::Internal, "not an entry-wise function: " + std::string(op_name(op)));
  return kFunctionDerivatives[function_index(op)];
}

}  // namespace

std::optional<Id> elementwise_derivative(Graph& g, Op op, Id u, Id y) {
  // relu'(u) = 1 for u > 0, 0 for u <= 0 (PyTorch's relu'(0) = 0) = sign(relu(u))
  if (op == Op::Relu) return unary(g, Op::Sign, y);
  return function_derivative(op).derivative(g, u, y, g[u].shape);
}

std::string elementwise_rule_text(Op op) {
  if (op == Op::Relu) return "chain rule through relu: d relu(u) = sign(relu(u)) .* du";
  const FunctionDerivative& f = function_derivative(op);
  return std::string("chain rule through ") + f.spelling + ": d " + f.spelling +
         "(u) = " + f.formula;
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

void no_second_derivative_of_prod() {
  throw Error(ErrorKind::Unsupported, "second derivatives of prod(x) are not supported",
              "differentiate prod(x) once, or write the product out");
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
  return k > jj ? transpose_of(g, block) : block;
}

}  // namespace nabla::diffalg
