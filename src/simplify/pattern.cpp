// Parsing rules, e-matching (top-down, backtracking over the nodes of each class) and
// instantiating right-hand sides with shapes checked.
#include "simplify/pattern.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>

#include "ir/error.h"

namespace nabla::eg {
namespace {

struct RuleParser {
  std::string_view text;
  std::string_view rule;
  std::vector<std::string>& vars;
  bool rhs;
  size_t pos = 0;

  [[noreturn]] void fail(const std::string& why) {
    throw Error(ErrorKind::Internal, "simplifier rule '" + std::string(rule) + "': " + why +
                                         " in '" + std::string(text) + "'");
  }
  void skip() {
    while (pos < text.size() && std::isspace(static_cast<unsigned char>(text[pos]))) ++pos;
  }
  std::string_view word() {
    skip();
    size_t start = pos;
    while (pos < text.size() && !std::isspace(static_cast<unsigned char>(text[pos])) &&
           text[pos] != '(' && text[pos] != ')')
      ++pos;
    if (start == pos) fail("expected a name");
    return text.substr(start, pos - start);
  }
  static bool op_named(std::string_view w, Op* out) {
    if (w == "+") w = "Add";
    if (w == "*") w = "MatMul";
    if (w == "'") w = "Transpose";
    if (w == ".*") w = "Hadamard";
    if (w == "^") w = "Power";
    for (int i = 0; i < kOpCount; ++i)
      if (op_name(static_cast<Op>(i)) == w) {
        *out = static_cast<Op>(i);
        return true;
      }
    return false;
  }
  int parse(Pattern& p) {
    skip();
    if (pos >= text.size()) fail("unexpected end");
    Pattern::Item item;
    if (text[pos] == '(') {
      ++pos;
      std::string_view name = word();
      item.kind = Pattern::Kind::Op;
      if (!op_named(name, &item.op)) fail("unknown op '" + std::string(name) + "'");
      while (true) {
        skip();
        if (pos >= text.size()) fail("missing )");
        if (text[pos] == ')') {
          ++pos;
          break;
        }
        item.kids.push_back(parse(p));
      }
      int arity = op_arity(item.op);
      if (arity == 0) {
        // A leaf: on a left-hand side it matches any node of the op; on a right-hand side it
        // takes its shape from its one argument, a variable: (Identity ?a), (Ones ?x).
        bool ok = item.op == Op::Identity || item.op == Op::Ones || item.op == Op::Zeros;
        if (rhs)
          ok = ok && item.kids.size() == 1 &&
               p.items[static_cast<size_t>(item.kids[0])].kind == Pattern::Kind::Var;
        else
          ok = ok && item.kids.empty();
        if (!ok) fail("bad leaf " + std::string(name));
      } else if (arity > 0 && item.kids.size() != static_cast<size_t>(arity)) {
        fail("wrong child count for " + std::string(name));
      }
    } else {
      std::string_view w = word();
      if (w[0] == '?') {
        item.kind = Pattern::Kind::Var;
        std::string name(w.substr(1));
        auto it = std::find(vars.begin(), vars.end(), name);
        if (it == vars.end()) {
          if (rhs) fail("unbound variable ?" + name);
          vars.push_back(name);
          it = vars.end() - 1;
        }
        item.var = static_cast<int>(it - vars.begin());
      } else {
        item.kind = Pattern::Kind::Num;
        std::string s(w);
        size_t slash = s.find('/');
        char* end = nullptr;
        long long num = std::strtoll(s.c_str(), &end, 10);
        long long den = 1;
        if (slash != std::string::npos) den = std::strtoll(s.c_str() + slash + 1, &end, 10);
        if (*end != '\0' || den <= 0) fail("bad number '" + s + "'");
        auto r = Rational::make(num, den);
        if (!r) fail("bad number '" + s + "'");
        item.num = simp::Num::of(*r);
      }
    }
    p.items.push_back(std::move(item));
    return static_cast<int>(p.items.size() - 1);
  }
};

Pattern parse_pattern(std::string_view text, std::string_view rule, std::vector<std::string>& vars,
                      bool rhs) {
  Pattern p;
  RuleParser parser{text, rule, vars, rhs};
  p.root = parser.parse(p);
  parser.skip();
  if (parser.pos != text.size()) parser.fail("trailing text");
  return p;
}

bool predicate_named(std::string_view w, Predicate* out) {
  static const std::pair<std::string_view, Predicate> kNames[] = {
      {"scalar", Predicate::Scalar},     {"matrix", Predicate::Matrix},
      {"column", Predicate::Column},     {"sym", Predicate::Symmetric},
      {"diag", Predicate::Diagonal},     {"square", Predicate::Square},
      {"positive", Predicate::Positive}, {"const", Predicate::Const},
      {"nonconst", Predicate::NonConst}, {"ones", Predicate::Ones},
      {"nonzero", Predicate::NonZero},   {"integer", Predicate::Integer},
      {"negative", Predicate::Negative}, {"identity", Predicate::Identity}};
  for (auto& [name, p] : kNames)
    if (name == w) {
      *out = p;
      return true;
    }
  return false;
}

// Backtracking e-matching: goals are (pattern item, class) pairs still to match; one
// substitution is extended and restored in place, copied only when a match is complete.
struct Matcher {
  const EGraph& eg;
  const Pattern& p;
  std::vector<Subst>& out;
  size_t limit;
  Subst s;
  std::vector<std::pair<int, ClassId>>& goals;

  void solve() {
    if (out.size() >= limit) return;
    if (goals.empty()) {
      out.push_back(s);
      return;
    }
    const auto [i, c0] = goals.back();
    goals.pop_back();
    const ClassId c = eg.find(c0);
    const Pattern::Item& item = p.items[static_cast<size_t>(i)];
    switch (item.kind) {
      case Pattern::Kind::Var: {
        ClassId& bound = s[static_cast<size_t>(item.var)];
        if (bound == kNoClass) {
          bound = c;
          solve();
          s[static_cast<size_t>(item.var)] = kNoClass;
        } else if (eg.find(bound) == c) {
          solve();
        }
        break;
      }
      case Pattern::Kind::Num: {
        simp::Num v;
        if (eg.num_of(c, &v) && simp::same(v, item.num)) solve();
        break;
      }
      case Pattern::Kind::Op: {
        const EClass& cls = eg.eclass(c);
        if (!(cls.ops >> static_cast<int>(item.op) & 1)) break;
        for (size_t ni : cls.nodes) {
          const ENode& n = eg.enode(ni);
          if (n.op != item.op || n.kids.size() != item.kids.size()) continue;
          for (size_t k = item.kids.size(); k-- > 0;) goals.push_back({item.kids[k], n.kids[k]});
          solve();
          goals.resize(goals.size() - item.kids.size());
          if (out.size() >= limit) break;
        }
        break;
      }
    }
    goals.push_back({i, c0});
  }
};

}  // namespace

Rewrite compile_rule(const RuleSpec& spec) {
  Rewrite r;
  r.name = std::string(spec.name);
  r.lhs_text = std::string(spec.lhs);
  r.rhs_text = std::string(spec.rhs);
  r.guard_text = std::string(spec.guard);
  r.lhs = parse_pattern(spec.lhs, spec.name, r.vars, false);
  r.rhs = parse_pattern(spec.rhs, spec.name, r.vars, true);
  if (r.vars.size() > kMaxPatternVars)
    throw Error(ErrorKind::Internal, "simplifier rule '" + r.name + "': too many variables");
  if (r.lhs.items[static_cast<size_t>(r.lhs.root)].kind != Pattern::Kind::Op)
    throw Error(ErrorKind::Internal, "simplifier rule '" + r.name + "': lhs must be an op");
  std::string_view g = spec.guard;
  while (!g.empty()) {
    size_t comma = g.find(',');
    std::string_view part = g.substr(0, comma);
    g = comma == std::string_view::npos ? std::string_view{} : g.substr(comma + 1);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    while (!part.empty() && part.back() == ' ') part.remove_suffix(1);
    size_t space = part.find(' ');
    Guard guard{};
    if (space == std::string_view::npos || !predicate_named(part.substr(0, space), &guard.is) ||
        part.substr(space + 1).size() < 2 || part[space + 1] != '?')
      throw Error(ErrorKind::Internal,
                  "simplifier rule '" + r.name + "': bad guard '" + std::string(part) + "'");
    std::string var(part.substr(space + 2));
    auto it = std::find(r.vars.begin(), r.vars.end(), var);
    if (it == r.vars.end())
      throw Error(ErrorKind::Internal,
                  "simplifier rule '" + r.name + "': guard on unknown ?" + var);
    guard.var = static_cast<int>(it - r.vars.begin());
    r.guards.push_back(guard);
  }
  return r;
}

void match(const EGraph& eg, const Pattern& p, ClassId c, size_t nvars, std::vector<Subst>& out,
           size_t limit) {
  (void)nvars;
  Subst none;
  none.fill(kNoClass);
  thread_local std::vector<std::pair<int, ClassId>> goals;  // reused: no allocation per call
  goals.clear();
  Matcher m{eg, p, out, out.size() + limit, none, goals};
  m.goals.push_back({p.root, c});
  m.solve();
}

bool guards_hold(const EGraph& eg, const Rewrite& r, const Subst& s) {
  for (const Guard& gd : r.guards) {
    ClassId c = s[static_cast<size_t>(gd.var)];
    const EClass& cls = eg.eclass(c);
    bool ok = false;
    switch (gd.is) {
      case Predicate::Scalar:
        ok = cls.shape.is_scalar();
        break;
      case Predicate::Matrix:
        ok = !cls.shape.is_scalar();
        break;
      case Predicate::Column:
        ok = cls.shape.is_column();
        break;
      case Predicate::Symmetric:
        ok = cls.facts.symmetric;
        break;
      case Predicate::Diagonal:
        ok = cls.facts.diagonal;
        break;
      case Predicate::Square:
        ok = cls.shape.is_square();
        break;
      case Predicate::Positive:
        ok = cls.facts.positive;
        break;
      case Predicate::Const:
        ok = cls.facts.has_num;
        break;
      case Predicate::NonConst:
        ok = !cls.facts.has_num;
        break;
      case Predicate::Ones:
        ok = eg.contains_op(c, Op::Ones) || (cls.facts.has_num && cls.facts.num.is_one());
        break;
      case Predicate::NonZero:
        ok = cls.facts.has_num && !cls.facts.num.is_zero();
        break;
      case Predicate::Integer:
        ok = cls.facts.has_num && cls.facts.num.is_integer();
        break;
      case Predicate::Identity:
        ok = eg.contains_op(c, Op::Identity);
        break;
      case Predicate::Negative:
        ok = cls.facts.has_num && cls.facts.num.negative();
        break;
    }
    if (!ok) return false;
  }
  return true;
}

bool shape_of(const Graph& g, Op op, const std::vector<Shape>& k, Shape* out) {
  auto S = [&](size_t i) { return k[i]; };
  switch (op) {
    case Op::Add:
    case Op::Hadamard:
      if (!(S(0) == S(1))) return false;
      *out = S(0);
      return true;
    case Op::Scale:
      if (!S(0).is_scalar()) return false;
      *out = S(1);
      return true;
    case Op::MatMul:
      if (S(0).is_scalar() || S(1).is_scalar() || !(S(0).cols == S(1).rows)) return false;
      *out = Shape::matrix(S(0).rows, S(1).cols);
      return true;
    case Op::Transpose:
      *out = S(0).transposed();
      return true;
    case Op::Power:
      if (!S(1).is_scalar()) return false;
      *out = S(0);
      return true;
    case Op::Sum:
    case Op::Norm2:
    case Op::NormInf:
    case Op::LogSumExp:
      *out = Shape::scalar();
      return true;
    case Op::Trace:
    case Op::Det:
    case Op::LogDet:
      if (!S(0).is_square()) return false;
      *out = Shape::scalar();
      return true;
    case Op::Inv:
      if (!S(0).is_square()) return false;
      *out = S(0);
      return true;
    case Op::Diag:
      if (!S(0).is_vector_like()) return false;
      *out = Shape::matrix(S(0).rows, S(0).rows);
      return true;
    case Op::DiagPart:
      if (!S(0).is_square()) return false;
      *out = Shape::vector(S(0).rows);
      return true;
    case Op::Softmax:
      if (!S(0).is_vector_like()) return false;
      *out = S(0);
      return true;
    case Op::Kron:
      *out =
          Shape::matrix(g.dims.product(S(0).rows, S(1).rows), g.dims.product(S(0).cols, S(1).cols));
      return true;
    case Op::Relu:
      *out = S(0);
      return true;
#include "ir/function_cases.inc"
#include "ir/leaf_cases.inc"
    case Op::Max:
    case Op::Min:
    case Op::Prod:
    case Op::ProdOthers:
    case Op::Vec:
    case Op::Stack:
    case Op::Call:
#include "ir/query_cases.inc"
      if (is_elementwise_function(op) && k.size() == 1) {
        *out = S(0);
        return true;
      }
      return false;
  }
  throw Error(ErrorKind::Internal, "not an op");
}

ClassId instantiate(EGraph& eg, const Pattern& p, const Subst& s, int origin) {
  // Items are stored children first: one sweep checks the shapes, a second builds.
  std::vector<Shape> shape(p.items.size());
  for (size_t i = 0; i < p.items.size(); ++i) {
    const Pattern::Item& item = p.items[i];
    if (item.kind == Pattern::Kind::Var) {
      shape[i] = eg.eclass(s[static_cast<size_t>(item.var)]).shape;
    } else if (item.kind == Pattern::Kind::Num) {
      shape[i] = Shape::scalar();
    } else if (op_arity(item.op) == 0) {
      shape[i] = shape[static_cast<size_t>(item.kids[0])];
      if (item.op == Op::Identity && !shape[i].is_square()) return kNoClass;
    } else {
      std::vector<Shape> kids;
      for (int k : item.kids) kids.push_back(shape[static_cast<size_t>(k)]);
      if (!shape_of(eg.graph(), item.op, kids, &shape[i])) return kNoClass;
    }
  }
  std::vector<ClassId> made(p.items.size(), kNoClass);
  for (size_t i = 0; i < p.items.size(); ++i) {
    const Pattern::Item& item = p.items[i];
    switch (item.kind) {
      case Pattern::Kind::Var:
        made[i] = s[static_cast<size_t>(item.var)];
        break;
      case Pattern::Kind::Num: {
        ENode n;
        n.op = Op::Const;
        if (item.num.exact) {
          n.a = item.num.r.num;
          n.b = item.num.r.den;
        } else {
          n.f = item.num.d;
        }
        made[i] = eg.add(n, origin);
        break;
      }
      case Pattern::Kind::Op: {
        ENode n;
        n.op = item.op;
        n.shape = shape[i];
        if (op_arity(item.op) == 0) {  // a leaf of the shape of its argument
          if (n.shape.is_scalar()) {
            n.op = Op::Const;
            n.a = item.op == Op::Zeros ? 0 : 1;
            n.b = 1;
          }
          made[i] = eg.add(std::move(n), origin);
          break;
        }
        for (int k : item.kids) n.kids.push_back(made[static_cast<size_t>(k)]);
        made[i] = eg.add(std::move(n), origin);
        break;
      }
    }
  }
  return made[static_cast<size_t>(p.root)];
}

}  // namespace nabla::eg
