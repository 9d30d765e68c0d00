#include "ir/build.h"

#include <cmath>
#include <numbers>

#include "ir/error.h"

namespace nabla {
namespace {

Id make(Graph& g, Op op, std::vector<Id> kids, int64_t a = 0, int64_t b = 0, double f = 0) {
  Node n;
  n.op = op;
  n.shape = result_shape(g, op, kids, a, b);
  n.kids = std::move(kids);
  n.a = a;
  n.b = b;
  n.f = f;
  return g.add(n);
}

[[noreturn]] void shape_error(const Graph& g, const std::string& what, Shape x, Shape y) {
  throw Error(ErrorKind::Shape,
              what + " (" + g.dims.to_string(x) + " and " + g.dims.to_string(y) + ")");
}

[[noreturn]] void shape_error1(const Graph& g, const std::string& what, Shape x) {
  throw Error(ErrorKind::Shape, what + " (" + g.dims.to_string(x) + ")");
}

Shape call_shape(const Graph& g, int64_t function, int64_t deriv, const std::vector<Id>& kids) {
  const Symbol& f = g.symbol(function);
  if (f.kind != SymbolKind::Function)
    throw Error(ErrorKind::Name, "'" + f.name + "' is not a function");
  if (kids.size() != f.params.size())
    throw Error(ErrorKind::Shape, "'" + f.name + "' takes " + std::to_string(f.params.size()) +
                                      " argument(s), given " + std::to_string(kids.size()));
  for (size_t i = 0; i < kids.size(); ++i)
    if (!(g[kids[i]].shape == f.params[i]))
      shape_error(g,
                  "argument " + std::to_string(i + 1) + " of '" + f.name + "' has the wrong shape",
                  g[kids[i]].shape, f.params[i]);
  if (deriv == kCallValue) return f.shape;
  if (deriv == kCallDerivative) {
    if (f.params.size() != 1)
      throw Error(ErrorKind::Shape,
                  "'" + f.name + "' has several arguments: use partial(" + f.name + ", k)");
    Shape in = f.params[0];
    if (f.shape.is_scalar()) return in;           // gradient, same shape as input
    if (in.is_scalar()) return f.shape;           // derivative of a curve
    return Shape::matrix(f.shape.rows, in.rows);  // Jacobian n x d
  }
  if (deriv == kCallSecond) {  // h''(t): scalar; hessian(g)(u): d x d
    if (f.params.size() != 1)
      throw Error(ErrorKind::Shape,
                  "'" + f.name + "' has several arguments: use partial(" + f.name + ", i, j)");
    Shape in = f.params[0];
    if (!f.shape.is_scalar() || !in.is_vector_like())
      throw Error(ErrorKind::Unsupported,
                  "second derivatives of '" + f.name +
                      "' need a scalar-valued function of a scalar or vector");
    return Shape::matrix(in.rows, in.rows);
  }
  if (is_call_partial2(deriv)) {  // partial(L, i, j): len(arg i) x len(arg j)
    int64_t i = call_partial2_first(deriv), j = call_partial2_second(deriv);
    if (i < 1 || j < 1 || static_cast<size_t>(j) > f.params.size())
      throw Error(ErrorKind::Shape, "partial index out of range for '" + f.name + "'");
    Shape pi = f.params[static_cast<size_t>(i - 1)], pj = f.params[static_cast<size_t>(j - 1)];
    if (!f.shape.is_scalar() || !pi.is_vector_like() || !pj.is_vector_like())
      throw Error(ErrorKind::Unsupported,
                  "second partials of '" + f.name +
                      "' need a scalar-valued function of scalars or vectors");
    return Shape::matrix(pi.rows, pj.rows);
  }
  if (deriv < 1 || static_cast<size_t>(deriv) > f.params.size())
    throw Error(ErrorKind::Shape, "partial index out of range for '" + f.name + "'");
  if (!f.shape.is_scalar())
    throw Error(ErrorKind::Shape, "partial(" + f.name + ", k) needs a scalar-valued function");
  return f.params[static_cast<size_t>(deriv - 1)];
}

}  // namespace

Shape result_shape(const Graph& g, Op op, const std::vector<Id>& kids, int64_t a, int64_t b) {
  auto S = [&](size_t i) { return g[kids[i]].shape; };
  int arity = op_arity(op);
  if (arity >= 0 && kids.size() != static_cast<size_t>(arity))
    throw Error(ErrorKind::Internal,
                std::string("wrong child count for ") + std::string(op_name(op)));
  switch (op_shape_rule(op)) {
    case ShapeRule::Same:
      return S(0);
    case ShapeRule::Scalar:
      return Shape::scalar();
    case ShapeRule::SquareToScalar:
      if (!S(0).is_square())
        shape_error1(g, std::string(op_spelling(op)) + " needs a square matrix", S(0));
      return Shape::scalar();
    case ShapeRule::SquareToSame:
      if (!S(0).is_square())
        shape_error1(g, std::string(op_spelling(op)) + " needs a square matrix", S(0));
      return S(0);
    case ShapeRule::VectorToSame:
      if (!S(0).is_vector_like())
        shape_error1(g, std::string(op_spelling(op)) + " needs a vector", S(0));
      return S(0);
    case ShapeRule::Given:
    case ShapeRule::Custom:
      break;
  }
  switch (op) {
    case Op::Const:
    case Op::Pi:
      return Shape::scalar();
    case Op::Var:
      return g.symbol(a).shape;
    case Op::Identity:
    case Op::Ones:
    case Op::Zeros:
    case Op::Commutation:
      throw Error(ErrorKind::Internal, "leaf shapes are given, not inferred");
    case Op::Add:
      if (!(S(0) == S(1))) shape_error(g, "cannot add", S(0), S(1));
      return S(0);
    case Op::Scale:
      if (!S(0).is_scalar()) shape_error(g, "scale factor is not a scalar", S(0), S(1));
      return S(1);
    case Op::MatMul:
      if (!(S(0).cols == S(1).rows)) shape_error(g, "cannot multiply", S(0), S(1));
      return Shape::matrix(S(0).rows, S(1).cols);
    case Op::Hadamard:
      if (!(S(0) == S(1))) shape_error(g, "entry-wise product needs equal shapes", S(0), S(1));
      return S(0);
    case Op::Transpose:
      return S(0).transposed();
    case Op::Power:
      if (!S(1).is_scalar()) shape_error(g, "exponent is not a scalar", S(0), S(1));
      return S(0);
    case Op::Max:
    case Op::Min:  // entry-wise; a scalar side broadcasts
      if (S(0).is_scalar()) return S(1);
      if (S(1).is_scalar() || S(0) == S(1)) return S(0);
      shape_error(g, std::string(op_spelling(op)) + " needs equal shapes or a scalar", S(0), S(1));
    case Op::Diag:
      if (!S(0).is_vector_like()) shape_error1(g, "diag needs a vector", S(0));
      return Shape::matrix(S(0).rows, S(0).rows);
    case Op::DiagPart:
      if (!S(0).is_square()) shape_error1(g, "diag needs a vector or a square matrix", S(0));
      return Shape::vector(S(0).rows);
    case Op::Vec: {
      Shape s = S(0);
      if (s.cols.is_one()) return s;
      return Shape::vector(g.dims.product(s.rows, s.cols));
    }
    case Op::Kron: {
      Shape x = S(0), y = S(1);
      DimTable& dims = g.dims;
      return Shape::matrix(dims.product(x.rows, y.rows), dims.product(x.cols, y.cols));
    }
    case Op::Stack: {
      if (kids.empty()) throw Error(ErrorKind::Shape, "empty stack []");
      Dim cols = S(0).cols;
      std::vector<Dim> rows;
      for (size_t i = 0; i < kids.size(); ++i) {
        if (!(S(i).cols == cols))
          shape_error(g, "stacked parts need equal column counts", S(0), S(i));
        rows.push_back(S(i).rows);
      }
      return Shape::matrix(g.dims.sum(rows), cols);
    }
    case Op::Call:
      return call_shape(g, a, b, kids);
    case Op::Grad: {
      if (kids.size() < 2)
        throw Error(ErrorKind::Internal, "grad needs an expression and a variable");
      if (!S(0).is_scalar()) shape_error1(g, "grad needs a scalar expression; use jacobian", S(0));
      if (kids.size() == 2) return S(1);
      for (size_t i = 1; i < kids.size(); ++i)
        if (!S(i).is_scalar())
          throw Error(ErrorKind::Shape,
                      "grad with several variables inside an expression needs scalars");
      return Shape::vector(Dim::fixed(static_cast<int32_t>(kids.size() - 1)));
    }
    case Op::Jacobian: {
      // d vec(e) / d vec(x)': len(vec(e)) x len(vec(x)), column-major vec.
      Shape e = S(0), x = S(1);
      auto len = [&](Shape s) {
        return s.cols.is_one() ? s.rows : s.rows.is_one() ? s.cols : g.dims.product(s.rows, s.cols);
      };
      return Shape::matrix(len(e), len(x));
    }
    case Op::Hessian: {
      if (kids.size() < 2)
        throw Error(ErrorKind::Internal, "hessian needs an expression and a variable");
      if (!S(0).is_scalar()) shape_error1(g, "hessian needs a scalar expression", S(0));
      // The Jacobian of vec(grad) w.r.t. vec(x); several variables: the stacked vec of them all.
      auto len = [&](Shape s) {
        return s.cols.is_one() ? s.rows : s.rows.is_one() ? s.cols : g.dims.product(s.rows, s.cols);
      };
      std::vector<Dim> parts;
      for (size_t i = 1; i < kids.size(); ++i) parts.push_back(len(S(i)));
      Dim n = parts.size() == 1 ? parts[0] : g.dims.sum(parts);
      return Shape::matrix(n, n);
    }
    case Op::Derivative:
      if (!S(1).is_scalar())
        shape_error1(g, "diff needs a scalar variable; use grad or jacobian", S(1));
      return S(0);
    case Op::Simplify:
      return S(0);
      // Shape rules other than Custom and Given, above.
#include "ir/function_cases.inc"
#include "ir/matrix_function_cases.inc"
#include "ir/reduction_cases.inc"
    case Op::Relu:
      break;
  }
  throw Error(ErrorKind::Internal, std::string("no shape rule for ") + std::string(op_name(op)));
}

Id constant(Graph& g, Rational r) {
  Node n;
  n.op = Op::Const;
  n.a = r.num;
  n.b = r.den;
  return g.add(n);
}

Id constant(Graph& g, double v) {
  if (std::isfinite(v) && v == std::floor(v) && std::fabs(v) < 1e15)
    return integer(g, static_cast<int64_t>(v));
  Node n;
  n.op = Op::Const;
  n.b = 0;
  n.f = v;
  return g.add(n);
}

Id integer(Graph& g, int64_t v) {
  return constant(g, Rational{v, 1});
}

Id pi(Graph& g) {
  Node n;
  n.op = Op::Pi;
  return g.add(n);
}

Id variable(Graph& g, int32_t symbol) {
  return make(g, Op::Var, {}, symbol);
}

Id identity(Graph& g, Dim n) {
  Node node;
  node.op = Op::Identity;
  node.shape = Shape::matrix(n, n);
  return g.add(node);
}

Id commutation(Graph& g, Dim m, Dim n) {
  if (m.is_one() || n.is_one()) return identity(g, g.dims.product(m, n));  // vec(a') = vec(a)
  Node node;
  node.op = Op::Commutation;
  node.a = m.v;
  node.b = n.v;
  Dim mn = g.dims.product(m, n);
  node.shape = Shape::matrix(mn, mn);
  return g.add(node);
}

Id ones(Graph& g, Shape s) {
  Node node;
  node.op = Op::Ones;
  node.shape = s;
  return g.add(node);
}

Id zeros(Graph& g, Shape s) {
  Node node;
  node.op = Op::Zeros;
  node.shape = s;
  return g.add(node);
}

Id add(Graph& g, Id a, Id b) {
  return make(g, Op::Add, {a, b});
}
Id neg(Graph& g, Id a) {
  return scale(g, integer(g, -1), a);
}
Id sub(Graph& g, Id a, Id b) {
  return add(g, a, neg(g, b));
}
Id scale(Graph& g, Id s, Id x) {
  return make(g, Op::Scale, {s, x});
}
Id matmul(Graph& g, Id a, Id b) {
  return make(g, Op::MatMul, {a, b});
}

namespace {
// A constant factor of x: Scale(c, y) with c a Const gives c and y.
bool constant_factor(const Graph& g, Id x, Id* c, Id* rest) {
  const Node& n = g[x];
  if (n.op != Op::Scale || g[n.kids[0]].op != Op::Const) return false;
  *c = n.kids[0];
  *rest = n.kids[1];
  return true;
}
}  // namespace

// Constant factors float to the front, so `-a*b` and `-(a*b)` build the same node:
// (c a) b = c (a b),  a (c b) = c (a b).
Id product(Graph& g, Id a, Id b) {
  Id c, rest;
  if (constant_factor(g, a, &c, &rest) && !g[b].shape.is_scalar())
    return scale(g, c, product(g, rest, b));
  if (constant_factor(g, b, &c, &rest) && !g[a].shape.is_scalar())
    return scale(g, c, product(g, a, rest));
  if (g[a].shape.is_scalar()) return scale(g, a, b);
  if (g[b].shape.is_scalar()) return scale(g, b, a);
  return matmul(g, a, b);
}

Id divide(Graph& g, Id a, Id s) {
  if (!g[s].shape.is_scalar())
    shape_error(g, "can only divide by a scalar", g[a].shape, g[s].shape);
  return scale(g, power(g, s, integer(g, -1)), a);
}

Id hadamard(Graph& g, Id a, Id b) {
  if (g[a].shape.is_scalar() && !g[b].shape.is_scalar()) return scale(g, a, b);
  if (g[b].shape.is_scalar() && !g[a].shape.is_scalar()) return scale(g, b, a);
  return make(g, Op::Hadamard, {a, b});
}

Id elementwise_divide(Graph& g, Id a, Id b) {
  return hadamard(g, a, power(g, b, integer(g, -1)));
}

Id transpose(Graph& g, Id a) {
  return make(g, Op::Transpose, {a});
}
Id power(Graph& g, Id x, Id p) {
  return make(g, Op::Power, {x, p});
}

Id matrix_power(Graph& g, Id a, int64_t k) {
  Shape s = g[a].shape;
  if (s.is_scalar()) return power(g, a, integer(g, k));
  if (!s.is_square()) shape_error1(g, "matrix power needs a square matrix", s);
  if (k == 0) return identity(g, s.rows);
  Id base = a;
  if (k < 0) {
    base = unary(g, Op::Inv, a);
    k = -k;
  }
  if (k > 64) throw Error(ErrorKind::Limit, "matrix power above 64 is not supported");
  Id result = base;
  for (int64_t i = 1; i < k; ++i) result = matmul(g, result, base);
  return result;
}

Id unary(Graph& g, Op op, Id x) {
  if (op == Op::Diag && !g[x].shape.is_vector_like()) op = Op::DiagPart;
  return make(g, op, {x});
}

Id kron(Graph& g, Id a, Id b) {
  return make(g, Op::Kron, {a, b});
}

Id stack(Graph& g, const std::vector<Id>& parts) {
  if (parts.size() == 1) return parts[0];
  return make(g, Op::Stack, parts);
}

Id inner(Graph& g, Id a, Id b) {
  Shape sa = g[a].shape, sb = g[b].shape;
  if (!(sa == sb)) shape_error(g, "inner product needs equal shapes", sa, sb);
  if (sa.is_scalar()) return scale(g, a, b);
  if (sa.is_column()) return matmul(g, transpose(g, a), b);
  return unary(g, Op::Sum, hadamard(g, a, b));
}

Id call(Graph& g, int32_t function, int64_t deriv, const std::vector<Id>& args) {
  return make(g, Op::Call, args, function, deriv);
}

bool is_rational_const(const Graph& g, Id id) {
  return g[id].op == Op::Const && g[id].b != 0;
}

Rational rational_value(const Graph& g, Id id) {
  return Rational{g[id].a, g[id].b};
}

bool is_one(const Graph& g, Id id) {
  const Node& n = g[id];
  if (n.op != Op::Const) return false;
  return n.b == 0 ? n.f == 1.0 : n.a == 1 && n.b == 1;
}

bool is_ones(const Graph& g, Id id) {
  return g[id].op == Op::Ones || is_one(g, id);
}

double const_value(const Graph& g, Id id) {
  const Node& n = g[id];
  if (n.op == Op::Pi) return std::numbers::pi;
  if (n.op != Op::Const) throw Error(ErrorKind::Internal, "const_value of a non-constant");
  if (n.b == 0) return n.f;
  return static_cast<double>(n.a) / static_cast<double>(n.b);
}

}  // namespace nabla

namespace nabla {
Id grad_query(Graph& g, Id e, const std::vector<Id>& vars) {
  std::vector<Id> kids{e};
  kids.insert(kids.end(), vars.begin(), vars.end());
  Node n;
  n.op = Op::Grad;
  n.shape = result_shape(g, Op::Grad, kids);
  n.kids = std::move(kids);
  return g.add(n);
}
Id query(Graph& g, Op op, Id e, Id var) {
  Node n;
  n.op = op;
  n.shape = result_shape(g, op, {e, var});
  n.kids = {e, var};
  return g.add(n);
}
Id query(Graph& g, Op op, Id e, const std::vector<Id>& vars) {
  std::vector<Id> kids{e};
  kids.insert(kids.end(), vars.begin(), vars.end());
  Node n;
  n.op = op;
  n.shape = result_shape(g, op, kids);
  n.kids = std::move(kids);
  return g.add(n);
}
Id simplify_query(Graph& g, Id e) {
  Node n;
  n.op = Op::Simplify;
  n.shape = g[e].shape;
  n.kids = {e};
  return g.add(n);
}
}  // namespace nabla
