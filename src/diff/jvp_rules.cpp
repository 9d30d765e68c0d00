// The differential of every op, written once: for y = op(kids), dy from the children's
// tangents (absent = zero), built only from linear ops applied to the tangents with primal
// coefficients. derivative() runs it w.r.t. a scalar; grad() w.r.t. a placeholder dX and then
// transposes the linear result (transpose_rules.cpp). One entry per op of ops.def, queries
// excepted; one step text per rule, the same in every mode.
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

bool is_variable(const JvpContext& c, Id id) {
  return c.g[id].op == Op::Var && c.g[id].a == c.var;
}

bool is_column(const JvpContext& c, Id id) {
  return c.g[id].shape.is_column() && !c.g[id].shape.is_scalar();
}

// The step line of C = A*B: the product rule, or a known gradient/Jacobian, or linearity.
void note_matmul(JvpContext& c, Id y, Id a, Id b) {
  Graph& g = c.g;
  if (!c.steps) return;
  bool da = c.depends(a), db = c.depends(b);
  if (da && db) {
    if (g[a].op == Op::Transpose && is_column(c, g[a].kids[0]) && is_column(c, b)) {
      Id u = g[a].kids[0];
      c.note("product rule", y, [&] {
        return "grad(u'*v) = J(u)'*v + J(v)'*u with u = " + c.text(u) + ", v = " + c.text(b);
      });
    } else {
      c.note("product rule", y,
             [&] { return "d(A*B) = dA*B + A*dB with A = " + c.text(a) + ", B = " + c.text(b); });
    }
    return;
  }
  // a'*x and x'*a: grad <a, x> = a
  if (db && is_variable(c, b) && is_column(c, b) && g[a].op == Op::Transpose &&
      is_column(c, g[a].kids[0])) {
    Id k = g[a].kids[0];
    c.note("known gradient", y,
           [&] { return "grad <" + c.text(k) + ", " + c.text(b) + "> = " + c.text(k); });
    return;
  }
  if (da && g[a].op == Op::Transpose && is_variable(c, g[a].kids[0]) &&
      is_column(c, g[a].kids[0]) && is_column(c, b)) {
    Id x = g[a].kids[0];
    c.note("known gradient", y,
           [&] { return "grad <" + c.text(x) + ", " + c.text(b) + "> = " + c.text(b); });
    return;
  }
  // A*x: J(A*x) = A
  if (db && is_variable(c, b) && is_column(c, b) && is_column(c, y)) {
    c.note("known Jacobian", y, [&] { return "J(" + c.text(y) + ") = " + c.text(a); });
    return;
  }
  if (db)
    c.note("linearity", y, [&] { return "d(A*B) = A*dB with A = " + c.text(a); });
  else
    c.note("linearity", y, [&] { return "d(A*B) = dA*B with B = " + c.text(b); });
}

// Constants and other variables: tangent 0. The variable itself is seeded by the sweep.
Opt leaf(JvpContext&, Id) {
  return std::nullopt;
}

// d B(a, b) = B(da, b) + B(a, db) for a bilinear op B (s*X, A*B, u .* v, kron(A, B)).
template <Id (*B)(Graph&, Id, Id)>
Opt product_rule(JvpContext& c, Id y) {
  Node n = c.g[y];
  Opt da = c.t(n.kids[0]), db = c.t(n.kids[1]);
  return sum_opt(c.g, da ? Opt(B(c.g, *da, n.kids[1])) : std::nullopt,
                 db ? Opt(B(c.g, n.kids[0], *db)) : std::nullopt);
}

// w .* d for a weight w (primal) and a tangent d; as a linear map d .* w, whose transpose is the
// cotangent first: G .* w (for scalars G*w, not w*G).
Id weighted(JvpContext& c, Id w, Id d) {
  return c.as_linear_map() ? emul(c.g, d, w) : emul(c.g, w, d);
}

// The tangent of a child, which the sweep only asks for when it has one.
Id tangent(const JvpContext& c, Id y, size_t k = 0) {
  return *c.t(c.g[y].kids[k]);
}

std::array<JvpRule, kOpCount> make_table() {
  std::array<JvpRule, kOpCount> t = leaf_table<JvpRule>(leaf);
  auto set = [&t](Op op, JvpRule r) { t[static_cast<size_t>(op)] = r; };

  // d(a + b) = da + db
  set(Op::Add, [](JvpContext& c, Id y) -> Opt {
    Node n = c.g[y];
    if (c.steps) {
      c.note("linearity", y, [] { return "d(a + b) = da + db"; });
      for (Id k : n.kids)
        if (c.g[k].op == Op::Add) c.quiet.insert(k);  // one line per sum
    }
    return sum_opt(c.g, c.t(n.kids[0]), c.t(n.kids[1]));
  });
  // d(s X) = ds X + s dX
  set(Op::Scale, [](JvpContext& c, Id y) -> Opt {
    Node n = c.g[y];
    Id s = n.kids[0], x = n.kids[1];
    if (c.depends(s) && c.depends(x))
      c.note("product rule", y,
             [&] { return "d(s*X) = ds*X + s*dX with s = " + c.text(s) + ", X = " + c.text(x); });
    else if (c.depends(x))
      c.note("linearity", y, [&] { return "d(s*X) = s*dX with s = " + c.text(s); });
    else
      c.note("linearity", y, [&] { return "d(s*X) = ds*X with X = " + c.text(x); });
    return product_rule<mul>(c, y);
  });
  // d(A B) = dA B + A dB
  set(Op::MatMul, [](JvpContext& c, Id y) -> Opt {
    note_matmul(c, y, c.g[y].kids[0], c.g[y].kids[1]);
    return product_rule<mul>(c, y);
  });
  // d(u .* v) = du .* v + u .* dv
  set(Op::Hadamard, [](JvpContext& c, Id y) -> Opt {
    Node n = c.g[y];
    Id u = n.kids[0], v = n.kids[1];
    c.note("product rule", y, [&] {
      return "d(u .* v) = du .* v + u .* dv with u = " + c.text(u) + ", v = " + c.text(v);
    });
    return product_rule<emul>(c, y);
  });
  // d(X') = dX'
  set(Op::Transpose, [](JvpContext& c, Id y) -> Opt {
    Id x = c.g[y].kids[0];
    // x' and f(x)' are named by the line of the product they sit in.
    if (c.g[x].op != Op::Var && c.g[x].op != Op::Call)
      c.note("linearity", y, [] { return "d(X') = (dX)'"; });
    return transpose_of(c.g, tangent(c, y));
  });
  // d(u.^p) = p u.^(p-1) .* du + dp y .* log(u)
  set(Op::Power, [](JvpContext& c, Id y) -> Opt {
    Node n = c.g[y];
    Graph& g = c.g;
    Id u = n.kids[0], p = n.kids[1];
    Opt du = c.t(u), dp = c.t(p), r;
    if (du) {
      c.note("power rule", y,
             [&] { return "d u^p = p*u^(p-1) du with u = " + c.text(u) + ", p = " + c.text(p); });
      r = weighted(c, mul(g, p, pow(g, u, minus_one(g, p))), *du);
    }
    if (dp) {
      c.note("exponent rule", y,
             [&] { return "d u^p/dp = u^p*log(u) with u = " + c.text(u) + ", p = " + c.text(p); });
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
                            [&](const EntrywiseTerm& t, Id d) { return weighted(c, t.weight, d); });
      });
  // y = f(X) scalar: dy = factor <D, dX> (diff/differentials.h), in its textbook form where one
  // is written (d logdet(X) = tr(inv(X) dX)); transposed, the form <D, dX> gives D itself.
  for (Op op : kAllOps)
    if (scalar_differential(op))
      set(op, [](JvpContext& c, Id y) -> Opt {
        const ScalarDifferential& d = *scalar_differential(c.g[y].op);
        c.note(std::string("rule ") + d.text, y, [] { return std::string(); });
        Id dx = tangent(c, y);
        if (c.as_linear_map()) {
          Id dy = dot(c.g, d.gradient(c.g, y), dx);
          return d.factor ? mul(c.g, dy, d.factor(c.g, y)) : dy;
        }
        Id dy = d.forward ? d.forward(c.g, y, dx) : dot(c.g, d.gradient(c.g, y), dx);
        return d.factor ? mul(c.g, d.factor(c.g, y), dy) : dy;
      });
  // d sum(X) = sum(dX)
  set(Op::Sum, [](JvpContext& c, Id y) -> Opt {
    c.note("linearity", y, [] { return "d sum(X) = sum(dX)"; });
    Id dx = tangent(c, y);
    return c.g[dx].shape.is_scalar() ? dx : unary(c.g, Op::Sum, dx);
  });
  // d tr(X) = tr(dX)
  set(Op::Trace, [](JvpContext& c, Id y) -> Opt {
    Id x = c.g[y].kids[0];
    if (c.steps && c.g[x].op == Op::MatMul && c.depends(c.g[x].kids[0]) &&
        !c.depends(c.g[x].kids[1])) {
      Id a = c.g[x].kids[1];
      c.note("rule d tr(X*A) = tr(dX*A)", y, [&] { return "A = " + c.text(a); });
      c.quiet.insert(x);
    } else {
      c.note("linearity", y, [] { return "d tr(X) = tr(dX)"; });
    }
    return unary(c.g, Op::Trace, tangent(c, y));
  });
  // d inv(X) = -inv(X) dX inv(X)
  set(Op::Inv, [](JvpContext& c, Id y) -> Opt {
    c.note("rule d inv(X) = -inv(X) dX inv(X)", y, [] { return std::string(); });
    return neg(c.g, mul(c.g, mul(c.g, y, tangent(c, y)), y));
  });
  // d diag(v) = diag(dv)
  set(Op::Diag, [](JvpContext& c, Id y) -> Opt {
    c.note("linearity", y, [] { return "d diag(v) = diag(dv)"; });
    Id dv = tangent(c, y);
    return c.g[dv].shape.is_scalar() ? dv : unary(c.g, Op::Diag, dv);
  });
  // d diagpart(A) = diagpart(dA)
  set(Op::DiagPart, [](JvpContext& c, Id y) -> Opt {
    c.note("linearity", y, [] { return "d diag(A) = diag(dA)"; });
    Id da = tangent(c, y);
    return c.g[da].shape.is_scalar() ? da : unary(c.g, Op::DiagPart, da);
  });
  // d softmax(u) = s .* (du - <s, du>)
  set(Op::Softmax, [](JvpContext& c, Id y) -> Opt {
    Graph& g = c.g;
    Id u = g[y].kids[0];
    Id du = tangent(c, y);
    c.note("rule d softmax(u) = s .* (du - <s, du>)", y, [] { return std::string(); });
    // = (diag(s) - s*s') du, the Jacobian's matrix form
    if (c.reading == JvpContext::Reading::Vectorized)
      return mul(g, sub(g, unary(g, Op::Diag, y), mul(g, y, transpose_of(g, y))), du);
    return emul(g, y, sub(g, du, mul(g, dot(g, y, du), one_like(g, g[u].shape))));
  });
  set(Op::ProdOthers, [](JvpContext&, Id) -> Opt { no_second_derivative_of_prod(); });
  // d vec(X) = vec(dX)
  set(Op::Vec, [](JvpContext& c, Id y) -> Opt {
    c.note("linearity", y, [] { return "d vec(X) = vec(dX)"; });
    return unary(c.g, Op::Vec, tangent(c, y));
  });
  // d kron(A, B) = kron(dA, B) + kron(A, dB)
  set(Op::Kron, [](JvpContext& c, Id y) -> Opt {
    c.note("product rule", y, [] { return "d kron(A, B) = kron(dA, B) + kron(A, dB)"; });
    return product_rule<kron>(c, y);
  });
  // d [a; b] = [da; db]
  set(Op::Stack, [](JvpContext& c, Id y) -> Opt {
    std::vector<Id> parts = c.g[y].kids;
    c.note("linearity", y, [] { return "d [a; b] = [da; db]"; });
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
