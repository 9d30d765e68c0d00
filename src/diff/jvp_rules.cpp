// Forward-mode rules w.r.t. a scalar t: the tangent dy = dy/dt has y's shape. A rule builds dy
// from the children's tangents (absent = zero). One entry per op of ops.def, queries excepted.
#include <array>

#include "diff/algebra.h"
#include "diff/differentials.h"
#include "diff/rules.h"
#include "ir/build.h"
#include "ir/error.h"

namespace nabla {
namespace {

using namespace diffalg;
using Opt = std::optional<Id>;

// Constants and other variables: tangent 0. The variable itself is seeded by the sweep.
Opt leaf(JvpContext&, Id) {
  return std::nullopt;
}

std::array<JvpRule, kOpCount> make_table() {
  std::array<JvpRule, kOpCount> t = leaf_table<JvpRule>(leaf);
  auto set = [&t](Op op, JvpRule r) { t[static_cast<size_t>(op)] = r; };

  // d(a + b) = da + db
  set(Op::Add, forward_add<JvpContext>);
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
    return transpose_of(c.g, *c.t(c.g[y].kids[0]));
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
  // d f(u) = f'(u) .* du, d max(a, b) = w_a .* da + w_b .* db (diff/differentials.h; a scalar
  // side's da broadcasts)
  for (Op op : kAllOps)
    if (is_entrywise_op(op))
      set(op, [](JvpContext& c, Id y) -> Opt {
        note_entrywise(c, y);
        return sum_of_terms(c, y, entrywise_differential(c.g, y),
                            [&](const EntrywiseTerm& t, Id d) { return emul(c.g, t.weight, d); });
      });
  // y = f(X) scalar: dy = <D, dX> or its textbook form (diff/differentials.h)
  for (Op op : kAllOps)
    if (scalar_differential(op))
      set(op, [](JvpContext& c, Id y) -> Opt {
        const ScalarDifferential& d = *scalar_differential(c.g[y].op);
        c.step(std::string("rule: ") + d.text);
        Id dx = *c.t(c.g[y].kids[0]);
        Id dy = d.forward ? d.forward(c.g, y, dx) : dot(c.g, d.gradient(c.g, y), dx);
        return d.factor ? mul(c.g, d.factor(c.g, y), dy) : dy;
      });
  // d sum(X) = sum(dX)
  set(Op::Sum, [](JvpContext& c, Id y) -> Opt {
    c.step("linearity: sum");
    Id dx = *c.t(c.g[y].kids[0]);
    return c.g[dx].shape.is_scalar() ? dx : unary(c.g, Op::Sum, dx);
  });
  // d tr(X) = tr(dX)
  set(Op::Trace, [](JvpContext& c, Id y) -> Opt {
    c.step("linearity: tr");
    return unary(c.g, Op::Trace, *c.t(c.g[y].kids[0]));
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
  set(Op::ProdOthers, [](JvpContext&, Id) -> Opt { no_second_derivative_of_prod(); });
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
  // d f(a_1, ...) = sum_j block_j da_j or <block_j, da_j> (diff/differentials.h)
  set(Op::Call, [](JvpContext& c, Id y) -> Opt {
    note_call(c, y);
    return sum_of_terms(c, y, call_differential(c.g, y, depends_on_variable, c),
                        [&](const CallTerm& t, Id d) {
                          return t.inner ? dot(c.g, t.block, d) : mul(c.g, t.block, d);
                        });
  });
  return t;
}

}  // namespace

const std::array<JvpRule, kOpCount>& jvp_table() {
  return cached_table<JvpRule, make_table>();
}

}  // namespace nabla
