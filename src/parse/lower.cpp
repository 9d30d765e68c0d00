// Lowering: the inferred syntax tree becomes IR through the builders of ir/build.h. Arithmetic
// on exact constants is folded here (1/2 is Const(1/2), 2^3 is 8, -3 is Const(-3)).
#include "ir/build.h"
#include "ir/substitute.h"
#include "parse/builtins.h"
#include "parse/compiler.h"

namespace nabla {
namespace {

std::optional<Rational> rational_of(const Graph& g, Id id) {
  // A transposed number is the number: 0/0' is a division by zero as 0/0 is (fuzzer finding:
  // it slipped past the check, and the simplifier then wrote 0 for the NaN).
  while (g[id].op == Op::Transpose && g[g[id].kids[0]].shape.is_scalar()) id = g[id].kids[0];
  if (is_rational_const(g, id)) return rational_value(g, id);
  return std::nullopt;
}

// Runs a builder; a shape error it throws gets the span of the node being built.
template <class F>
Id built(SourceSpan span, F f) {
  try {
    return f();
  } catch (const Error& e) {
    throw e.with_span(span);
  }
}

}  // namespace

Id Compiler::broadcast(Id c, Shape shape) {
  // c (scalar) + X  ==  c*ones + X
  Id o = ones(g_, shape);
  auto r = rational_of(g_, c);
  if (r && r->is_one()) return o;
  return scale(g_, c, o);
}

Id Compiler::variable_of(int name_node) {
  const AstNode& n = ast_[name_node];
  if (n.ref == NameRef::Variable) return variable(g_, static_cast<int32_t>(n.symbol));
  return variable(g_, inferred_[inferred_index_.at(n.name)].symbol);
}

Id Compiler::lower_name(int node) {
  const AstNode& n = ast_[node];
  Ty t = ty_[static_cast<size_t>(node)];
  switch (n.ref) {
    case NameRef::Variable:
    case NameRef::Inferred:
      return variable_of(node);
    case NameRef::Named:
      return n.id;
    case NameRef::Identity:
      return identity(g_, settle_dim(t.rows));
    case NameRef::Commutation:
      return commutation(g_, Dim{static_cast<int32_t>(n.symbol)},
                         Dim{static_cast<int32_t>(n.deriv)});
    case NameRef::Ones:
      return ones(g_, settled(t));
    case NameRef::Zeros:
      return zeros(g_, settled(t));
    case NameRef::Pi:
      return pi(g_);
    default:
      throw Error(ErrorKind::Internal, "unexpected name reference", {}, n.span);
  }
}

Id Compiler::lower_chain(int node) {
  const AstNode& n = ast_[node];
  Id acc = lower(n.kids[0]);
  bool acc_constant = is_constant(n.kids[0]);
  for (size_t i = 1; i < n.kids.size(); ++i) {
    int kid = n.kids[i];
    Id b = lower(kid);
    bool kid_constant = is_constant(kid);
    SourceSpan here{n.span.begin, ast_[kid].span.end};
    ChainOp op = n.ops[i - 1];
    auto ra = rational_of(g_, acc), rb = rational_of(g_, b);
    std::optional<Rational> folded;
    switch (op) {
      case ChainOp::Add:
        if (ra && rb) folded = add(*ra, *rb);
        break;
      case ChainOp::Sub:
        if (ra && rb) folded = add(*ra, Rational{-rb->num, rb->den});
        break;
      case ChainOp::Mul:
      case ChainOp::Hadamard:
        if (ra && rb) folded = mul(*ra, *rb);
        break;
      case ChainOp::Kron:
        break;
      case ChainOp::Div:
      case ChainOp::HadamardDiv:
        if (rb && rb->is_zero()) throw Error(ErrorKind::Value, "division by zero", {}, here);
        if (ra && rb) folded = mul(*ra, *reciprocal(*rb));
        break;
    }
    if (folded) {
      acc = constant(g_, *folded);
    } else {
      Shape sa = g_[acc].shape, sb = g_[b].shape;
      switch (op) {
        case ChainOp::Add:
        case ChainOp::Sub:
          if (!(sa == sb)) {
            // Inference admitted a scalar beside a vector or matrix only to broadcast it.
            if (sb.is_scalar())
              b = broadcast(b, sa);
            else if (sa.is_scalar())
              acc = broadcast(acc, sb);
          }
          acc = built(here, [&] { return op == ChainOp::Add ? add(g_, acc, b) : sub(g_, acc, b); });
          break;
        case ChainOp::Mul:
          acc = built(here, [&] { return product(g_, acc, b); });
          break;
        case ChainOp::Div:
          acc = built(here, [&] {
            // x/c for an exact constant c is (1/c) x
            if (rb) return product(g_, constant(g_, *reciprocal(*rb)), acc);
            return divide(g_, acc, b);
          });
          break;
        case ChainOp::Hadamard:
          acc = built(here, [&] { return hadamard(g_, acc, b); });
          break;
        case ChainOp::Kron:
          acc = built(here, [&] { return kron(g_, acc, b); });
          break;
        case ChainOp::HadamardDiv:
          acc = built(here, [&] {
            // 1 ./ y is y.^-1 (so that the printed form of y.^-1 reads back as itself)
            if (ra && *ra == Rational{1, 1} && !g_[b].shape.is_scalar())
              return power(g_, b, integer(g_, -1));
            return elementwise_divide(g_, acc, b);
          });
          break;
      }
    }
    acc_constant = acc_constant && kid_constant;
  }
  return acc;
}

Id Compiler::lower_power(int node) {
  const AstNode& n = ast_[node];
  Id base = lower(n.kids[0]);
  Id exponent = lower(n.kids[1]);
  auto rb = rational_of(g_, base), re = rational_of(g_, exponent);
  if (rb && re && re->is_integer()) {
    if (rb->is_zero() && re->num < 0) throw Error(ErrorKind::Value, "division by zero", {}, n.span);
    if (auto v = pow(*rb, re->num)) return constant(g_, *v);
  }
  return built(n.span, [&] {
    if (n.elementwise || g_[base].shape.is_scalar()) return power(g_, base, exponent);
    if (!re || !re->is_integer())
      throw Error(ErrorKind::Shape, "a matrix power needs an integer constant exponent");
    return matrix_power(g_, base, re->num);
  });
}

// norm(x, p) = sum(abs(x).^p)^(1/p) for a constant p >= 1 (norm(x, 1) = sum(abs(x)),
// norm(x, 2) = norm2(x)); norm(x, inf) = max |x_i|.
Id Compiler::p_norm(Id x, int p_node) {
  const AstNode& p = ast_[p_node];
  if (p.kind == AstKind::Name && p.name == "inf") return unary(g_, Op::NormInf, x);
  Rational r = *constant_value(p_node);
  if (r.num == r.den) return unary(g_, Op::Sum, unary(g_, Op::Abs, x));
  if (r.num == 2 * r.den) return unary(g_, Op::Norm2, x);
  Id pc = constant(g_, r);
  Id s = unary(g_, Op::Sum, power(g_, unary(g_, Op::Abs, x), pc));
  return power(g_, s, constant(g_, Rational{r.den, r.num}));
}

Id Compiler::lower_call(int node) {
  const AstNode& n = ast_[node];
  std::vector<Id> args;
  if (n.ref == NameRef::Builtin && n.op == Op::Norm2 && n.kids.size() == 2)
    args.push_back(lower(n.kids[0]));  // the order p is read by p_norm, not lowered
  else
    for (int k : n.kids) args.push_back(lower(k));
  return built(n.span, [&] {
    if (n.kind == AstKind::DerivCall)
      return call(g_, static_cast<int32_t>(n.symbol), n.deriv, args);
    if (n.ref == NameRef::Builtin) {
      if (const Builtin* b = find_builtin(n.name); b && b->sugar)
        return b->sugar->lower(g_, args[0]);
      if (n.op == Op::Kron) return kron(g_, args[0], args[1]);
      if (n.op == Op::Max || n.op == Op::Min) {
        Node m;
        m.op = n.op;
        m.kids = {args[0], args[1]};
        m.shape = result_shape(g_, n.op, m.kids);
        return g_.add(m);
      }
      if (n.op == Op::Norm2 && n.kids.size() == 2) return p_norm(args[0], n.kids[1]);
      return unary(g_, n.op, args[0]);
    }
    // A defined function: its body with the arguments in place of the parameters.
    const Definition& d = scope_.definitions[static_cast<size_t>(n.symbol)];
    std::unordered_map<Id, Id> replace;
    for (size_t i = 0; i < args.size(); ++i) replace[d.param_vars[i]] = args[i];
    return substitute(g_, d.body, replace);
  });
}

Id Compiler::lower(int node) {
  const AstNode& n = ast_[node];
  switch (n.kind) {
    case AstKind::Number:
      return n.exact ? constant(g_, *n.exact) : constant(g_, n.value);
    case AstKind::Name:
      return lower_name(node);
    case AstKind::Call:
    case AstKind::DerivCall:
      return lower_call(node);
    case AstKind::Unary: {
      Id a = lower(n.kids[0]);
      if (!n.negate) return a;
      if (auto r = rational_of(g_, a)) return constant(g_, Rational{-r->num, r->den});
      return built(n.span, [&] { return neg(g_, a); });
    }
    case AstKind::Chain:
      return lower_chain(node);
    case AstKind::Power:
      return lower_power(node);
    case AstKind::Transpose: {
      Id a = lower(n.kids[0]);
      return built(n.span, [&] { return transpose(g_, a); });
    }
    case AstKind::Inner: {
      Id a = lower(n.kids[0]), b = lower(n.kids[1]);
      return built(n.span, [&] { return inner(g_, a, b); });
    }
    case AstKind::Norm: {
      Id a = lower(n.kids[0]);
      return built(n.span, [&] { return unary(g_, Op::Norm2, a); });
    }
    case AstKind::Stack: {
      std::vector<Id> parts;
      for (int k : n.kids) parts.push_back(lower(k));
      return built(n.span, [&] { return stack(g_, parts); });
    }
    case AstKind::Row: {  // [a, b] = [a'; b']'
      std::vector<Id> parts;
      for (int k : n.kids) parts.push_back(lower(k));
      return built(n.span, [&] {
        for (Id& p : parts) p = transpose(g_, p);
        return transpose(g_, stack(g_, parts));
      });
    }
    case AstKind::Query: {
      Id e = lower(n.kids[0]);
      std::vector<Id> vars;
      for (size_t i = 1; i < n.kids.size(); ++i) vars.push_back(variable_of(n.kids[i]));
      return built(n.span, [&] {
        if (n.op == Op::Grad) return grad_query(g_, e, vars);
        if (n.op == Op::Simplify) return simplify_query(g_, e);
        if (n.op == Op::Hessian) return query(g_, n.op, e, vars);
        return query(g_, n.op, e, vars[0]);
      });
    }
    case AstKind::GradDefined: {
      const Definition& d = scope_.definitions[static_cast<size_t>(n.symbol)];
      return built(n.span, [&] {
        if (n.op == Op::Hessian) return query(g_, Op::Hessian, d.body, d.param_vars);
        return grad_query(g_, d.body, d.param_vars);
      });
    }
  }
  throw Error(ErrorKind::Internal, "unknown syntax node", {}, n.span);
}

Id Compiler::lower_check_side(int /*node*/, Id self, Id other) {
  Shape s = g_[self].shape, o = g_[other].shape;
  // Inference admitted a scalar beside a vector or matrix only to broadcast it.
  if (!(s == o) && s.is_scalar()) return broadcast(self, o);
  return self;
}

}  // namespace nabla
