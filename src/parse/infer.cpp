// Shape inference: union-find over dimension variables, at the level of the syntax tree so that
// every mismatch is reported with the span of the sub-expression that causes it.
#include <algorithm>

#include "ir/build.h"
#include "parse/builtins.h"
#include "parse/compiler.h"
#include "parse/diagnostics.h"
#include "parse/suggest.h"

namespace nabla {

Compiler::Compiler(Graph& graph, const Scope& scope, std::string_view source, const Ast& ast,
                   std::map<std::string, int32_t>& inferred_symbols)
    : g_(graph), scope_(scope), src_(source), ast_(ast), inferred_symbols_(inferred_symbols) {
  ty_.resize(ast.nodes.size());
}

int Compiler::new_var(bool default_one) {
  dims_.push_back({static_cast<int>(dims_.size()), false, Dim::fixed(1), default_one});
  return static_cast<int>(dims_.size() - 1);
}

int Compiler::bound_var(Dim d) {
  int v = new_var();
  dims_.back().bound = true;
  dims_.back().value = d;
  return v;
}

int Compiler::find(int v) {
  int root = v;
  while (dims_[static_cast<size_t>(root)].parent != root)
    root = dims_[static_cast<size_t>(root)].parent;
  while (dims_[static_cast<size_t>(v)].parent != root) {  // path compression
    int next = dims_[static_cast<size_t>(v)].parent;
    dims_[static_cast<size_t>(v)].parent = root;
    v = next;
  }
  return root;
}

bool Compiler::compatible(int a, int b) {
  int ra = find(a), rb = find(b);
  if (ra == rb) return true;
  const DimVar &x = dims_[static_cast<size_t>(ra)], &y = dims_[static_cast<size_t>(rb)];
  // An undeclared upper-case name is a matrix: neither of its dimensions becomes 1.
  if ((x.never_one && y.bound && y.value.is_one()) || (y.never_one && x.bound && x.value.is_one()))
    return false;
  return !x.bound || !y.bound || x.value == y.value;
}

bool Compiler::unify(int a, int b) {
  if (!compatible(a, b)) return false;
  int ra = find(a), rb = find(b);
  if (ra == rb) return true;
  DimVar& x = dims_[static_cast<size_t>(ra)];
  DimVar& y = dims_[static_cast<size_t>(rb)];
  y.parent = ra;
  if (!x.bound && y.bound) {
    x.bound = true;
    x.value = y.value;
  }
  x.default_one = x.default_one && y.default_one;
  x.never_one = x.never_one || y.never_one;
  return true;
}

bool Compiler::unify_ty(Ty a, Ty b) {
  if (!compatible(a.rows, b.rows) || !compatible(a.cols, b.cols)) return false;
  unify(a.rows, b.rows);
  return unify(a.cols, b.cols);
}

Ty Compiler::scalar_ty() {
  int one = bound_var(Dim::fixed(1));
  return {one, one};
}

Ty Compiler::shape_ty(Shape s) {
  return {bound_var(s.rows), bound_var(s.cols)};
}

bool Compiler::could_be_scalar(Ty t) {
  return compatible(t.rows, bound_var(Dim::fixed(1))) &&
         compatible(t.cols, bound_var(Dim::fixed(1))) && (!resolved(t.rows) || !resolved(t.cols));
}

std::string Compiler::dim_str(int v) {
  return resolved(v) ? g_.dims.to_string(value(v)) : "?";
}

std::string Compiler::ty_str(Ty t) {
  if (scalar(t)) return "scalar";
  if (is_one(t.cols)) return dim_str(t.rows);
  return dim_str(t.rows) + "×" + dim_str(t.cols);
}

std::string Compiler::quote(SourceSpan span) const {
  return quote_source(src_, span);
}

// Why an undeclared name has the kind it has, and how to give it another; a declared name
// it is close to comes first ("did you mean 'theta'?").
std::string Compiler::spelling_hint(const std::string& name) const {
  std::vector<std::string> declared;
  for (const auto& [n, e] : scope_.names)
    if (e.kind == ScopeEntry::Kind::Variable || e.kind == ScopeEntry::Kind::Named)
      declared.push_back(n);
  std::sort(declared.begin(), declared.end());
  std::string guess = did_you_mean(name, declared);
  std::string why;
  if (is_greek_name(name))
    why = "'" + name + "' is a scalar by its spelling (a Greek letter); declare " + name +
          " in R^n for a vector";
  else if (is_upper_name(name))
    why = "'" + name + "' is a matrix by its spelling (upper-case); declare " + name +
          " in R^n for a vector, or " + name + " in R for a scalar";
  else
    why = "'" + name + "' is a vector by its spelling (lower-case); declare " + name +
          " in R for a scalar, or " + name + " in R^(n x m) for a matrix";
  return guess.empty() ? why : guess + " " + why;
}

void Compiler::shape_error(const std::string& message, SourceSpan span, int culprit) {
  std::string hint;
  // Point at an undeclared name involved, if any: declaring it is the usual fix.
  for (const InferredName& n : inferred_) {
    if (culprit >= 0) {
      SourceSpan s = ast_[culprit].span;
      if (n.first.begin < s.begin || n.first.end > s.end) continue;
    }
    hint = spelling_hint(n.name);
    break;
  }
  throw Error(ErrorKind::Shape, message, hint, span);
}

bool Compiler::is_constant(int node) const {
  const AstNode& n = ast_[node];
  switch (n.kind) {
    case AstKind::Number:
      return true;
    case AstKind::Name:
      return n.ref == NameRef::Pi;
    case AstKind::Unary:
    case AstKind::Chain:
    case AstKind::Power:
    case AstKind::Transpose:
      for (int k : n.kids)
        if (!is_constant(k)) return false;
      return true;
    default:
      return false;
  }
}

std::optional<Rational> Compiler::constant_value(int node) const {
  const AstNode& n = ast_[node];
  switch (n.kind) {
    case AstKind::Number:
      return n.exact;
    case AstKind::Unary: {
      auto v = constant_value(n.kids[0]);
      if (!v || !n.negate) return v;
      return neg(*v);
    }
    case AstKind::Power: {
      auto b = constant_value(n.kids[0]), e = constant_value(n.kids[1]);
      if (!b || !e || !e->is_integer()) return std::nullopt;
      return pow(*b, e->num);
    }
    case AstKind::Chain: {
      auto acc = constant_value(n.kids[0]);
      for (size_t i = 1; acc && i < n.kids.size(); ++i) {
        auto v = constant_value(n.kids[i]);
        if (!v) return std::nullopt;
        switch (n.ops[i - 1]) {
          case ChainOp::Add:
            acc = add(*acc, *v);
            break;
          case ChainOp::Sub:
            acc = add(*acc, Rational{-v->num, v->den});
            break;
          case ChainOp::Mul:
          case ChainOp::Hadamard:
          case ChainOp::Kron:
            acc = mul(*acc, *v);
            break;
          case ChainOp::Div:
          case ChainOp::HadamardDiv: {
            auto r = reciprocal(*v);
            if (!r) return std::nullopt;
            acc = mul(*acc, *r);
            break;
          }
        }
      }
      return acc;
    }
    default:
      return std::nullopt;
  }
}

InferredName& Compiler::inferred_entry(const std::string& name, SourceSpan span) {
  auto it = inferred_index_.find(name);
  if (it != inferred_index_.end()) return inferred_[it->second];
  InferredName n;
  n.name = name;
  n.first = span;
  // Spelling decides the kind: Greek -> scalar, upper case -> matrix, else a column vector.
  if (is_greek_name(name))
    n.ty = scalar_ty();
  else if (is_upper_name(name)) {
    n.ty = {new_var(), new_var()};
    dims_[static_cast<size_t>(n.ty.rows)].never_one = true;
    dims_[static_cast<size_t>(n.ty.cols)].never_one = true;
  } else
    n.ty = {new_var(), bound_var(Dim::fixed(1))};
  inferred_index_[name] = inferred_.size();
  inferred_.push_back(n);
  return inferred_.back();
}

void Compiler::add_inferred(const std::string& name, SourceSpan span) {
  inferred_entry(name, span);
}

Ty Compiler::infer_name(int node) {
  const AstNode& n = ast_[node];
  if (n.sized) return shape_ty(n.size);  // I(n), ones(n, m), zeros(n)
  switch (n.ref) {
    case NameRef::Variable:
      return shape_ty(g_.symbol(n.symbol).shape);
    case NameRef::Named:
      return shape_ty(g_[n.id].shape);
    case NameRef::Identity: {
      int v = new_var();
      return {v, v};
    }
    case NameRef::Commutation: {
      Dim mn =
          g_.dims.product(Dim{static_cast<int32_t>(n.symbol)}, Dim{static_cast<int32_t>(n.deriv)});
      return {bound_var(mn), bound_var(mn)};
    }
    case NameRef::Ones:
    case NameRef::Zeros:
      return {new_var(), new_var(true)};
    case NameRef::Pi:
      return scalar_ty();
    default:
      return inferred_entry(n.name, n.span).ty;
  }
}

Ty Compiler::infer(int node, bool top) {
  const AstNode& n = ast_[node];
  Ty t;
  switch (n.kind) {
    case AstKind::Number:
      t = scalar_ty();
      break;
    case AstKind::Name:
      t = infer_name(node);
      break;
    case AstKind::Call:
      t = n.ref == NameRef::Builtin ? infer_builtin(node) : infer_call(node);
      break;
    case AstKind::DerivCall:
      t = infer_call(node);
      break;
    case AstKind::Unary:
      t = infer(n.kids[0]);
      break;
    case AstKind::Chain:
      t = infer_chain(node);
      break;
    case AstKind::Power:
      t = infer_power(node);
      break;
    case AstKind::Transpose: {
      Ty a = infer(n.kids[0]);
      t = {a.cols, a.rows};
      break;
    }
    case AstKind::Inner: {
      Ty a = infer(n.kids[0]), b = infer(n.kids[1]);
      if (!unify_ty(a, b))
        shape_error("inner product needs equal shapes: " + quote(n.kids[0]) + " (" + ty_str(a) +
                        ") and " + quote(n.kids[1]) + " (" + ty_str(b) + ")",
                    n.span, node);
      t = scalar_ty();
      break;
    }
    case AstKind::Norm:
      infer(n.kids[0]);
      t = scalar_ty();
      break;
    case AstKind::Stack: {
      std::vector<Ty> parts;
      for (int k : n.kids) parts.push_back(infer(k));
      for (size_t i = 1; i < parts.size(); ++i)
        if (!unify(parts[0].cols, parts[i].cols))
          shape_error("stacked parts need equal column counts: " + quote(n.kids[0]) + " (" +
                          ty_str(parts[0]) + ") and " + quote(n.kids[i]) + " (" + ty_str(parts[i]) +
                          ")",
                      n.span, node);
      // The row count, computed as the IR's stack does when every part's rows are known:
      // the canonical sum (so [x; z] has n+m rows, the same size as m+n).
      bool known = true;
      std::vector<Dim> row_dims;
      for (Ty p : parts) {
        if (!resolved(p.rows)) {
          known = false;
          break;
        }
        row_dims.push_back(value(p.rows));
      }
      int rows;
      if (parts.size() == 1)
        rows = parts[0].rows;
      else if (!known)
        rows = new_var();
      else
        rows = bound_var(g_.dims.sum(row_dims));
      t = {rows, parts[0].cols};
      break;
    }
    case AstKind::Row: {
      std::vector<Ty> parts;
      for (int k : n.kids) parts.push_back(infer(k));
      for (size_t i = 1; i < parts.size(); ++i)
        if (!unify(parts[0].rows, parts[i].rows))
          shape_error("parts side by side need equal row counts: " + quote(n.kids[0]) + " (" +
                          ty_str(parts[0]) + ") and " + quote(n.kids[i]) + " (" + ty_str(parts[i]) +
                          ")",
                      n.span, node);
      std::vector<Dim> col_dims;
      for (Ty p : parts)
        if (resolved(p.cols)) col_dims.push_back(value(p.cols));
      int cols = col_dims.size() == parts.size() ? bound_var(g_.dims.sum(col_dims)) : new_var();
      t = {parts[0].rows, cols};
      break;
    }
    case AstKind::Query:
    case AstKind::GradDefined:
      t = infer_query(node, top);
      break;
  }
  ty_[static_cast<size_t>(node)] = t;
  return t;
}

bool Compiler::known_nonscalar(Ty t) {
  return (resolved(t.rows) && !is_one(t.rows)) || (resolved(t.cols) && !is_one(t.cols));
}

Ty Compiler::infer_chain(int node) {
  const AstNode& n = ast_[node];
  bool additive = n.ops[0] == ChainOp::Add || n.ops[0] == ChainOp::Sub;
  Ty acc = infer(n.kids[0]);
  bool acc_constant = is_constant(n.kids[0]);
  for (size_t i = 1; i < n.kids.size(); ++i) {
    int kid = n.kids[i];
    Ty t = infer(kid);
    SourceSpan left{ast_.core(node).begin, ast_[n.kids[i - 1]].span.end};
    SourceSpan here{ast_.core(node).begin, ast_[kid].span.end};
    ChainOp op = n.ops[i - 1];
    if (additive) {
      // A scalar added to a vector or matrix is broadcast: 1 - v is ones - v, x - mu is
      // x - mu*ones (a constant always; any scalar when the other side is known not to be one).
      bool kid_constant = is_constant(kid);
      if (scalar(t) && (kid_constant || known_nonscalar(acc))) continue;
      if (scalar(acc) && (acc_constant || known_nonscalar(t))) {
        acc = t;
        acc_constant = kid_constant;
        continue;
      }
      acc_constant = acc_constant && kid_constant;
      if (!unify_ty(acc, t)) {
        if (op == ChainOp::Add)
          shape_error("cannot add " + quote(left) + " (" + ty_str(acc) + ") and " + quote(kid) +
                          " (" + ty_str(t) + ")",
                      here, node);
        shape_error("cannot subtract " + quote(kid) + " (" + ty_str(t) + ") from " + quote(left) +
                        " (" + ty_str(acc) + ")",
                    here, node);
      }
      continue;
    }
    switch (op) {
      case ChainOp::Mul:
        acc = infer_product(acc, t, node, i);
        break;
      case ChainOp::Kron:
        acc = kron_ty(acc, t);
        break;
      case ChainOp::Div:
        if (!unify_ty(t, scalar_ty()))
          shape_error("can only divide by a scalar: cannot divide " + quote(left) + " (" +
                          ty_str(acc) + ") by " + quote(kid) + " (" + ty_str(t) + ")",
                      here, node);
        break;
      default:  // entry-wise
        if (scalar(acc)) {
          acc = t;
        } else if (!scalar(t) && !unify_ty(acc, t)) {
          shape_error("entry-wise " +
                          std::string(op == ChainOp::Hadamard ? "product" : "division") +
                          " needs equal shapes: " + quote(left) + " (" + ty_str(acc) + ") and " +
                          quote(kid) + " (" + ty_str(t) + ")",
                      here, node);
        }
        break;
    }
    acc_constant = false;
  }
  return acc;
}

// The surface `*`: a scalar scales, otherwise a matrix product. An undeclared vector whose
// length is open becomes a scalar when that is the only way the product makes sense.
Ty Compiler::infer_product(Ty a, Ty b, int node, size_t i) {
  const AstNode& n = ast_[node];
  if (scalar(a)) return b;
  if (scalar(b)) return a;
  Ty one = scalar_ty();
  if (is_one(a.cols) && !resolved(a.rows) && !is_one(b.rows)) {
    unify(a.rows, one.rows);
    return b;
  }
  if (unify(a.cols, b.rows)) return {a.rows, b.cols};
  if (could_be_scalar(a)) {
    unify_ty(a, one);
    return b;
  }
  if (could_be_scalar(b)) {
    unify_ty(b, one);
    return a;
  }
  SourceSpan left{ast_.core(node).begin, ast_[n.kids[i - 1]].span.end};
  shape_error("cannot multiply " + quote(left) + " (" + ty_str(a) + ") by " + quote(n.kids[i]) +
                  " (" + ty_str(b) + ")",
              {ast_.core(node).begin, ast_[n.kids[i]].span.end}, node);
}

Ty Compiler::infer_power(int node) {
  const AstNode& n = ast_[node];
  Ty base = infer(n.kids[0]);
  Ty exponent = infer(n.kids[1]);
  if (!unify_ty(exponent, scalar_ty()))
    shape_error("the exponent " + quote(n.kids[1]) + " (" + ty_str(exponent) + ") is not a scalar",
                ast_[n.kids[1]].span, node);
  if (n.elementwise || scalar(base)) return base;
  auto k = constant_value(n.kids[1]);
  std::string b = quote(n.kids[0]);
  if (k && k->is_integer()) {
    if (!unify(base.rows, base.cols))
      throw Error(ErrorKind::Shape,
                  "cannot raise " + b + " (" + ty_str(base) +
                      ") to a power: only scalars and square matrices have powers",
                  "use " + b + ".^" + quote(n.kids[1]) + " for the entry-wise power",
                  ast_.core(node));
    return base;
  }
  if (could_be_scalar(base)) {
    unify_ty(base, scalar_ty());
    return base;
  }
  // An undeclared upper-case name is a matrix by its spelling, never silently a scalar: say so.
  const AstNode& bn = ast_[n.kids[0]];
  if (bn.kind == AstKind::Name && is_upper_name(bn.name)) {
    for (const InferredName& in : inferred_)
      if (in.name == bn.name)
        throw Error(ErrorKind::Shape,
                    "'" + bn.name +
                        "' is used as a scalar, but it is a matrix by its spelling (upper-case)",
                    "declare " + bn.name + " in R for a scalar, or use " + b + ".^" +
                        quote(n.kids[1]) + " for the entry-wise power",
                    bn.span);
  }
  throw Error(ErrorKind::Shape,
              "cannot raise " + b + " (" + ty_str(base) + ") to the power " + quote(n.kids[1]) +
                  ": a matrix power needs an integer constant",
              "use " + b + ".^" + quote(n.kids[1]) + " for the entry-wise power", ast_.core(node));
}

// kron(A, B) is (rows A * rows B) x (cols A * cols B).
Ty Compiler::kron_ty(Ty a, Ty b) {
  auto product = [&](int x, int y) {
    if (!resolved(x) || !resolved(y)) return new_var();
    return bound_var(g_.dims.product(value(x), value(y)));
  };
  return {product(a.rows, b.rows), product(a.cols, b.cols)};
}

Ty Compiler::infer_builtin(int node) {
  const AstNode& n = ast_[node];
  int arg = n.kids[0];
  Ty a = infer(arg);
  if (n.op == Op::Kron) return kron_ty(a, infer(n.kids[1]));
  auto need_square = [&](const char* what) {
    if (!unify(a.rows, a.cols))
      shape_error(n.name + " needs " + what + ": " + quote(arg) + " is " + ty_str(a), n.span, node);
  };
  if (const Builtin* b = find_builtin(n.name); b && b->sugar)
    return b->sugar->shape == ShapeRule::Scalar ? scalar_ty() : a;
  if (n.op == Op::Norm2 && n.kids.size() == 2) {
    // norm(x, p): p a constant >= 1, or inf (not a name to infer)
    const AstNode& p = ast_[n.kids[1]];
    if (!(p.kind == AstKind::Name && p.name == "inf")) {
      Ty tp = infer(n.kids[1]);
      auto v = constant_value(n.kids[1]);
      if (!scalar(tp) || !v || v->num < v->den)
        throw Error(
            ErrorKind::Shape,
            "norm(x, p) needs a constant p >= 1 or inf: " + quote(n.kids[1]) + " is not one",
            "write e.g. norm(x, 1), norm(x, 3) or norm(x, inf)", p.span);
    }
    return scalar_ty();
  }
  if (n.op == Op::Max || n.op == Op::Min) {  // entry-wise; a scalar side broadcasts
    Ty b = infer(n.kids[1]);
    if (scalar(a)) return b;
    if (scalar(b)) return a;
    if (!unify_ty(a, b))
      shape_error(n.name + " needs equal shapes or a scalar: " + quote(n.kids[0]) + " is " +
                      ty_str(a) + ", " + quote(n.kids[1]) + " is " + ty_str(b),
                  n.span, node);
    return a;
  }
  switch (op_shape_rule(n.op)) {  // ops.def's shape column, as ir/build.cpp reads it
    case ShapeRule::Same:
    case ShapeRule::Given:
      return a;
    case ShapeRule::Scalar:
      return scalar_ty();
    case ShapeRule::SquareToScalar:
      need_square("a square matrix");
      return scalar_ty();
    case ShapeRule::SquareToSame:
      need_square("a square matrix");
      return a;
    case ShapeRule::VectorToSame:
      if (!unify(a.cols, bound_var(Dim::fixed(1))))
        shape_error(n.name + " needs a vector: " + quote(arg) + " is " + ty_str(a), n.span, node);
      return a;
    case ShapeRule::Custom:
      break;
  }
  switch (n.op) {
    case Op::Diag:
      if (is_one(a.cols)) return {a.rows, a.rows};  // vector -> diagonal matrix
      need_square("a vector or a square matrix");
      return {a.rows, bound_var(Dim::fixed(1))};  // square matrix -> its diagonal
    case Op::Vec: {
      if (is_one(a.cols)) return a;
      if (resolved(a.rows) && resolved(a.cols)) {
        Dim r = value(a.rows), c = value(a.cols);
        Dim d;
        if (r.is_fixed() && c.is_fixed())
          d = Dim::fixed(r.size() * c.size());
        else if (r.is_one())
          d = c;
        else
          d = g_.dims.product(r, c);
        return {bound_var(d), bound_var(Dim::fixed(1))};
      }
      return {new_var(), bound_var(Dim::fixed(1))};
    }
    // the other Custom ops are read above (kron, norm, max, min)
#include "ir/arithmetic_cases.inc"
#include "ir/function_cases.inc"
#include "ir/leaf_cases.inc"
#include "ir/matrix_function_cases.inc"
#include "ir/piecewise_cases.inc"
#include "ir/reduction_cases.inc"
    case Op::DiagPart:
    case Op::Kron:
    case Op::Stack:
    case Op::Call:
#include "ir/query_cases.inc"
      return a;
  }
  throw Error(ErrorKind::Internal, "not an op");
}

Ty Compiler::infer_call(int node) {
  const AstNode& n = ast_[node];
  std::vector<Ty> args;
  for (int k : n.kids) args.push_back(infer(k));
  std::vector<Shape> params;
  std::vector<std::string> param_names;
  Shape result;
  if (n.ref == NameRef::Defined) {
    const Definition& d = scope_.definitions[static_cast<size_t>(n.symbol)];
    for (int32_t p : d.params) {
      params.push_back(g_.symbol(p).shape);
      param_names.push_back(g_.symbol(p).name);
    }
    result = g_[d.body].shape;
  } else {
    const Symbol& f = g_.symbol(n.symbol);
    params = f.params;
    result = f.shape;
  }
  if (args.size() != params.size())
    throw Error(ErrorKind::Shape,
                "'" + n.name + "' takes " + std::to_string(params.size()) + " argument(s), given " +
                    std::to_string(args.size()),
                {}, n.span);
  for (size_t i = 0; i < args.size(); ++i) {
    if (!unify_ty(args[i], shape_ty(params[i])))
      shape_error("argument " + std::to_string(i + 1) + " of '" + n.name +
                      "' has the wrong shape: " + quote(n.kids[i]) + " (" + ty_str(args[i]) +
                      "), expected " + g_.dims.to_string(params[i]),
                  ast_[n.kids[i]].span, n.kids[i]);
  }
  if (n.kind == AstKind::Call || n.deriv == kCallValue) return shape_ty(result);
  if (n.deriv == kCallDerivative) {
    if (params.size() != 1)
      throw Error(ErrorKind::Shape, "'" + n.name + "' has several arguments",
                  "use partial(" + n.name + ", k)(...) for one of them", n.span);
    Shape in = params[0];
    if (result.is_scalar()) return shape_ty(in);
    if (in.is_scalar()) return shape_ty(result);
    return shape_ty(Shape::matrix(result.rows, in.rows));
  }
  if (n.deriv == kCallSecond || is_call_partial2(n.deriv)) {
    // h''(t), hessian(g)(u): d x d;  partial(L, i, j)(...): len(arg i) x len(arg j)
    size_t i = 1, j = 1;
    if (n.deriv == kCallSecond) {
      if (params.size() != 1)
        throw Error(ErrorKind::Shape, "'" + n.name + "' has several arguments",
                    "use partial(" + n.name + ", i, j)(...) for a second partial", n.span);
    } else {
      i = static_cast<size_t>(call_partial2_first(n.deriv));
      j = static_cast<size_t>(call_partial2_second(n.deriv));
      if (j > params.size())
        throw Error(ErrorKind::Shape,
                    "'" + n.name + "' has " + std::to_string(params.size()) +
                        " argument(s), no argument " + std::to_string(j),
                    {}, n.span);
    }
    Shape pi = params[i - 1], pj = params[j - 1];
    if (!result.is_scalar() || !pi.is_vector_like() || !pj.is_vector_like())
      throw Error(ErrorKind::Shape,
                  "second derivatives need a scalar-valued function of scalars or vectors; '" +
                      n.name + "' is not one",
                  {}, n.span);
    return shape_ty(Shape::matrix(pi.rows, pj.rows));
  }
  if (n.deriv < 1 || static_cast<size_t>(n.deriv) > params.size())
    throw Error(ErrorKind::Shape,
                "'" + n.name + "' has " + std::to_string(params.size()) +
                    " argument(s), no argument " + std::to_string(n.deriv),
                {}, n.span);
  if (!result.is_scalar())
    throw Error(ErrorKind::Shape,
                "a partial derivative needs a scalar-valued function; '" + n.name + "' returns " +
                    g_.dims.to_string(result),
                {}, n.span);
  return shape_ty(params[static_cast<size_t>(n.deriv - 1)]);
}

Ty Compiler::infer_query(int node, bool top) {
  const AstNode& n = ast_[node];
  Ty one = scalar_ty();
  if (n.kind == AstKind::GradDefined) {
    const Definition& d = scope_.definitions[static_cast<size_t>(n.symbol)];
    Shape body = g_[d.body].shape;
    const char* what = n.op == Op::Hessian ? "hessian" : "grad";
    if (!body.is_scalar())
      throw Error(ErrorKind::Shape,
                  std::string(what) + " needs a scalar-valued function; '" + n.name + "' returns " +
                      g_.dims.to_string(body),
                  "use jacobian", n.span);
    if (n.op == Op::Hessian) {  // hessian f: w.r.t. all its parameters, as hessian(body, ...)
      std::vector<Id> kids{d.body};
      kids.insert(kids.end(), d.param_vars.begin(), d.param_vars.end());
      try {
        return shape_ty(result_shape(g_, Op::Hessian, kids));
      } catch (const Error& e) {
        throw Error(e.kind(), e.what(), e.hint(), n.span);
      }
    }
    if (d.params.size() == 1) return shape_ty(g_.symbol(d.params[0]).shape);
    if (!top)
      for (int32_t p : d.params)
        if (!g_.symbol(p).shape.is_scalar())
          throw Error(ErrorKind::Shape,
                      "grad " + n.name + " inside an expression needs scalar parameters", {},
                      n.span);
    return shape_ty(Shape::vector(Dim::fixed(static_cast<int32_t>(d.params.size()))));
  }
  int e = n.kids[0];
  Ty te = infer(e);
  std::vector<Ty> vars;
  for (size_t i = 1; i < n.kids.size(); ++i) vars.push_back(infer(n.kids[i]));
  auto need = [&](bool ok, const std::string& what, int culprit, Ty t, const std::string& hint) {
    if (!ok)
      throw Error(ErrorKind::Shape, what + ": " + quote(culprit) + " is " + ty_str(t), hint,
                  ast_[culprit].span);
  };
  switch (n.op) {
    case Op::Grad: {
      need(unify_ty(te, one), "grad needs a scalar expression", e, te,
           "use jacobian(e, x) for a vector expression");
      if (vars.size() == 1) return vars[0];
      if (!top)
        for (size_t i = 0; i < vars.size(); ++i)
          need(unify_ty(vars[i], one),
               "grad with several variables inside an expression needs scalars", n.kids[i + 1],
               vars[i], "");
      return shape_ty(Shape::vector(Dim::fixed(static_cast<int32_t>(vars.size()))));
    }
    case Op::Jacobian:  // d vec(e)/d vec(x)': any shapes
      return {vec_len(te), vec_len(vars[0])};
    case Op::Hessian: {
      need(unify_ty(te, one), "hessian needs a scalar expression", e, te,
           "use jacobian for a vector or matrix expression");
      if (vars.size() == 1) {
        int n = vec_len(vars[0]);
        return {n, n};
      }
      std::vector<Dim> parts;
      for (Ty v : vars) {
        int len = vec_len(v);
        if (!resolved(len)) return {new_var(), new_var()};
        parts.push_back(value(len));
      }
      Dim total = g_.dims.sum(parts);
      return {bound_var(total), bound_var(total)};
    }
    case Op::Derivative:
      need(unify_ty(vars[0], one), "diff needs a scalar variable", n.kids[1], vars[0],
           "use grad or jacobian");
      return te;
#include "ir/arithmetic_cases.inc"
#include "ir/function_cases.inc"
#include "ir/leaf_cases.inc"
#include "ir/matrix_function_cases.inc"
#include "ir/piecewise_cases.inc"
#include "ir/reduction_cases.inc"
#include "ir/structure_cases.inc"
    case Op::Call:
    case Op::Simplify:
      return te;
  }
  throw Error(ErrorKind::Internal, "not an op");
}

// The length of vec(t) as a dimension variable: t's rows for a column, its columns for a row, the
// product once both are known, else open.
int Compiler::vec_len(Ty t) {
  if (is_one(t.cols)) return t.rows;
  if (is_one(t.rows)) return t.cols;
  if (resolved(t.rows) && resolved(t.cols))
    return bound_var(g_.dims.product(value(t.rows), value(t.cols)));
  return new_var();
}

void Compiler::unify_check(int lhs, int rhs) {
  Ty a = ty_[static_cast<size_t>(lhs)], b = ty_[static_cast<size_t>(rhs)];
  // A scalar side is broadcast, as in a sum: `check grad(sum(x), x) == 1`, and any scalar beside
  // a side known to be a vector or matrix (`check x - mu*ones == x - mu`).
  if (scalar(a) && (is_constant(lhs) || known_nonscalar(b))) return;
  if (scalar(b) && (is_constant(rhs) || known_nonscalar(a))) return;
  if (!unify_ty(a, b))
    shape_error("cannot compare " + quote(lhs) + " (" + ty_str(a) + ") with " + quote(rhs) + " (" +
                    ty_str(b) + ")",
                {ast_[lhs].span.begin, ast_[rhs].span.end});
}

// ---- settling open dimensions ----

std::string Compiler::fresh_name() {
  if (!used_collected_) {
    used_collected_ = true;
    auto use = [&](Dim d) {
      if (d.is_symbol()) used_names_.push_back(g_.dims.name(d));
    };
    for (const auto& [name, entry] : scope_.names) {
      if (entry.kind == ScopeEntry::Kind::Variable || entry.kind == ScopeEntry::Kind::Function) {
        const Symbol& s = g_.symbol(entry.symbol);
        use(s.shape.rows);
        use(s.shape.cols);
        for (Shape p : s.params) {
          use(p.rows);
          use(p.cols);
        }
      } else if (entry.kind == ScopeEntry::Kind::Named) {
        use(g_[entry.id].shape.rows);
        use(g_[entry.id].shape.cols);
      }
    }
    for (const DimVar& d : dims_)
      if (d.bound) use(d.value);
  }
  static const char* kNames[] = {"n", "m", "k", "p", "q", "r", "s", "t", "u", "v"};
  auto free = [&](const std::string& s) {
    return std::find(used_names_.begin(), used_names_.end(), s) == used_names_.end();
  };
  std::string pick;
  for (const char* c : kNames)
    if (free(c)) {
      pick = c;
      break;
    }
  for (int i = 1; pick.empty(); ++i)
    if (free("n" + std::to_string(i))) pick = "n" + std::to_string(i);
  used_names_.push_back(pick);
  return pick;
}

Dim Compiler::settle_dim(int v) {
  int r = find(v);
  DimVar& d = dims_[static_cast<size_t>(r)];
  if (!d.bound) {
    Dim value = d.default_one ? Dim::fixed(1) : g_.dims.intern(fresh_name());
    DimVar& again = dims_[static_cast<size_t>(r)];  // fresh_name() does not grow dims_
    again.bound = true;
    again.value = value;
  }
  return dims_[static_cast<size_t>(r)].value;
}

void Compiler::settle() {
  for (InferredName& n : inferred_) {
    // An upper-case name is a matrix by its spelling: one that only works as a scalar is an
    // error, not silently a scalar.
    if (is_upper_name(n.name) && is_one(n.ty.rows) && is_one(n.ty.cols))
      throw Error(ErrorKind::Shape,
                  "'" + n.name +
                      "' is used as a scalar, but it is a matrix by its spelling "
                      "(upper-case)",
                  "declare " + n.name + " in R for a scalar", n.first);
  }
  for (InferredName& n : inferred_) {
    Shape s = settled(n.ty);
    std::string key = n.name + "|" + std::to_string(s.rows.v) + "|" + std::to_string(s.cols.v);
    auto it = inferred_symbols_.find(key);
    if (it != inferred_symbols_.end()) {
      n.symbol = it->second;
    } else {
      n.symbol = g_.declare_variable(n.name, s);
      inferred_symbols_[key] = n.symbol;
    }
  }
}

}  // namespace nabla
