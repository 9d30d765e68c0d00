#include "ir/value_kind.h"

#include <algorithm>
#include <vector>

#include "ir/build.h"

namespace nabla {
namespace {

// Which dimensions of a value are real ones.
struct Real {
  bool rows = false;
  bool cols = false;
  Real operator|(Real o) const { return {rows || o.rows, cols || o.cols}; }
};

Real real_of(ValueKind k) {
  return {k == ValueKind::Vector || k == ValueKind::Matrix,
          k == ValueKind::Row || k == ValueKind::Matrix};
}

ValueKind kind_of(Real r) {
  return r.rows && r.cols ? ValueKind::Matrix
         : r.rows         ? ValueKind::Vector
         : r.cols         ? ValueKind::Row
                          : ValueKind::Scalar;
}

bool nonscalar(Real r) {
  return r.rows || r.cols;
}

}  // namespace

ValueKind value_kind(const Graph& g, Id root) {
  const std::vector<Id> order = reachable(g, root);
  std::vector<Real> real(order.size());
  auto of = [&](Id id) {
    // order is sorted: the position of a child by binary search
    auto it = std::lower_bound(order.begin(), order.end(), id);
    return real[static_cast<size_t>(it - order.begin())];
  };
  for (size_t i = 0; i < order.size(); ++i) {
    const Node& n = g[order[i]];
    Real r = real_of(kind_of_shape(n.shape));  // a size other than 1 is real
    switch (n.op) {
      case Op::Var:
        r = r | real_of(g.symbol(n.a).value_kind);
        break;
      case Op::Diag:
        r = {true, true};
        break;
      case Op::Vec:
      case Op::DiagPart:
        r.rows = true;
        break;
      case Op::Stack:
        r.rows = true;
        for (Id k : n.kids) r.cols = r.cols || of(k).cols;
        break;
      case Op::Transpose: {
        Real k = of(n.kids[0]);
        r = r | Real{k.cols, k.rows};
        break;
      }
      case Op::Scale:  // a constant multiple: 2*z, -z, z/2
        if (g[n.kids[0]].op == Op::Const) r = r | of(n.kids[1]);
        break;
      case Op::Kron:  // kron(e, diag(1)): e as a matrix
        for (Id k : n.kids) r = r | of(k);
        break;
      case Op::Power:  // z.^2: entry-wise, as the functions below
#include "ir/function_cases.inc"
      case Op::Relu:
      case Op::Inv:
      case Op::Softmax:
      case Op::Derivative:
      case Op::Simplify:
        r = r | of(n.kids[0]);
        break;
      case Op::Grad:
        if (n.kids.size() == 2)
          r = r | of(n.kids[1]);
        else
          r.rows = true;  // several variables: the stacked gradient
        break;
      case Op::Hessian: {
        bool any = false;
        for (size_t k = 1; k < n.kids.size(); ++k) any = any || nonscalar(of(n.kids[k]));
        if (any) r = {true, true};
        break;
      }
      case Op::Jacobian:
        r = r | Real{nonscalar(of(n.kids[0])), nonscalar(of(n.kids[1]))};
        break;
        // leaves, sums and products, reductions, calls: as their shape says
#include "ir/reduction_cases.inc"
      case Op::Const:
      case Op::Pi:
      case Op::Identity:
      case Op::Ones:
      case Op::Zeros:
      case Op::Commutation:
      case Op::Add:
      case Op::MatMul:
      case Op::Hadamard:
      case Op::Max:
      case Op::Min:
      case Op::ProdOthers:
      case Op::Call:
        break;
    }
    real[i] = r;
  }
  return kind_of(real.back());
}

Id with_kind(Graph& g, Id id, ValueKind want) {
  Shape s = g[id].shape;
  if (!kind_fits(want, s)) return id;
  ValueKind have = value_kind(g, id);
  if (have == want) return id;
  switch (want) {
    case ValueKind::Scalar:
      return unary(g, Op::Sum, id);
    case ValueKind::Vector:
      return unary(g, Op::Vec, id);
    case ValueKind::Row:
      return transpose(g, unary(g, Op::Vec, id));
    case ValueKind::Matrix:
      if (s.is_scalar()) return unary(g, Op::Diag, id);       // diag of one entry: a 1 x 1 matrix
      return kron(g, id, unary(g, Op::Diag, integer(g, 1)));  // kron(e, diag(1)) is e
  }
  return id;
}

}  // namespace nabla
