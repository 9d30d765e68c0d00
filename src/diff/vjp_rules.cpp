// Reverse-mode rules: for y = op(kids) with cotangent G (same shape as y), the contribution
// each child receives. One entry per op of ops.def; query ops have none (expanded first).
#include <array>

#include "diff/algebra.h"
#include "diff/rules.h"
#include "ir/build.h"
#include "ir/error.h"

namespace nabla {
namespace {

using namespace diffalg;

[[noreturn]] void unsupported(const std::string& message, const std::string& hint = {}) {
  throw Error(ErrorKind::Unsupported, message, hint);
}

// Leaves carry no children: nothing to propagate.
void leaf(VjpContext&, Id, Id) {}

// Selector S_k with parts[k] = S_k * [parts...]: S_k' = [0; I; 0] stacked like the parts.
Id stack_selector_t(Graph& g, const std::vector<Id>& parts, size_t k) {
  Dim rk = g[parts[k]].shape.rows;
  std::vector<Id> blocks;
  for (size_t j = 0; j < parts.size(); ++j)
    blocks.push_back(j == k ? identity(g, rk)
                            : zeros(g, Shape::matrix(g[parts[j]].shape.rows, rk)));
  return stack(g, blocks);
}

// unvec(G) for G = vec(X), X n x m:  X = (vec(I_m)' kron I_n) (I_m kron G).
Id unvec(Graph& g, Id G, Shape xs) {
  try {
    Id left = kron(g, transpose(g, unary(g, Op::Vec, identity(g, xs.cols))), identity(g, xs.rows));
    Id right = kron(g, identity(g, xs.cols), G);
    return matmul(g, left, right);
  } catch (const Error& e) {
    if (e.kind() != ErrorKind::Shape) throw;
    unsupported(
        "the gradient through vec(X) of a matrix with symbolic dimensions has no matrix "
        "form here",
        "give X fixed dimensions, or differentiate w.r.t. the matrix directly");
  }
}

std::array<VjpRule, kOpCount> make_table() {
  std::array<VjpRule, kOpCount> t{};
  auto set = [&t](Op op, VjpRule r) { t[static_cast<size_t>(op)] = r; };
  for (Op op : {Op::Const, Op::Pi, Op::Var, Op::Identity, Op::Ones, Op::Zeros}) set(op, leaf);

  // y = a + b:  da += G, db += G
  set(Op::Add, [](VjpContext& c, Id y, Id G) {
    Node n = c.g[y];
    c.step("linearity: +");
    c.accum(n.kids[0], G);
    c.accum(n.kids[1], G);
  });
  // y = s*X (s scalar):  ds += <G, X>,  dX += s*G
  set(Op::Scale, [](VjpContext& c, Id y, Id G) {
    Node n = c.g[y];
    Id s = n.kids[0], x = n.kids[1];
    if (c.depends(s) && c.depends(x))
      c.step("product rule: scalar * X");
    else
      c.step("linearity: scalar * X");
    if (c.depends(s)) c.accum(s, dot(c.g, G, x));
    if (c.depends(x)) c.accum(x, mul(c.g, s, G));
  });
  // C = A*B:  dA += G*B',  dB += A'*G
  set(Op::MatMul, [](VjpContext& c, Id y, Id G) {
    Node n = c.g[y];
    Id a = n.kids[0], b = n.kids[1];
    if (c.depends(a) && c.depends(b))
      c.step("product rule: *");
    else
      c.step("linearity: *");
    if (c.depends(a)) c.accum(a, mul(c.g, G, tr(c.g, b)));
    if (c.depends(b)) c.accum(b, mul(c.g, tr(c.g, a), G));
  });
  // y = u .* v:  du += G .* v,  dv += G .* u
  set(Op::Hadamard, [](VjpContext& c, Id y, Id G) {
    Node n = c.g[y];
    Id u = n.kids[0], v = n.kids[1];
    c.step("product rule: .*");
    if (c.depends(u)) c.accum(u, emul(c.g, G, v));
    if (c.depends(v)) c.accum(v, emul(c.g, G, u));
  });
  // y = X':  dX += G'
  set(Op::Transpose, [](VjpContext& c, Id y, Id G) {
    c.step("linearity: transpose");
    c.accum(c.g[y].kids[0], tr(c.g, G));
  });
  // y = u.^p:  du += G .* p .* u.^(p-1);  dp += <G, y .* log(u)>
  set(Op::Power, [](VjpContext& c, Id y, Id G) {
    Node n = c.g[y];
    Id u = n.kids[0], p = n.kids[1];
    Graph& g = c.g;
    if (c.depends(u)) {
      c.step("power rule: d u^p = p u^(p-1) du");
      c.accum(u, emul(g, G, mul(g, p, pow(g, u, minus_one(g, p)))));
    }
    if (c.depends(p)) {
      c.step("exponent rule: d u^p/dp = u^p log(u)");
      c.accum(p, dot(g, G, emul(g, y, unary(g, Op::Log, u))));
    }
  });
  // y = f(u) entry-wise:  du += G .* f'(u)  (see elementwise_derivative for each f')
  for (Op op : {Op::Exp, Op::Log, Op::Sin, Op::Cos, Op::Tan, Op::Tanh, Op::Sigmoid, Op::Softplus,
                Op::Log1p, Op::Expm1, Op::Abs, Op::Sign})
    set(op, [](VjpContext& c, Id y, Id G) {
      Node n = c.g[y];
      c.step(elementwise_rule_text(n.op));
      if (auto d = elementwise_derivative(c.g, n.op, n.kids[0], y))
        c.accum(n.kids[0], emul(c.g, G, *d));
    });
  // y = sum(X):  dX += G*ones
  set(Op::Sum, [](VjpContext& c, Id y, Id G) {
    Id x = c.g[y].kids[0];
    c.step("rule: d sum(X)/dX = ones");
    c.accum(x, mul(c.g, G, one_like(c.g, c.g[x].shape)));
  });
  // y = norm2(x):  dx += G*x/norm2(x)
  set(Op::Norm2, [](VjpContext& c, Id y, Id G) {
    Id x = c.g[y].kids[0];
    c.step("rule: d norm2(x)/dx = x/norm2(x)");
    c.accum(x, mul(c.g, G, divide(c.g, x, y)));
  });
  // y = tr(X):  dX += G*I
  set(Op::Trace, [](VjpContext& c, Id y, Id G) {
    Id x = c.g[y].kids[0];
    c.step("rule: d tr(X)/dX = I");
    c.accum(x, mul(c.g, G, identity(c.g, c.g[x].shape.rows)));
  });
  // y = det(X):  dX += G*det(X)*inv(X)'
  set(Op::Det, [](VjpContext& c, Id y, Id G) {
    Id x = c.g[y].kids[0];
    c.step("rule: d det(X)/dX = det(X) inv(X)'");
    c.accum(x, mul(c.g, mul(c.g, G, y), tr(c.g, unary(c.g, Op::Inv, x))));
  });
  // y = logdet(X):  dX += G*inv(X)'
  set(Op::LogDet, [](VjpContext& c, Id y, Id G) {
    Id x = c.g[y].kids[0];
    c.step("rule: d logdet(X)/dX = inv(X)'");
    c.accum(x, mul(c.g, G, tr(c.g, unary(c.g, Op::Inv, x))));
  });
  // y = inv(X):  dX += -inv(X)'*G*inv(X)'
  set(Op::Inv, [](VjpContext& c, Id y, Id G) {
    Id x = c.g[y].kids[0];
    c.step("rule: d inv(X) = -inv(X) dX inv(X)");
    Id yt = tr(c.g, y);
    c.accum(x, neg(c.g, mul(c.g, mul(c.g, yt, G), yt)));
  });
  // y = diag(v):  dv += diagpart(G)   (v scalar: dv += G)
  set(Op::Diag, [](VjpContext& c, Id y, Id G) {
    Id v = c.g[y].kids[0];
    c.step("rule: d diag(v) -> diag(G)");
    c.accum(v, c.g[v].shape.is_scalar() ? G : unary(c.g, Op::DiagPart, G));
  });
  // y = diagpart(A):  dA += diag(G)
  set(Op::DiagPart, [](VjpContext& c, Id y, Id G) {
    Id a = c.g[y].kids[0];
    c.step("rule: d diag(A) -> diag(G)");
    c.accum(a, c.g[a].shape.is_scalar() ? G : unary(c.g, Op::Diag, G));
  });
  // s = softmax(u):  du += J'G = s .* (G - (s'*G))
  set(Op::Softmax, [](VjpContext& c, Id y, Id G) {
    Graph& g = c.g;
    Id u = g[y].kids[0];
    c.step("rule: J(softmax)' G = s .* (G - <s, G>)");
    Id sg = dot(g, y, G);
    c.accum(u, emul(g, y, sub(g, G, mul(g, sg, one_like(g, g[u].shape)))));
  });
  // y = logsumexp(u):  du += G*softmax(u)
  set(Op::LogSumExp, [](VjpContext& c, Id y, Id G) {
    Id u = c.g[y].kids[0];
    c.step("rule: d logsumexp(u)/du = softmax(u)");
    c.accum(u, mul(c.g, G, unary(c.g, Op::Softmax, u)));
  });
  // y = vec(X):  dX += unvec(G)  (G for a column, G' for a row)
  set(Op::Vec, [](VjpContext& c, Id y, Id G) {
    Id x = c.g[y].kids[0];
    Shape s = c.g[x].shape;
    c.step("linearity: vec");
    if (s.is_vector_like())
      c.accum(x, G);
    else if (s.is_row())
      c.accum(x, tr(c.g, G));
    else
      c.accum(x, unvec(c.g, G, s));
  });
  set(Op::Kron, [](VjpContext&, Id, Id) {
    unsupported("the gradient through kron(A, B) w.r.t. its factors is not supported",
                "differentiate the expression before forming the Kronecker product");
  });
  // y = [p1; p2; ...]:  dp_k += S_k*G, S_k = [0 I 0] selects the rows of part k
  set(Op::Stack, [](VjpContext& c, Id y, Id G) {
    std::vector<Id> parts = c.g[y].kids;
    c.step("linearity: stack (row blocks of G)");
    for (size_t k = 0; k < parts.size(); ++k)
      if (c.depends(parts[k]))
        c.accum(parts[k], mul(c.g, tr(c.g, stack_selector_t(c.g, parts, k)), G));
  });
  // y = f(u):  f: R^m -> R^k  du += J(f)(u)'*G;  g: R^k -> R  du += G*grad(g)(u);
  //            h: R -> R  du += h'(u)*G;  L(a, b, ...) scalar: d(arg k) += G*partial(L, k)(...)
  set(Op::Call, [](VjpContext& c, Id y, Id G) {
    Node n = c.g[y];
    Graph& g = c.g;
    const Symbol f = g.symbol(n.a);
    if (n.b != kCallValue)
      unsupported("second derivatives of the abstract function '" + f.name +
                      "' are not supported (differentiating J(" + f.name + "), grad(" + f.name +
                      "), " + f.name + "' or partial(" + f.name + ", k))",
                  "give '" + f.name + "' a concrete definition");
    int32_t fn = static_cast<int32_t>(n.a);
    if (n.kids.size() == 1) {
      Id u = n.kids[0];
      Shape in = g[u].shape, out = f.shape;
      if (out.is_scalar()) {
        c.step("chain rule: abstract function " + f.name + " (grad(" + f.name + "))");
        c.accum(u, mul(g, G, call(g, fn, kCallDerivative, {u})));
      } else if (in.is_scalar()) {
        c.step("chain rule: abstract function " + f.name + " (" + f.name + "')");
        c.accum(u, dot(g, call(g, fn, kCallDerivative, {u}), G));
      } else if (in.is_column() && out.is_column()) {
        c.step("chain rule: abstract function " + f.name + " (J(" + f.name + "))");
        c.accum(u, mul(g, tr(g, call(g, fn, kCallDerivative, {u})), G));
      } else {
        unsupported("the abstract function '" + f.name +
                    "' maps matrices; its derivative has no matrix form here");
      }
      return;
    }
    if (!f.shape.is_scalar())
      unsupported("the abstract function '" + f.name +
                  "' has several arguments and a non-scalar value; only scalar-valued ones can "
                  "be differentiated");
    c.step("chain rule: abstract function " + f.name + " (partial derivatives)");
    for (size_t k = 0; k < n.kids.size(); ++k)
      if (c.depends(n.kids[k]))
        c.accum(n.kids[k], mul(g, G, call(g, fn, static_cast<int64_t>(k + 1), n.kids)));
  });
  return t;
}

const std::array<VjpRule, kOpCount>& table() {
  static const std::array<VjpRule, kOpCount> t = make_table();
  return t;
}

}  // namespace

bool has_vjp_rule(Op op) {
  return table()[static_cast<size_t>(op)] != nullptr;
}

VjpRule vjp_rule(Op op) {
  VjpRule r = table()[static_cast<size_t>(op)];
  if (!r)
    throw Error(
        ErrorKind::Internal,
        "no reverse-mode rule for " + std::string(op_name(op)) +
            (diffalg::is_query_op(op) ? " (queries are expanded before differentiation)" : ""));
  return r;
}

}  // namespace nabla
