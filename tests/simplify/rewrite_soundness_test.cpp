// Every rewrite rule of the saturation step (simplify/rules_*.cpp), instantiated at random
// shapes and values: both sides evaluate equal wherever the left side is defined. A guarded
// rule is instantiated only where its guard holds (a Sym variable for `sym`, diag(v) for `diag`,
// exp(v) for `positive`, constants for `const`); the symmetry rules are also instantiated
// without their guard, and must then fail somewhere.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>

#include "ir/build.h"
#include "ir/error.h"
#include "simplify/saturate.h"
#include "test_util.h"

namespace nabla {
namespace {

using eg::Pattern;
using eg::Predicate;
using eg::Rewrite;

bool has_guard(const Rewrite& r, int var, Predicate p) {
  for (const eg::Guard& g : r.guards)
    if (g.var == var && g.is == p) return true;
  return false;
}

// One instantiation of a rule: both sides as graph terms.
struct Instance {
  Graph g;
  Id lhs = kNoId, rhs = kNoId;
};

class Instantiator {
 public:
  Instantiator(const Rewrite& r, std::mt19937& rng, bool honour_guards)
      : r_(r), rng_(rng), guards_(honour_guards) {}

  // Tries random shapes until both sides fit; false when none was found.
  bool make(Instance& out) {
    for (int attempt = 0; attempt < 4000; ++attempt) {
      out.g = Graph();
      if (try_once(out)) return true;
    }
    return false;
  }

 private:
  Shape random_shape(bool square) {
    std::uniform_int_distribution<int> d(0, 3);
    static const int kSizes[] = {1, 2, 3, 3};
    int r = kSizes[d(rng_)], c = square ? r : kSizes[d(rng_)];
    return Shape::matrix(Dim::fixed(r), Dim::fixed(c));
  }

  simp::Num random_constant(int var) {
    std::vector<Rational> pool;
    bool integer = has_guard(r_, var, Predicate::Integer);
    bool negative = has_guard(r_, var, Predicate::Negative);
    for (Rational q : {Rational{-2, 1}, Rational{-1, 2}, Rational{1, 3}, Rational{2, 1},
                       Rational{3, 1}, Rational{-1, 1}, Rational{-3, 2}})
      if ((!integer || q.den == 1) && (!negative || q.num < 0)) pool.push_back(q);
    std::uniform_int_distribution<size_t> d(0, pool.size() - 1);
    return simp::Num::of(pool[d(rng_)]);
  }

  // The value bound to variable v of the rule, of shape s, honouring its guards.
  Id bind(Graph& g, int v, Shape s, int serial) {
    auto guarded = [&](Predicate p) { return guards_ && has_guard(r_, v, p); };
    const bool sym_guard = has_guard(r_, v, Predicate::Symmetric);
    std::string name = "v" + std::to_string(serial);
    if (guarded(Predicate::Const) || guarded(Predicate::NonZero) || guarded(Predicate::Integer) ||
        guarded(Predicate::Negative)) {
      simp::Num c = random_constant(v);
      return constant(g, c.r);
    }
    if (guarded(Predicate::Ones)) return s.is_scalar() ? integer(g, 1) : ones(g, s);
    if (guarded(Predicate::Identity)) return s.is_scalar() ? integer(g, 1) : identity(g, s.rows);
    if (guarded(Predicate::Diagonal))
      return unary(g, Op::Diag, variable(g, g.declare_variable(name, Shape::vector(s.rows))));
    Id x = variable(g, g.declare_variable(name, s, sym_guard && guards_ && s.is_square()));
    if (guarded(Predicate::Positive)) x = unary(g, Op::Exp, x);
    return x;
  }

  bool shape_guards_hold(const std::vector<Shape>& shapes) {
    for (const eg::Guard& gd : r_.guards) {
      Shape s = shapes[static_cast<size_t>(gd.var)];
      switch (gd.is) {
        case Predicate::Scalar:
        case Predicate::Const:
        case Predicate::NonZero:
        case Predicate::Integer:
        case Predicate::Negative:
          if (!s.is_scalar()) return false;
          break;
        case Predicate::Matrix:
          if (s.is_scalar()) return false;
          break;
        case Predicate::Column:
          if (!s.is_column()) return false;
          break;
        case Predicate::Symmetric:
        case Predicate::Diagonal:
        case Predicate::Square:
        case Predicate::Identity:
          if (!s.is_square()) return false;
          break;
        default:
          break;
      }
    }
    return true;
  }

  // Builds a pattern with variables bound; leaves of a left side get shapes from leaf_shapes.
  Id build(Graph& g, const Pattern& p, const std::vector<Id>& vars, std::vector<Shape>& leaf,
           bool lhs) {
    std::vector<Id> made(p.items.size(), kNoId);
    size_t leaf_index = 0;
    for (size_t i = 0; i < p.items.size(); ++i) {
      const Pattern::Item& it = p.items[i];
      if (it.kind == Pattern::Kind::Var) {
        made[i] = vars[static_cast<size_t>(it.var)];
      } else if (it.kind == Pattern::Kind::Num) {
        made[i] = constant(g, it.num.r);
      } else if (op_arity(it.op) == 0) {
        Shape s;
        if (lhs) {
          if (leaf_index >= leaf.size()) leaf.push_back(random_shape(it.op == Op::Identity));
          s = leaf[leaf_index++];
        } else {
          s = g[made[static_cast<size_t>(it.kids[0])]].shape;
          if (it.op == Op::Identity && !s.is_square()) return kNoId;
        }
        if (s.is_scalar())
          made[i] = integer(g, it.op == Op::Zeros ? 0 : 1);
        else
          made[i] = it.op == Op::Identity ? identity(g, s.rows)
                    : it.op == Op::Ones   ? ones(g, s)
                                          : zeros(g, s);
      } else {
        Node n;
        n.op = it.op;
        std::vector<Shape> shapes;
        for (int k : it.kids) {
          n.kids.push_back(made[static_cast<size_t>(k)]);
          shapes.push_back(g[made[static_cast<size_t>(k)]].shape);
        }
        if (!eg::shape_of(g, it.op, shapes, &n.shape)) return kNoId;
        made[i] = g.add(std::move(n));
      }
    }
    return made[static_cast<size_t>(p.root)];
  }

  // Variables a pattern forces to be scalars: the factor of a Scale, an exponent, and what
  // an op that keeps its shape takes when its result is a scalar.
  void scalar_positions(const Pattern& p, int item, bool scalar, std::vector<bool>& out) {
    const Pattern::Item& it = p.items[static_cast<size_t>(item)];
    if (it.kind == Pattern::Kind::Var) {
      if (scalar) out[static_cast<size_t>(it.var)] = true;
      return;
    }
    if (it.kind != Pattern::Kind::Op) return;
    bool keeps = it.op == Op::Add || it.op == Op::Hadamard || it.op == Op::Transpose ||
                 it.op == Op::Inv || it.op == Op::Softmax || is_elementwise_function(it.op);
    for (size_t k = 0; k < it.kids.size(); ++k) {
      bool s = (keeps && scalar) || (it.op == Op::Scale && (k == 0 || scalar)) ||
               (it.op == Op::Power && (k == 1 || scalar));
      scalar_positions(p, it.kids[k], s, out);
    }
  }

  bool try_once(Instance& out) {
    if (forced_scalar_.empty()) {
      forced_scalar_.assign(r_.vars.size(), false);
      scalar_positions(r_.lhs, r_.lhs.root, false, forced_scalar_);
      scalar_positions(r_.rhs, r_.rhs.root, false, forced_scalar_);
    }
    Graph& g = out.g;
    std::vector<Shape> shapes;
    for (size_t v = 0; v < r_.vars.size(); ++v) {
      const int var = static_cast<int>(v);
      bool square =
          has_guard(r_, var, Predicate::Symmetric) || has_guard(r_, var, Predicate::Square) ||
          has_guard(r_, var, Predicate::Diagonal) || has_guard(r_, var, Predicate::Identity);
      Shape s = random_shape(square);
      for (Predicate p : {Predicate::Scalar, Predicate::Const, Predicate::NonZero,
                          Predicate::Integer, Predicate::Negative})
        if (has_guard(r_, var, p)) s = Shape::scalar();
      if (forced_scalar_[v]) s = Shape::scalar();
      if (has_guard(r_, var, Predicate::Column)) s.cols = Dim::fixed(1);
      shapes.push_back(s);
    }
    if (!shape_guards_hold(shapes)) return false;
    std::vector<Id> vars;
    for (size_t v = 0; v < r_.vars.size(); ++v)
      vars.push_back(bind(g, static_cast<int>(v), shapes[v], static_cast<int>(v)));
    for (size_t v = 0; v < vars.size(); ++v)
      if (!(g[vars[v]].shape == shapes[v])) return false;
    std::vector<Shape> leaves;
    out.lhs = build(g, r_.lhs, vars, leaves, true);
    if (out.lhs == kNoId) return false;
    out.rhs = build(g, r_.rhs, vars, leaves, false);
    return out.rhs != kNoId && g[out.lhs].shape == g[out.rhs].shape;
  }

  const Rewrite& r_;
  std::mt19937& rng_;
  bool guards_;
  std::vector<bool> forced_scalar_;
};

// Largest relative difference of the two sides over random values where the left side is
// finite, and how many draws counted.
struct Comparison {
  double worst = 0;
  int compared = 0;
};
Comparison compare_sides(const Instance& in, std::mt19937& rng, int draws) {
  Comparison c;
  for (int i = 0; i < draws; ++i) {
    Bindings b = testing::random_bindings(in.g, rng);
    if (i % 2 == 1)  // half the draws positive, where logs and roots are defined
      for (auto& [sym, m] : b.values) m = m.array().abs() + 0.25;
    Matrix l, r;
    try {
      l = evaluate(in.g, in.lhs, b);
      r = evaluate(in.g, in.rhs, b);
    } catch (const Error&) {
      continue;  // singular where an inverse is taken
    }
    if (!l.allFinite()) continue;
    ++c.compared;
    c.worst = std::max(c.worst, testing::relative_error(l, r));
  }
  return c;
}

TEST(RewriteSoundness, EveryRuleHoldsAtRandomShapesAndValues) {
  std::mt19937 rng(15);
  const auto& rules = eg::all_rewrites();
  ASSERT_GE(rules.size(), 100u);
  for (const Rewrite& r : rules) {
    for (int shapes = 0; shapes < 3; ++shapes) {
      Instance in;
      Instantiator make(r, rng, true);
      ASSERT_TRUE(make.make(in)) << "no shapes fit rule '" << r.name << "'";
      Comparison c = compare_sides(in, rng, 16);
      EXPECT_GE(c.compared, 4) << "rule '" << r.name
                               << "': left side rarely defined: " << to_text(in.g, in.lhs);
      EXPECT_LT(c.worst, 1e-9) << "rule '" << r.name << "': " << to_text(in.g, in.lhs) << " vs "
                               << to_text(in.g, in.rhs);
    }
  }
}

TEST(RewriteSoundness, SymmetryGuardsMatter) {
  std::mt19937 rng(16);
  int guarded = 0;
  for (const Rewrite& r : eg::all_rewrites()) {
    bool sym = std::any_of(r.guards.begin(), r.guards.end(),
                           [](const eg::Guard& g) { return g.is == Predicate::Symmetric; });
    if (!sym) continue;
    ++guarded;
    double worst = 0;
    for (int shapes = 0; shapes < 6 && worst < 1e-3; ++shapes) {
      Instance in;
      Instantiator make(r, rng, false);
      ASSERT_TRUE(make.make(in)) << r.name;
      worst = std::max(worst, compare_sides(in, rng, 8).worst);
    }
    EXPECT_GT(worst, 1e-3) << "rule '" << r.name << "' holds without its symmetry guard";
  }
  EXPECT_GE(guarded, 1);
}

TEST(RewriteSoundness, RuleNamesAreDistinctAndEveryRuleHasOne) {
  std::vector<std::string> names;
  for (const Rewrite& r : eg::all_rewrites()) {
    EXPECT_FALSE(r.name.empty()) << r.lhs_text;
    names.push_back(r.name);
  }
  std::sort(names.begin(), names.end());
  EXPECT_EQ(std::adjacent_find(names.begin(), names.end()), names.end());
}

}  // namespace
}  // namespace nabla
