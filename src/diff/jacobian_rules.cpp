// Forward-mode rules with matrix tangents: node y gets J(y) = d vec(y)/d x', a len(vec(y)) x n
// matrix for a variable x with n entries. Vectors, scalars and rows need no Kronecker products;
// a matrix-valued intermediate uses the Kronecker form vec(A X B) = kron(B', A) vec(X) where one
// exists and is Unsupported otherwise. One entry per op of ops.def, queries excepted.
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

[[noreturn]] void unsupported(const std::string& message, const std::string& hint = {}) {
  throw Error(ErrorKind::Unsupported, message, hint);
}

[[noreturn]] void no_matrix_form(const Graph& g, Id y, const std::string& what) {
  unsupported("the Jacobian through " + what + " of the " + g.dims.to_string(g[y].shape) +
                  " matrix-valued intermediate has no matrix form",
              "differentiate a scalar with grad, or use jacobian(vec(F), vec(X))");
}

Opt leaf(JacobianContext&, Id) {
  return std::nullopt;
}

// J(d .* u) = diag(vec(d)) J(u)   (d scalar: d J(u))
Id diag_times(Graph& g, Id d, Id J) {
  if (g[d].shape.is_scalar()) return mul(g, d, J);
  if (g[d].op == Op::Ones) return J;
  return mul(g, unary(g, Op::Diag, vec_of(g, d)), J);
}

// a row with the entries of vec(d):  vec(d)'
Id row_of(Graph& g, Id d) {
  return transpose_of(g, vec_of(g, d));
}

// A Kronecker-form term; symbolic dimensions whose products are named differently cannot be
// matched, which is reported as Unsupported.
template <class F>
Id kron_term(JacobianContext& c, Id y, F build) {
  c.step("rule: d vec(A X B) = kron(B', A) d vec(X)");
  try {
    return build();
  } catch (const Error& e) {
    if (e.kind() != ErrorKind::Shape) throw;
    no_matrix_form(c.g, y, "a matrix product (with symbolic dimensions)");
  }
}

std::array<JacobianRule, kOpCount> make_table() {
  std::array<JacobianRule, kOpCount> t = leaf_table<JacobianRule>(leaf);
  auto set = [&t](Op op, JacobianRule r) { t[static_cast<size_t>(op)] = r; };

  // J(a + b) = J(a) + J(b)
  set(Op::Add, forward_add<JacobianContext>);
  // J(s X) = s J(X) + vec(X) J(s)
  set(Op::Scale, [](JacobianContext& c, Id y) -> Opt {
    Node n = c.g[y];
    Id s = n.kids[0], x = n.kids[1];
    c.step(c.depends(s) && c.depends(x) ? "product rule: scalar * X" : "linearity: scalar * X");
    Opt js = c.t(s), jx = c.t(x);
    return sum_opt(c.g, jx ? Opt(mul(c.g, s, *jx)) : std::nullopt,
                   js ? Opt(mul(c.g, vec_of(c.g, x), *js)) : std::nullopt);
  });
  // A (a x p), B (p x q):  J(vec(A B)) = kron(B', I_a) J(A) + kron(I_q, A) J(B);
  // for a column result J(A u) = A J(u), for a row J(r B) = B' J(r), scalar: J(r b) = b' J(r) + r
  // J(b)
  set(Op::MatMul, [](JacobianContext& c, Id y) -> Opt {
    Node n = c.g[y];
    Graph& g = c.g;
    Id a = n.kids[0], b = n.kids[1];
    if (c.depends(a) && c.depends(b))
      c.note("product rule", y,
             [&] { return "d(A*B) = dA*B + A*dB with A = " + c.text(a) + ", B = " + c.text(b); });
    else if (g[b].op == Op::Var && g[b].a == c.var && g[b].shape.is_column() &&
             g[y].shape.is_column())
      c.note("known Jacobian", y, [&] { return "J(" + c.text(y) + ") = " + c.text(a); });
    else if (c.depends(b))
      c.note("linearity", y, [&] { return "d(A*B) = A*dB with A = " + c.text(a); });
    else
      c.note("linearity", y, [&] { return "d(A*B) = dA*B with B = " + c.text(b); });
    Shape sa = g[a].shape, sb = g[b].shape;
    Opt ja = c.t(a), jb = c.t(b), r;
    if (ja) {
      if (sa.rows.is_one())
        r = mul(g, transpose_of(g, b), *ja);
      else
        r = kron_term(c, y, [&] {
          return mul(g, kron_of(g, transpose_of(g, b), identity(g, sa.rows)), *ja);
        });
    }
    if (jb) {
      Id term = sb.cols.is_one() ? mul(g, a, *jb) : kron_term(c, y, [&] {
        return mul(g, kron_of(g, identity(g, sb.cols), a), *jb);
      });
      r = sum_opt(g, r, term);
    }
    return r;
  });
  // J(u .* v) = diag(v) J(u) + diag(u) J(v)
  set(Op::Hadamard, [](JacobianContext& c, Id y) -> Opt {
    Node n = c.g[y];
    Id u = n.kids[0], v = n.kids[1];
    c.step("product rule: .*");
    Opt ju = c.t(u), jv = c.t(v);
    return sum_opt(c.g, ju ? Opt(diag_times(c.g, v, *ju)) : std::nullopt,
                   jv ? Opt(diag_times(c.g, u, *jv)) : std::nullopt);
  });
  // vec(dX') = K(m, n) vec(dX) for m x n X, so J(X') = K(m, n) J(X); vectors: vec(u') = vec(u)
  set(Op::Transpose, [](JacobianContext& c, Id y) -> Opt {
    Id x = c.g[y].kids[0];
    Shape s = c.g[x].shape;
    if (!s.is_matrix()) {
      c.step("linearity: transpose");
      return *c.t(x);
    }
    c.step("rule: vec(dX') = K(m, n) vec(dX) (commutation matrix)");
    return mul(c.g, commutation(c.g, s.rows, s.cols), *c.t(x));
  });
  // J(u.^p) = diag(p u.^(p-1)) J(u) + vec(y .* log(u)) J(p)
  set(Op::Power, [](JacobianContext& c, Id y) -> Opt {
    Node n = c.g[y];
    Graph& g = c.g;
    Id u = n.kids[0], p = n.kids[1];
    Opt ju = c.t(u), jp = c.t(p), r;
    if (ju) {
      c.step("power rule: d u^p = p u^(p-1) du");
      r = diag_times(g, mul(g, p, pow(g, u, minus_one(g, p))), *ju);
    }
    if (jp) {
      c.step("exponent rule: d u^p/dp = u^p log(u)");
      r = sum_opt(g, r, mul(g, vec_of(g, emul(g, y, unary(g, Op::Log, u))), *jp));
    }
    return r;
  });
  // J(f(u)) = diag(f'(u)) J(u), J(max(a, b)) = diag(vec(w_a)) J(a) + diag(vec(w_b)) J(b)
  // (diff/differentials.h; a scalar side: vec(w) J(s))
  for (Op op : kAllOps)
    if (is_entrywise_op(op))
      set(op, [](JacobianContext& c, Id y) -> Opt {
        note_entrywise(c, y);
        return sum_of_terms(c, y, entrywise_differential(c.g, y),
                            [&](const EntrywiseTerm& t, Id j) {
                              return t.broadcast ? mul(c.g, vec_of(c.g, t.weight), j)
                                                 : diag_times(c.g, t.weight, j);
                            });
      });
  // y = f(X) scalar with dy = <D, dX> (diff/differentials.h):  J(y) = vec(D)' J(X)
  for (Op op : kAllOps)
    if (scalar_differential(op))
      set(op, [](JacobianContext& c, Id y) -> Opt {
        const ScalarDifferential& d = *scalar_differential(c.g[y].op);
        c.step(std::string("rule: ") + d.text);
        Id j = mul(c.g, row_of(c.g, d.gradient(c.g, y)), *c.t(c.g[y].kids[0]));
        return d.factor ? mul(c.g, d.factor(c.g, y), j) : j;
      });
  // J(sum(X)) = ones' J(X)
  set(Op::Sum, [](JacobianContext& c, Id y) -> Opt {
    Id x = c.g[y].kids[0];
    c.step("linearity: sum");
    Id jx = *c.t(x);
    if (c.g[x].shape.is_scalar()) return jx;
    return mul(c.g, ones(c.g, Shape::matrix(Dim::fixed(1), vec_dim(c.g, x))), jx);
  });
  // J(tr(X)) = vec(I)' J(X)
  set(Op::Trace, [](JacobianContext& c, Id y) -> Opt {
    Id x = c.g[y].kids[0];
    c.step("rule: d tr(X)/dX = I");
    if (c.g[x].shape.is_scalar()) return *c.t(x);
    return mul(c.g, row_of(c.g, identity(c.g, c.g[x].shape.rows)), *c.t(x));
  });
  // J(inv(X)) = -kron(inv(X)', inv(X)) J(X)
  set(Op::Inv, [](JacobianContext& c, Id y) -> Opt {
    Id x = c.g[y].kids[0];
    c.step("rule: d vec(inv(X)) = -kron(inv(X)', inv(X)) d vec(X)");
    if (c.g[x].shape.is_scalar())
      return neg(c.g, mul(c.g, power(c.g, y, integer(c.g, 2)), *c.t(x)));
    return neg(c.g, mul(c.g, kron_of(c.g, transpose_of(c.g, y), y), *c.t(x)));
  });
  // With E = kron(ones(n), I_n) (n I_n blocks stacked) and D = diag(vec(I_n)):
  // vec(diag(v)) = D E v, so J(diag(v)) = D E J(v)   (scalar v: J(v))
  set(Op::Diag, [](JacobianContext& c, Id y) -> Opt {
    Graph& g = c.g;
    Id v = g[y].kids[0];
    if (g[v].shape.is_scalar()) return *c.t(v);
    c.step("rule: vec(diag(v)) = diag(vec(I)) kron(ones, I) v");
    Dim n = g[v].shape.rows;
    Id E = kron(g, ones(g, Shape::vector(n)), identity(g, n));
    Id D = unary(g, Op::Diag, unary(g, Op::Vec, identity(g, n)));
    return mul(g, D, mul(g, E, *c.t(v)));
  });
  // diag(A) = E' D vec(A), so J(diag(A)) = E' D J(A)   (1 x 1 A: J(A))
  set(Op::DiagPart, [](JacobianContext& c, Id y) -> Opt {
    Graph& g = c.g;
    Id a = g[y].kids[0];
    if (g[a].shape.is_scalar()) return *c.t(a);
    c.step("rule: diag(A) = kron(ones, I)' diag(vec(I)) vec(A)");
    Dim n = g[a].shape.rows;
    Id E = kron(g, ones(g, Shape::vector(n)), identity(g, n));
    Id D = unary(g, Op::Diag, unary(g, Op::Vec, identity(g, n)));
    return mul(g, transpose_of(g, E), mul(g, D, *c.t(a)));
  });
  // J(softmax(u)) = (diag(s) - s s') J(u)
  set(Op::Softmax, [](JacobianContext& c, Id y) -> Opt {
    Graph& g = c.g;
    Id u = g[y].kids[0];
    c.step("rule: J(softmax)(u) = diag(s) - s*s'");
    return mul(g, sub(g, unary(g, Op::Diag, y), mul(g, y, transpose_of(g, y))), *c.t(u));
  });
  set(Op::ProdOthers, [](JacobianContext&, Id) -> Opt { no_second_derivative_of_prod(); });
  // J(vec(X)) = J(X)
  set(Op::Vec, [](JacobianContext& c, Id y) -> Opt {
    c.step("linearity: vec");
    return *c.t(c.g[y].kids[0]);
  });
  set(Op::Kron, [](JacobianContext& c, Id y) -> Opt { no_matrix_form(c.g, y, "kron"); });
  // Columns: J([a; b]) = [J(a); J(b)]. Parts P_i (r_i x q) of a matrix: [P_1; P_2; ...] =
  // sum_i E_i P_i with E_i = [0; I; 0] the rows of part i, so J = sum_i kron(I_q, E_i) J(P_i).
  set(Op::Stack, [](JacobianContext& c, Id y) -> Opt {
    Graph& g = c.g;
    std::vector<Id> parts = g[y].kids;
    c.step("linearity: stack");
    if (g[y].shape.is_vector_like()) {
      std::vector<Id> d;
      for (Id p : parts) {
        Opt jp = c.t(p);
        d.push_back(jp ? *jp : zeros(g, Shape::matrix(g[p].shape.rows, c.n)));
      }
      return stack(g, d);
    }
    Dim q = g[y].shape.cols;
    std::vector<Dim> rows;
    for (Id p : parts) rows.push_back(g[p].shape.rows);
    Opt r;
    for (size_t i = 0; i < parts.size(); ++i) {
      Opt jp = c.t(parts[i]);
      if (!jp) continue;
      std::vector<Id> e;
      Dim ri = rows[i];
      std::vector<Dim> before(rows.begin(), rows.begin() + static_cast<std::ptrdiff_t>(i));
      std::vector<Dim> after(rows.begin() + static_cast<std::ptrdiff_t>(i) + 1, rows.end());
      if (!before.empty()) e.push_back(zeros(g, Shape::matrix(g.dims.sum(before), ri)));
      e.push_back(ri.is_one() ? integer(g, 1) : identity(g, ri));
      if (!after.empty()) e.push_back(zeros(g, Shape::matrix(g.dims.sum(after), ri)));
      Id E = stack(g, e);
      Id term = mul(g, kron_of(g, identity(g, q), E), *jp);
      r = sum_opt(g, r, term);
    }
    return r;
  });
  // J(f(u)) = J(f)(u) J(u);  J(g(u)) = grad(g)(u)' J(u);  J(h(t)) = h'(t) J(t);
  // J(L(a, b, ...)) = sum_k partial(L, k)(...)' J(arg k)
  // J(f(a_1, ...)) = sum_j block_j J(a_j) or vec(block_j)' J(a_j) (diff/differentials.h)
  set(Op::Call, [](JacobianContext& c, Id y) -> Opt {
    note_call(c, y);
    return sum_of_terms(c, y, call_differential(c.g, y, depends_on_variable, c),
                        [&](const CallTerm& t, Id j) {
                          return mul(c.g, t.inner ? row_of(c.g, t.block) : t.block, j);
                        });
  });
  return t;
}

}  // namespace

const std::array<JacobianRule, kOpCount>& jacobian_table() {
  return cached_table<JacobianRule, make_table>();
}

}  // namespace nabla
