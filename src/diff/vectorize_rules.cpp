// Vectorize rules: for a linear op y = L(kids) inside a linear expression dy(dX), J(y) =
// d vec(y)/d vec(dX)' from the children's J (absent = zero), a len(vec(y)) x n matrix for a
// placeholder dX with n entries. Only the linear ops have one; each is the vectorized op,
// vec(A dX B) = kron(B', A) vec(dX) (Magnus & Neudecker's first identification theorem).
// Vectors, scalars and rows need no Kronecker products; a matrix-valued intermediate uses the
// Kronecker form where one exists and is Unsupported otherwise.
#include <array>
#include <utility>

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

// E = kron(ones(n), I_n) (n I_n blocks stacked) and D = diag(vec(I_n)): vec(diag(v)) = D E v.
std::pair<Id, Id> diagonal_selectors(Graph& g, Dim n) {
  Id E = kron(g, ones(g, Shape::vector(n)), identity(g, n));
  Id D = unary(g, Op::Diag, unary(g, Op::Vec, identity(g, n)));
  return {E, D};
}

// A Kronecker-form term; symbolic dimensions whose products are named differently cannot be
// matched, which is reported as Unsupported.
template <class F>
Id kron_term(JacobianContext& c, Id y, F build) {
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
  set(Op::Add, [](JacobianContext& c, Id y) -> Opt {
    Node n = c.g[y];
    return sum_opt(c.g, c.t(n.kids[0]), c.t(n.kids[1]));
  });
  // J(s X) = s J(X) (X the tangent);  J(s X) = vec(X) J(s) (s the tangent)
  set(Op::Scale, [](JacobianContext& c, Id y) -> Opt {
    one_tangent_side(c, y);
    Node n = c.g[y];
    Id s = n.kids[0], x = n.kids[1];
    if (Opt jx = c.t(x)) return mul(c.g, s, *jx);
    return mul(c.g, vec_of(c.g, x), *c.t(s));
  });
  // A (a x p), B (p x q):  J(vec(A B)) = kron(B', I_a) J(A) (A the tangent), kron(I_q, A) J(B)
  // (B the tangent); for a column result J(A u) = A J(u), for a row J(r B) = B' J(r)
  set(Op::MatMul, [](JacobianContext& c, Id y) -> Opt {
    one_tangent_side(c, y);
    Node n = c.g[y];
    Graph& g = c.g;
    Id a = n.kids[0], b = n.kids[1];
    Shape sa = g[a].shape, sb = g[b].shape;
    if (Opt ja = c.t(a)) {
      if (sa.rows.is_one()) return mul(g, transpose_of(g, b), *ja);
      return kron_term(
          c, y, [&] { return mul(g, kron_of(g, transpose_of(g, b), identity(g, sa.rows)), *ja); });
    }
    Id jb = *c.t(b);
    if (sb.cols.is_one()) return mul(g, a, jb);
    return kron_term(c, y, [&] { return mul(g, kron_of(g, identity(g, sb.cols), a), jb); });
  });
  // J(u .* v) = diag(v) J(u) (u the tangent), diag(u) J(v) (v the tangent)
  set(Op::Hadamard, [](JacobianContext& c, Id y) -> Opt {
    one_tangent_side(c, y);
    Node n = c.g[y];
    Id u = n.kids[0], v = n.kids[1];
    if (Opt ju = c.t(u)) return diag_times(c.g, v, *ju);
    return diag_times(c.g, u, *c.t(v));
  });
  // vec(dX') = K(m, n) vec(dX) for m x n X, so J(X') = K(m, n) J(X); vectors: vec(u') = vec(u)
  set(Op::Transpose, [](JacobianContext& c, Id y) -> Opt {
    Id x = c.g[y].kids[0];
    Shape s = c.g[x].shape;
    if (!s.is_matrix()) return *c.t(x);
    return mul(c.g, commutation(c.g, s.rows, s.cols), *c.t(x));
  });
  // J(sum(X)) = ones' J(X)
  set(Op::Sum, [](JacobianContext& c, Id y) -> Opt {
    Id x = c.g[y].kids[0];
    Id jx = *c.t(x);
    if (c.g[x].shape.is_scalar()) return jx;
    return mul(c.g, ones(c.g, Shape::matrix(Dim::fixed(1), vec_dim(c.g, x))), jx);
  });
  // J(tr(X)) = vec(I)' J(X)
  set(Op::Trace, [](JacobianContext& c, Id y) -> Opt {
    Id x = c.g[y].kids[0];
    if (c.g[x].shape.is_scalar()) return *c.t(x);
    return mul(c.g, transpose_of(c.g, vec_of(c.g, identity(c.g, c.g[x].shape.rows))), *c.t(x));
  });
  // vec(diag(v)) = D E v, so J(diag(v)) = D E J(v)   (scalar v: J(v); diagonal_selectors)
  set(Op::Diag, [](JacobianContext& c, Id y) -> Opt {
    Id v = c.g[y].kids[0];
    if (c.g[v].shape.is_scalar()) return *c.t(v);
    auto [E, D] = diagonal_selectors(c.g, c.g[v].shape.rows);
    return mul(c.g, D, mul(c.g, E, *c.t(v)));
  });
  // diag(A) = E' D vec(A), so J(diag(A)) = E' D J(A)   (1 x 1 A: J(A))
  set(Op::DiagPart, [](JacobianContext& c, Id y) -> Opt {
    Id a = c.g[y].kids[0];
    if (c.g[a].shape.is_scalar()) return *c.t(a);
    auto [E, D] = diagonal_selectors(c.g, c.g[a].shape.rows);
    return mul(c.g, transpose_of(c.g, E), mul(c.g, D, *c.t(a)));
  });
  // J(vec(X)) = J(X)
  set(Op::Vec, [](JacobianContext& c, Id y) -> Opt { return *c.t(c.g[y].kids[0]); });
  set(Op::Kron, [](JacobianContext& c, Id y) -> Opt {
    one_tangent_side(c, y);
    no_matrix_form(c.g, y, "kron");
  });
  // Columns: J([a; b]) = [J(a); J(b)]. Parts P_i (r_i x q) of a matrix: [P_1; P_2; ...] =
  // sum_i E_i P_i with E_i = [0; I; 0] the rows of part i, so J = sum_i kron(I_q, E_i) J(P_i).
  set(Op::Stack, [](JacobianContext& c, Id y) -> Opt {
    Graph& g = c.g;
    std::vector<Id> parts = g[y].kids;
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
  return t;
}

}  // namespace

const std::array<JacobianRule, kOpCount>& jacobian_table() {
  return cached_table<JacobianRule, make_table>();
}

}  // namespace nabla
