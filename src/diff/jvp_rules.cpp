// Forward-mode rules w.r.t. a scalar t: the tangent dy = dy/dt has y's shape. A rule builds dy
// from the children's tangents (absent = zero). One entry per op of ops.def, queries excepted.
#include <array>

#include "diff/algebra.h"
#include "diff/rules.h"
#include "ir/build.h"
#include "ir/error.h"

namespace nabla {
namespace {

using namespace diffalg;
using Opt = std::optional<Id>;

[[noreturn]] void unsupported(const std::string& message, const std::string& hint = {}) {
  throw Error(ErrorKind::Unsupported, message, hint);
}

// Constants and other variables: tangent 0. The variable itself is seeded by the sweep.
Opt leaf(JvpContext&, Id) {
  return std::nullopt;
}

Opt sum_opt(Graph& g, Opt a, Opt b) {
  if (!a) return b;
  if (!b) return a;
  return add(g, *a, *b);
}

std::array<JvpRule, kOpCount> make_table() {
  std::array<JvpRule, kOpCount> t{};
  auto set = [&t](Op op, JvpRule r) { t[static_cast<size_t>(op)] = r; };
  for (Op op : {Op::Const, Op::Pi, Op::Var, Op::Identity, Op::Ones, Op::Zeros, Op::Commutation})
    set(op, leaf);

  // d(a + b) = da + db
  set(Op::Add, [](JvpContext& c, Id y) -> Opt {
    Node n = c.g[y];
    c.step("linearity: +");
    return sum_opt(c.g, c.t(n.kids[0]), c.t(n.kids[1]));
  });
  // d(s X) = ds X + s dX
  set(Op::Scale, [](JvpContext& c, Id y) -> Opt {
    Node n = c.g[y];
    Id s = n.kids[0], x = n.kids[1];
    c.step(c.depends(s) && c.depends(x) ? "product rule: scalar * X" : "linearity: scalar * X");
    Opt ds = c.t(s), dx = c.t(x);
    return sum_opt(c.g, ds ? Opt(mul(c.g, *ds, x)) : std::nullopt,
                   dx ? Opt(mul(c.g, s, *dx)) : std::nullopt);
  });
  // d(A B) = dA B + A dB
  set(Op::MatMul, [](JvpContext& c, Id y) -> Opt {
    Node n = c.g[y];
    Id a = n.kids[0], b = n.kids[1];
    c.step(c.depends(a) && c.depends(b) ? "product rule: *" : "linearity: *");
    Opt da = c.t(a), db = c.t(b);
    return sum_opt(c.g, da ? Opt(mul(c.g, *da, b)) : std::nullopt,
                   db ? Opt(mul(c.g, a, *db)) : std::nullopt);
  });
  // d(u .* v) = du .* v + u .* dv
  set(Op::Hadamard, [](JvpContext& c, Id y) -> Opt {
    Node n = c.g[y];
    Id u = n.kids[0], v = n.kids[1];
    c.step("product rule: .*");
    Opt du = c.t(u), dv = c.t(v);
    return sum_opt(c.g, du ? Opt(emul(c.g, *du, v)) : std::nullopt,
                   dv ? Opt(emul(c.g, u, *dv)) : std::nullopt);
  });
  // d(X') = dX'
  set(Op::Transpose, [](JvpContext& c, Id y) -> Opt {
    c.step("linearity: transpose");
    return tr(c.g, *c.t(c.g[y].kids[0]));
  });
  // d(u.^p) = p u.^(p-1) .* du + dp y .* log(u)
  set(Op::Power, [](JvpContext& c, Id y) -> Opt {
    Node n = c.g[y];
    Graph& g = c.g;
    Id u = n.kids[0], p = n.kids[1];
    Opt du = c.t(u), dp = c.t(p), r;
    if (du) {
      c.step("power rule: d u^p = p u^(p-1) du");
      r = emul(g, mul(g, p, pow(g, u, minus_one(g, p))), *du);
    }
    if (dp) {
      c.step("exponent rule: d u^p/dp = u^p log(u)");
      r = sum_opt(g, r, mul(g, *dp, emul(g, y, unary(g, Op::Log, u))));
    }
    return r;
  });
  // d f(u) = f'(u) .* du entry-wise
  for (Op op : {Op::Exp, Op::Log, Op::Sin, Op::Cos, Op::Tan, Op::Tanh, Op::Sigmoid, Op::Softplus,
                Op::Log1p, Op::Expm1, Op::Abs, Op::Sign, Op::Relu})
    set(op, [](JvpContext& c, Id y) -> Opt {
      Node n = c.g[y];
      c.step(elementwise_rule_text(n.op));
      auto d = elementwise_derivative(c.g, n.op, n.kids[0], y);
      if (!d) return std::nullopt;
      return emul(c.g, *d, *c.t(n.kids[0]));
    });
  // d max(a, b) = w_a .* da + w_b .* db (a scalar side's da broadcasts)
  for (Op op : {Op::Max, Op::Min})
    set(op, [](JvpContext& c, Id y) -> Opt {
      Graph& g = c.g;
      Node n = g[y];
      c.step("rule: " + extremum_rule_text(n.op));
      ExtremumWeights w = extremum_weights(g, y);
      Id ws[2] = {w.a, w.b};
      Opt r;
      for (size_t k = 0; k < 2; ++k)
        if (Opt d = c.t(n.kids[k])) r = sum_opt(g, r, emul(g, ws[k], *d));
      return r;
    });
  // d norm(x, inf) = <sign(x) .* e/sum(e), dx>
  set(Op::NormInf, [](JvpContext& c, Id y) -> Opt {
    Id x = c.g[y].kids[0];
    c.step("rule: d norm(x, inf) = sign(x_i) dx_i at the largest |x_i| (shared among ties)");
    return dot(c.g, norm_inf_gradient(c.g, y), *c.t(x));
  });
  // d sum(X) = sum(dX)
  set(Op::Sum, [](JvpContext& c, Id y) -> Opt {
    c.step("linearity: sum");
    Id dx = *c.t(c.g[y].kids[0]);
    return c.g[dx].shape.is_scalar() ? dx : unary(c.g, Op::Sum, dx);
  });
  // d norm2(x) = <x, dx>/norm2(x)
  set(Op::Norm2, [](JvpContext& c, Id y) -> Opt {
    Id x = c.g[y].kids[0];
    c.step("rule: d norm2(x) = <x, dx>/norm2(x)");
    return divide(c.g, dot(c.g, x, *c.t(x)), y);
  });
  // d tr(X) = tr(dX)
  set(Op::Trace, [](JvpContext& c, Id y) -> Opt {
    c.step("linearity: tr");
    return unary(c.g, Op::Trace, *c.t(c.g[y].kids[0]));
  });
  // d det(X) = det(X) tr(inv(X) dX)
  set(Op::Det, [](JvpContext& c, Id y) -> Opt {
    Id x = c.g[y].kids[0];
    c.step("rule: d det(X) = det(X) tr(inv(X) dX)");
    return mul(c.g, y, unary(c.g, Op::Trace, mul(c.g, unary(c.g, Op::Inv, x), *c.t(x))));
  });
  // d logdet(X) = tr(inv(X) dX)
  set(Op::LogDet, [](JvpContext& c, Id y) -> Opt {
    Id x = c.g[y].kids[0];
    c.step("rule: d logdet(X) = tr(inv(X) dX)");
    return unary(c.g, Op::Trace, mul(c.g, unary(c.g, Op::Inv, x), *c.t(x)));
  });
  // d inv(X) = -inv(X) dX inv(X)
  set(Op::Inv, [](JvpContext& c, Id y) -> Opt {
    Id x = c.g[y].kids[0];
    c.step("rule: d inv(X) = -inv(X) dX inv(X)");
    return neg(c.g, mul(c.g, mul(c.g, y, *c.t(x)), y));
  });
  // d diag(v) = diag(dv)
  set(Op::Diag, [](JvpContext& c, Id y) -> Opt {
    c.step("linearity: diag");
    Id dv = *c.t(c.g[y].kids[0]);
    return c.g[dv].shape.is_scalar() ? dv : unary(c.g, Op::Diag, dv);
  });
  // d diagpart(A) = diagpart(dA)
  set(Op::DiagPart, [](JvpContext& c, Id y) -> Opt {
    c.step("linearity: diag");
    Id da = *c.t(c.g[y].kids[0]);
    return c.g[da].shape.is_scalar() ? da : unary(c.g, Op::DiagPart, da);
  });
  // d softmax(u) = s .* (du - <s, du>)
  set(Op::Softmax, [](JvpContext& c, Id y) -> Opt {
    Graph& g = c.g;
    Id u = g[y].kids[0];
    Id du = *c.t(u);
    c.step("rule: d softmax(u) = s .* (du - <s, du>)");
    return emul(g, y, sub(g, du, mul(g, dot(g, y, du), one_like(g, g[u].shape))));
  });
  // d logsumexp(u) = <softmax(u), du>
  set(Op::LogSumExp, [](JvpContext& c, Id y) -> Opt {
    Id u = c.g[y].kids[0];
    c.step("rule: d logsumexp(u) = <softmax(u), du>");
    return dot(c.g, unary(c.g, Op::Softmax, u), *c.t(u));
  });
  // d vec(X) = vec(dX)
  set(Op::Vec, [](JvpContext& c, Id y) -> Opt {
    c.step("linearity: vec");
    return unary(c.g, Op::Vec, *c.t(c.g[y].kids[0]));
  });
  // d kron(A, B) = kron(dA, B) + kron(A, dB)
  set(Op::Kron, [](JvpContext& c, Id y) -> Opt {
    Node n = c.g[y];
    Id a = n.kids[0], b = n.kids[1];
    c.step("product rule: kron");
    Opt da = c.t(a), db = c.t(b);
    return sum_opt(c.g, da ? Opt(kron(c.g, *da, b)) : std::nullopt,
                   db ? Opt(kron(c.g, a, *db)) : std::nullopt);
  });
  // d [a; b] = [da; db]
  set(Op::Stack, [](JvpContext& c, Id y) -> Opt {
    std::vector<Id> parts = c.g[y].kids;
    c.step("linearity: stack");
    std::vector<Id> d;
    for (Id p : parts) {
      Opt dp = c.t(p);
      d.push_back(dp ? *dp : zero_like(c.g, c.g[p].shape));
    }
    return stack(c.g, d);
  });
  // d f(u) = J(f)(u) du;  d g(u) = <grad(g)(u), du>;  d h(u) = h'(u) du;
  // d L(a, b, ...) = sum_k <partial(L, k)(a, b, ...), d(arg k)>
  set(Op::Call, [](JvpContext& c, Id y) -> Opt {
    Node n = c.g[y];
    Graph& g = c.g;
    const Symbol f = g.symbol(n.a);
    int32_t fn = static_cast<int32_t>(n.a);
    if (n.b != kCallValue) {  // d h'(u) = h''(u) du, d partial(L, k) = sum_j partial(L, k, j) da_j
      c.step("chain rule: second derivatives of " + f.name);
      Opt r;
      for (size_t j = 0; j < n.kids.size(); ++j)
        if (Opt dj = c.t(n.kids[j]))
          r = sum_opt(g, r, mul(g, second_derivative_block(g, y, j), *dj));
      return r;
    }
    if (n.kids.size() == 1) {
      Id u = n.kids[0];
      Shape in = g[u].shape, out = f.shape;
      Id d = call(g, fn, kCallDerivative, {u});
      c.step("chain rule: abstract function " + f.name);
      if (out.is_scalar()) return dot(g, d, *c.t(u));
      if (in.is_scalar() || (in.is_column() && out.is_column())) return mul(g, d, *c.t(u));
      unsupported("the abstract function '" + f.name +
                  "' maps matrices; its derivative has no matrix form here");
    }
    if (!f.shape.is_scalar())
      unsupported("the abstract function '" + f.name +
                  "' has several arguments and a non-scalar value; only scalar-valued ones can "
                  "be differentiated");
    c.step("chain rule: abstract function " + f.name + " (partial derivatives)");
    Opt r;
    for (size_t k = 0; k < n.kids.size(); ++k)
      if (Opt dk = c.t(n.kids[k]))
        r = sum_opt(g, r, dot(g, call(g, fn, static_cast<int64_t>(k + 1), n.kids), *dk));
    return r;
  });
  return t;
}

const std::array<JvpRule, kOpCount>& table() {
  static const std::array<JvpRule, kOpCount> t = make_table();
  return t;
}

}  // namespace

bool has_jvp_rule(Op op) {
  return table()[static_cast<size_t>(op)] != nullptr;
}

JvpRule jvp_rule(Op op) {
  JvpRule r = table()[static_cast<size_t>(op)];
  if (!r)
    throw Error(
        ErrorKind::Internal,
        "no forward-mode rule for " + std::string(op_name(op)) +
            (diffalg::is_query_op(op) ? " (queries are expanded before differentiation)" : ""));
  return r;
}

}  // namespace nabla
