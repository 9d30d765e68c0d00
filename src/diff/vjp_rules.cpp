// Reverse-mode rules: for y = op(kids) with cotangent G (same shape as y), the contribution
// each child receives. One entry per op of ops.def; query ops have none (expanded first).
#include <array>

#include "diff/algebra.h"
#include "diff/differentials.h"
#include "diff/rules.h"
#include "ir/build.h"
#include "ir/error.h"

namespace nabla {
namespace {

using namespace diffalg;

[[noreturn]] void unsupported(const std::string& message, const std::string& hint = {}) {
  throw Error(ErrorKind::Unsupported, message, hint);
}

bool is_variable(const VjpContext& c, Id id) {
  return c.g[id].op == Op::Var && c.g[id].a == c.var;
}

bool is_column(const VjpContext& c, Id id) {
  return c.g[id].shape.is_column() && !c.g[id].shape.is_scalar();
}

// The --steps line of C = A*B: the product rule, or a known gradient/Jacobian, or linearity.
void log_matmul(VjpContext& c, Id y, Id a, Id b) {
  Graph& g = c.g;
  if (!c.steps || c.quiet.count(y)) return;
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
  std::array<VjpRule, kOpCount> t = leaf_table<VjpRule>(leaf);
  auto set = [&t](Op op, VjpRule r) { t[static_cast<size_t>(op)] = r; };

  // y = a + b:  da += G, db += G
  set(Op::Add, [](VjpContext& c, Id y, Id G) {
    Node n = c.g[y];
    if (c.steps) {
      if (!c.quiet.count(y))
        c.note("linearity", y, [] { return "the gradient of a sum is the sum of the gradients"; });
      for (Id k : n.kids)
        if (c.g[k].op == Op::Add) c.quiet.insert(k);  // one line per sum
    }
    c.accum(n.kids[0], G);
    c.accum(n.kids[1], G);
  });
  // y = s*X (s scalar):  ds += <G, X>,  dX += s*G
  set(Op::Scale, [](VjpContext& c, Id y, Id G) {
    Node n = c.g[y];
    Id s = n.kids[0], x = n.kids[1];
    if (c.depends(s) && c.depends(x))
      c.note("product rule", y,
             [&] { return "d(s*X) = ds*X + s*dX with s = " + c.text(s) + ", X = " + c.text(x); });
    else if (c.depends(x))
      c.note("linearity", y, [&] { return "d(s*X) = s*dX with s = " + c.text(s); });
    else
      c.note("linearity", y, [&] { return "d(s*X) = ds*X with X = " + c.text(x); });
    if (c.depends(s)) c.accum(s, dot(c.g, G, x));
    if (c.depends(x)) c.accum(x, mul(c.g, s, G));
  });
  // C = A*B:  dA += G*B',  dB += A'*G
  set(Op::MatMul, [](VjpContext& c, Id y, Id G) {
    Node n = c.g[y];
    Id a = n.kids[0], b = n.kids[1];
    log_matmul(c, y, a, b);
    if (c.depends(a)) c.accum(a, mul(c.g, G, transpose_of(c.g, b)));
    if (c.depends(b)) c.accum(b, mul(c.g, transpose_of(c.g, a), G));
  });
  // y = u .* v:  du += G .* v,  dv += G .* u
  set(Op::Hadamard, [](VjpContext& c, Id y, Id G) {
    Node n = c.g[y];
    Id u = n.kids[0], v = n.kids[1];
    c.note("product rule", y, [&] {
      return "d(u .* v) = du .* v + u .* dv with u = " + c.text(u) + ", v = " + c.text(v);
    });
    if (c.depends(u)) c.accum(u, emul(c.g, G, v));
    if (c.depends(v)) c.accum(v, emul(c.g, G, u));
  });
  // y = X':  dX += G'
  set(Op::Transpose, [](VjpContext& c, Id y, Id G) {
    Id x = c.g[y].kids[0];
    // x' and f(x)' are named by the line of the product they sit in.
    if (c.g[x].op != Op::Var && c.g[x].op != Op::Call)
      c.note("linearity", y, [] { return "d(X') = (dX)'"; });
    c.accum(x, transpose_of(c.g, G));
  });
  // y = u.^p:  du += G .* p .* u.^(p-1);  dp += <G, y .* log(u)>
  set(Op::Power, [](VjpContext& c, Id y, Id G) {
    Node n = c.g[y];
    Id u = n.kids[0], p = n.kids[1];
    Graph& g = c.g;
    if (c.depends(u)) {
      c.note("power rule", y,
             [&] { return "d u^p = p*u^(p-1) du with u = " + c.text(u) + ", p = " + c.text(p); });
      c.accum(u, emul(g, G, mul(g, p, pow(g, u, minus_one(g, p)))));
    }
    if (c.depends(p)) {
      c.note("exponent rule", y,
             [&] { return "d u^p/dp = u^p*log(u) with u = " + c.text(u) + ", p = " + c.text(p); });
      c.accum(p, dot(g, G, emul(g, y, unary(g, Op::Log, u))));
    }
  });
  // y = f(u), relu(u), max(a, b), min(a, b) entry-wise: da += G .* w_a (diff/differentials.h;
  // a scalar a broadcast: <w_a, G>)
  for (Op op : kAllOps)
    if (is_entrywise_op(op))
      set(op, [](VjpContext& c, Id y, Id G) {
        Graph& g = c.g;
        note_entrywise(c, y);
        for (const EntrywiseTerm& t : entrywise_differential(g, y)) {
          Id a = g[y].kids[t.arg];
          if (c.depends(a)) c.accum(a, t.broadcast ? dot(g, t.weight, G) : emul(g, G, t.weight));
        }
      });
  // y = f(X) scalar with dy = <D, dX> (diff/differentials.h):  dX += G*D
  for (Op op : kAllOps)
    if (scalar_differential(op))
      set(op, [](VjpContext& c, Id y, Id G) {
        const ScalarDifferential& d = *scalar_differential(c.g[y].op);
        c.note(std::string("rule ") + d.text, y, [] { return std::string(); });
        Id cot = d.factor ? mul(c.g, G, d.factor(c.g, y)) : G;
        c.accum(c.g[y].kids[0], mul(c.g, cot, d.gradient(c.g, y)));
      });
  // y = sum(X):  dX += G*ones
  set(Op::Sum, [](VjpContext& c, Id y, Id G) {
    Id x = c.g[y].kids[0];
    c.note("rule d sum(X)/dX = ones", y, [] { return std::string(); });
    c.accum(x, mul(c.g, G, one_like(c.g, c.g[x].shape)));
  });
  // y = tr(X):  dX += G*I
  set(Op::Trace, [](VjpContext& c, Id y, Id G) {
    Id x = c.g[y].kids[0];
    if (c.steps && c.g[x].op == Op::MatMul && c.depends(c.g[x].kids[0]) &&
        !c.depends(c.g[x].kids[1])) {
      Id a = c.g[x].kids[1];
      c.note("rule d tr(X*A)/dX = A'", y, [&] { return "A = " + c.text(a); });
      c.quiet.insert(x);
    } else {
      c.note("rule d tr(X)/dX = I", y, [] { return std::string(); });
    }
    c.accum(x, mul(c.g, G, identity(c.g, c.g[x].shape.rows)));
  });
  // y = inv(X):  dX += -inv(X)'*G*inv(X)'
  set(Op::Inv, [](VjpContext& c, Id y, Id G) {
    Id x = c.g[y].kids[0];
    c.note("rule d inv(X) = -inv(X) dX inv(X)", y, [] { return std::string(); });
    Id yt = transpose_of(c.g, y);
    c.accum(x, neg(c.g, mul(c.g, mul(c.g, yt, G), yt)));
  });
  // y = diag(v):  dv += diagpart(G)   (v scalar: dv += G)
  set(Op::Diag, [](VjpContext& c, Id y, Id G) {
    Id v = c.g[y].kids[0];
    c.note("rule d diag(v) -> diag(G)", y, [] { return std::string(); });
    c.accum(v, c.g[v].shape.is_scalar() ? G : unary(c.g, Op::DiagPart, G));
  });
  // y = diagpart(A):  dA += diag(G)
  set(Op::DiagPart, [](VjpContext& c, Id y, Id G) {
    Id a = c.g[y].kids[0];
    c.note("rule d diag(A) -> diag(G)", y, [] { return std::string(); });
    c.accum(a, c.g[a].shape.is_scalar() ? G : unary(c.g, Op::Diag, G));
  });
  // s = softmax(u):  du += J'G = s .* (G - (s'*G))
  set(Op::Softmax, [](VjpContext& c, Id y, Id G) {
    Graph& g = c.g;
    Id u = g[y].kids[0];
    c.note("rule J(softmax)' G = s .* (G - <s, G>)", y, [] { return std::string(); });
    Id sg = dot(g, y, G);
    c.accum(u, emul(g, y, sub(g, G, mul(g, sg, one_like(g, g[u].shape)))));
  });
  set(Op::ProdOthers, [](VjpContext&, Id, Id) { no_second_derivative_of_prod(); });
  // y = vec(X):  dX += unvec(G)  (G for a column, G' for a row)
  set(Op::Vec, [](VjpContext& c, Id y, Id G) {
    Id x = c.g[y].kids[0];
    Shape s = c.g[x].shape;
    c.note("linearity", y, [] { return "vec is linear"; });
    if (s.is_vector_like())
      c.accum(x, G);
    else if (s.is_row())
      c.accum(x, transpose_of(c.g, G));
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
    c.note("linearity", y, [] { return "stack: row blocks of the cotangent"; });
    for (size_t k = 0; k < parts.size(); ++k)
      if (c.depends(parts[k]))
        c.accum(parts[k], mul(c.g, transpose_of(c.g, stack_selector_t(c.g, parts, k)), G));
  });
  // y = f(u):  f: R^m -> R^k  du += J(f)(u)'*G;  g: R^k -> R  du += G*grad(g)(u);
  //            h: R -> R  du += h'(u)*G;  L(a, b, ...) scalar: d(arg k) += G*partial(L, k)(...)
  // y = f(a_1, ...): dy = sum_j block_j da_j or <block_j, da_j> (diff/differentials.h), so
  // da_j += block_j' G, or G*block_j (a scalar argument of a non-scalar call: <block_j, G>)
  set(Op::Call, [](VjpContext& c, Id y, Id G) {
    Graph& g = c.g;
    note_call(c, y);
    const bool scalar_y = g[y].shape.is_scalar();
    for (const CallTerm& t : call_differential(g, y, depends_on_variable, c)) {
      Id a = g[y].kids[t.arg];
      if (t.inner)
        c.accum(a, mul(g, G, t.block));
      else if (g[a].shape.is_scalar() && !scalar_y)
        c.accum(a, dot(g, t.block, G));
      else
        c.accum(a, mul(g, transpose_of(g, t.block), G));
    }
  });
  return t;
}

}  // namespace

const std::array<VjpRule, kOpCount>& vjp_table() {
  return cached_table<VjpRule, make_table>();
}

}  // namespace nabla
