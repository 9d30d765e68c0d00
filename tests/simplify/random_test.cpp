// Random expressions: simplification keeps values, reaches a fixpoint within budgets, and is
// idempotent. Also the termination of every expression in tests/data/identities.nabla and the
// budget stops on a huge input.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "ir/build.h"
#include "test_util.h"

namespace nabla {
namespace {

enum class Kind { Scalar, Vector, Matrix };

// Builds random well-typed expressions over scalars s, t, vectors x, y, matrices A, B (3x3) and
// a symmetric S, using only builders (no parsing), with the patterns the rules look for.
class RandomExprs {
 public:
  explicit RandomExprs(Graph& g, uint32_t seed) : g_(g), rng_(seed) {
    Dim n = Dim::fixed(3);
    scalars_ = {variable(g, g.declare_variable("s", Shape::scalar())),
                variable(g, g.declare_variable("t", Shape::scalar()))};
    vectors_ = {variable(g, g.declare_variable("x", Shape::vector(n))),
                variable(g, g.declare_variable("y", Shape::vector(n)))};
    matrices_ = {variable(g, g.declare_variable("A", Shape::matrix(n, n))),
                 variable(g, g.declare_variable("B", Shape::matrix(n, n))),
                 variable(g, g.declare_variable("S", Shape::matrix(n, n), true))};
    vec_ = Shape::vector(n);
    mat_ = Shape::matrix(n, n);
  }

  Id make(Kind k, int depth) {
    if (depth <= 0 || pick(4) == 0) return leaf(k);
    switch (k) {
      case Kind::Scalar:
        return scalar(depth - 1);
      case Kind::Vector:
        return vector(depth - 1);
      case Kind::Matrix:
        return matrix(depth - 1);
    }
    return leaf(k);
  }

 private:
  int pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }
  Id small_const() {
    static const Rational values[] = {{-2, 1}, {-1, 1}, {0, 1}, {1, 2}, {1, 1}, {2, 1}, {3, 1}};
    return constant(g_, values[pick(7)]);
  }
  Id leaf(Kind k) {
    switch (k) {
      case Kind::Scalar:
        return pick(3) == 0 ? small_const() : scalars_[static_cast<size_t>(pick(2))];
      case Kind::Vector:
        return pick(8) == 0 ? (pick(2) ? ones(g_, vec_) : zeros(g_, vec_))
                            : vectors_[static_cast<size_t>(pick(2))];
      case Kind::Matrix:
        if (pick(8) == 0) return identity(g_, Dim::fixed(3));
        return matrices_[static_cast<size_t>(pick(3))];
    }
    return kNoId;
  }
  Id one_plus_exp(Id u) {
    return add(g_, pick(2) ? one_of(u) : add(g_, u, neg(g_, u)), unary(g_, Op::Exp, u));
  }
  Id one_of(Id u) {
    Shape s = g_[u].shape;
    return s.is_scalar() ? integer(g_, 1) : ones(g_, s);
  }
  Id scalar(int d) {
    switch (pick(16)) {
      case 0:
        return add(g_, make(Kind::Scalar, d), make(Kind::Scalar, d));
      case 1:
        return sub(g_, make(Kind::Scalar, d), make(Kind::Scalar, d));
      case 2:
        return product(g_, make(Kind::Scalar, d), make(Kind::Scalar, d));
      case 3:
        return matmul(g_, transpose(g_, make(Kind::Vector, d)), make(Kind::Vector, d));
      case 4:
        return power(g_, make(Kind::Scalar, d), constant(g_, Rational{pick(5) - 2, 1}));
      case 5:
        return unary(g_, Op::Sum, make(Kind::Vector, d));
      case 6:
        return unary(g_, Op::Trace, make(Kind::Matrix, d));
      case 7:
        return unary(g_, Op::Det, make(Kind::Matrix, d));
      case 8:
        return unary(g_, Op::Norm2, make(Kind::Vector, d));
      case 9:
        return unary(g_, Op::Log, one_plus_exp(make(Kind::Scalar, d)));
      case 10: {
        Id u = make(Kind::Scalar, d);
        Id q = power(g_, one_plus_exp(u), integer(g_, -1));
        return pick(2) ? product(g_, unary(g_, Op::Exp, u), q) : q;
      }
      case 11:
        return unary(g_, Op::Sigmoid, make(Kind::Scalar, d));
      case 12:
        return unary(g_, Op::LogSumExp, make(Kind::Vector, d));
      case 13:
        return transpose(g_, make(Kind::Scalar, d));
      case 14:
        return unary(g_, Op::Exp, unary(g_, Op::Log, make(Kind::Scalar, d)));
      default:
        return sub(g_, integer(g_, 1), unary(g_, Op::Sigmoid, make(Kind::Scalar, d)));
    }
  }
  Id vector(int d) {
    switch (pick(12)) {
      case 0:
        return add(g_, make(Kind::Vector, d), make(Kind::Vector, d));
      case 1:
        return sub(g_, make(Kind::Vector, d), make(Kind::Vector, d));
      case 2:
        return product(g_, make(Kind::Scalar, d), make(Kind::Vector, d));
      case 3:
        return matmul(g_, make(Kind::Matrix, d), make(Kind::Vector, d));
      case 4:
        return hadamard(g_, make(Kind::Vector, d), make(Kind::Vector, d));
      case 5:
        return unary(g_, Op::Sigmoid, make(Kind::Vector, d));
      case 6:
        return unary(g_, Op::Softmax, make(Kind::Vector, d));
      case 7: {
        Id v = unary(g_, Op::Exp, make(Kind::Vector, d));
        return divide(g_, v, unary(g_, Op::Sum, v));
      }
      case 8:
        return transpose(g_,
                         matmul(g_, transpose(g_, make(Kind::Vector, d)), make(Kind::Matrix, d)));
      case 9:
        return unary(g_, Op::DiagPart, make(Kind::Matrix, d));
      case 10: {
        Id u = make(Kind::Vector, d);
        return hadamard(g_, unary(g_, Op::Exp, u), power(g_, one_plus_exp(u), integer(g_, -1)));
      }
      default:
        return power(g_, make(Kind::Vector, d), constant(g_, Rational{pick(4) - 1, 1}));
    }
  }
  Id matrix(int d) {
    switch (pick(11)) {
      case 0:
        return add(g_, make(Kind::Matrix, d), make(Kind::Matrix, d));
      case 1:
        return sub(g_, make(Kind::Matrix, d), make(Kind::Matrix, d));
      case 2:
        return product(g_, make(Kind::Scalar, d), make(Kind::Matrix, d));
      case 3:
        return matmul(g_, make(Kind::Matrix, d), make(Kind::Matrix, d));
      case 4:
        return transpose(g_, make(Kind::Matrix, d));
      case 5:
        return matmul(g_, make(Kind::Vector, d), transpose(g_, make(Kind::Vector, d)));
      case 6:
        return unary(g_, Op::Diag, make(Kind::Vector, d));
      case 7:
        return hadamard(g_, make(Kind::Matrix, d), make(Kind::Matrix, d));
      case 8:
        return unary(g_, Op::Inv,
                     add(g_, product(g_, integer(g_, 4), identity(g_, Dim::fixed(3))),
                         unary(g_, Op::Tanh, make(Kind::Matrix, d))));
      case 9:
        return unary(g_, Op::Inv, transpose(g_, matrices_[static_cast<size_t>(pick(3))]));
      default:
        return unary(g_, Op::Exp, make(Kind::Matrix, d));
    }
  }

  Graph& g_;
  std::mt19937 rng_;
  std::vector<Id> scalars_, vectors_, matrices_;
  Shape vec_, mat_;
};

Kind kind_of(uint32_t i) {
  return static_cast<Kind>(i % 3);
}

TEST(RandomIdentities, SimplifyKeepsTheValue) {
  Graph g;
  RandomExprs gen(g, 12345);
  std::mt19937 rng(99);
  int compared = 0;
  for (uint32_t i = 0; i < 600; ++i) {
    Id e = gen.make(kind_of(i), 4);
    SimplifyReport report;
    Id s = simplify(g, e, {}, &report);
    ASSERT_EQ(report.stop_reason, "fixpoint") << to_text(g, e);
    ASSERT_EQ(g[s].shape, g[e].shape);
    if (std::getenv("NABLA_VERBOSE") && i < 40)
      std::printf("%s\n  -> %s\n", to_text(g, e).c_str(), to_text(g, s).c_str());
    for (int trial = 0; trial < 2; ++trial) {
      Bindings b = testing::random_bindings(g, rng);
      Matrix before = evaluate(g, e, b);
      if (!before.allFinite() || before.cwiseAbs().maxCoeff() > 1e6) continue;
      Matrix after = evaluate(g, s, b);
      ++compared;
      ASSERT_LE(testing::relative_error(before, after), 1e-7)
          << "input:  " << to_text(g, e) << "\nresult: " << to_text(g, s) << "\nbefore:\n"
          << before << "\nafter:\n"
          << after;
    }
  }
  EXPECT_GT(compared, 800);
  if (std::getenv("NABLA_VERBOSE")) std::printf("compared %d\n", compared);
}

TEST(Termination, RandomExpressionsReachAFixpointAndAreIdempotent) {
  Graph g;
  RandomExprs gen(g, 777);
  for (uint32_t i = 0; i < 3000; ++i) {
    Id e = gen.make(kind_of(i), 3 + static_cast<int>(i % 3));
    SimplifyReport report;
    Id s = simplify(g, e, {}, &report);
    ASSERT_EQ(report.stop_reason, "fixpoint") << to_text(g, e);
    SimplifyReport again;
    EXPECT_EQ(simplify(g, s, {}, &again), s) << to_text(g, e);
    // A result of the rule passes: one pass that changes nothing, or none (the graph's memo
    // knows s as a result). A form kept from the saturation step may take the passes a few
    // rounds before saturation finds it again; it must still come back unchanged.
    if (report.rewrites.empty()) {
      EXPECT_LE(again.iterations, 1u) << to_text(g, e);
    }
  }
}

TEST(Termination, IdentitiesFileBothSides) {
  std::ifstream in(std::string(NABLA_DATA_DIR) + "/identities.nabla");
  ASSERT_TRUE(in) << "cannot read identities.nabla";
  std::stringstream text;
  text << in.rdbuf();
  Graph g;
  Frontend fe(g);
  std::vector<Query> queries = fe.run_script(text.str());
  int checks = 0;
  for (const Query& q : queries) {
    if (q.kind != QueryKind::Check) continue;
    ++checks;
    for (Id side : {q.expr, q.rhs}) {
      SimplifyReport report;
      Id s = simplify(g, side, {}, &report);
      EXPECT_EQ(report.stop_reason, "fixpoint") << q.text;
      EXPECT_LE(report.iterations, 8u) << q.text;
      if (side == q.rhs) {
        // the reference form is already compact: simplifying never makes its DAG larger
        EXPECT_LE(dag_size(g, s), dag_size(g, side) + 2) << q.text << " -> " << to_text(g, s);
      }
    }
  }
  EXPECT_GE(checks, 30);
}

TEST(Budget, HugeInputStopsAtTheNodeOrTimeLimit) {
  Graph g;
  Dim n = Dim::symbol(0);
  g.dims.intern("n");
  Id x = variable(g, g.declare_variable("x", Shape::vector(n)));
  Id A = variable(g, g.declare_variable("A", Shape::matrix(n, n)));
  // A sum of 20000 distinct terms c_k * A^k x built as a deep chain: flattening every partial
  // sum is quadratic, so the budget must stop it.
  Id sum = x;
  Id term = x;
  for (int k = 1; k < 20000; ++k) {
    term = matmul(g, A, term);
    sum = add(g, sum, scale(g, integer(g, k % 7 + 1), add(g, term, term)));
  }
  SimplifyOptions options;
  options.max_nodes = 5000;
  options.max_seconds = 1.0;
  SimplifyReport report;
  auto start = std::chrono::steady_clock::now();
  Id s = simplify(g, sum, options, &report);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_TRUE(report.stop_reason == "node limit" || report.stop_reason == "time limit")
      << report.stop_reason;
  EXPECT_LT(seconds, 5.0);
  if (std::getenv("NABLA_VERBOSE"))
    std::printf("%s after %.2f s\n", report.stop_reason.c_str(), seconds);
  EXPECT_EQ(g[s].shape, g[sum].shape);
}

TEST(Budget, IterationLimit) {
  Graph g;
  RandomExprs gen(g, 5);
  Id e = gen.make(Kind::Matrix, 6);
  SimplifyOptions options;
  options.max_iterations = 0;
  SimplifyReport report;
  EXPECT_EQ(simplify(g, e, options, &report), e);
  EXPECT_EQ(report.stop_reason, "iteration limit");
}

TEST(Budget, TimeLimit) {
  Graph g;
  RandomExprs gen(g, 6);
  Id e = gen.make(Kind::Matrix, 6);
  SimplifyOptions options;
  options.max_seconds = -1;
  SimplifyReport report;
  simplify(g, e, options, &report);
  EXPECT_EQ(report.stop_reason, "time limit");
}

}  // namespace
}  // namespace nabla
