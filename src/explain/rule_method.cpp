// The rule method: each line expands the innermost derivative queries of the line above by one
// rule (linearity, product rule, chain rule), or replaces a query whose argument is elementary
// (the variable itself, a linear map of it, an abstract function of it) by its known form;
// then the simplification, in named stages. Every line is a whole IR expression.
//
// One rule for every op: the op's own derivative is asked of the engine with a fresh variable
// in place of each argument that depends on the variable (d log(u)/du = 1/u, grad(u'*v, u) = v),
// and the chain rule puts the arguments' derivatives (still queries) beside it:
//   grad(e(a_1, ..., a_k), x) = sum_i J(a_i)'*grad_{u_i} e     (a_i vectors)
//                             = sum_i  (d e/d u_i) grad(a_i, x)  (a_i scalars)
#include <algorithm>
#include <optional>
#include <unordered_map>

#include "diff/diff.h"
#include "explain/derivation.h"
#include "explain/rewrite.h"
#include "explain/rule_method.h"
#include "ir/build.h"
#include "ir/error.h"
#include "ir/substitute.h"
#include "print/print.h"

namespace nabla::explain {

namespace {

// Letters for rule statements that the user's names cannot clash with.
class Letters {
 public:
  explicit Letters(std::vector<std::string> used) : used_(std::move(used)) {}
  void exclude(const std::string& name) { used_.push_back(name); }
  std::string next() {
    static const char* kLetters[] = {"u", "v", "w", "p", "q", "r", "s", "t", "z", "y", "b", "c"};
    for (const char* l : kLetters) {
      if (std::find(used_.begin(), used_.end(), l) != used_.end()) continue;
      used_.push_back(l);
      return l;
    }
    std::string name = "u" + std::to_string(++extra_);
    used_.push_back(name);
    return name;
  }

 private:
  std::vector<std::string> used_;
  int extra_ = 0;
};

// The query of the same kind as q on another argument.
Id same_query(Graph& g, const Node& q, Id arg) {
  Id var = q.kids[1];
  switch (q.op) {
    case Op::Grad:
      if (g[arg].shape.is_scalar()) return grad_query(g, arg, {var});
      return query(g, Op::Jacobian, arg, var);
    case Op::Jacobian:
      return query(g, Op::Jacobian, arg, var);
#include "ir/arithmetic_cases.inc"
#include "ir/function_cases.inc"
#include "ir/leaf_cases.inc"
#include "ir/matrix_function_cases.inc"
#include "ir/piecewise_cases.inc"
#include "ir/reduction_cases.inc"
#include "ir/structure_cases.inc"
    case Op::Call:
    case Op::Hessian:
    case Op::Derivative:
    case Op::Simplify:
      return query(g, Op::Derivative, arg, var);
  }
  throw Error(ErrorKind::Internal, "not an op");
}

// Terms of a sum that do not depend on the variable are dropped from a query's argument
// (their derivative is zero): grad(1 + exp(u), x) is written grad(exp(u), x).
Id drop_constant_terms(Graph& g, Id a, int64_t var) {
  const Node& n = g[a];
  if (n.op != Op::Add) return a;
  bool left = depends_on(g, n.kids[0], var), right = depends_on(g, n.kids[1], var);
  if (left && !right) return drop_constant_terms(g, n.kids[0], var);
  if (right && !left) return drop_constant_terms(g, n.kids[1], var);
  return a;
}

std::string rule_name(const Graph& g, const Node& n, int dependent) {
  switch (n.op) {
    case Op::Add:
      return "linearity";
    case Op::Scale:
    case Op::MatMul:
    case Op::Hadamard:
    case Op::Kron:
      return dependent > 1 ? "product rule" : "linearity";
    case Op::Transpose:
    case Op::Sum:
    case Op::Trace:
    case Op::Vec:
    case Op::Stack:
      return "linearity";
    case Op::Power:
      return is_rational_const(g, n.kids[1]) ? "power rule" : "chain rule";
#include "ir/function_cases.inc"
#include "ir/leaf_cases.inc"
#include "ir/matrix_function_cases.inc"
#include "ir/piecewise_cases.inc"
    case Op::Norm2:
    case Op::NormInf:
    case Op::Det:
    case Op::LogDet:
    case Op::Diag:
    case Op::DiagPart:
    case Op::LogSumExp:
    case Op::Prod:
    case Op::Call:
#include "ir/query_cases.inc"
      return "chain rule";
  }
  throw Error(ErrorKind::Internal, "not an op");
}

struct Expansion {
  Id replacement = kNoId;
  std::string rule;
  std::vector<Fact> facts;
};

// One rule applied to query node q (grad/jacobian/diff of e w.r.t. one variable).
std::optional<Expansion> expand_by_rule(Graph& g, Id q_id, Letters& letters, bool fold) {
  const Node q = g[q_id];
  if (q.kids.size() != 2) return std::nullopt;
  const Id e = q.kids[0], var = q.kids[1];
  const int64_t sym = g[var].a;
  // a scalar chain u'*M*v is read as u'*(M*v): the product rule with u and M*v
  Node n = g[e];
  while (n.op == Op::MatMul && n.shape.is_scalar() && g[n.kids[0]].op == Op::MatMul) {
    const Node left = g[n.kids[0]];
    n.kids = {left.kids[0], matmul(g, left.kids[1], n.kids[1])};
  }
  const Shape xs = g[var].shape;
  if (n.kids.empty() || is_query_op(n.op)) return std::nullopt;
  struct Arg {
    Id arg;    // the argument (a column or scalar), as the user wrote it
    Id fresh;  // its stand-in variable
    std::string letter;
  };
  std::vector<Arg> args;
  Node plugged = n;
  std::unordered_map<Id, Id> back;  // fresh -> argument
  for (size_t i = 0; i < n.kids.size(); ++i) {
    Id k = n.kids[i];
    if (!depends_on(g, k, sym)) continue;
    // a row vector is the transpose of a column: u' (written so, or x'*A = (A'*x)')
    bool through_transpose = g[k].op == Op::Transpose || g[k].shape.is_row();
    Id a = g[k].op == Op::Transpose ? g[k].kids[0]
           : through_transpose      ? tidy(g, transpose(g, k))
                                    : k;
    Shape s = g[a].shape;
    if (!s.cols.is_one()) return std::nullopt;  // a matrix argument: no J form
    // the same argument twice (x'*x) gets one letter per place: the product rule
    std::string letter = letters.next();
    Id t = variable(g, g.declare_variable(letter, s));
    plugged.kids[i] = through_transpose ? transpose(g, t) : t;
    args.push_back({a, t, letter});
    back[t] = a;
  }
  if (args.empty()) return std::nullopt;
  const bool is_grad = q.op == Op::Grad;
  const bool is_jac = q.op == Op::Jacobian;
  if (is_grad && !xs.cols.is_one() && !xs.is_scalar()) {
    for (const Arg& a : args)
      if (!g[a.arg].shape.is_scalar()) return std::nullopt;
  }
  if (q.op == Op::Derivative && !n.shape.cols.is_one()) {
    for (const Arg& a : args)
      if (!g[a.arg].shape.is_scalar()) return std::nullopt;
  }
  Id p = g.add(plugged);
  Expansion out;
  out.rule = rule_name(g, n, static_cast<int>(args.size()));
  std::unordered_map<Id, Id> to_args;
  for (const Arg& a : args) to_args[a.fresh] = a.arg;
  Id sum = kNoId;
  for (const Arg& a : args) {
    const bool scalar_arg = g[a.arg].shape.is_scalar();
    Id partial;  // d e / d u_i in the form the chain rule needs, in the fresh letters
    if (is_jac || (!is_grad && !scalar_arg))
      partial = simplify_named(g, jacobian(g, p, a.fresh), nullptr);
    else if (is_grad)
      partial = simplify_named(g, grad(g, p, a.fresh), nullptr);
    else
      partial = simplify_named(g, derivative(g, p, a.fresh), nullptr);
    Id arg = fold ? drop_constant_terms(g, a.arg, sym) : a.arg;
    Id d = same_query(g, q, arg);
    Id in_args = substitute(g, partial, to_args);
    Id term;
    if (is_one(g, partial) || g[partial].op == Op::Identity)
      term = d;
    else if (is_grad && !scalar_arg)
      term = matmul(g, transpose(g, d), in_args);
    else
      term = product(g, in_args, d);
    sum = sum == kNoId ? term : add(g, sum, term);
    if (out.rule == "chain rule" || out.rule == "power rule") {
      // the outer function's derivative, stated in the letter: d log(u)/du = 1/u
      if (scalar_arg && n.op != Op::Call && n.shape.is_scalar()) {
        Fact f;
        f.lhs = query(g, Op::Derivative, p, a.fresh);
        f.value = partial;
        out.facts.push_back(f);
      }
    }
    if (out.rule != "linearity") out.facts.push_back({a.letter, kNoId, a.arg, {}});
  }
  out.replacement = sum;
  return out;
}

bool is_scalar_polynomial(const Graph& g, Id e, int depth = 0) {
  const Node& n = g[e];
  if (depth > 64) return false;
  if (!n.shape.is_scalar()) return false;
  switch (n.op) {
    case Op::Var:
    case Op::Const:
      return true;
    case Op::Add:
    case Op::Scale:
    case Op::MatMul:
      return is_scalar_polynomial(g, n.kids[0], depth + 1) &&
             is_scalar_polynomial(g, n.kids[1], depth + 1);
    case Op::Power:
      return is_rational_const(g, n.kids[1]) && rational_value(g, n.kids[1]).is_integer() &&
             rational_value(g, n.kids[1]).num > 0 && is_scalar_polynomial(g, n.kids[0], depth + 1);
#include "ir/matrix_function_cases.inc"
#include "ir/piecewise_cases.inc"
#include "ir/reduction_cases.inc"
#include "ir/structure_cases.inc"
    case Op::Pi:
    case Op::Identity:
    case Op::Ones:
    case Op::Zeros:
    case Op::Commutation:
    case Op::Hadamard:
    case Op::Transpose:
#include "ir/function_cases.inc"
    case Op::Call:
#include "ir/query_cases.inc"
      return false;
  }
  throw Error(ErrorKind::Internal, "not an op");
}

// A query whose argument is elementary: its answer is written down at once (J(A*x) = A).
bool is_elementary(const Graph& g, const Node& q, bool fold) {
  if (q.kids.size() != 2) return false;
  Id e = q.kids[0], var = q.kids[1];
  int64_t sym = g[var].a;
  if (e == var || !depends_on(g, e, sym)) return true;
  const Node& n = g[e];
  if (n.op == Op::Call) {
    for (Id k : n.kids)
      if (k != var && depends_on(g, k, sym)) return false;
    return true;
  }
  if (!fold) return false;
  if (degree_in(g, e, sym) == 1) return true;
  // a polynomial in scalars (x^2*y^3*z): its partial derivative is read off (power rule)
  return g[var].shape.is_scalar() && is_scalar_polynomial(g, e);
}

}  // namespace

namespace {

struct StepState {
  std::vector<std::string> rules;
  std::vector<Fact> facts;  // letters of the rules
  std::vector<Fact> known;  // answered queries
  Letters base;             // the letters free of the user's names
  Letters letters;          // past every letter used in this line
  bool fold;
};

std::string fact_key(const Graph& g, const Fact& f) {
  return (f.lhs != kNoId ? to_text(g, f.lhs) : f.name) + " = " +
         (f.value != kNoId ? to_text(g, f.value) : f.shown.text);
}

bool same_fact(const Graph& g, const Fact& a, const Fact& b) {
  return fact_key(g, a) == fact_key(g, b);
}

// A letter of `added` already standing for something else in `facts`.
bool conflicts(const Graph& g, const std::vector<Fact>& facts, const std::vector<Fact>& added) {
  for (const Fact& a : added) {
    if (a.lhs != kNoId) continue;
    for (const Fact& f : facts)
      if (f.lhs == kNoId && f.name == a.name && !same_fact(g, f, a)) return true;
  }
  return false;
}

void add_rule(StepState& st, const std::string& r) {
  if (std::find(st.rules.begin(), st.rules.end(), r) == st.rules.end()) st.rules.push_back(r);
}

// The replacement of one query in this line (it may hold new queries for the next line).
// Linearity is folded: the queries it leaves are expanded in the same line.
Id expand_query(Graph& g, Id qid, StepState& st, int depth) {
  const Node q = g[qid];
  if (q.op == Op::Simplify) return q.kids[0];
  if (q.op == Op::Grad && q.kids.size() > 2) {
    std::vector<Id> parts;
    for (size_t i = 1; i < q.kids.size(); ++i)
      parts.push_back(query(g, Op::Derivative, q.kids[0], q.kids[i]));
    add_rule(st, "the gradient is the vector of the partial derivatives");
    return stack(g, parts);
  }
  if (q.op == Op::Hessian && q.kids.size() == 2) {
    Id gq = grad_query(g, q.kids[0], {q.kids[1]});
    Id gr = engine_answer(g, gq);
    add_rule(st, "the Hessian is the Jacobian of the gradient");
    st.known.push_back({"", gq, gr, {}});
    return query(g, Op::Jacobian, gr, q.kids[1]);
  }
  const bool trivial =
      q.kids.size() == 2 && q.kids[0] == q.kids[1] && g[q.kids[1]].shape.is_scalar();
  // linearity over a whole sum at once: each term's derivative in this line
  if (st.fold && q.kids.size() == 2 && g[q.kids[0]].op == Op::Add &&
      (q.op == Op::Grad || q.op == Op::Jacobian || q.op == Op::Derivative)) {
    std::vector<Id> terms;
    std::vector<Id> todo{q.kids[0]};
    while (!todo.empty()) {
      Id t = todo.back();
      todo.pop_back();
      if (g[t].op == Op::Add) {
        todo.push_back(g[t].kids[1]);
        todo.push_back(g[t].kids[0]);
      } else if (depends_on(g, t, g[q.kids[1]].a)) {
        terms.push_back(t);
      }
      if (terms.size() + todo.size() > 256) break;  // a sum too long to show term by term
    }
    if (!terms.empty() && terms.size() <= 256) {
      add_rule(st, "linearity");
      Id sum = kNoId;
      for (Id t : terms) {
        Id term = expand_query(g, same_query(g, q, t), st, depth + 1);
        sum = sum == kNoId ? term : add(g, sum, term);
      }
      return sum;
    }
  }
  if (!(st.fold && trivial) && !is_elementary(g, q, st.fold)) {
    // Each query's rule is stated in the first free letters; the same statement for several
    // entries is given once, and a letter already meaning something else takes the next.
    Letters fresh = st.base;
    auto ex = expand_by_rule(g, qid, fresh, st.fold);
    if (ex && conflicts(g, st.facts, ex->facts)) {
      Letters past = st.base;
      for (const Fact& f : st.facts)
        if (f.lhs == kNoId) past.exclude(f.name);
      ex = expand_by_rule(g, qid, past, st.fold);
    }
    if (ex) {
      add_rule(st, ex->rule);
      for (Fact& f : ex->facts) {
        bool seen = false;
        for (const Fact& o : st.facts) seen = seen || same_fact(g, o, f);
        if (!seen) st.facts.push_back(std::move(f));
      }
      Id r = ex->replacement;
      if (st.fold && ex->rule == "linearity" && depth < 16) {
        std::unordered_map<Id, Id> inner;
        for (Id sub : innermost_queries(g, r)) inner[sub] = expand_query(g, sub, st, depth + 1);
        r = replace_nodes(g, r, inner);
      }
      return r;
    }
  }
  Id answer = engine_answer(g, qid);
  if (!(st.fold && trivial)) st.known.push_back({"", qid, answer, {}});
  return answer;
}

}  // namespace

// norm2(u)^2 = u'*u, the form the product rule (and a reader) works with.
Id squared_norms_as_products(Graph& g, Id root) {
  std::unordered_map<Id, Id> map;
  for (Id id : reachable(g, root)) {
    const Node& n = g[id];
    if (n.op != Op::Power || !is_rational_const(g, n.kids[1]) ||
        !(rational_value(g, n.kids[1]) == Rational{2, 1}))
      continue;
    const Node& b = g[n.kids[0]];
    if (b.op == Op::Norm2 && g[b.kids[0]].shape.cols.is_one())
      map[id] = matmul(g, transpose(g, b.kids[0]), b.kids[0]);
  }
  return map.empty() ? root : replace_nodes(g, root, map);
}

void expand_rule_chain(Graph& g, Derivation& d, bool all) {
  Id current = d.query;
  const Letters base_letters(names_used(g, d.query));
  if (!all) {
    Id rewritten = squared_norms_as_products(g, current);
    if (rewritten != current) {
      ChainLine line;
      line.expr = rewritten;
      line.rule = "the squared norm";
      Fact f;
      f.shown = {"norm2(u)^2 = u'*u", "‖u‖² = uᵀu", "\\|u\\|_2^2 = u^\\top u"};
      line.facts.push_back(f);
      d.lines.push_back(line);
      current = rewritten;
    }
  }
  for (int level = 0; level < 24; ++level) {
    std::vector<Id> queries = innermost_queries(g, current);
    if (queries.empty()) break;
    StepState st{{}, {}, {}, base_letters, base_letters, !all};
    std::unordered_map<Id, Id> map;
    for (Id qid : queries) map[qid] = expand_query(g, qid, st, 0);
    ChainLine line;
    line.facts = std::move(st.facts);
    for (Fact& f : st.known) line.facts.push_back(std::move(f));
    std::string rule;
    for (const std::string& r : st.rules) rule += (rule.empty() ? "" : ", ") + r;
    line.rule = rule.empty() ? "known derivatives" : rule;
    Id next = tidy(g, replace_nodes(g, current, map));
    line.expr = next;
    d.lines.push_back(std::move(line));
    current = next;
  }
}

}  // namespace nabla::explain
