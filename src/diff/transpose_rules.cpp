// Transpose rules: for a linear op y = L(kids) inside a linear expression dy(dX) with cotangent
// G (same shape as y), the contribution each child that depends on dX receives, L'(G). Only the
// linear ops of ops.def have one (Linear, and Bilinear with one tangent side: the other side is a
// primal coefficient); every nonlinear op's derivative is its differential (jvp_rules.cpp).
// grad = the transpose of the differential: df = <G, dX> gives grad = G.
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

// y = B(a, b) for a bilinear op B with one tangent side: a += to_a(G, b) or b += to_b(G, a).
template <Id (*to_a)(Graph&, Id, Id), Id (*to_b)(Graph&, Id, Id)>
void transpose_bilinear(TransposeContext& c, Id y, Id G) {
  one_tangent_side(c, y);
  Node n = c.g[y];
  if (c.depends(n.kids[0])) c.accum(n.kids[0], to_a(c.g, G, n.kids[1]));
  if (c.depends(n.kids[1])) c.accum(n.kids[1], to_b(c.g, G, n.kids[0]));
}
Id scale_back(Graph& g, Id G, Id s) {  // s*G
  return mul(g, s, G);
}
Id times_transpose(Graph& g, Id G, Id b) {  // G*B'
  return mul(g, G, transpose_of(g, b));
}
Id transpose_times(Graph& g, Id G, Id a) {  // A'*G
  return mul(g, transpose_of(g, a), G);
}

// Leaves of a linear expression are coefficients (the placeholder dX is the sweep's end).
void leaf(TransposeContext&, Id, Id) {}

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

std::array<TransposeRule, kOpCount> make_table() {
  std::array<TransposeRule, kOpCount> t = leaf_table<TransposeRule>(leaf);
  auto set = [&t](Op op, TransposeRule r) { t[static_cast<size_t>(op)] = r; };

  // y = a + b:  a += G, b += G
  set(Op::Add, [](TransposeContext& c, Id y, Id G) {
    Node n = c.g[y];
    c.accum(n.kids[0], G);
    c.accum(n.kids[1], G);
  });
  // y = s*X:  s += <G, X> (s the tangent),  X += s*G (X the tangent)
  set(Op::Scale, transpose_bilinear<dot, scale_back>);
  // C = A*B:  A += G*B',  B += A'*G
  set(Op::MatMul, transpose_bilinear<times_transpose, transpose_times>);
  // y = u .* v:  u += G .* v,  v += G .* u
  set(Op::Hadamard, transpose_bilinear<emul, emul>);
  // y = X':  X += G'
  set(Op::Transpose,
      [](TransposeContext& c, Id y, Id G) { c.accum(c.g[y].kids[0], transpose_of(c.g, G)); });
  // y = sum(X):  X += G*ones
  set(Op::Sum, [](TransposeContext& c, Id y, Id G) {
    Id x = c.g[y].kids[0];
    c.accum(x, mul(c.g, G, one_like(c.g, c.g[x].shape)));
  });
  // y = tr(X):  X += G*I
  set(Op::Trace, [](TransposeContext& c, Id y, Id G) {
    Id x = c.g[y].kids[0];
    c.accum(x, mul(c.g, G, identity(c.g, c.g[x].shape.rows)));
  });
  // y = diag(v):  v += diagpart(G)   (v scalar: v += G)
  set(Op::Diag, [](TransposeContext& c, Id y, Id G) {
    Id v = c.g[y].kids[0];
    c.accum(v, c.g[v].shape.is_scalar() ? G : unary(c.g, Op::DiagPart, G));
  });
  // y = diagpart(A):  A += diag(G)
  set(Op::DiagPart, [](TransposeContext& c, Id y, Id G) {
    Id a = c.g[y].kids[0];
    c.accum(a, c.g[a].shape.is_scalar() ? G : unary(c.g, Op::Diag, G));
  });
  // y = vec(X):  X += unvec(G)  (G for a column, G' for a row)
  set(Op::Vec, [](TransposeContext& c, Id y, Id G) {
    Id x = c.g[y].kids[0];
    Shape s = c.g[x].shape;
    if (s.is_vector_like())
      c.accum(x, G);
    else if (s.is_row())
      c.accum(x, transpose_of(c.g, G));
    else
      c.accum(x, unvec(c.g, G, s));
  });
  // y = kron(A, B) with one tangent side: no matrix form for the adjoint here.
  set(Op::Kron, [](TransposeContext& c, Id y, Id) {
    one_tangent_side(c, y);
    unsupported("the gradient through kron(A, B) w.r.t. its factors is not supported",
                "differentiate the expression before forming the Kronecker product");
  });
  // y = [p1; p2; ...]:  p_k += S_k*G, S_k = [0 I 0] selects the rows of part k
  set(Op::Stack, [](TransposeContext& c, Id y, Id G) {
    std::vector<Id> parts = c.g[y].kids;
    for (size_t k = 0; k < parts.size(); ++k)
      if (c.depends(parts[k]))
        c.accum(parts[k], mul(c.g, transpose_of(c.g, stack_selector_t(c.g, parts, k)), G));
  });
  return t;
}

}  // namespace

const std::array<TransposeRule, kOpCount>& transpose_table() {
  return cached_table<TransposeRule, make_table>();
}

}  // namespace nabla
