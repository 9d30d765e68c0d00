// Read-back as an invariant: random gradients, Jacobians and Hessians over every op and shape
// (scalars, vectors, matrices, rows, size-1 and fixed dimensions, values whose kind the shape
// does not tell: u in R^1, E in R^(1 x 1), N in R^(2 x 1), stacks of n + m rows,
// Kronecker products and vec of n*m rows), each result printed as text and as Unicode, parsed
// back in the same declarations, and compared with the derived graph: same shape, same value
// at random points (dimension sizes drawn from 1..3, so size-1 dimensions occur). The seed is
// printed; NABLA_READBACK_SEED varies it, NABLA_READBACK_COUNT the number of results.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "../support/readback.h"
#include "diff/diff.h"
#include "eval/evaluate.h"
#include "ir/build.h"
#include "ir/error.h"
#include "ir/graph.h"
#include "parse/frontend.h"
#include "print/print.h"
#include "simplify/simplify.h"

namespace nabla {
namespace {

using testing::random_point;
using testing::ReadBack;

constexpr const char* kDeclarations =
    "a, b in R; u in R^1; t in R^2; x, y in R^n; z in R^m; A, B in R^(n x n); C in R^(n x m); "
    "D in R^(m x n); P in R^(1 x n); T in R^(2 x n); S in Sym(m); E in R^(1 x 1); N in R^(2 x 1)";

class Generator {
 public:
  Generator(Graph& g, Frontend& front, std::mt19937& rng) : g_(g), rng_(rng) {
    for (const char* name :
         {"a", "b", "u", "t", "x", "y", "z", "A", "B", "C", "D", "P", "T", "S", "E", "N"}) {
      Id v = front.parse_expression(name);
      vars_[key(g_[v].shape)].push_back(v);
    }
    one_ = Dim::fixed(1);
    two_ = Dim::fixed(2);
    n_ = g_[front.parse_expression("x")].shape.rows;
    m_ = g_[front.parse_expression("z")].shape.rows;
    n_plus_m_ = g_.dims.sum({n_, m_});
    n_times_m_ = g_.dims.product(n_, m_);
  }

  Dim any_dim() {
    const Dim dims[] = {one_, two_, n_, m_, n_, m_, n_plus_m_};
    return dims[pick(7)];
  }
  Dim any_rows() {
    const Dim dims[] = {one_, two_, n_, m_, n_, m_, n_plus_m_, n_times_m_};
    return dims[pick(8)];
  }

  Id expr(Shape s, int d) {
    if (d <= 0) return leaf(s);
    int r = pick(20);
    Dim rows = s.rows, cols = s.cols;
    if (cols == n_plus_m_ && r < 6)  // side by side: [P, Q] = [P'; Q']'
      return transpose(g_, stack(g_, {transpose(g_, expr(Shape::matrix(rows, n_), d - 1)),
                                      transpose(g_, expr(Shape::matrix(rows, m_), d - 1))}));
    if (rows == n_plus_m_ && r < 6)
      return stack(g_,
                   {expr(Shape::matrix(n_, cols), d - 1), expr(Shape::matrix(m_, cols), d - 1)});
    if (rows == n_times_m_ && r < 6) {
      if (cols.is_one() && chance(0.5))
        return unary(g_, Op::Vec, expr(Shape::matrix(n_, m_), d - 1));
      return kron(g_, expr(Shape::matrix(n_, cols), d - 1), expr(Shape::vector(m_), d - 1));
    }
    switch (r) {
      case 0:
        return add(g_, expr(s, d - 1), expr(s, d - 1));
      case 1:
        return sub(g_, expr(s, d - 1), expr(s, d - 1));
      case 2:
        return product(g_, expr(Shape::scalar(), d - 1), expr(s, d - 1));
      case 3:
        return hadamard(g_, expr(s, d - 1), expr(s, d - 1));
      case 4:
      case 5:
        return entrywise(s, d);
      case 6:
      case 7: {
        Dim k = any_dim();
        return product(g_, expr(Shape::matrix(rows, k), d - 1),
                       expr(Shape::matrix(k, cols), d - 1));
      }
      case 8:
        return transpose(g_, expr(s.transposed(), d - 1));
      case 9:
        if (cols.is_one() && !rows.is_one())
          return unary(g_, Op::DiagPart, expr(Shape::matrix(rows, rows), d - 1));
        break;
      case 10:
        if (rows == cols && !rows.is_one())
          return unary(g_, Op::Diag, expr(Shape::vector(rows), d - 1));
        break;
      case 11:
        if (rows == cols) return unary(g_, Op::Inv, well_conditioned(rows, d - 1));
        break;
      case 12:
        if (cols.is_one() && !rows.is_one()) return unary(g_, Op::Softmax, expr(s, d - 1));
        break;
      case 13:
        return divide(g_, expr(s, d - 1), positive(Shape::scalar(), d - 1));
      case 14:
        if (rows == cols && !rows.is_one()) return matrix_power(g_, expr(s, d - 1), 2);
        break;
      default:
        if (s.is_scalar()) return reduction(d);
        break;
    }
    return leaf(s);
  }

  Id reduction(int d) {
    Dim r = any_rows(), c = any_dim();
    switch (pick(9)) {
      case 0:
        return unary(g_, Op::Sum, expr(Shape::matrix(r, c), d - 1));
      case 1:
        return unary(g_, Op::Norm2,
                     add(g_, expr(Shape::matrix(r, c), d - 1),
                         scale(g_, integer(g_, 3), ones(g_, Shape::matrix(r, c)))));
      case 2:
        return unary(g_, Op::Trace, expr(Shape::matrix(c, c), d - 1));
      case 3:
        return unary(g_, Op::LogSumExp, expr(Shape::vector(r), d - 1));
      case 4:
        return unary(g_, chance(0.5) ? Op::Det : Op::LogDet, well_conditioned(c, d - 1));
      case 5: {
        Id v = expr(Shape::vector(r), d - 1);
        return matmul_or_scale(transpose(g_, v), expr(Shape::vector(r), d - 1));
      }
      case 6: {
        Dim k = any_dim();
        return matmul_or_scale(matmul_or_scale(transpose(g_, expr(Shape::vector(r), d - 1)),
                                               expr(Shape::matrix(r, k), d - 1)),
                               expr(Shape::vector(k), d - 1));
      }
      case 7:
        return unary(g_, Op::Sum,
                     kron(g_, expr(Shape::matrix(any_dim(), any_dim()), d - 1),
                          expr(Shape::matrix(any_dim(), any_dim()), d - 1)));
      default:
        return unary(g_, Op::Sum,
                     hadamard(g_, unary(g_, Op::Vec, expr(Shape::matrix(r, c), d - 1)),
                              expr(Shape::vector(g_.dims.product(r, c)), d - 1)));
    }
  }

  Id entrywise(Shape s, int d) {
    switch (pick(12)) {
      case 0:
        return unary(g_, Op::Exp, unary(g_, Op::Tanh, expr(s, d - 1)));
      case 1:
        return unary(g_, Op::Log, positive(s, d - 1));
      case 2:
        return unary(g_, Op::Sin, expr(s, d - 1));
      case 3:
        return unary(g_, Op::Cos, expr(s, d - 1));
      case 4:
        return unary(g_, Op::Tanh, expr(s, d - 1));
      case 5:
        return unary(g_, Op::Sigmoid, expr(s, d - 1));
      case 6:
        return unary(g_, Op::Softplus, expr(s, d - 1));
      case 7:
        return power(g_, positive(s, d - 1), constant(g_, Rational{1, 2}));
      case 8:
        return power(g_, expr(s, d - 1), integer(g_, 2));
      case 9:
        return power(g_, positive(s, d - 1), integer(g_, -1));
      case 10:
        return unary(g_, Op::Log1p, positive(s, d - 1));
      default:
        return unary(g_, Op::Abs, positive(s, d - 1));
    }
  }

  // Entry-wise positive values.
  Id positive(Shape s, int d) {
    switch (pick(3)) {
      case 0:
        return unary(g_, Op::Exp, unary(g_, Op::Tanh, expr(s, d)));
      case 1:
        return unary(g_, Op::Softplus, expr(s, d));
      default:
        return add(g_, power(g_, expr(s, d), integer(g_, 2)), ones(g_, s));
    }
  }

  // 3 I + tanh(M)/5: diagonally dominant, so inv, det and logdet are defined.
  Id well_conditioned(Dim k, int d) {
    return add(
        g_, scale(g_, integer(g_, 3), identity(g_, k)),
        scale(g_, constant(g_, Rational{1, 5}), unary(g_, Op::Tanh, expr(Shape::matrix(k, k), d))));
  }

  Id leaf(Shape s) {
    const std::vector<Id>& of_shape = vars_[key(s)];
    if (!of_shape.empty() && !chance(0.15)) return of_shape[pick(of_shape.size())];
    if (s.is_scalar()) {
      static const Rational r[] = {{1, 2}, {2, 1}, {-3, 1}, {3, 4}};
      return constant(g_, r[pick(4)]);
    }
    if (chance(0.05)) return zeros(g_, s);
    if (s.rows == s.cols && chance(0.5)) return identity(g_, s.rows);
    return ones(g_, s);
  }

  size_t pick(size_t k) { return std::uniform_int_distribution<size_t>(0, k - 1)(rng_); }
  bool chance(double p) { return std::uniform_real_distribution<double>(0, 1)(rng_) < p; }

 private:
  static std::pair<int32_t, int32_t> key(Shape s) { return {s.rows.v, s.cols.v}; }
  Id matmul_or_scale(Id a, Id b) { return product(g_, a, b); }

  Graph& g_;
  std::mt19937& rng_;
  std::map<std::pair<int32_t, int32_t>, std::vector<Id>> vars_;
  Dim one_, two_, n_, m_, n_plus_m_, n_times_m_;
};

std::vector<Id> variables_in(const Graph& g, Id root) {
  std::vector<Id> out;
  for (Id id : reachable(g, root))
    if (g[id].op == Op::Var) out.push_back(id);
  return out;
}

struct Counts {
  int results = 0, read_back = 0, unsupported = 0, no_parse = 0, wrong_shape = 0, wrong_kind = 0,
      wrong_value = 0;
  std::map<std::string, int> by_query;
  std::map<std::string, int> with;  // results containing kron, a stack, a sized constant, ...
};

// What a result holds that a printer could get wrong.
void count_forms(const Graph& g, Id result, const std::string& text, Counts& c) {
  std::set<std::string> seen;
  for (Id id : reachable(g, result)) {
    const Node& n = g[id];
    if (n.op == Op::Kron) seen.insert("kron");
    if (n.op == Op::Stack) seen.insert("stack");
    if (n.op == Op::Vec) seen.insert("vec");
    if (n.op == Op::Identity || n.op == Op::Ones || n.op == Op::Zeros) seen.insert("constant");
    // u in R^1, E in R^(1 x 1), N in R^(2 x 1): a kind the shape alone does not tell
    if (n.op == Op::Var && g.symbol(n.a).value_kind != kind_of_shape(g.symbol(n.a).shape))
      seen.insert("size-1 kind");
    for (Dim d : {n.shape.rows, n.shape.cols})
      if (g.dims.is_derived(d)) seen.insert("derived size");
  }
  for (const char* sized : {"ones(", "zeros(", "I("})
    if (text.find(sized) != std::string::npos) seen.insert("sized constant");
  for (const std::string& s : seen) ++c.with[s];
}

TEST(ReadBack, RandomDerivativesPrintAndParseBack) {
  const char* seed_env = std::getenv("NABLA_READBACK_SEED");
  const char* count_env = std::getenv("NABLA_READBACK_COUNT");
  const unsigned seed = seed_env ? static_cast<unsigned>(std::strtoul(seed_env, nullptr, 10)) : 13u;
  const int count = count_env ? std::atoi(count_env) : 5000;
  std::cout << "read-back seed " << seed << " (NABLA_READBACK_SEED), " << count << " results\n";
  std::mt19937 rng(seed);
  Counts c;
  int failures_shown = 0;
  // A fresh graph every few hundred results keeps each graph (and the memo) small.
  for (int round = 0; c.results < count; ++round) {
    Graph g;
    Frontend front(g);
    front.run_script(kDeclarations);
    Generator gen(g, front, rng);
    for (int i = 0; i < 250 && c.results < count; ++i) {
      int mode = static_cast<int>(gen.pick(10));
      int depth = 1 + static_cast<int>(gen.pick(3));
      Id query = kNoId;
      std::string kind;
      if (mode < 6) {  // gradient of a scalar
        Id f = gen.expr(Shape::scalar(), depth);
        std::vector<Id> vars = variables_in(g, f);
        if (vars.empty()) continue;
        query = grad_query(g, f, {vars[gen.pick(vars.size())]});
        kind = "grad";
      } else if (mode < 8) {  // Jacobian of a vector (through matrices: Kronecker forms)
        Id e = gen.expr(Shape::vector(gen.any_rows()), depth);
        std::vector<Id> vars;
        for (Id v : variables_in(g, e))
          if (g[v].shape.is_vector_like()) vars.push_back(v);
        if (vars.empty()) continue;
        query = nabla::query(g, Op::Jacobian, e, vars[gen.pick(vars.size())]);
        kind = "jacobian";
      } else {  // Hessian of a scalar w.r.t. a scalar or a vector
        Id f = gen.expr(Shape::scalar(), depth);
        std::vector<Id> vars;
        for (Id v : variables_in(g, f))
          if (g[v].shape.is_vector_like()) vars.push_back(v);
        if (vars.empty()) continue;
        query = nabla::query(g, Op::Hessian, f, vars[gen.pick(vars.size())]);
        kind = "hessian";
      }
      Id result = kNoId;
      try {
        // As the driver answers: the result keeps the query's kind (ir/value_kind.h).
        result = with_kind(g, simplify(g, expand_queries(g, query)), value_kind(g, query));
      } catch (const Error& e) {
        ASSERT_NE(e.kind(), ErrorKind::Internal) << to_text(g, query) << ": " << e.what();
        ++c.unsupported;  // no matrix form, or a budget
        continue;
      }
      ++c.results;
      ++c.by_query[kind];
      try {
        count_forms(g, result, to_text(g, result), c);
      } catch (const Error&) {
      }
      bool ok = true;
      for (Format format : {Format::Text, Format::Unicode}) {
        ReadBack r = testing::read_back(front, g, result, format,
                                        {random_point(g, rng), random_point(g, rng)});
        if (r.ok() || r.outcome == ReadBack::Outcome::NotPrinted) continue;
        ok = false;
        if (r.outcome == ReadBack::Outcome::NoParse) ++c.no_parse;
        if (r.outcome == ReadBack::Outcome::WrongShape) ++c.wrong_shape;
        if (r.outcome == ReadBack::Outcome::WrongKind) ++c.wrong_kind;
        if (r.outcome == ReadBack::Outcome::WrongValue) ++c.wrong_value;
        if (++failures_shown <= 20)
          ADD_FAILURE() << r.why << "\n  query:   " << to_text(g, query)
                        << "\n  printed: " << r.printed;
      }
      if (ok) ++c.read_back;
    }
  }
  std::cout << "read-back seed " << seed << ": " << c.results << " results (grad "
            << c.by_query["grad"] << ", jacobian " << c.by_query["jacobian"] << ", hessian "
            << c.by_query["hessian"] << "), " << c.read_back << " read back as text and Unicode; "
            << c.no_parse << " did not parse, " << c.wrong_shape << " wrong shape, " << c.wrong_kind
            << " wrong kind, " << c.wrong_value << " wrong value; " << c.unsupported
            << " queries without a form\n";
  std::cout << "results with:";
  for (const auto& [form, k] : c.with) std::cout << " " << form << " " << k << ";";
  std::cout << "\n";
  // The run exercised what it claims to (a generator that stopped producing these would
  // make the test vacuous): at 5000 results each form occurs dozens of times or more.
  if (count >= 5000) {
    for (const char* form :
         {"kron", "stack", "vec", "constant", "sized constant", "derived size", "size-1 kind"})
      EXPECT_GE(c.with[form], 20) << form;
  }
  EXPECT_EQ(c.read_back, c.results);
  EXPECT_EQ(c.no_parse + c.wrong_shape + c.wrong_kind + c.wrong_value, 0);
}

}  // namespace
}  // namespace nabla
