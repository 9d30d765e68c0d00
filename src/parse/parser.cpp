#include "parse/parser.h"

#include <algorithm>
#include <cstdlib>

#include "parse/builtins.h"
#include "parse/frontend.h"
#include "parse/suggest.h"

namespace nabla {

void parse_number(const std::string& text, std::optional<Rational>* exact, double* value) {
  *value = std::strtod(text.c_str(), nullptr);
  exact->reset();
  // mantissa digits (the point removed) times 10^(exponent - fraction digits)
  __int128 mantissa = 0;
  int64_t scale = 0;
  bool overflow = false, in_fraction = false;
  size_t i = 0;
  for (; i < text.size(); ++i) {
    char c = text[i];
    if (c == '.') {
      in_fraction = true;
      continue;
    }
    if (c < '0' || c > '9') break;
    if (mantissa > (static_cast<__int128>(INT64_MAX) / 10)) {
      overflow = true;
    } else {
      mantissa = mantissa * 10 + (c - '0');
    }
    if (in_fraction) --scale;
  }
  if (i < text.size()) {  // exponent
    int64_t e = std::strtoll(text.c_str() + i + 1, nullptr, 10);
    if (e > 100 || e < -100) overflow = true;
    scale += e;
  }
  if (overflow) return;
  while (scale < 0 && mantissa % 10 == 0 && mantissa != 0) {
    mantissa /= 10;
    ++scale;
  }
  if (mantissa == 0) {
    *exact = Rational{0, 1};
    return;
  }
  __int128 p = 1;
  for (int64_t k = 0; k < (scale < 0 ? -scale : scale); ++k) {
    p *= 10;
    if (p > INT64_MAX) return;
  }
  if (scale >= 0) {
    __int128 v = mantissa * p;
    if (v > INT64_MAX) return;
    *exact = Rational{static_cast<int64_t>(v), 1};
  } else {
    *exact = Rational::make(static_cast<int64_t>(mantissa), static_cast<int64_t>(p));
  }
}

Parser::Parser(std::string_view source, const std::vector<Token>& tokens, Graph& graph,
               const Scope& scope)
    : src_(source), toks_(tokens), g_(graph), scope_(scope) {}

const Token& Parser::peek(size_t k) const {
  size_t i = pos_ + k;
  return i < toks_.size() ? toks_[i] : toks_.back();
}

const Token& Parser::next() {
  const Token& t = peek();
  if (pos_ < toks_.size() - 1) ++pos_;
  return t;
}

bool Parser::is_ident(const char* text, size_t ahead) const {
  const Token& t = peek(ahead);
  return t.kind == Tok::Ident && t.text == text;
}

void Parser::fail(const std::string& message, SourceSpan span, std::string hint) const {
  throw Error(ErrorKind::Syntax, message, std::move(hint), span);
}

void Parser::unexpected(const char* expected) const {
  const Token& t = peek();
  SourceSpan span = t.span;
  if (!span.valid()) span = {t.span.begin, t.span.begin + 1};
  fail(std::string("expected ") + expected + ", found " + token_name(t), span);
}

const Token& Parser::expect(Tok k, const char* what) {
  if (!is(k)) unexpected(what);
  return next();
}

void Parser::enter(SourceSpan at) {
  if (++depth_ > kMaxNestingDepth)
    throw Error(ErrorKind::Limit, "nesting deeper than " + std::to_string(kMaxNestingDepth), {},
                at);
}

bool Parser::at_end() const {
  size_t i = pos_;
  while (i < toks_.size() && toks_[i].kind == Tok::End) ++i;
  return i >= toks_.size() || toks_[i].kind == Tok::Eof;
}

void Parser::finish_statement() {
  if (is(Tok::End)) {
    next();
    return;
  }
  if (is(Tok::Eof)) return;
  const Token& t = peek();
  std::string hint;
  if (t.kind == Tok::Ident || t.kind == Tok::Number || t.kind == Tok::LParen)
    hint = "write products with '*'";
  fail("unexpected " + token_name(t), t.span, hint);
}

std::string Parser::function_hint(const std::string& name, const std::string& otherwise) const {
  std::vector<std::string> candidates = builtin_names();
  for (const auto& [n, e] : scope_.names)
    if (e.kind == ScopeEntry::Kind::Function || e.kind == ScopeEntry::Kind::Defined)
      candidates.push_back(n);
  std::sort(candidates.begin() + static_cast<std::ptrdiff_t>(builtin_names().size()),
            candidates.end());
  std::string guess = did_you_mean(name, candidates);
  return guess.empty() ? otherwise : guess + " (or " + otherwise + ")";
}

bool Parser::is_function(const std::string& name) const {
  if (params_.count(name)) return false;
  const ScopeEntry* e = scope_.find(name);
  return e && e->kind == ScopeEntry::Kind::Function;
}

bool Parser::is_defined(const std::string& name) const {
  if (params_.count(name)) return false;
  const ScopeEntry* e = scope_.find(name);
  return e && e->kind == ScopeEntry::Kind::Defined;
}

// ---- statements ----

Statement Parser::statement(Ast& ast) {
  ast_ = &ast;
  depth_ = 0;
  known_dims_only_ = false;  // an error inside I(n) may have left it set
  params_.clear();
  while (is(Tok::End)) next();
  Statement s;
  size_t begin = peek().span.begin;
  auto done = [&]() {
    s.span = {begin, toks_[pos_ > 0 ? pos_ - 1 : 0].span.end};
    finish_statement();
    return s;
  };
  if (is(Tok::Ident)) {
    // name, name, ... in SET   |   name, name, ... : SIGNATURE
    size_t k = 1;
    while (is(Tok::Comma, k) && is(Tok::Ident, k + 1)) k += 2;
    if (is_ident("in", k) || is(Tok::Colon, k)) {
      bool function = is(Tok::Colon, k);
      declaration_names(s);
      next();  // in / :
      if (!function) {
        s.kind = Statement::Kind::DeclareVariables;
        s.symmetric = is_ident("Sym");
        s.shape = set_type(&s.value_kind);
        return done();
      }
      s.kind = Statement::Kind::DeclareFunctions;
      s.params.push_back(set_type());
      while (is(Tok::Times) || is_ident("x") || is(Tok::Comma)) {
        next();
        s.params.push_back(set_type());
      }
      expect(Tok::Arrow, "'->' in a function signature");
      s.shape = set_type();
      return done();
    }
    // name = expr
    if (is(Tok::Assign, 1)) {
      s.kind = Statement::Kind::DefineNamed;
      s.names.push_back(peek().text);
      s.name_spans.push_back(peek().span);
      next();
      next();
      s.expr = expr();
      return done();
    }
    // f(x, y) = expr
    if (is(Tok::LParen, 1)) {
      size_t j = 2;
      bool params_ok = is(Tok::Ident, j);
      while (params_ok && is(Tok::Comma, j + 1)) {
        j += 2;
        params_ok = is(Tok::Ident, j);
      }
      if (params_ok && is(Tok::RParen, j + 1) && is(Tok::Assign, j + 2)) {
        s.kind = Statement::Kind::DefineFunction;
        s.names.push_back(peek().text);
        s.name_spans.push_back(peek().span);
        next();
        next();
        for (;;) {
          const Token& p = expect(Tok::Ident, "a parameter name");
          for (const std::string& q : s.param_names)
            if (q == p.text) fail("parameter '" + p.text + "' appears twice", p.span);
          s.param_names.push_back(p.text);
          s.param_spans.push_back(p.span);
          if (!is(Tok::Comma)) break;
          next();
        }
        expect(Tok::RParen, "')'");
        expect(Tok::Assign, "'='");
        params_.insert(s.param_names.begin(), s.param_names.end());
        s.expr = expr();
        params_.clear();
        return done();
      }
    }
    if (is_ident("check") && !(scope_.find("check"))) {
      next();
      s.kind = Statement::Kind::Check;
      s.expr = expr();
      if (!is(Tok::EqEq)) {
        if (is(Tok::Assign)) fail("check compares with '==', not '='", peek().span);
        unexpected("'==' in check");
      }
      next();
      s.rhs = expr();
      return done();
    }
  }
  s.kind = Statement::Kind::Expression;
  s.expr = expr();
  return done();
}

void Parser::declaration_names(Statement& s) {
  for (;;) {
    const Token& t = expect(Tok::Ident, "a name");
    if (find_builtin(t.text) == nullptr && is_query_keyword(t.text) && t.text != "check")
      fail("'" + t.text + "' is reserved", t.span);
    // The constants: printed results write I(n), ones(n, m), which a variable of that name
    // would make unreadable (pipeline fuzzer finding).
    if (t.text == "I" || t.text == "ones" || t.text == "zeros" || t.text == "pi")
      fail("'" + t.text + "' is reserved (a constant)", t.span, "choose another name");
    s.names.push_back(t.text);
    s.name_spans.push_back(t.span);
    if (!is(Tok::Comma)) return;
    next();
  }
}

Dim Parser::dim() {
  const Token& t = peek();
  if (t.kind == Tok::Number) {
    char* end = nullptr;
    long long v = std::strtoll(t.text.c_str(), &end, 10);
    if (*end != '\0' || v <= 0 || v > 1000000000)
      fail("a dimension must be a positive integer or a name, found " + t.text, t.span);
    next();
    return Dim::fixed(static_cast<int32_t>(v));
  }
  if (t.kind == Tok::Ident) {
    if (known_dims_only_ && !g_.dims.find(t.text))
      throw Error(ErrorKind::Name, "'" + t.text + "' is not a dimension",
                  "a size is a dimension of a declared variable: ones(n) after x in R^n", t.span);
    next();
    return g_.dims.intern(t.text);
  }
  if (t.kind == Tok::LParen) {
    next();
    enter(t.span);
    Dim d = dim_expr(true);
    leave();
    expect(Tok::RParen, "')'");
    return d;
  }
  unexpected("a dimension (a name like n or a positive integer)");
}

// n + m + 2, 2*n, n*m*k: sums of products of names and positive integers, kept as the
// canonical polynomial (n+m is m+n). In a set, `*` separates rows from columns (R^(n*m) is
// n x m), so there a product is written in parentheses: R^((n*m) x k).
Dim Parser::dim_expr(bool products) {
  std::vector<Dim> terms;
  for (;;) {
    Dim term = dim();
    while (products && is(Tok::Star)) {
      next();
      Dim f = dim();
      int64_t size =
          static_cast<int64_t>(term.is_fixed() ? term.size() : 1) * (f.is_fixed() ? f.size() : 1);
      if (size > 1000000000) fail("a dimension must be at most 10^9", peek().span);
      term = g_.dims.product(term, f);
    }
    terms.push_back(term);
    if (!is(Tok::Plus)) break;
    next();
  }
  if (terms.size() == 1) return terms[0];
  int64_t fixed = 0;
  for (Dim d : terms)
    if (d.is_fixed()) fixed += d.size();
  if (fixed > 1000000000) fail("a dimension must be at most 10^9", peek().span);
  return g_.dims.sum(terms);
}

// R is a scalar, R^n a vector (R^1 too: a vector of length 1), R^(n x m) a matrix (R^(1 x 1)
// and R^(n x 1) too), Sym(n) a symmetric matrix.
Shape Parser::set_type(ValueKind* kind) {
  ValueKind ignored;
  if (!kind) kind = &ignored;
  *kind = ValueKind::Matrix;
  if (is_ident("Sym")) {
    next();
    expect(Tok::LParen, "'(' after Sym");
    Dim n = dim_expr(true);
    expect(Tok::RParen, "')'");
    return Shape::matrix(n, n);
  }
  if (!is_ident("R")) unexpected("a set: R, R^n, R^(n x m) or Sym(n)");
  next();
  *kind = ValueKind::Scalar;
  if (!is(Tok::Caret)) return Shape::scalar();
  next();
  *kind = ValueKind::Vector;
  if (is(Tok::LParen) || is(Tok::LBrace)) {
    Tok close = is(Tok::LParen) ? Tok::RParen : Tok::RBrace;
    next();
    Dim r = dim_expr(false);
    Dim c = Dim::fixed(1);
    if (is(Tok::Times) || is_ident("x") || is(Tok::Comma) || is(Tok::Star)) {
      next();
      c = dim_expr(false);
      *kind = ValueKind::Matrix;
    }
    expect(close, close == Tok::RParen ? "')'" : "'}'");
    return Shape::matrix(r, c);
  }
  return Shape::vector(dim());
}

// ---- expressions ----

int Parser::expr() {
  return additive();
}

int Parser::additive() {
  int first = multiplicative();
  if (!is(Tok::Plus) && !is(Tok::Minus)) return first;
  AstNode chain;
  chain.kind = AstKind::Chain;
  chain.kids.push_back(first);
  while (is(Tok::Plus) || is(Tok::Minus)) {
    chain.ops.push_back(next().kind == Tok::Plus ? ChainOp::Add : ChainOp::Sub);
    chain.kids.push_back(multiplicative());
  }
  chain.span = {(*ast_)[first].span.begin, (*ast_)[chain.kids.back()].span.end};
  return ast_->add(std::move(chain));
}

int Parser::multiplicative() {
  int first = unary();
  auto op_here = [&](ChainOp* op) {
    switch (peek().kind) {
      case Tok::Star:
        *op = ChainOp::Mul;
        return true;
      case Tok::Times:
        *op = ChainOp::Mul;
        return true;
      case Tok::Slash:
        *op = ChainOp::Div;
        return true;
      case Tok::DotStar:
        *op = ChainOp::Hadamard;
        return true;
      case Tok::DotSlash:
        *op = ChainOp::HadamardDiv;
        return true;
      case Tok::Kron:
        *op = ChainOp::Kron;
        return true;
      default:
        return false;
    }
  };
  ChainOp op;
  if (!op_here(&op)) return first;
  AstNode chain;
  chain.kind = AstKind::Chain;
  chain.kids.push_back(first);
  while (op_here(&op)) {
    next();
    chain.ops.push_back(op);
    chain.kids.push_back(unary());
  }
  chain.span = {(*ast_)[first].span.begin, (*ast_)[chain.kids.back()].span.end};
  return ast_->add(std::move(chain));
}

int Parser::unary() {
  if (!is(Tok::Minus) && !is(Tok::Plus)) return power();
  const Token& sign = next();
  enter(sign.span);
  int operand = unary();
  leave();
  AstNode n;
  n.kind = AstKind::Unary;
  n.negate = sign.kind == Tok::Minus;
  n.kids = {operand};
  n.span = {sign.span.begin, (*ast_)[operand].span.end};
  return ast_->add(std::move(n));
}

int Parser::power() {
  int base = postfix();
  if (!is(Tok::Caret) && !is(Tok::DotCaret)) return base;
  const Token& op = next();
  enter(op.span);
  int exponent = unary();  // right-associative; admits x^-1
  leave();
  AstNode n;
  n.kind = AstKind::Power;
  n.elementwise = op.kind == Tok::DotCaret;
  n.kids = {base, exponent};
  n.span = {(*ast_)[base].span.begin, (*ast_)[exponent].span.end};
  return ast_->add(std::move(n));
}

int Parser::postfix() {
  int a = atom();
  int entered = 0;
  for (;;) {
    size_t end;
    if (is(Tok::Prime) || is(Tok::TransposeT)) {
      end = next().span.end;
    } else if (is(Tok::Caret) && is_ident("T", 1) && !is(Tok::LParen, 2)) {
      next();
      end = next().span.end;
    } else if (is(Tok::Superscript)) {  // x², A⁻¹ᵀ: a ^ k, postfix like a transpose
      const Token& sup = next();
      enter({(*ast_)[a].span.begin, sup.span.end});
      ++entered;
      AstNode k;
      k.kind = AstKind::Number;
      k.span = sup.span;
      k.exact = Rational{sup.index, 1};
      k.value = static_cast<double>(sup.index);
      int exponent = ast_->add(std::move(k));
      AstNode n;
      n.kind = AstKind::Power;
      n.kids = {a, exponent};
      n.span = {(*ast_)[a].span.begin, sup.span.end};
      a = ast_->add(std::move(n));
      continue;
    } else {
      break;
    }
    enter({(*ast_)[a].span.begin, end});
    ++entered;
    AstNode n;
    n.kind = AstKind::Transpose;
    n.kids = {a};
    n.span = {(*ast_)[a].span.begin, end};
    a = ast_->add(std::move(n));
  }
  depth_ -= entered;
  return a;
}

int Parser::number(const Token& t) {
  AstNode n;
  n.kind = AstKind::Number;
  n.span = t.span;
  parse_number(t.text, &n.exact, &n.value);
  return ast_->add(std::move(n));
}

int Parser::atom() {
  const Token& t = peek();
  switch (t.kind) {
    case Tok::Number:
      next();
      return number(t);
    case Tok::Ident:
      return name_atom();
    case Tok::LParen: {
      next();
      enter(t.span);
      int e = expr();
      leave();
      const Token& close = expect(Tok::RParen, "')'");
      // Parentheses widen the span so messages quote them.
      if (!(*ast_)[e].inner.valid()) (*ast_)[e].inner = (*ast_)[e].span;
      (*ast_)[e].span = {t.span.begin, close.span.end};
      return e;
    }
    case Tok::LBracket: {
      // [a; b] stacks vertically, [a, b] horizontally, [A, B; C, D] in blocks.
      next();
      enter(t.span);
      AstNode n;
      n.kind = AstKind::Stack;
      auto row = [&]() {
        int first = expr();
        if (!is(Tok::Comma)) return first;
        AstNode r;
        r.kind = AstKind::Row;
        r.kids.push_back(first);
        while (is(Tok::Comma)) {
          next();
          r.kids.push_back(expr());
        }
        r.span = {(*ast_)[first].span.begin, (*ast_)[r.kids.back()].span.end};
        return ast_->add(std::move(r));
      };
      n.kids.push_back(row());
      while (is(Tok::Semicolon)) {
        next();
        n.kids.push_back(row());
      }
      leave();
      const Token& close = expect(Tok::RBracket, "']', ',' or ';'");
      n.span = {t.span.begin, close.span.end};
      if (n.kids.size() == 1 && (*ast_)[n.kids[0]].kind == AstKind::Row) {
        (*ast_)[n.kids[0]].span = n.span;
        return n.kids[0];
      }
      return ast_->add(std::move(n));
    }
    case Tok::Bar:
    case Tok::Root: {
      // |x| is abs(x); √x and √(x + y) are sqrt.
      next();
      enter(t.span);
      AstNode n;
      n.kind = AstKind::Call;
      n.ref = NameRef::Builtin;
      const Builtin* b = find_builtin(t.kind == Tok::Bar ? "abs" : "sqrt");
      n.name = b->name;
      if (b->op) n.op = *b->op;  // sugar has none
      size_t end;
      if (t.kind == Tok::Bar) {
        n.kids = {expr()};
        end = expect(Tok::Bar, "'|' closing the absolute value").span.end;
      } else {
        n.kids = {atom()};
        end = (*ast_)[n.kids[0]].span.end;
      }
      leave();
      n.span = {t.span.begin, end};
      return ast_->add(std::move(n));
    }
    case Tok::LAngle: {
      next();
      enter(t.span);
      AstNode n;
      n.kind = AstKind::Inner;
      int a = expr();
      expect(Tok::Comma, "',' in an inner product <a, b>");
      int b = expr();
      leave();
      const Token& close = expect(Tok::RAngle, "'>' closing the inner product");
      n.kids = {a, b};
      n.span = {t.span.begin, close.span.end};
      return ast_->add(std::move(n));
    }
    case Tok::NormBar: {
      next();
      enter(t.span);
      AstNode n;
      n.kind = AstKind::Norm;
      n.kids = {expr()};
      leave();
      const Token& close = expect(Tok::NormBar, "'‖' closing the norm");
      n.span = {t.span.begin, close.span.end};
      if (is(Tok::Ident) && peek().text == "∞" && peek().span.begin == close.span.end) {
        // ‖x‖∞ = norm(x, inf), as the Unicode printer writes it
        const Token& inf = next();
        AstNode p;
        p.kind = AstKind::Name;
        p.name = "inf";
        p.span = inf.span;
        AstNode call;
        call.kind = AstKind::Call;
        call.ref = NameRef::Builtin;
        const Builtin* b = find_builtin("norm");
        call.name = b->name;
        call.op = *b->op;
        call.kids = {n.kids[0], ast_->add(std::move(p))};
        call.span = {t.span.begin, inf.span.end};
        return ast_->add(std::move(call));
      }
      return ast_->add(std::move(n));
    }
    case Tok::Nabla: {
      next();
      if (is(Tok::Superscript) && peek().index == 2) {  // ∇²g(u), ∇²_x e: second derivatives
        if (is(Tok::Ident, 1) && is_function(peek(1).text) && is(Tok::LParen, 2)) {
          next();
          std::string f = next().text;
          return deriv_call(f, kCallSecond, t.span.begin);
        }
        if (is(Tok::Underscore, 1) && is(Tok::Ident, 2)) {
          next();
          next();
          const Token& v = next();
          return prefix_query(Op::Hessian, v.text, v.span, t.span.begin);
        }
        unexpected("∇²g(u) for a declared function g, or ∇²_x e");
      }
      if (is(Tok::Underscore) && is(Tok::Ident, 1)) {
        next();
        const Token& v = next();
        return prefix_query(Op::Grad, v.text, v.span, t.span.begin);
      }
      if (is(Tok::Ident) && is_function(peek().text) && is(Tok::LParen, 1)) {
        std::string f = next().text;
        return deriv_call(f, kCallDerivative, t.span.begin);
      }
      if (is(Tok::Ident) && is_defined(peek().text)) {
        const Token& f = next();
        AstNode n;
        n.kind = AstKind::GradDefined;
        n.name = f.text;
        n.symbol = scope_.find(f.text)->definition;
        n.span = {t.span.begin, f.span.end};
        return ast_->add(std::move(n));
      }
      if (is(Tok::LParen)) return query(Op::Grad, t);
      unexpected("∇_x e, ∇g(u) for a declared function g, or ∇f for a defined f");
    }
    case Tok::Partial: {
      next();
      if (t.index > 0 && is(Tok::Ident) && is_function(peek().text) && is(Tok::LParen, 1)) {
        std::string f = next().text;
        return deriv_call(f, t.index, t.span.begin);
      }
      // ∂₁∂₂L(a, b, c): the mixed second partial, as the Unicode printer writes partial(L, 1, 2)
      if (t.index > 0 && is(Tok::Partial) && peek().index > 0 && is(Tok::Ident, 1) &&
          is_function(peek(1).text) && is(Tok::LParen, 2)) {
        int64_t second = next().index;
        std::string f = next().text;
        return deriv_call(f, call_partial2(t.index, second), t.span.begin);
      }
      fail("write a partial derivative as ∂₂L(a, b, c) with L a declared function", t.span);
    }
    default:
      break;
  }
  if (t.kind == Tok::End || t.kind == Tok::Eof) {
    SourceSpan at = t.span.valid() ? t.span : SourceSpan{t.span.begin, t.span.begin + 1};
    throw Error(ErrorKind::Syntax, "expected an expression", {}, at);
  }
  unexpected("an expression");
}

int Parser::variable_name(const std::string& name, SourceSpan span) {
  AstNode n;
  n.kind = AstKind::Name;
  n.name = name;
  n.span = span;
  n.ref = NameRef::Inferred;
  const ScopeEntry* e = scope_.find(name);
  if (e && e->kind == ScopeEntry::Kind::Variable) {
    n.ref = NameRef::Variable;
    n.symbol = e->symbol;
  } else if (e && e->kind == ScopeEntry::Kind::Named && !params_.count(name)) {
    n.ref = NameRef::Named;
    n.id = e->id;
  }
  return ast_->add(std::move(n));
}

// Arguments "(a, b, ...)"; the opening parenthesis is the current token.
int Parser::paren_or_call_args(std::vector<int>& args, SourceSpan* close) {
  const Token& open = expect(Tok::LParen, "'('");
  enter(open.span);
  if (!is(Tok::RParen)) {
    args.push_back(expr());
    while (is(Tok::Comma)) {
      next();
      args.push_back(expr());
    }
  }
  leave();
  *close = expect(Tok::RParen, "')' or ','").span;
  return static_cast<int>(args.size());
}

int Parser::deriv_call(const std::string& fname, int64_t deriv, size_t begin) {
  AstNode n;
  n.kind = AstKind::DerivCall;
  n.name = fname;
  n.ref = NameRef::Abstract;
  n.symbol = scope_.find(fname)->symbol;
  n.deriv = deriv;
  SourceSpan close;
  paren_or_call_args(n.kids, &close);
  n.span = {begin, close.end};
  return ast_->add(std::move(n));
}

void Parser::check_variable(int node, const char* what) const {
  const AstNode& n = (*ast_)[node];
  if (n.kind == AstKind::Name && (n.ref == NameRef::Variable || n.ref == NameRef::Inferred)) return;
  std::string text(src_.substr(n.span.begin, n.span.end - n.span.begin));
  throw Error(ErrorKind::Name,
              std::string(what) + " is taken with respect to a variable; '" + text + "' is not one",
              "name a declared variable, e.g. grad(e, x)", n.span);
}

// grad(e, x, ...), jacobian(e, x), hessian(e, x), diff(e, x), simplify(e)
int Parser::query(Op op, const Token& keyword) {
  AstNode n;
  n.kind = AstKind::Query;
  n.op = op;
  SourceSpan close;
  paren_or_call_args(n.kids, &close);
  n.span = {keyword.span.begin, close.end};
  const char* name = op == Op::Grad         ? "grad"
                     : op == Op::Jacobian   ? "jacobian"
                     : op == Op::Hessian    ? "hessian"
                     : op == Op::Derivative ? "diff"
                                            : "simplify";
  size_t want = op == Op::Simplify ? 1 : 2;
  const bool several = op == Op::Grad || op == Op::Hessian;
  if (n.kids.size() < want || (!several && n.kids.size() != want)) {
    std::string form = op == Op::Simplify ? "simplify(e)"
                       : several          ? std::string(name) + "(e, x) or " + name + "(e, x, y)"
                                          : std::string(name) + "(e, x)";
    fail(std::string(name) + " takes " +
             (op == Op::Simplify ? "1 argument" : "an expression and a variable") + ", given " +
             std::to_string(n.kids.size()),
         n.span, "write " + form);
  }
  for (size_t i = 1; i < n.kids.size(); ++i) {
    // jacobian(F, vec(X)) and hessian(e, vec(X)) mean the same as with X: both are taken
    // w.r.t. vec(X) (column-major).
    const AstNode& k = (*ast_)[n.kids[i]];
    if (op != Op::Grad && op != Op::Derivative && k.kind == AstKind::Call &&
        k.ref == NameRef::Builtin && k.op == Op::Vec && k.kids.size() == 1) {
      const AstNode& inner = (*ast_)[k.kids[0]];
      if (inner.kind == AstKind::Name &&
          (inner.ref == NameRef::Variable || inner.ref == NameRef::Inferred))
        n.kids[i] = k.kids[0];
    }
    check_variable(n.kids[i], name);
  }
  return ast_->add(std::move(n));
}

// grad_x e, ∇_x e, J_x e: the operand runs to the end of the sum.
int Parser::prefix_query(Op op, const std::string& wrt, SourceSpan wrt_span, size_t begin) {
  int var = variable_name(wrt, wrt_span);
  check_variable(var, op == Op::Grad ? "grad" : "jacobian");
  enter(wrt_span);
  int e = additive();
  leave();
  AstNode n;
  n.kind = AstKind::Query;
  n.op = op;
  n.kids = {e, var};
  n.span = {begin, (*ast_)[e].span.end};
  return ast_->add(std::move(n));
}

int Parser::name_atom() {
  const Token& t = next();
  const std::string& name = t.text;
  auto variable_not_function = [&]() {
    if (is(Tok::LParen))
      throw Error(ErrorKind::Name, "'" + name + "' is a variable, not a function",
                  "write products with '*': " + name + "*(...)", t.span);
  };
  if (name == "∞")
    fail("'∞' stands only after a norm, as in ‖x‖∞ (the max norm)", t.span,
         "write norm(x, inf) for the max norm, or 1e999 for an infinite number");
  // J(f)(x), the Jacobian of a declared function f, whatever else J names (`J = B*B'`, a cost
  // J in R): f is a function, so J(f) is no product or call, and results print this form.
  if (name == "J" && is(Tok::LParen) && is(Tok::Ident, 1) && is_function(peek(1).text) &&
      is(Tok::RParen, 2) && is(Tok::LParen, 3)) {
    next();
    std::string f = next().text;
    next();
    return deriv_call(f, kCallDerivative, t.span.begin);
  }
  if (params_.count(name)) {
    variable_not_function();
    return variable_name(name, t.span);
  }
  if (const ScopeEntry* e = scope_.find(name)) {
    switch (e->kind) {
      case ScopeEntry::Kind::Variable:
      case ScopeEntry::Kind::Named:
        variable_not_function();
        return variable_name(name, t.span);
      case ScopeEntry::Kind::Function:
        if (is(Tok::LParen)) return deriv_call(name, kCallValue, t.span.begin);
        if (is(Tok::Prime) && is(Tok::LParen, 1)) {
          next();
          return deriv_call(name, kCallDerivative, t.span.begin);
        }
        if (is(Tok::Prime) && is(Tok::Prime, 1) && is(Tok::LParen, 2)) {  // h''(t)
          next();
          next();
          return deriv_call(name, kCallSecond, t.span.begin);
        }
        throw Error(ErrorKind::Name, "'" + name + "' is a function; apply it to arguments",
                    "write " + name + "(x)", t.span);
      case ScopeEntry::Kind::Defined: {
        if (!is(Tok::LParen))
          throw Error(ErrorKind::Name,
                      "'" + name + "' is a defined function; apply it to arguments",
                      "write " + name + "(...), or grad " + name, t.span);
        AstNode n;
        n.kind = AstKind::Call;
        n.ref = NameRef::Defined;
        n.name = name;
        n.symbol = e->definition;
        SourceSpan close;
        paren_or_call_args(n.kids, &close);
        n.span = {t.span.begin, close.end};
        return ast_->add(std::move(n));
      }
    }
  }
  // Queries and derivative forms.
  if (name == "grad") {
    if (is(Tok::LParen) && is(Tok::Ident, 1) && is_function(peek(1).text) && is(Tok::RParen, 2) &&
        is(Tok::LParen, 3)) {
      next();
      std::string f = next().text;
      next();
      return deriv_call(f, kCallDerivative, t.span.begin);
    }
    if (is(Tok::LParen)) return query(Op::Grad, t);
    if (is(Tok::Ident) && is_defined(peek().text)) {
      const Token& f = next();
      AstNode n;
      n.kind = AstKind::GradDefined;
      n.name = f.text;
      n.symbol = scope_.find(f.text)->definition;
      n.span = {t.span.begin, f.span.end};
      return ast_->add(std::move(n));
    }
    if (is(Tok::Ident))
      throw Error(ErrorKind::Name, "'" + peek().text + "' is not a defined function",
                  "define it first, e.g. f(x, y) = x*y, or write grad(e, x)", peek().span);
    fail("grad needs an expression and a variable", t.span, "write grad(e, x)");
  }
  if (name == "hessian" && is(Tok::Ident) && is_defined(peek().text)) {  // hessian f
    const Token& f = next();
    AstNode n;
    n.kind = AstKind::GradDefined;
    n.op = Op::Hessian;
    n.name = f.text;
    n.symbol = scope_.find(f.text)->definition;
    n.span = {t.span.begin, f.span.end};
    return ast_->add(std::move(n));
  }
  if (name == "hessian" && is(Tok::LParen) && is(Tok::Ident, 1) && is_function(peek(1).text) &&
      is(Tok::RParen, 2) && is(Tok::LParen, 3)) {  // hessian(g)(u)
    next();
    std::string f = next().text;
    next();
    return deriv_call(f, kCallSecond, t.span.begin);
  }
  if (name == "jacobian" || name == "hessian" || name == "diff" || name == "simplify") {
    if (!is(Tok::LParen)) fail(name + " needs arguments in parentheses", t.span);
    Op op = name == "jacobian"  ? Op::Jacobian
            : name == "hessian" ? Op::Hessian
            : name == "diff"    ? Op::Derivative
                                : Op::Simplify;
    return query(op, t);
  }
  if (name == "partial") {
    // partial(L, k)(a, b, c)
    expect(Tok::LParen, "'(' after partial");
    const Token& f = expect(Tok::Ident, "a declared function name");
    if (!is_function(f.text))
      throw Error(ErrorKind::Name, "'" + f.text + "' is not a declared function",
                  function_hint(f.text, "declare it: " + f.text + " : R x R -> R"), f.span);
    expect(Tok::Comma, "',' in partial(L, k)");
    auto argument_index = [&]() -> int64_t {
      const Token& k = expect(Tok::Number, "the argument index k");
      char* end = nullptr;
      long long index = std::strtoll(k.text.c_str(), &end, 10);
      if (*end != '\0' || index < 1 || index > 1000000)
        fail("the argument index must be a positive integer", k.span);
      return index;
    };
    int64_t index = argument_index();
    int64_t deriv = index;
    if (is(Tok::Comma)) {  // partial(L, i, j): the mixed second partial
      next();
      deriv = call_partial2(index, argument_index());
    }
    expect(Tok::RParen, "')'");
    if (!is(Tok::LParen)) unexpected("the arguments: partial(L, k)(a, b)");
    return deriv_call(f.text, deriv, t.span.begin);
  }
  if (name.size() > 2 && name.compare(0, 2, "J_") == 0) {
    std::string rest = name.substr(2);
    SourceSpan rest_span{t.span.begin + 2, t.span.end};
    if (is_function(rest) && is(Tok::LParen))
      return deriv_call(rest, kCallDerivative, t.span.begin);
    return prefix_query(Op::Jacobian, rest, rest_span, t.span.begin);
  }
  if (name.size() > 5 && name.compare(0, 5, "grad_") == 0) {
    return prefix_query(Op::Grad, name.substr(5), {t.span.begin + 5, t.span.end}, t.span.begin);
  }
  if (name == "check") fail("check starts a statement: check lhs == rhs", t.span);
  // Constants.
  auto constant = [&](NameRef ref) {
    AstNode n;
    n.kind = AstKind::Name;
    n.name = name;
    n.ref = ref;
    n.span = t.span;
    if (is(Tok::LParen)) {  // I(n), ones(n), ones(n, m), zeros(n, m)
      const Token& open = next();
      enter(open.span);
      known_dims_only_ = true;
      Dim r = dim_expr(true);
      Dim c = ref == NameRef::Identity ? r : Dim::fixed(1);
      if (ref != NameRef::Identity && is(Tok::Comma)) {
        next();
        c = dim_expr(true);
      }
      known_dims_only_ = false;
      leave();
      std::string closing = ref == NameRef::Identity
                                ? "')': a size is I(n)"
                                : "')': a size is " + name + "(n) or " + name + "(n, m)";
      n.span.end = expect(Tok::RParen, closing.c_str()).span.end;
      n.sized = true;
      n.size = Shape::matrix(r, c);
    }
    return ast_->add(std::move(n));
  };
  if (name == "I") return constant(NameRef::Identity);
  if (name == "ones") return constant(NameRef::Ones);
  if (name == "zeros") return constant(NameRef::Zeros);
  if (name == "pi" || name == "π") return constant(NameRef::Pi);
  if (const Builtin* b = find_builtin(name)) {
    if (!is(Tok::LParen))
      fail("'" + name + "' is a function; apply it to an argument", t.span,
           "write " + name + "(x)");
    AstNode n;
    n.kind = AstKind::Call;
    n.ref = NameRef::Builtin;
    n.name = b->name;
    if (b->op) n.op = *b->op;  // sugar has none
    SourceSpan close;
    paren_or_call_args(n.kids, &close);
    n.span = {t.span.begin, close.end};
    const int given = static_cast<int>(n.kids.size());
    if (given < b->min_args || given > b->max_args) {
      if (b->max_args == 1)
        fail(name + " takes 1 argument, given " + std::to_string(given), n.span,
             "write " + name + "(x)");
      if (b->min_args == 2)
        fail(name + " takes 2 arguments, given " + std::to_string(given), n.span,
             "write " + name + "(a, b)");
      fail(name + " takes 1 or 2 arguments, given " + std::to_string(given), n.span,
           "write " + name + "(x) or " + name + "(x, p)");
    }
    return ast_->add(std::move(n));
  }
  if (name == "K" && is(Tok::LParen)) {  // K(m, n): the commutation matrix, vec(A') = K vec(A)
    const Token& open = next();
    enter(open.span);
    Dim m = dim_expr(true);  // sizes as I(n) takes them: n, 3, n+m, 2*n
    expect(Tok::Comma, "',' in K(m, n)");
    Dim n = dim_expr(true);
    leave();
    const Token& close = expect(Tok::RParen, "')' after K(m, n)");
    AstNode k;
    k.kind = AstKind::Name;
    k.ref = NameRef::Commutation;
    k.name = name;
    k.symbol = m.v;
    k.deriv = n.v;
    k.span = {t.span.begin, close.span.end};
    return ast_->add(std::move(k));
  }
  if (is(Tok::LParen) || (is(Tok::Prime) && is(Tok::LParen, 1)))
    throw Error(ErrorKind::Name, "undeclared function '" + name + "'",
                function_hint(name, "declare it: " + name + " : R^n -> R"), t.span);
  return variable_name(name, t.span);
}

// ---- whole-input forms ----

int Parser::expression_only(Ast& ast) {
  ast_ = &ast;
  depth_ = 0;
  known_dims_only_ = false;
  while (is(Tok::End)) next();
  int e = expr();
  while (is(Tok::End)) next();
  if (!is(Tok::Eof)) {
    const Token& t = peek();
    fail("unexpected " + token_name(t) + " after the expression", t.span,
         t.kind == Tok::Ident || t.kind == Tok::Number ? "write products with '*'" : "");
  }
  return e;
}

std::vector<std::pair<std::string, SourceSpan>> Parser::names_only() {
  std::vector<std::pair<std::string, SourceSpan>> out;
  while (is(Tok::End)) next();
  for (;;) {
    const Token& t = expect(Tok::Ident, "a variable name");
    out.emplace_back(t.text, t.span);
    if (!is(Tok::Comma)) break;
    next();
  }
  while (is(Tok::End)) next();
  if (!is(Tok::Eof)) unexpected("',' or the end");
  return out;
}

}  // namespace nabla
