#include "print/layout.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>

#include "ir/build.h"
#include "ir/error.h"

namespace nabla {

// Walks the graph for build_layout (which has bounded the size of the tree it prints, so that a
// small DAG that prints exponentially large fails cleanly instead of exhausting memory), and
// bounds the nesting depth.
class LayoutBuilder {
 public:
  explicit LayoutBuilder(const Graph& g) : g_(g) {}
  const Graph& graph() const { return g_; }
  const Node& node(Id id) const { return g_[id]; }

  Layout of(Id id) {
    if (depth_ >= kMaxDepth) throw Error(ErrorKind::Limit, "expression nested too deeply to print");
    ++depth_;
    Layout result = print_rule(g_[id].op)(*this, id);
    result.shape = g_[id].shape;
    --depth_;
    return result;
  }

 private:
  static constexpr int kMaxDepth = 2'500;
  const Graph& g_;
  int depth_ = 0;
};

Layout parenthesize(Layout layout) {
  Layout p;
  p.kind = LayoutKind::Paren;
  p.level = kLevelAtom;
  p.shape = layout.shape;
  p.kids.push_back(std::move(layout));
  return p;
}

bool starts_with_minus(const Layout& l) {
  switch (l.kind) {
    case LayoutKind::Number:
      return l.is_double ? std::signbit(l.value) : l.num < 0;
    case LayoutKind::Neg:
      return true;
    case LayoutKind::Sum:
    case LayoutKind::Chain:
    case LayoutKind::Power:
      return starts_with_minus(l.kids[0]);
    default:
      return false;
  }
}

std::string format_double(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v < 0 ? "-inf" : "inf";
  char buf[64];
  for (int precision = 1; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*g", precision, v);
    if (std::strtod(buf, nullptr) == v) break;
  }
  std::string s = buf;
  // Normalize the exponent: 1e+20 -> 1e20, 1e-05 -> 1e-5.
  size_t e = s.find('e');
  if (e == std::string::npos) {
    if (s.find('.') == std::string::npos) s += ".0";  // never read back as an exact integer
    return s;
  }
  std::string mantissa = s.substr(0, e);
  std::string exponent = s.substr(e + 1);
  bool negative = !exponent.empty() && exponent[0] == '-';
  if (!exponent.empty() && (exponent[0] == '-' || exponent[0] == '+')) exponent.erase(0, 1);
  size_t nz = exponent.find_first_not_of('0');
  exponent = nz == std::string::npos ? "0" : exponent.substr(nz);
  return mantissa + "e" + (negative ? "-" : "") + exponent;
}

namespace {

Layout make(LayoutKind kind, int level, std::vector<Layout> kids = {}) {
  Layout l;
  l.kind = kind;
  l.level = level;
  l.kids = std::move(kids);
  return l;
}

// A number: integers and doubles are atoms (a leading minus makes them unary), p/q reads as a
// product.
Layout rational_layout(Rational r) {
  Layout l = make(LayoutKind::Number, kLevelAtom);
  l.num = r.num;
  l.den = r.den;
  if (r.den != 1)
    l.level = kLevelProduct;
  else if (r.num < 0)
    l.level = kLevelUnary;
  return l;
}

Layout double_layout(double v) {
  Layout l = make(LayoutKind::Number, std::signbit(v) ? kLevelUnary : kLevelAtom);
  l.is_double = true;
  l.value = v;
  return l;
}

// The value of a Const node when it is negative (and its magnitude representable), else none.
bool negative_const(const Graph& g, Id id, Layout* magnitude) {
  const Node& n = g[id];
  if (n.op != Op::Const) return false;
  if (n.b == 0) {
    if (!(n.f < 0)) return false;
    *magnitude = double_layout(-n.f);
    return true;
  }
  if (n.a >= 0 || n.a == INT64_MIN) return false;
  *magnitude = rational_layout(Rational{-n.a, n.b});
  return true;
}

bool is_rational(const Graph& g, Id id, int64_t num, int64_t den) {
  const Node& n = g[id];
  return n.op == Op::Const && n.b == den && n.a == num;
}

// A value that prints as the numeral 0: the constant, or a 1 x 1 zeros.
bool prints_as_zero(const Graph& g, Id id) {
  const Node& n = g[id];
  if (n.op == Op::Zeros) return n.shape.is_scalar();
  return n.op == Op::Const && ((n.b != 0 && n.a == 0) || (n.b == 0 && n.f == 0));
}

// z^p for a zero z and a constant p < 0: +infinity (IEEE pow(+0, p)). Written as a division
// by the numeral 0 (`1/0`, `x ./ 0`) it would not read back: the parser refuses that.
bool zero_to_negative_power(const Graph& g, Id id) {
  const Node& n = g[id];
  if (n.op != Op::Power || !prints_as_zero(g, n.kids[0])) return false;
  const Node& p = g[n.kids[1]];
  return p.op == Op::Const && (p.b != 0 ? p.a < 0 : p.f < 0);
}

// The exponent of a power x^(-q) by an exact negative rational constant (q > 0 returned in *q),
// which prints as a division by x^q: 1/x^2, a ./ x.^2, 1 ./ sqrt(x). False for other powers and
// for a zero base (see zero_to_negative_power).
bool negative_rational_power(const Graph& g, Id id, Rational* q) {
  const Node& n = g[id];
  if (n.op != Op::Power || zero_to_negative_power(g, id)) return false;
  const Node& p = g[n.kids[1]];
  if (p.op != Op::Const || p.b <= 0 || p.a >= 0) return false;
  *q = Rational{-p.a, p.b};
  return true;
}

// A product chain under construction: f0 j1 f1 j2 f2 ..., read left to right.
struct ChainParts {
  std::vector<Layout> factors;
  std::vector<Join> joins;

  // The leftmost factor: a chain merges in (its grouping is the left-to-right reading),
  // anything but a sum stands bare (`-a*b` and `1/2*x` read as intended).
  void first(Layout f) {
    if (f.kind == LayoutKind::Chain) {
      for (Layout& k : f.kids) factors.push_back(std::move(k));
      joins.insert(joins.end(), f.joins.begin(), f.joins.end());
      return;
    }
    if (f.level < kLevelProduct) f = parenthesize(std::move(f));
    factors.push_back(std::move(f));
  }

  // A right operand. `merge` says the operator is associative with every join of the operand
  // chain, so `A*(B*x)` prints as A*B*x; otherwise only a power or tighter stands bare.
  void next(Join j, Layout f, bool merge) {
    if (merge && f.kind == LayoutKind::Chain && f.kids[0].level >= kLevelPower) {
      joins.push_back(j);
      for (Layout& k : f.kids) factors.push_back(std::move(k));
      joins.insert(joins.end(), f.joins.begin(), f.joins.end());
      return;
    }
    if (f.level < kLevelPower || starts_with_minus(f)) f = parenthesize(std::move(f));
    joins.push_back(j);
    factors.push_back(std::move(f));
  }

  Layout finish() {
    if (factors.size() == 1) return std::move(factors[0]);
    Layout l = make(LayoutKind::Chain, kLevelProduct, std::move(factors));
    l.joins = std::move(joins);
    return l;
  }
};

// The shape of `acc j f` as the surface language reads it (`*` scales when a side is a
// scalar), or false when that reading is a shape error.
bool chain_step(Shape& acc, Join j, Shape f) {
  switch (j) {
    case Join::Mul:
      if (acc.is_scalar()) {
        acc = f;
        return true;
      }
      if (f.is_scalar()) return true;
      if (!(acc.cols == f.rows)) return false;
      acc = Shape::matrix(acc.rows, f.cols);
      return true;
    case Join::Div:
      return f.is_scalar();
    case Join::Had:
    case Join::HadDiv:
      if (f.is_scalar()) return true;
      if (acc.is_scalar()) {
        acc = f;
        return true;
      }
      return acc == f;
  }
  return false;
}

// Whether L j (r0 k1 r1 k2 ...) equals (L j r0) k1 r1 k2 ... for every join k of the chain r:
// matrix products and scalings associate with each other and with division by a scalar;
// a scalar factor also commutes past entry-wise products; .* associates with .*, ./ and /.
// Every intermediate product of the flat reading must also have fitting shapes.
bool can_merge_right(Join j, const Layout& r, Shape left) {
  if (r.kind != LayoutKind::Chain) return false;
  bool left_is_scalar = left.is_scalar();
  Shape acc = left;
  if (!chain_step(acc, j, r.kids[0].shape)) return false;
  for (size_t i = 1; i < r.kids.size(); ++i)
    if (!chain_step(acc, r.joins[i - 1], r.kids[i].shape)) return false;
  for (Join k : r.joins) {
    switch (j) {
      case Join::Mul:
        if (k != Join::Mul && k != Join::Div && !left_is_scalar) return false;
        break;
      case Join::Had:
        if (k == Join::Mul) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

// s * x for a scalar s: the factor goes first.
Layout scaled(LayoutBuilder& b, Layout coefficient, Id x) {
  ChainParts c;
  c.first(std::move(coefficient));
  Layout rest = b.of(x);
  bool merge = can_merge_right(Join::Mul, rest, Shape::scalar());
  c.next(Join::Mul, std::move(rest), merge);
  return c.finish();
}

// Removes the leading minus sign of a term (-b, -2, -b*c) in place; false when it cannot.
bool strip_leading_minus(Layout& t) {
  switch (t.kind) {
    case LayoutKind::Number:
      if (t.is_double) {
        t.value = -t.value;
        t.level = kLevelAtom;
        return true;
      }
      if (t.num == INT64_MIN) return false;
      t.num = -t.num;
      if (t.den == 1) t.level = kLevelAtom;
      return true;
    case LayoutKind::Neg: {
      Layout inner = std::move(t.kids[0]);
      t = std::move(inner);
      return true;
    }
    case LayoutKind::Chain:
      if (!strip_leading_minus(t.kids[0])) return false;
      if (t.kids[0].kind == LayoutKind::Chain) {  // -(a*b)*c: merge the freed chain back
        Layout head = std::move(t.kids[0]);
        std::vector<Layout> kids = std::move(head.kids);
        std::vector<Join> joins = std::move(head.joins);
        for (size_t i = 1; i < t.kids.size(); ++i) kids.push_back(std::move(t.kids[i]));
        joins.insert(joins.end(), t.joins.begin(), t.joins.end());
        t.kids = std::move(kids);
        t.joins = std::move(joins);
      }
      return true;
    default:
      return false;
  }
}

// Sums: a + b - c. Nested additions flatten (addition is associative); a term c*x with a
// negative constant c, or a negative constant, is subtracted: a + (-2)*b -> a - 2*b.
struct SumParts {
  std::vector<Layout> terms;
  std::vector<bool> minus;

  void add(Layout t, bool subtract) {
    if (terms.empty() && !subtract) {
      if (t.kind == LayoutKind::Sum) {
        terms = std::move(t.kids);
        minus = std::move(t.minus);
        return;
      }
      terms.push_back(std::move(t));
      minus.push_back(false);
      return;
    }
    if (terms.empty()) {  // a leading subtracted term is a negation
      Layout n = make(LayoutKind::Neg, kLevelUnary);
      if (t.level < kLevelProduct || starts_with_minus(t)) t = parenthesize(std::move(t));
      if (t.level == kLevelProduct) n.level = kLevelProduct;
      n.kids.push_back(std::move(t));
      add(std::move(n), false);
      return;
    }
    // a + (-b)*c -> a - b*c,  a - (-b) -> a + b
    if (starts_with_minus(t) && strip_leading_minus(t)) subtract = !subtract;
    if (t.level < kLevelProduct || starts_with_minus(t)) t = parenthesize(std::move(t));
    terms.push_back(std::move(t));
    minus.push_back(subtract);
  }
};

// The terms of nested additions, left to right; iterative, since long sums nest deeply.
void collect_sum(LayoutBuilder& b, Id root, SumParts& parts) {
  const Graph& g = b.graph();
  std::vector<Id> pending{root};
  while (!pending.empty()) {
    Id id = pending.back();
    pending.pop_back();
    const Node& n = g[id];
    if (n.op == Op::Add) {
      pending.push_back(n.kids[1]);
      pending.push_back(n.kids[0]);
      continue;
    }
    bool first = parts.terms.empty();
    Layout magnitude;
    if (!first && n.op == Op::Scale && negative_const(g, n.kids[0], &magnitude)) {
      // a + c*x with c < 0 -> a - |c|*x
      if (magnitude.num == 1 && magnitude.den == 1 && !magnitude.is_double)
        parts.add(b.of(n.kids[1]), true);
      else
        parts.add(scaled(b, std::move(magnitude), n.kids[1]), true);
    } else if (!first && negative_const(g, id, &magnitude)) {  // a + (-3) -> a - 3
      parts.add(std::move(magnitude), true);
    } else {
      parts.add(b.of(id), false);
    }
  }
}

// ---- The rules, one per op. ----

// Exact rationals print as p or p/q, doubles in their shortest round-trip form.
Layout rule_const(LayoutBuilder& b, Id id) {
  const Node& n = b.node(id);
  if (n.b == 0) return double_layout(n.f);
  return rational_layout(Rational{n.a, n.b});
}

// pi; I, ones and zeros with their sizes. A 1 x 1 one, zero or identity is the number.
Layout constant_leaf(LayoutBuilder& b, Id id) {
  const Node& n = b.node(id);
  if (n.op != Op::Pi && n.shape.is_scalar())
    return rational_layout(Rational{n.op == Op::Zeros ? 0 : 1, 1});
  Layout l = make(LayoutKind::Constant, kLevelAtom);
  l.op = n.op;
  const DimTable& dims = b.graph().dims;
  if (n.op == Op::Identity || n.shape.is_column()) {
    l.size = {dims.to_string(n.shape.rows)};
  } else if (n.op != Op::Pi) {
    l.size = {dims.to_string(n.shape.rows), dims.to_string(n.shape.cols)};
  }
  return l;
}

Layout rule_var(LayoutBuilder& b, Id id) {
  Layout l = make(LayoutKind::Name, kLevelAtom);
  l.name = b.graph().symbol(b.node(id).a).name;
  return l;
}

// a + b, a + (-1)*b = a - b, flattened.
Layout rule_add(LayoutBuilder& b, Id id) {
  SumParts parts;
  collect_sum(b, id, parts);
  if (parts.terms.size() == 1) return std::move(parts.terms[0]);
  Layout l = make(LayoutKind::Sum, kLevelSum, std::move(parts.terms));
  l.minus = std::move(parts.minus);
  return l;
}

// base^exponent (base.^exponent entry-wise), parenthesized as the levels require.
Layout power_of(LayoutBuilder& b, Id x, Layout exponent, bool elementwise) {
  Layout base = b.of(x);
  if (base.level < kLevelPostfix) base = parenthesize(std::move(base));
  if (exponent.level < kLevelPower || starts_with_minus(exponent))
    exponent = parenthesize(std::move(exponent));
  Layout l = make(LayoutKind::Power, kLevelPower, {std::move(base), std::move(exponent)});
  l.elementwise = elementwise;
  return l;
}

// x^q for a positive rational q, the denominator of a negative power: x, sqrt(x) or x^q.
Layout power_layout(LayoutBuilder& b, Id x, Rational q) {
  if (q == Rational{1, 1}) return b.of(x);
  if (q == Rational{1, 2}) return make(LayoutKind::Sqrt, kLevelAtom, {b.of(x)});
  return power_of(b, x, rational_layout(q), !b.graph()[x].shape.is_scalar());
}

// c*y^-q for a constant c: c/y^q, c ./ y.^q entry-wise; a/b*y^-q = a/(b*y^q), the constant's
// denominator joining the power's.
Layout constant_over_power(LayoutBuilder& b, Id c, Id power, Rational q) {
  const Graph& g = b.graph();
  const Node& cn = g[c];
  Layout den = power_layout(b, g[power].kids[0], q);
  Layout num = b.of(c);
  if (cn.b > 1) {
    ChainParts d;
    d.first(rational_layout(Rational{cn.b, 1}));
    d.next(Join::Mul, std::move(den), false);
    den = parenthesize(d.finish());
    num = rational_layout(Rational{cn.a, 1});
  }
  ChainParts out;
  out.first(std::move(num));
  out.next(g[power].shape.is_scalar() ? Join::Div : Join::HadDiv, std::move(den), false);
  return out.finish();
}

// (-1)*x = -x;  c*x;  s^-1 * a = a/s;  s*x.
Layout rule_scale(LayoutBuilder& b, Id id) {
  const Graph& g = b.graph();
  const Node& n = b.node(id);
  Id s = n.kids[0], x = n.kids[1];
  if (is_rational(g, s, -1, 1)) {
    Layout operand = b.of(x);
    if (operand.level < kLevelProduct || starts_with_minus(operand))
      operand = parenthesize(std::move(operand));
    // -a*b reads as (-a)*b, the same value: the negation keeps the product's level.
    Layout neg = make(LayoutKind::Neg, std::min(kLevelUnary, operand.level));
    neg.kids.push_back(std::move(operand));
    return neg;
  }
  const Node& sn = g[s];
  // c*y.^-q = c ./ y.^q (c/y^q for scalar y); a/b*y.^-q = a ./ (b*y.^q).
  if (Rational q; g[s].op == Op::Const && negative_rational_power(g, x, &q))
    return constant_over_power(b, s, x, q);
  if (Rational q; g[x].op == Op::Const && negative_rational_power(g, s, &q))
    return constant_over_power(b, x, s, q);
  if (Rational q; negative_rational_power(g, s, &q)) {  // s^-q * x = x/s^q
    ChainParts c;
    c.first(b.of(x));
    c.next(Join::Div, power_layout(b, sn.kids[0], q), false);
    return c.finish();
  }
  return scaled(b, b.of(s), x);
}

// A*B, chains A*B*x.
Layout rule_matmul(LayoutBuilder& b, Id id) {
  const Node& n = b.node(id);
  ChainParts c;
  c.first(b.of(n.kids[0]));
  Layout r = b.of(n.kids[1]);
  bool merge = can_merge_right(Join::Mul, r, b.node(n.kids[0]).shape);
  c.next(Join::Mul, std::move(r), merge);
  return c.finish();
}

// a .* b;  a .* b.^-1 = a ./ b.
Layout rule_hadamard(LayoutBuilder& b, Id id) {
  const Graph& g = b.graph();
  const Node& n = b.node(id);
  ChainParts c;
  c.first(b.of(n.kids[0]));
  const Node& r = g[n.kids[1]];
  if (Rational q; negative_rational_power(g, n.kids[1], &q)) {  // a .* b.^-q = a ./ b.^q
    c.next(Join::HadDiv, power_layout(b, r.kids[0], q), false);
    return c.finish();
  }
  Layout rl = b.of(n.kids[1]);
  bool merge = can_merge_right(Join::Had, rl, b.node(n.kids[0]).shape);
  c.next(Join::Had, std::move(rl), merge);
  return c.finish();
}

// x' (postfix, binds tighter than ^);  [a'; b']' = [a, b] (side by side).
Layout rule_transpose(LayoutBuilder& b, Id id) {
  const Node& x = b.node(b.node(id).kids[0]);
  bool side_by_side = x.op == Op::Stack && x.kids.size() > 1;
  for (Id k : x.kids) side_by_side = side_by_side && b.node(k).op == Op::Transpose;
  if (side_by_side) {
    Layout l = make(LayoutKind::Stack, kLevelAtom);
    l.horizontal = true;
    for (Id k : x.kids) l.kids.push_back(b.of(b.node(k).kids[0]));
    return l;
  }
  Layout operand = b.of(b.node(id).kids[0]);
  if (operand.level < kLevelPostfix) operand = parenthesize(std::move(operand));
  return make(LayoutKind::Transpose, kLevelPostfix, {std::move(operand)});
}

// x.^(1/2) = sqrt(x);  x^-1 = 1/x for scalar x;  x^p scalar, x.^p entry-wise (right-assoc).
Layout rule_power(LayoutBuilder& b, Id id) {
  const Graph& g = b.graph();
  const Node& n = b.node(id);
  Id x = n.kids[0], p = n.kids[1];
  if (is_rational(g, p, 1, 2)) return make(LayoutKind::Sqrt, kLevelAtom, {b.of(x)});
  // 0^-1 is +infinity, which prints as an infinite constant does (1e999).
  if (zero_to_negative_power(g, id) && g[id].shape.is_scalar())
    return double_layout(std::numeric_limits<double>::infinity());
  bool scalar = g[x].shape.is_scalar();
  if (Rational q; negative_rational_power(g, id, &q)) {  // x^-q = 1/x^q, x.^-q = 1 ./ x.^q
    ChainParts c;
    c.first(rational_layout(Rational{1, 1}));
    c.next(scalar ? Join::Div : Join::HadDiv, power_layout(b, x, q), false);
    return c.finish();
  }
  return power_of(b, x, b.of(p), !scalar);
}

// exp(u), tr(A), norm2(x), kron(A, B), ...: the arguments are whole expressions.
Layout rule_function(LayoutBuilder& b, Id id) {
  Layout l = make(LayoutKind::Func, kLevelAtom);
  l.op = b.node(id).op;
  for (Id k : b.node(id).kids) l.kids.push_back(b.of(k));
  return l;
}

// K(m, n), the commutation matrix: its two dimensions as arguments.
Layout rule_commutation(LayoutBuilder& b, Id id) {
  Layout l = make(LayoutKind::Func, kLevelAtom);
  l.op = Op::Commutation;
  const Node& n = b.node(id);
  for (int64_t v : {n.a, n.b}) {
    Dim d{static_cast<int32_t>(v)};
    if (d.is_fixed()) {
      Layout k = make(LayoutKind::Number, kLevelAtom);
      k.num = d.size();
      l.kids.push_back(std::move(k));
    } else {
      Layout k = make(LayoutKind::Name, kLevelAtom);
      k.name = b.graph().dims.to_string(d);
      l.kids.push_back(std::move(k));
    }
  }
  return l;
}

// norm(x, inf): the function with its second argument spelled out.
Layout rule_norm_inf(LayoutBuilder& b, Id id) {
  Layout l = make(LayoutKind::Func, kLevelAtom);
  l.op = Op::NormInf;
  l.kids.push_back(b.of(b.node(id).kids[0]));
  Layout inf = make(LayoutKind::Name, kLevelAtom);
  inf.name = "inf";
  l.kids.push_back(std::move(inf));
  return l;
}

// [a; b; c]
Layout rule_stack(LayoutBuilder& b, Id id) {
  Layout l = make(LayoutKind::Stack, kLevelAtom);
  for (Id k : b.node(id).kids) l.kids.push_back(b.of(k));
  return l;
}

// f(x);  J(f)(x), grad(g)(u), h'(t);  partial(L, k)(a, b, c).
Layout rule_call(LayoutBuilder& b, Id id) {
  const Node& n = b.node(id);
  const Symbol& f = b.graph().symbol(n.a);
  Layout l = make(LayoutKind::Call, kLevelAtom);
  l.name = f.name;
  if (n.b == kCallValue) {
    l.form = CallForm::Value;
  } else if (n.b == kCallDerivative) {
    bool in_scalar = f.params.size() == 1 && f.params[0].is_scalar();
    if (in_scalar && f.shape.is_scalar())
      l.form = CallForm::Prime;
    else if (f.shape.is_scalar())
      l.form = CallForm::Gradient;
    else
      l.form = CallForm::Jacobian;
  } else if (n.b > 0) {
    l.form = CallForm::Partial;
    l.num = n.b;
  } else if (n.b == kCallSecond) {
    bool in_scalar = f.params.size() == 1 && f.params[0].is_scalar();
    l.form = in_scalar ? CallForm::Second : CallForm::Hessian;
  } else if (is_call_partial2(n.b)) {
    l.form = CallForm::Partial2;
    l.num = call_partial2_first(n.b);
    l.den = call_partial2_second(n.b);
  } else {
    throw Error(ErrorKind::Internal, "bad derivative marker on a call of '" + f.name + "'");
  }
  for (Id k : n.kids) l.kids.push_back(b.of(k));
  return l;
}

// grad(e, x), jacobian(e, x), hessian(e, x), diff(e, x), simplify(e).
Layout rule_query(LayoutBuilder& b, Id id) {
  Layout l = make(LayoutKind::Query, kLevelAtom);
  l.op = b.node(id).op;
  for (Id k : b.node(id).kids) l.kids.push_back(b.of(k));
  return l;
}

using RuleTable = std::array<PrintRule, kOpCount>;

RuleTable make_rules() {
  RuleTable t{};
  auto set = [&](Op op, PrintRule r) { t[static_cast<size_t>(op)] = r; };
  set(Op::Const, rule_const);
  set(Op::Pi, constant_leaf);
  set(Op::Var, rule_var);
  set(Op::Identity, constant_leaf);
  set(Op::Ones, constant_leaf);
  set(Op::Zeros, constant_leaf);
  set(Op::Commutation, rule_commutation);
  set(Op::Add, rule_add);
  set(Op::Scale, rule_scale);
  set(Op::MatMul, rule_matmul);
  set(Op::Hadamard, rule_hadamard);
  set(Op::Transpose, rule_transpose);
  set(Op::Power, rule_power);
  for (Op op : kAllOps) {
    OpKind k = op_kind(op);
    if (k == OpKind::Function || k == OpKind::Piecewise || k == OpKind::Reduction ||
        k == OpKind::MatrixFunction || k == OpKind::Structure)
      set(op, rule_function);
  }
  set(Op::NormInf, rule_norm_inf);  // norm(x, inf): the second argument printed
  set(Op::Stack, rule_stack);
  set(Op::Call, rule_call);
  for (Op op : kAllOps)
    if (is_query_op(op)) set(op, rule_query);
  return t;
}

const RuleTable& rules() {
  static const RuleTable table = make_rules();
  return table;
}

}  // namespace

bool has_print_rule(Op op) {
  auto i = static_cast<size_t>(op);
  return i < rules().size() && rules()[i] != nullptr;
}

PrintRule print_rule(Op op) {
  if (!has_print_rule(op))
    throw Error(ErrorKind::Internal,
                "no print rule for op " + std::to_string(static_cast<int>(op)) +
                    (static_cast<int>(op) < kOpCount ? " (" + std::string(op_name(op)) + ")" : ""));
  return rules()[static_cast<size_t>(op)];
}

namespace {

// Size of the tree that printing `root` unfolds (every shared subexpression counted once per
// use), saturating at cap. Linear in the DAG, so an exponentially large print is refused
// before any layout is built (the builder's count alone stops it only after seconds of copying).
size_t tree_size(const Graph& g, Id root, size_t cap) {
  std::vector<size_t> size(static_cast<size_t>(root) + 1, 0);
  for (Id id : reachable(g, root)) {
    size_t total = 1;
    for (Id k : g[id].kids) total = std::min(cap, total + size[static_cast<size_t>(k)]);
    size[static_cast<size_t>(id)] = total;
  }
  return size[static_cast<size_t>(root)];
}

bool entrywise_chain(const Layout& l) {
  for (Join j : l.joins)
    if (j == Join::Mul) return false;
  return true;
}

// Whether l, printed with bare constants, gets its shape only from the context: I, ones or
// zeros behind signs, parentheses, transposes, scalings, or sums and entry-wise products of
// such.
bool needs_context(const Layout& l) {
  switch (l.kind) {
    case LayoutKind::Constant:
      return l.op != Op::Pi;
    case LayoutKind::Neg:
    case LayoutKind::Paren:
    case LayoutKind::Transpose:
      return needs_context(l.kids[0]);
    case LayoutKind::Sum:
      for (const Layout& k : l.kids)
        if (!needs_context(k)) return false;
      return true;
    case LayoutKind::Chain: {
      size_t wide = 0;
      bool all = true;
      for (const Layout& k : l.kids)
        if (!k.shape.is_scalar()) {
          ++wide;
          all = all && needs_context(k);
        }
      return wide > 0 && (wide == 1 || entrywise_chain(l)) && all;
    }
    default:
      return false;
  }
}

// Decides which constants print their size: a constant reads back with the right shape
// bare only where the parser's inference unifies it with a determined shape: a term of a sum,
// or a factor of an entry-wise product, beside a term that is not itself a bare constant; a
// scalar multiple or quotient of such. `fixed` says the context determines l's shape.
// Everything else printed is determined by itself (a sized constant, a variable, ...).
void decide_sizes(Layout& l, bool fixed) {
  switch (l.kind) {
    case LayoutKind::Constant:
      l.sized = !fixed && !l.size.empty();
      return;
    case LayoutKind::Neg:
    case LayoutKind::Paren:
    case LayoutKind::Transpose:
      decide_sizes(l.kids[0], fixed);
      return;
    case LayoutKind::Sum: {
      bool anchored = false;
      for (const Layout& k : l.kids) anchored = anchored || !needs_context(k);
      for (size_t i = 0; i < l.kids.size(); ++i)
        decide_sizes(l.kids[i], anchored || i > 0 || fixed);
      return;
    }
    case LayoutKind::Chain: {
      std::vector<size_t> wide;  // the factors that are not scalars
      for (size_t i = 0; i < l.kids.size(); ++i)
        if (!l.kids[i].shape.is_scalar()) wide.push_back(i);
      bool entrywise = entrywise_chain(l);
      bool anchored = false;
      for (size_t i : wide) anchored = anchored || !needs_context(l.kids[i]);
      for (size_t i = 0; i < l.kids.size(); ++i) {
        bool kid_fixed = false;
        if (wide.size() == 1 && wide[0] == i)
          kid_fixed = fixed;  // scalings: the product has this factor's shape
        else if (entrywise && !wide.empty())
          kid_fixed = anchored || i != wide[0] || fixed;
        decide_sizes(l.kids[i], kid_fixed);
      }
      return;
    }
    default:
      for (Layout& k : l.kids) decide_sizes(k, false);
      return;
  }
}

}  // namespace

Layout build_layout(const Graph& g, Id id) {
  if (id < 0 || static_cast<size_t>(id) >= g.size())
    throw Error(ErrorKind::Internal, "print: no node " + std::to_string(id));
  constexpr size_t kMaxTreeNodes = 100'000;  // megabytes of text: nobody reads it
  if (tree_size(g, id, kMaxTreeNodes + 1) > kMaxTreeNodes)
    throw Error(ErrorKind::Limit,
                "expression too large to print (more than " + std::to_string(kMaxTreeNodes) +
                    " terms when written out)",
                "simplify it first, or evaluate it numerically");
  LayoutBuilder builder(g);
  Layout layout = builder.of(id);
  decide_sizes(layout, false);
  return layout;
}

}  // namespace nabla
