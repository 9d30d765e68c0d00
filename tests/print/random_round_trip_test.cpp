#include <cstdlib>
#include <random>

#include "round_trip_util.h"

namespace nabla {
namespace {

// Random expressions built with the builders (the shapes the simplifier and diff produce),
// printed, read back and compared by value.
class RandomExpressions {
 public:
  RandomExpressions(Frontend& front, std::mt19937& rng) : g_(front.graph()), rng_(rng) {
    for (const char* s : {"a", "b"}) scalars_.push_back(front.parse_expression(s));
    for (const char* s : {"x", "y"}) vectors_.push_back(front.parse_expression(s));
    for (const char* s : {"A", "B"}) matrices_.push_back(front.parse_expression(s));
    n_ = g_[vectors_[0]].shape.rows;
  }

  Id scalar(int depth) {
    if (depth == 0) {
      switch (pick(6)) {
        case 0:
          return integer(g_, pick(7) - 3 == 0 ? 2 : static_cast<int64_t>(pick(7)) - 3);
        case 1:
          return constant(g_,
                          *Rational::make(static_cast<int64_t>(pick(5)) - 2 == 0 ? 1 : pick(5) - 2,
                                          2 + pick(5)));
        case 2:
          return constant(g_, (pick(2) ? -1.0 : 1.0) * (0.25 + pick(100) * 1e-3));
        case 3:
          return pi(g_);
        default:
          return scalars_[pick(scalars_.size())];
      }
    }
    int d = depth - 1;
    switch (pick(20)) {
      case 0:
        return add(g_, scalar(d), scalar(d));
      case 1:
        return sub(g_, scalar(d), scalar(d));
      case 2:
        return neg(g_, scalar(d));
      case 3:
        return scale(g_, scalar(0), scalar(d));
      case 4:
        return product(g_, scalar(d), scalar(d));
      case 5:
        return divide(g_, scalar(d), add(g_, integer(g_, 2), unary(g_, Op::Sigmoid, scalar(d))));
      case 6:
        return power(g_, scalar(d), integer(g_, 2 + pick(2)));
      case 7:
        return power(g_, unary(g_, Op::Exp, unary(g_, Op::Tanh, scalar(d))),
                     constant(g_, Rational{1, 2}));
      case 8:
        return power(g_, unary(g_, Op::Exp, unary(g_, Op::Tanh, scalar(d))), integer(g_, -1));
      case 9:
        return unary(g_, pick_of({Op::Sin, Op::Cos, Op::Tanh, Op::Sigmoid, Op::Softplus, Op::Abs}),
                     scalar(d));
      case 10:
        return unary(g_, Op::Log, add(g_, integer(g_, 1), unary(g_, Op::Exp, scalar(d))));
      case 11:
        return matmul(g_, transpose(g_, vector(d)), vector(d));
      case 12:
        return unary(g_, Op::Trace, matrix(d));
      case 13:
        return unary(g_, pick_of({Op::Sum, Op::Norm2, Op::LogSumExp}), vector(d));
      case 14:
        return matmul(g_, matmul(g_, transpose(g_, vector(d)), matrix(d)), vector(d));
      case 15:
        return add(g_, scalar(d), scale(g_, constant(g_, Rational{-3, 2}), scalar(d)));
      case 16:
        return transpose(g_, scalar(d));
      case 17:
        return power(g_, transpose(g_, scalar(d)), integer(g_, 2));
      case 18:
        return unary(g_, Op::Det, matrices_[pick(2)]);
      default:
        return scalar(0);
    }
  }

  Id vector(int depth) {
    if (depth == 0) return vectors_[pick(vectors_.size())];
    int d = depth - 1;
    switch (pick(18)) {
      case 0:
        return add(g_, vector(d), vector(d));
      case 1:
        return sub(g_, vector(d), vector(d));
      case 2:
        return neg(g_, vector(d));
      case 3:
        return scale(g_, scalar(d), vector(d));
      case 4:
        return hadamard(g_, vector(d), vector(d));
      case 5:
        return elementwise_divide(g_, vector(d), unary(g_, Op::Exp, vector(d)));
      case 6:
        return matmul(g_, matrix(d), vector(d));
      case 7:
        return unary(g_, pick_of({Op::Sigmoid, Op::Tanh, Op::Sin, Op::Softmax}), vector(d));
      case 8:
        return power(g_, vector(d), integer(g_, 2));
      case 9:
        return power(g_, unary(g_, Op::Exp, vector(d)), constant(g_, Rational{1, 2}));
      case 10:
        return transpose(g_, transpose(g_, vector(d)));
      case 11:
        return unary(g_, Op::DiagPart, matrix(d));
      case 12:
        return divide(g_, vector(d), add(g_, integer(g_, 1), unary(g_, Op::Exp, scalar(d))));
      case 13:
        return product(g_, scale(g_, integer(g_, -2), vector(d)), scalar(d));
      case 14:
        return add(g_, vector(d), scale(g_, integer(g_, -1), hadamard(g_, vector(d), vector(d))));
      case 15:
        return matmul(g_, transpose(g_, matrix(d)), scale(g_, scalar(d), vector(d)));
      case 16:
        return transpose(g_, matmul(g_, transpose(g_, vector(d)), matrix(d)));
      default:
        return vector(0);
    }
  }

  Id matrix(int depth) {
    if (depth == 0) return matrices_[pick(matrices_.size())];
    int d = depth - 1;
    switch (pick(14)) {
      case 0:
        return add(g_, matrix(d), matrix(d));
      case 1:
        return sub(g_, matrix(d), matrix(d));
      case 2:
        return neg(g_, matrix(d));
      case 3:
        return scale(g_, scalar(d), matrix(d));
      case 4:
        return matmul(g_, matrix(d), matrix(d));
      case 5:
        return hadamard(g_, matrix(d), matrix(d));
      case 6:
        return transpose(g_, matrix(d));
      case 7:
        return matmul(g_, vector(d), transpose(g_, vector(d)));
      case 8:
        return unary(g_, Op::Diag, vector(d));
      case 9:
        return unary(g_, Op::Inv, matrices_[pick(2)]);
      case 10:
        return add(g_, matrix(d), identity(g_, n_));
      case 11:
        return power(g_, matrix(d), integer(g_, 2));
      case 12:
        return matmul(g_, matrix(d), transpose(g_, add(g_, matrix(d), matrix(d))));
      default:
        return matrix(0);
    }
  }

 private:
  size_t pick(size_t k) { return std::uniform_int_distribution<size_t>(0, k - 1)(rng_); }
  Op pick_of(std::initializer_list<Op> ops) { return *(ops.begin() + pick(ops.size())); }

  Graph& g_;
  std::mt19937& rng_;
  std::vector<Id> scalars_, vectors_, matrices_;
  Dim n_;
};

TEST(RoundTrip, RandomBuilderExpressions) {
  Graph g;
  Frontend front(g);
  front.run_script("a, b in R; x, y in R^n; A, B in R^(n x n)");
  // NABLA_PRINT_FUZZ_SEED=k runs a longer fuzzing round with seed k (by hand, not in CI).
  const char* fuzz_seed = std::getenv("NABLA_PRINT_FUZZ_SEED");
  std::mt19937 rng(fuzz_seed ? static_cast<unsigned>(std::atoi(fuzz_seed)) : 2024u);
  const int count = fuzz_seed ? 4000 : 400;
  RandomExpressions gen(front, rng);
  int same_node = 0;
  for (int i = 0; i < count; ++i) {
    int depth = 1 + i % 4;
    Id id = i % 3 == 0 ? gen.scalar(depth) : i % 3 == 1 ? gen.vector(depth) : gen.matrix(depth);
    std::string text = to_text(g, id);
    Id back = kNoId;
    try {
      back = front.parse_expression(text);
    } catch (const Error& e) {
      ADD_FAILURE() << "`" << text << "` does not parse: " << e.what();
      continue;
    }
    if (back == id) ++same_node;
    EXPECT_TRUE(print_testing::equivalent(g, id, back, rng))
        << "`" << text << "` reads back as `" << to_text(g, back) << "`";
    // A second round reads back too (the parser may regroup scalar factors, so the text can
    // change once; the value cannot).
    Id again = front.parse_expression(to_text(g, back));
    EXPECT_TRUE(print_testing::equivalent(g, back, again, rng)) << text;
    // The Unicode form reads back too (x², xᵀ, ‖x‖, ⊙, ·, √, |x|, A⁻¹, 𝟏).
    std::string unicode = to_unicode(g, id);
    try {
      Id from_unicode = front.parse_expression(unicode);
      EXPECT_TRUE(print_testing::equivalent(g, id, from_unicode, rng))
          << "`" << unicode << "` reads back as `" << to_text(g, from_unicode) << "`";
    } catch (const Error& e) {
      ADD_FAILURE() << "`" << unicode << "` does not parse: " << e.what();
    }
  }
  EXPECT_GT(same_node, 100);
}

}  // namespace
}  // namespace nabla
