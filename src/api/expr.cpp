// The public expression handle: nabla::Expr over a shared Graph, and its builders.
#include "nabla/expr.h"

#include <cmath>

#include "api/context.h"
#include "ir/build.h"
#include "ir/error.h"
#include "ir/graph.h"
#include "ir/value_kind.h"

namespace nabla {

namespace api {

std::shared_ptr<Graph>& current_graph() {
  thread_local std::shared_ptr<Graph> graph;
  if (!graph) graph = std::make_shared<Graph>();
  return graph;
}

Id literal_node(Graph& g, double v) {
  // Integers and halves stay exact, so 2*x prints as 2*x and 1/2*x as 1/2*x.
  if (std::isfinite(v) && std::abs(v) < 1e15) {
    for (int64_t den : {1, 2, 4}) {
      double num = v * static_cast<double>(den);
      if (num == std::floor(num)) {
        if (auto r = Rational::make(static_cast<int64_t>(num), den)) return constant(g, *r);
      }
    }
  }
  return constant(g, v);
}

std::shared_ptr<Graph> common_graph(std::initializer_list<const Expr*> es) {
  std::shared_ptr<Graph> g;
  for (const Expr* e : es) {
    if (e->is_literal()) continue;
    if (g && g != e->graph())
      throw Error(ErrorKind::Usage, "expressions from two different graphs combined",
                  "build both from variables of the same graph (see nabla::new_graph)");
    g = e->graph();
  }
  return g ? g : current_graph();
}

Id node_of(Graph& g, const std::shared_ptr<Graph>& owner, const Expr& e) {
  if (e.is_literal()) return literal_node(g, e.literal());
  if (owner.get() != &g) throw Error(ErrorKind::Internal, "expression of another graph");
  return e.id();
}

}  // namespace api

using api::common_graph;
using api::node_of;

Expr::Expr(double constant) : literal_(constant) {}

namespace {

const Node& node(const Expr& e) {
  if (e.is_literal()) throw Error(ErrorKind::Internal, "literal has no node");
  return e.graph()->node(e.id());
}
Shape shape_of(const Expr& e) {
  return e.is_literal() ? Shape::scalar() : node(e).shape;
}

template <class Build>
Expr unary_build(const Expr& a, Build build) {
  auto g = common_graph({&a});
  Id x = node_of(*g, g, a);
  return Expr(g, build(*g, x));
}
template <class Build>
Expr binary_build(const Expr& a, const Expr& b, Build build) {
  auto g = common_graph({&a, &b});
  Id x = node_of(*g, g, a);
  Id y = node_of(*g, g, b);
  return Expr(g, build(*g, x, y));
}
Expr apply(Op op, const Expr& a) {
  return unary_build(a, [op](Graph& g, Id x) { return unary(g, op, x); });
}

int size_of(Dim d) {
  return d.is_fixed() ? d.size() : -1;
}

Dim make_dim(Graph& g, const Size& s) {
  if (!s.name.empty()) return g.dims.intern(s.name);
  if (s.value <= 0) throw Error(ErrorKind::Shape, "a dimension must be positive");
  return Dim::fixed(s.value);
}

// `kind`: what the declaring function says (nabla::vector("z", 1) is a vector of length 1,
// nabla::matrix("E", 1, 1) a matrix), as in the language.
Expr declare(const std::string& name, Shape (*make)(Graph&, const Size&, const Size&),
             const Size& r, const Size& c, bool symmetric, ValueKind kind) {
  auto& g = api::current_graph();
  Shape shape = make(*g, r, c);
  for (size_t i = g->symbol_count(); i-- > 0;) {
    const Symbol& s = g->symbol(static_cast<int64_t>(i));
    if (s.name == name && s.kind == SymbolKind::Variable) {
      if (s.shape == shape && s.symmetric == symmetric && s.value_kind == kind)
        return Expr(g, variable(*g, static_cast<int32_t>(i)));
      break;  // a new declaration replaces the old one
    }
  }
  int32_t sym = g->declare_variable(name, shape, kind, symmetric);
  return Expr(g, variable(*g, sym));
}

}  // namespace

int Expr::rows() const {
  return size_of(shape_of(*this).rows);
}
int Expr::cols() const {
  return size_of(shape_of(*this).cols);
}
bool Expr::is_scalar() const {
  return shape_of(*this).is_scalar();
}
std::string Expr::shape_string() const {
  return is_literal() ? "scalar"
                      : graph_->dims.to_string(shape_of(*this), value_kind(*graph_, id_));
}
Expr Expr::t() const {
  return transpose(*this);
}

Expr scalar(const std::string& name) {
  return declare(
      name, [](Graph&, const Size&, const Size&) { return Shape::scalar(); }, 1, 1, false,
      ValueKind::Scalar);
}
Expr vector(const std::string& name, Size n) {
  return declare(
      name, [](Graph& g, const Size& r, const Size&) { return Shape::vector(make_dim(g, r)); }, n,
      1, false, ValueKind::Vector);
}
Expr matrix(const std::string& name, Size rows, Size cols) {
  return declare(
      name,
      [](Graph& g, const Size& r, const Size& c) {
        return Shape::matrix(make_dim(g, r), make_dim(g, c));
      },
      rows, cols, false, ValueKind::Matrix);
}
Expr symmetric(const std::string& name, Size n) {
  return declare(
      name,
      [](Graph& g, const Size& r, const Size&) {
        Dim d = make_dim(g, r);
        return Shape::matrix(d, d);
      },
      n, n, true, ValueKind::Matrix);
}
void new_graph() {
  api::current_graph() = std::make_shared<Graph>();
}

Expr constant(double value) {
  return Expr(value);
}
Expr identity(const Expr& like) {
  return unary_build(like, [](Graph& g, Id x) {
    if (!g[x].shape.is_square())
      throw Error(ErrorKind::Shape, "identity: " + g.dims.to_string(g[x].shape) + " is not square");
    return nabla::identity(g, g[x].shape.rows);
  });
}
Expr ones_like(const Expr& e) {
  return unary_build(e, [](Graph& g, Id x) { return ones(g, g[x].shape); });
}
Expr zeros_like(const Expr& e) {
  return unary_build(e, [](Graph& g, Id x) { return zeros(g, g[x].shape); });
}
Expr pi() {
  auto g = api::current_graph();
  return Expr(g, nabla::pi(*g));
}

// A number added to a vector or matrix means that number in every entry: x + 1 is x + ones.
Expr broadcast(const Expr& literal, const Expr& other) {
  if (!literal.is_literal() || other.is_literal() || other.is_scalar()) return literal;
  return literal.literal() * ones_like(other);
}
Expr operator+(const Expr& a, const Expr& b) {
  return binary_build(broadcast(a, b), broadcast(b, a),
                      [](Graph& g, Id x, Id y) { return add(g, x, y); });
}
Expr operator-(const Expr& a, const Expr& b) {
  return binary_build(broadcast(a, b), broadcast(b, a),
                      [](Graph& g, Id x, Id y) { return sub(g, x, y); });
}
Expr operator-(const Expr& a) {
  return unary_build(a, [](Graph& g, Id x) { return neg(g, x); });
}
Expr operator*(const Expr& a, const Expr& b) {
  return binary_build(a, b, [](Graph& g, Id x, Id y) { return product(g, x, y); });
}
Expr operator/(const Expr& a, const Expr& s) {
  return binary_build(a, s, [](Graph& g, Id x, Id y) { return divide(g, x, y); });
}
Expr& operator+=(Expr& a, const Expr& b) {
  return a = a + b;
}
Expr& operator-=(Expr& a, const Expr& b) {
  return a = a - b;
}
Expr& operator*=(Expr& a, const Expr& b) {
  return a = a * b;
}
Expr& operator/=(Expr& a, const Expr& b) {
  return a = a / b;
}
Expr hadamard(const Expr& a, const Expr& b) {
  return binary_build(a, b, [](Graph& g, Id x, Id y) { return nabla::hadamard(g, x, y); });
}
Expr elementwise_divide(const Expr& a, const Expr& b) {
  return binary_build(a, b,
                      [](Graph& g, Id x, Id y) { return nabla::elementwise_divide(g, x, y); });
}
Expr transpose(const Expr& a) {
  return unary_build(a, [](Graph& g, Id x) { return nabla::transpose(g, x); });
}
Expr pow(const Expr& x, const Expr& p) {
  return binary_build(x, p, [](Graph& g, Id a, Id b) { return power(g, a, b); });
}
Expr matrix_power(const Expr& a, int k) {
  return unary_build(a, [k](Graph& g, Id x) { return nabla::matrix_power(g, x, k); });
}
Expr dot(const Expr& a, const Expr& b) {
  return binary_build(a, b, [](Graph& g, Id x, Id y) { return inner(g, x, y); });
}
Expr kron(const Expr& a, const Expr& b) {
  return binary_build(a, b, [](Graph& g, Id x, Id y) { return nabla::kron(g, x, y); });
}
Expr vstack(const std::vector<Expr>& parts) {
  if (parts.empty()) throw Error(ErrorKind::Usage, "vstack of nothing");
  std::shared_ptr<Graph> g;
  for (const Expr& p : parts) {
    if (p.is_literal()) continue;
    if (g && g != p.graph())
      throw Error(ErrorKind::Usage, "expressions from two different graphs combined");
    g = p.graph();
  }
  if (!g) g = api::current_graph();
  std::vector<Id> ids;
  for (const Expr& p : parts) ids.push_back(node_of(*g, g, p));
  return Expr(g, stack(*g, ids));
}

// The entry-wise functions, one per row of functions.def (declared in include/nabla/expr.h).
#define FUNCTION(Name, api, ...) \
  Expr api(const Expr& x) {      \
    return apply(Op::Name, x);   \
  }
#include "ir/functions.def"
#undef FUNCTION

Expr sqrt(const Expr& x) {
  return pow(x, 0.5);
}
// Sugar, as the language lowers it (parse/builtins.cpp): log(x)/log(2), log(x)/log(10).
Expr log2(const Expr& x) {
  return unary_build(x, [](Graph& g, Id u) {
    return divide(g, unary(g, Op::Log, u), unary(g, Op::Log, integer(g, 2)));
  });
}
Expr log10(const Expr& x) {
  return unary_build(x, [](Graph& g, Id u) {
    return divide(g, unary(g, Op::Log, u), unary(g, Op::Log, integer(g, 10)));
  });
}
Expr sum(const Expr& x) {
  return apply(Op::Sum, x);
}
Expr norm2(const Expr& x) {
  return apply(Op::Norm2, x);
}
Expr tr(const Expr& a) {
  return apply(Op::Trace, a);
}
Expr det(const Expr& a) {
  return apply(Op::Det, a);
}
Expr logdet(const Expr& a) {
  return apply(Op::LogDet, a);
}
Expr inv(const Expr& a) {
  return apply(Op::Inv, a);
}
Expr diag(const Expr& x) {
  Shape s = shape_of(x);
  return apply(s.is_vector_like() ? Op::Diag : Op::DiagPart, x);
}
Expr softmax(const Expr& x) {
  return apply(Op::Softmax, x);
}
Expr logsumexp(const Expr& x) {
  return apply(Op::LogSumExp, x);
}
Expr prod(const Expr& x) {
  return apply(Op::Prod, x);
}
Expr vec(const Expr& x) {
  return apply(Op::Vec, x);
}

}  // namespace nabla
