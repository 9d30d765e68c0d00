#include "explain/index_notation.h"

#include <algorithm>
#include <cmath>

#include "ir/build.h"
#include "ir/error.h"
#include "print/names.h"

namespace nabla::explain {

namespace {

[[noreturn]] void unsupported(const std::string& what) {
  throw Error(ErrorKind::Unsupported,
              "the index method writes sums, products, transposes and entry-wise functions; " +
                  what + " has no index form here",
              "use --steps=rule or --steps=differential");
}

Rational times(Rational a, Rational b) {
  auto r = mul(a, b);
  if (!r) unsupported("a coefficient this large");
  return *r;
}

IndexSum constant_sum(Rational c) {
  IndexSum s;
  if (!c.is_zero()) s.terms.push_back({c, {}, {}});
  return s;
}

IndexSum single(IndexFactor f) {
  IndexSum s;
  IndexTerm t;
  t.factors.push_back(std::move(f));
  s.terms.push_back(std::move(t));
  return s;
}

IndexSum multiply(const IndexSum& a, const IndexSum& b) {
  if (a.terms.size() * b.terms.size() > 4096) unsupported("an expression of this many terms");
  IndexSum out;
  for (const IndexTerm& x : a.terms)
    for (const IndexTerm& y : b.terms) {
      IndexTerm t;
      t.coef = times(x.coef, y.coef);
      t.sums = x.sums;
      t.sums.insert(t.sums.end(), y.sums.begin(), y.sums.end());
      t.factors = x.factors;
      t.factors.insert(t.factors.end(), y.factors.begin(), y.factors.end());
      out.terms.push_back(std::move(t));
    }
  return out;
}

IndexSum plus(IndexSum a, const IndexSum& b) {
  a.terms.insert(a.terms.end(), b.terms.begin(), b.terms.end());
  return a;
}

IndexSum with_sum(IndexSum s, int index) {
  for (IndexTerm& t : s.terms) t.sums.insert(t.sums.begin(), index);
  return s;
}

bool derivable_function(Op op) {
  return op == Op::Exp || op == Op::Log || op == Op::Sin || op == Op::Cos || op == Op::Tanh ||
         op == Op::Sigmoid || op == Op::Softplus;
}

IndexFactor func(Op op, IndexSum arg) {
  IndexFactor f;
  f.kind = IndexFactor::Kind::Func;
  f.op = op;
  f.arg = std::make_shared<IndexSum>(std::move(arg));
  return f;
}

IndexFactor pow_factor(IndexSum arg, Rational p) {
  IndexFactor f;
  f.kind = IndexFactor::Kind::Pow;
  f.arg = std::make_shared<IndexSum>(std::move(arg));
  f.power = p;
  return f;
}

// u^p with the bookkeeping a reader does: u^1 = u, u^0 = 1.
IndexSum power_of(const IndexSum& arg, Rational p);
IndexSum power_of(const IndexSum& arg, Rational p) {
  if (p.is_zero()) return constant_sum({1, 1});
  if (p.is_one()) return arg;
  // (u^a)^b = u^(a b): the bases here are sums of squares or entries written with a power
  if (arg.terms.size() == 1 && arg.terms[0].sums.empty() && arg.terms[0].coef.is_one() &&
      arg.terms[0].factors.size() == 1 && arg.terms[0].factors[0].kind == IndexFactor::Kind::Pow) {
    auto q = mul(arg.terms[0].factors[0].power, p);
    if (q) return power_of(*arg.terms[0].factors[0].arg, *q);
  }
  return single(pow_factor(arg, p));
}

void rename(IndexSum& s, int from, int to);
void rename(IndexFactor& f, int from, int to) {
  for (int& i : f.indices)
    if (i == from) i = to;
  if (f.arg) {
    auto copy = std::make_shared<IndexSum>(*f.arg);
    rename(*copy, from, to);
    f.arg = copy;
  }
}
// Renames the free occurrences of an index: a term that sums over `from` binds it, and is left.
void rename(IndexSum& s, int from, int to) {
  for (IndexTerm& t : s.terms) {
    if (std::find(t.sums.begin(), t.sums.end(), from) != t.sums.end()) continue;
    for (IndexFactor& f : t.factors) rename(f, from, to);
  }
}

}  // namespace

int IndexBuilder::new_index(Dim range, const std::string& letter) {
  static const char* kLetters[] = {"k", "l", "m", "p", "q", "r", "s", "t", "u", "v"};
  std::string name = letter;
  if (name.empty()) {
    size_t used = 0;
    for (const IndexName& n : *names_) used += n.letter != "i" && n.letter != "j";
    name = used < 10 ? kLetters[used] : "k" + std::to_string(used - 9);
  }
  names_->push_back({name, range});
  return static_cast<int>(names_->size()) - 1;
}

IndexSum IndexBuilder::entry(Id e, int row, int col) {
  if (++calls_ > 20000) unsupported("an expression this large");
  const Node& n = g_[e];
  auto idx = [&](Dim d) { return d.is_one() ? -1 : new_index(d); };
  switch (n.op) {
    case Op::Var: {
      IndexFactor f;
      f.symbol = static_cast<int32_t>(n.a);
      if (!n.shape.rows.is_one()) f.indices.push_back(row);
      if (!n.shape.cols.is_one()) f.indices.push_back(col);
      return single(f);
    }
    case Op::Const:
      if (!is_rational_const(g_, e)) unsupported("a decimal constant");
      return constant_sum(rational_value(g_, e));
    case Op::Identity: {
      IndexFactor f;
      f.kind = IndexFactor::Kind::Delta;
      f.indices = {row, col};
      return single(f);
    }
    case Op::Ones:
      return constant_sum({1, 1});
    case Op::Zeros:
      return {};
    case Op::Add:
      return plus(entry(n.kids[0], row, col), entry(n.kids[1], row, col));
    case Op::Scale:
      return multiply(entry(n.kids[0], -1, -1), entry(n.kids[1], row, col));
    case Op::Hadamard:
      return multiply(entry(n.kids[0], row, col), entry(n.kids[1], row, col));
    case Op::Transpose:
      return entry(n.kids[0], col, row);
    case Op::MatMul: {
      Dim inner = g_[n.kids[0]].shape.cols;
      int k = idx(inner);
      IndexSum s = multiply(entry(n.kids[0], row, k), entry(n.kids[1], k, col));
      return k < 0 ? s : with_sum(std::move(s), k);
    }
    case Op::Sum: {
      Shape s = g_[n.kids[0]].shape;
      int r = idx(s.rows), c = idx(s.cols);
      IndexSum out = entry(n.kids[0], r, c);
      if (c >= 0) out = with_sum(std::move(out), c);
      if (r >= 0) out = with_sum(std::move(out), r);
      return out;
    }
    case Op::Trace: {
      int k = idx(g_[n.kids[0]].shape.rows);
      IndexSum out = entry(n.kids[0], k, k);
      return k < 0 ? out : with_sum(std::move(out), k);
    }
    case Op::Norm2: {
      Shape s = g_[n.kids[0]].shape;
      int r = idx(s.rows), c = idx(s.cols);
      IndexSum sq = power_of(entry(n.kids[0], r, c), {2, 1});
      if (c >= 0) sq = with_sum(std::move(sq), c);
      if (r >= 0) sq = with_sum(std::move(sq), r);
      return power_of(sq, {1, 2});
    }
    case Op::Power: {
      if (!is_rational_const(g_, n.kids[1])) unsupported("a power with a variable exponent");
      return power_of(entry(n.kids[0], row, col), rational_value(g_, n.kids[1]));
    }
#include "ir/matrix_function_cases.inc"
#include "ir/piecewise_cases.inc"
#include "ir/structure_cases.inc"
    case Op::Pi:
    case Op::Commutation:
#include "ir/function_cases.inc"
    case Op::NormInf:
    case Op::Det:
    case Op::LogDet:
    case Op::LogSumExp:
    case Op::Prod:
    case Op::Call:
#include "ir/query_cases.inc"
      if (derivable_function(n.op)) return single(func(n.op, entry(n.kids[0], row, col)));
      unsupported(std::string(op_spelling(n.op)));
  }
  throw Error(ErrorKind::Internal, "not an op");
}

IndexSum IndexBuilder::freshen(const IndexSum& s) const {
  IndexSum out = s;
  for (IndexTerm& t : out.terms) {
    for (int& k : t.sums) {
      int fresh = fresh_index(k);
      for (IndexFactor& f : t.factors) rename(f, k, fresh);
      k = fresh;
    }
  }
  return out;
}

int IndexBuilder::fresh_index(int like) const {
  static const char* kLetters[] = {"k", "l", "m", "p", "q", "r", "s", "t", "u", "v"};
  size_t used = 0;
  for (const IndexName& n : *names_) used += n.letter != "i" && n.letter != "j";
  std::string name = used < 10 ? kLetters[used] : "k" + std::to_string(used - 9);
  names_->push_back({name, (*names_)[static_cast<size_t>(like)].range});
  return static_cast<int>(names_->size()) - 1;
}

IndexSum IndexBuilder::differentiate(const IndexSum& s, int32_t var, int row, int col) const {
  IndexSum out;
  for (const IndexTerm& t : s.terms) {
    for (size_t m = 0; m < t.factors.size(); ++m) {
      const IndexFactor& f = t.factors[m];
      IndexSum d;  // d f / d X_(row, col)
      switch (f.kind) {
        case IndexFactor::Kind::Entry: {
          if (f.symbol != var) continue;
          IndexTerm one;
          std::vector<int> at;
          if (row >= 0) at.push_back(row);
          if (col >= 0) at.push_back(col);
          for (size_t k = 0; k < f.indices.size() && k < at.size(); ++k) {
            IndexFactor delta;
            delta.kind = IndexFactor::Kind::Delta;
            delta.indices = {at[k], f.indices[k]};
            one.factors.push_back(delta);
          }
          d.terms.push_back(one);
          break;
        }
        case IndexFactor::Kind::Delta:
          continue;
        case IndexFactor::Kind::Pow: {
          IndexSum inner = freshen(differentiate(*f.arg, var, row, col));
          if (inner.terms.empty()) continue;
          auto p1 = add(f.power, Rational{-1, 1});
          if (!p1) unsupported("this power");
          d = multiply(multiply(constant_sum(f.power), freshen(power_of(*f.arg, *p1))), inner);
          break;
        }
        case IndexFactor::Kind::Func: {
          IndexSum inner = freshen(differentiate(*f.arg, var, row, col));
          if (inner.terms.empty()) continue;
          IndexSum outer;
          switch (f.op) {
            case Op::Exp:
              outer = single(f);
              break;
            case Op::Log:
              outer = power_of(*f.arg, {-1, 1});
              break;
            case Op::Sin:
              outer = single(func(Op::Cos, *f.arg));
              break;
            case Op::Cos:
              outer = multiply(constant_sum({-1, 1}), single(func(Op::Sin, *f.arg)));
              break;
            case Op::Tanh:
              outer = plus(constant_sum({1, 1}),
                           multiply(constant_sum({-1, 1}), power_of(single(f), {2, 1})));
              break;
            case Op::Sigmoid:
              outer = multiply(single(f), plus(constant_sum({1, 1}),
                                               multiply(constant_sum({-1, 1}), single(f))));
              break;
            case Op::Softplus:
              outer = single(func(Op::Sigmoid, *f.arg));
              break;
#include "ir/arithmetic_cases.inc"
#include "ir/leaf_cases.inc"
#include "ir/matrix_function_cases.inc"
#include "ir/piecewise_cases.inc"
#include "ir/reduction_cases.inc"
#include "ir/structure_cases.inc"
            case Op::Tan:
            case Op::Sinh:
            case Op::Cosh:
            case Op::Arcsin:
            case Op::Arccos:
            case Op::Arctan:
            case Op::Log1p:
            case Op::Expm1:
            case Op::Abs:
            case Op::Sign:
            case Op::Call:
#include "ir/query_cases.inc"
              unsupported(std::string(op_spelling(f.op)));
          }
          d = multiply(outer, inner);
          break;
        }
      }
      IndexSum before, after;
      IndexTerm left{t.coef, t.sums, {}}, right;
      left.factors.assign(t.factors.begin(), t.factors.begin() + m);
      right.factors.assign(t.factors.begin() + m + 1, t.factors.end());
      before.terms.push_back(left);
      after.terms.push_back(right);
      out = plus(std::move(out), multiply(multiply(before, d), after));
    }
  }
  return out;
}

IndexSum IndexBuilder::contract(const IndexSum& s) const {
  IndexSum out;
  for (IndexTerm t : s.terms) {
    bool again = true;
    while (again) {
      again = false;
      for (size_t m = 0; m < t.factors.size() && !again; ++m) {
        IndexFactor& f = t.factors[m];
        if (f.kind != IndexFactor::Kind::Delta) continue;
        int a = f.indices[0], b = f.indices[1];
        auto summed = [&](int i) { return std::find(t.sums.begin(), t.sums.end(), i); };
        int gone = -1, kept = -1;
        if (summed(b) != t.sums.end())
          gone = b, kept = a;
        else if (summed(a) != t.sums.end())
          gone = a, kept = b;
        if (gone < 0) continue;
        t.sums.erase(summed(gone));
        t.factors.erase(t.factors.begin() + static_cast<long>(m));
        IndexSum wrap;
        wrap.terms.push_back(t);
        rename(wrap, gone, kept);
        t = wrap.terms[0];
        again = true;
      }
    }
    out.terms.push_back(std::move(t));
  }
  return out;
}

namespace {

std::string index_letters(const std::vector<IndexName>& names, const std::vector<int>& idx,
                          int format) {
  std::string s;
  for (int i : idx) {
    std::string l = i >= 0 ? names[static_cast<size_t>(i)].letter : "1";
    if (format == 1) {
      static const std::unordered_map<std::string, std::string> sub{
          {"i", "ᵢ"}, {"j", "ⱼ"}, {"k", "ₖ"}, {"l", "ₗ"}, {"m", "ₘ"}, {"p", "ₚ"},
          {"s", "ₛ"}, {"t", "ₜ"}, {"u", "ᵤ"}, {"v", "ᵥ"}, {"r", "ᵣ"}};
      auto it = sub.find(l);
      s += it != sub.end() ? it->second : "_" + l;
    } else {
      s += l;
    }
  }
  return s;
}

std::string render_sum(const Graph& g, const std::vector<IndexName>& names, const IndexSum& s,
                       int format, bool wrap);

std::string render_factor(const Graph& g, const std::vector<IndexName>& names, const IndexFactor& f,
                          int format) {
  switch (f.kind) {
    case IndexFactor::Kind::Entry: {
      const std::string& name = g.symbol(f.symbol).name;
      std::string base = format == 0 ? name : format == 1 ? unicode_name(name) : latex_name(name);
      if (f.indices.empty()) return base;
      std::string idx = index_letters(names, f.indices, format);
      if (format == 0) return base + "_" + idx;
      if (format == 1) return base + idx;
      return base + "_{" + idx + "}";
    }
    case IndexFactor::Kind::Delta: {
      std::string idx = index_letters(names, f.indices, format);
      if (format == 0) return "delta_" + idx;
      if (format == 1) return "δ" + idx;
      return "\\delta_{" + idx + "}";
    }
    case IndexFactor::Kind::Func: {
      std::string name(op_spelling(f.op));
      std::string arg = render_sum(g, names, *f.arg, format, false);
      if (format == 2) {
        std::string cmd = f.op == Op::Exp       ? "\\exp"
                          : f.op == Op::Log     ? "\\log"
                          : f.op == Op::Sin     ? "\\sin"
                          : f.op == Op::Cos     ? "\\cos"
                          : f.op == Op::Tanh    ? "\\tanh"
                          : f.op == Op::Sigmoid ? "\\sigma"
                                                : "\\operatorname{" + name + "}";
        return cmd + "\\left(" + arg + "\\right)";
      }
      return name + "(" + arg + ")";
    }
    case IndexFactor::Kind::Pow: {
      bool simple = f.arg->terms.size() == 1 && f.arg->terms[0].sums.empty() &&
                    f.arg->terms[0].factors.size() == 1 && f.arg->terms[0].coef.is_one();
      std::string base = render_sum(g, names, *f.arg, format, false);
      if (!simple) base = format == 2 ? "\\left(" + base + "\\right)" : "(" + base + ")";
      std::string p = f.power.to_string();
      if (format == 2) return "{" + base + "}^{" + p + "}";
      if (format == 0 && p.find('/') != std::string::npos) p = "(" + p + ")";
      if (format == 0 && p[0] == '-') p = "(" + p + ")";
      return base + "^" + p;
    }
  }
  return "";
}

std::string render_term(const Graph& g, const std::vector<IndexName>& names, const IndexTerm& t,
                        int format, bool* negative) {
  std::string s;
  for (int k : t.sums) {
    std::string l = names[static_cast<size_t>(k)].letter;
    if (format == 0) s += "sum_" + l + " ";
    if (format == 1) s += "Σ" + index_letters(names, {k}, 1) + " ";
    if (format == 2) s += "\\sum_{" + l + "} ";
  }
  Rational c = t.coef;
  *negative = c.num < 0;
  if (*negative) c.num = -c.num;
  std::string body;
  const char* times = format == 0 ? "*" : format == 1 ? "" : " ";
  if (!c.is_one() || t.factors.empty()) {
    if (format == 2 && !c.is_integer())
      body = "\\frac{" + std::to_string(c.num) + "}{" + std::to_string(c.den) + "}";
    else
      body = c.to_string();
  }
  for (const IndexFactor& f : t.factors) {
    if (!body.empty()) body += (format == 1 ? " " : times);
    body += render_factor(g, names, f, format);
  }
  return s + body;
}

std::string render_sum(const Graph& g, const std::vector<IndexName>& names, const IndexSum& s,
                       int format, bool wrap) {
  if (s.terms.empty()) return "0";
  std::string out;
  for (size_t i = 0; i < s.terms.size(); ++i) {
    bool negative = false;
    std::string t = render_term(g, names, s.terms[i], format, &negative);
    if (i == 0)
      out = negative ? "-" + t : t;
    else
      out += (negative ? " - " : " + ") + t;
  }
  if (wrap && s.terms.size() > 1)
    out = format == 2 ? "\\left(" + out + "\\right)" : "(" + out + ")";
  return out;
}

double eval_sum(const IndexSum& s, std::vector<int64_t>& at,
                const std::unordered_map<int32_t, Matrix>& values,
                const std::vector<int64_t>& ranges);

double eval_factor(const IndexFactor& f, std::vector<int64_t>& at,
                   const std::unordered_map<int32_t, Matrix>& values,
                   const std::vector<int64_t>& ranges) {
  auto pos = [&](int i) { return i < 0 ? int64_t{0} : at[static_cast<size_t>(i)]; };
  switch (f.kind) {
    case IndexFactor::Kind::Entry: {
      const Matrix& m = values.at(f.symbol);
      int64_t r = f.indices.size() > 0 ? pos(f.indices[0]) : 0;
      int64_t c = f.indices.size() > 1 ? pos(f.indices[1]) : 0;
      return m(r, c);
    }
    case IndexFactor::Kind::Delta:
      return pos(f.indices[0]) == pos(f.indices[1]) ? 1.0 : 0.0;
    case IndexFactor::Kind::Pow:
      return std::pow(eval_sum(*f.arg, at, values, ranges), f.power.to_double());
    case IndexFactor::Kind::Func: {
      double u = eval_sum(*f.arg, at, values, ranges);
      switch (f.op) {
        case Op::Exp:
          return std::exp(u);
        case Op::Log:
          return std::log(u);
        case Op::Sin:
          return std::sin(u);
        case Op::Cos:
          return std::cos(u);
        case Op::Tanh:
          return std::tanh(u);
        case Op::Sigmoid:
          return 1 / (1 + std::exp(-u));
        case Op::Softplus:
          return std::log1p(std::exp(u));
#include "ir/arithmetic_cases.inc"
#include "ir/leaf_cases.inc"
#include "ir/matrix_function_cases.inc"
#include "ir/piecewise_cases.inc"
#include "ir/reduction_cases.inc"
#include "ir/structure_cases.inc"
        case Op::Tan:
        case Op::Sinh:
        case Op::Cosh:
        case Op::Arcsin:
        case Op::Arccos:
        case Op::Arctan:
        case Op::Log1p:
        case Op::Expm1:
        case Op::Abs:
        case Op::Sign:
        case Op::Call:
#include "ir/query_cases.inc"
          return NAN;
      }
    }
  }
  return NAN;
}

double eval_term(const IndexTerm& t, size_t k, std::vector<int64_t>& at,
                 const std::unordered_map<int32_t, Matrix>& values,
                 const std::vector<int64_t>& ranges) {
  if (k < t.sums.size()) {
    double total = 0;
    size_t idx = static_cast<size_t>(t.sums[k]);
    for (int64_t v = 0; v < ranges[idx]; ++v) {
      at[idx] = v;
      total += eval_term(t, k + 1, at, values, ranges);
    }
    return total;
  }
  double p = t.coef.to_double();
  for (const IndexFactor& f : t.factors) p *= eval_factor(f, at, values, ranges);
  return p;
}

double eval_sum(const IndexSum& s, std::vector<int64_t>& at,
                const std::unordered_map<int32_t, Matrix>& values,
                const std::vector<int64_t>& ranges) {
  double total = 0;
  for (const IndexTerm& t : s.terms) total += eval_term(t, 0, at, values, ranges);
  return total;
}

}  // namespace

std::string IndexForm::render(const Graph& g, int format) const {
  return render_sum(g, *names_, sum_, format, false);
}

double IndexForm::evaluate(const std::unordered_map<int32_t, Matrix>& values,
                           const std::vector<int64_t>& free_values,
                           const std::function<int64_t(Dim)>& size) const {
  std::vector<int64_t> ranges, at(names_->size(), 0);
  for (const IndexName& n : *names_) ranges.push_back(size(n.range));
  for (size_t i = 0; i < free_.size(); ++i)
    if (free_[i] >= 0) at[static_cast<size_t>(free_[i])] = free_values.at(i);
  return eval_sum(sum_, at, values, ranges);
}

}  // namespace nabla::explain
