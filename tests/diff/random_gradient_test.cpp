// Seeded random-expression differential test: at least 2000 random well-typed expressions over
// every op and shape (scalar, vector, matrix, rows through transposes), each symbolic gradient
// against central differences. Values are kept in domain: log/sqrt/negative powers only of
// positive things (exp, softplus, sigmoid, u.^2 + 1, positive variables), inv/det/logdet only of
// 3I + small. Set NABLA_DIFF_SEED to reproduce or vary a run; failures print seed and expression.
#include <array>
#include <cstdlib>
#include <iostream>
#include <map>

#include "../support/readback.h"
#include "diff_test_util.h"
#include "parse/frontend.h"
#include "simplify/simplify.h"

namespace nabla {
namespace {

using namespace difftest;

enum Kind { kS, kV, kM };

struct Gen {
  World& w;
  Functions& fn;
  std::array<std::vector<Id>, 3> leaves;
  std::array<std::vector<Id>, 3> positive;  // entry-wise positive values
  Id wellcond_leaf = kNoId;                 // 3I + small noise
  Graph& g;

  Gen(World& world, Functions& f) : w(world), fn(f), g(world.g) {}

  int pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(w.rng); }
  bool chance(double p) { return std::uniform_real_distribution<double>(0, 1)(w.rng) < p; }
  Shape shape(Kind k) {
    Dim three = Dim::fixed(3);
    return k == kS ? Shape::scalar() : k == kV ? Shape::vector(three) : Shape::matrix(three, three);
  }
  Id one(Kind k) { return k == kS ? integer(g, 1) : ones(g, shape(k)); }

  Id leaf(Kind k) {
    if (chance(0.15)) {
      if (k == kS) {
        static const Rational r[] = {{1, 2}, {2, 1}, {-3, 1}, {3, 4}};
        return constant(g, r[pick(4)]);
      }
      if (k == kM && chance(0.5)) return identity(g, Dim::fixed(3));
      return ones(g, shape(k));
    }
    const std::vector<Id>& of_kind = leaves.at(k);
    return of_kind[static_cast<size_t>(pick(static_cast<int>(of_kind.size())))];
  }

  Id bounded(Kind k, int d) {
    static const Op ops[] = {Op::Tanh, Op::Sin, Op::Sigmoid, Op::Cos};
    return unary(g, ops[pick(4)], any(k, d - 1));
  }

  Id pos(Kind k, int d) {
    if (d <= 0 || chance(0.2)) {
      const std::vector<Id>& of_kind = positive.at(k);
      return of_kind[static_cast<size_t>(pick(static_cast<int>(of_kind.size())))];
    }
    switch (pick(5)) {
      case 0:
        return unary(g, Op::Exp, bounded(k, d - 1));
      case 1:
        return unary(g, Op::Softplus, any(k, d - 1));
      case 2:
        return unary(g, Op::Sigmoid, any(k, d - 1));
      case 3:
        return add(g, power(g, any(k, d - 1), integer(g, 2)), one(k));
      default:
        return emul_pos(k, d);
    }
  }
  Id emul_pos(Kind k, int d) {
    Id a = pos(k, d - 1), b = pos(k, d - 1);
    return k == kS ? product(g, a, b) : hadamard(g, a, b);
  }

  Id wellcond(int d) {
    if (chance(0.3)) return wellcond_leaf;
    return add(g, scale(g, integer(g, 3), identity(g, Dim::fixed(3))),
               scale(g, constant(g, Rational{1, 5}), bounded(kM, d)));
  }

  // Entry-wise functions, with arguments kept in their domains.
  Id elementwise(Kind k, int d) {
    switch (pick(21)) {
      case 15:
        return unary(g, Op::Sinh, bounded(k, d));
      case 16:
        return unary(g, Op::Cosh, bounded(k, d));
      case 17:  // arcsin, arccos inside (-1/2, 1/2)
        return unary(g, chance(0.5) ? Op::Arcsin : Op::Arccos,
                     scale(g, constant(g, Rational{1, 2}), unary(g, Op::Tanh, any(k, d - 1))));
      case 18:
        return unary(g, Op::Arctan, any(k, d - 1));
      case 19: {  // log2, log10 as the parser lowers them: log(u)/log(2)
        Id base = integer(g, chance(0.5) ? 2 : 10);
        return divide(g, unary(g, Op::Log, pos(k, d)), unary(g, Op::Log, base));
      }
      case 14:  // a scalar broadcast in a sum, as the parser lowers x - mu: x - mu*ones
        if (k == kS) return add(g, any(kS, d - 1), any(kS, d - 1));
        return sub(g, any(k, d - 1), scale(g, any(kS, d - 1), ones(g, shape(k))));
      case 12:
        return unary(g, Op::Relu, any(k, d - 1));
      case 13: {  // max/min, a scalar side broadcasting now and then
        Id a = any(k, d - 1), b = chance(0.3) ? any(kS, d - 1) : any(k, d - 1);
        if (chance(0.5)) std::swap(a, b);
        Node n;
        n.op = chance(0.5) ? Op::Max : Op::Min;
        n.kids = {a, b};
        n.shape = result_shape(g, n.op, n.kids);
        return g.add(n);
      }
      case 0:
        return unary(g, Op::Exp, bounded(k, d));
      case 1:
        return unary(g, Op::Log, pos(k, d));
      case 2:
        return unary(g, Op::Sin, any(k, d - 1));
      case 3:
        return unary(g, Op::Cos, any(k, d - 1));
      case 4:
        return unary(g, Op::Tan, scale(g, constant(g, Rational{1, 2}), bounded(k, d)));
      case 5:
        return unary(g, Op::Tanh, any(k, d - 1));
      case 6:
        return unary(g, Op::Sigmoid, any(k, d - 1));
      case 7:
        return unary(g, Op::Softplus, any(k, d - 1));
      case 8:
        return unary(g, Op::Log1p, pos(k, d));
      case 9:
        return unary(g, Op::Expm1, bounded(k, d));
      case 10:
        return unary(g, Op::Abs, pos(k, d - 1));
      default: {
        Id a = any(k, d - 1), s = unary(g, Op::Sign, pos(k, d - 1));
        return k == kS ? product(g, s, a) : hadamard(g, s, a);
      }
    }
  }

  Id powered(Kind k, int d) {
    static const Rational exps[] = {{2, 1}, {3, 1}, {1, 2}, {-1, 1}, {-1, 2}, {3, 2}};
    Id base = pos(k, d - 1);
    if (chance(0.25)) return power(g, base, bounded(kS, d - 1));  // exponent depends too
    return power(g, base, constant(g, exps[pick(6)]));
  }

  Id any(Kind k, int d) {
    if (d <= 0 || chance(0.2)) return leaf(k);
    switch (k) {
      case kS:
        switch (pick(18)) {
          case 0:
            return add(g, any(kS, d - 1), any(kS, d - 1));
          case 1:
            return product(g, any(kS, d - 1), any(kS, d - 1));
          case 2:
            return inner(g, any(kV, d - 1), any(kV, d - 1));
          case 3:
            return unary(g, Op::Sum, any(chance(0.5) ? kV : kM, d - 1));
          case 4:
            return unary(g, Op::Trace, any(kM, d - 1));
          case 5:
            return unary(g, Op::Det, wellcond(d - 1));
          case 6:
            return unary(g, Op::LogDet, wellcond(d - 1));
          case 7:
            return unary(g, Op::LogSumExp, any(kV, d - 1));
          case 8:
            return unary(g, Op::Norm2, pos(chance(0.5) ? kV : kM, d - 1));
          case 9:
            return elementwise(kS, d);
          case 10:
            return powered(kS, d);
          case 11:
            switch (pick(3)) {
              case 0:
                return call(g, fn.h, kCallValue, {any(kS, d - 1)});
              case 1:
                return call(g, fn.gs, kCallValue, {any(kV, d - 1)});
              default:
                return call(g, fn.L, kCallValue, {any(kS, d - 1), any(kS, d - 1), any(kS, d - 1)});
            }
          case 12:
            return matmul(g, matmul(g, transpose(g, any(kV, d - 1)), any(kM, d - 1)),
                          any(kV, d - 1));
          case 13:
            return divide(g, any(kS, d - 1), pos(kS, d - 1));
          case 14:
            return unary(g, Op::Diag, any(kS, d - 1));  // 1 x 1
          case 15:
            return chance(0.5) ? unary(g, Op::Norm2, unary(g, Op::Vec, pos(kM, d - 1)))
                               : unary(g, Op::NormInf, any(chance(0.5) ? kV : kM, d - 1));
          case 16:  // prod, whose gradient prod_others stays exact at zero entries
            return unary(g, Op::Prod, bounded(chance(0.5) ? kV : kM, d - 1));
          default:
            return unary(g, Op::Sum, unary(g, Op::Vec, transpose(g, any(kV, d - 1))));
        }
      case kV:
        switch (pick(15)) {
          case 0:
            return add(g, any(kV, d - 1), any(kV, d - 1));
          case 1:
            return scale(g, any(kS, d - 1), any(kV, d - 1));
          case 2:
            return matmul(g, any(kM, d - 1), any(kV, d - 1));
          case 3:
            return hadamard(g, any(kV, d - 1), any(kV, d - 1));
          case 4:
            return elementwise(kV, d);
          case 5:
            return unary(g, Op::Softmax, any(kV, d - 1));
          case 6:
            return unary(g, Op::DiagPart, any(kM, d - 1));
          case 7:
            return call(g, fn.f, kCallValue, {any(kV, d - 1)});
          case 8:
            return call(g, fn.c, kCallValue, {any(kS, d - 1)});
          case 9:
            return stack(g, {any(kS, d - 1), any(kS, d - 1), any(kS, d - 1)});
          case 10:  // (v'*M)' through a row
            return transpose(g, matmul(g, transpose(g, any(kV, d - 1)), any(kM, d - 1)));
          case 11:
            return unary(g, Op::Vec, any(kV, d - 1));
          case 12:
            return powered(kV, d);
          case 13:
            return matmul(g, transpose(g, any(kM, d - 1)), any(kV, d - 1));
          default:
            return divide(g, any(kV, d - 1), pos(kS, d - 1));
        }
      case kM:
        switch (pick(12)) {
          case 0:
            return add(g, any(kM, d - 1), any(kM, d - 1));
          case 1:
            return scale(g, any(kS, d - 1), any(kM, d - 1));
          case 2:
            return matmul(g, any(kM, d - 1), any(kM, d - 1));
          case 3:
            return hadamard(g, any(kM, d - 1), any(kM, d - 1));
          case 4:
            return transpose(g, any(kM, d - 1));
          case 5:
            return elementwise(kM, d);
          case 6:
            return unary(g, Op::Inv, wellcond(d - 1));
          case 7:
            return unary(g, Op::Diag, any(kV, d - 1));
          case 8:
            return matmul(g, any(kV, d - 1), transpose(g, any(kV, d - 1)));
          case 9: {
            std::vector<Id> rows;
            for (int i = 0; i < 3; ++i) rows.push_back(transpose(g, any(kV, d - 1)));
            return stack(g, rows);
          }
          case 10:
            return powered(kM, d);
          default:
            return matrix_power(g, any(kM, d - 1), 2);
        }
    }
    return leaf(k);
  }
};

uint64_t seed_from_env() {
  if (const char* s = std::getenv("NABLA_DIFF_SEED")) return std::strtoull(s, nullptr, 10);
  return 12345;
}

// The variables both random tests draw from: scalars s, t; vectors u, v; matrices X, Y (3 x 3);
// positive p, q, Q (entries in [0.5, 2]); a well-conditioned P.
void declare_variables(World& w, Gen& gen) {
  Dim three = Dim::fixed(3);
  for (const char* n : {"s", "t"}) gen.leaves[kS].push_back(w.var(n, Shape::scalar()));
  for (const char* n : {"u", "v"}) gen.leaves[kV].push_back(w.var(n, Shape::vector(three)));
  for (const char* n : {"X", "Y"}) gen.leaves[kM].push_back(w.var(n, Shape::matrix(three, three)));
  gen.positive[kS].push_back(w.var("p", Shape::scalar(), 0.5, 2));
  gen.positive[kV].push_back(w.var("q", Shape::vector(three), 0.5, 2));
  gen.positive[kM].push_back(w.var("Q", Shape::matrix(three, three), 0.5, 2));
  gen.wellcond_leaf = w.wellcond("P", 3);
}

// Read-back of printed results: each simplified result is printed as text and as Unicode,
// parsed back in the same declarations (a Frontend naming the world's variables and
// functions) and compared in shape, kind and value at the world's point and a nudged one.
struct ReadBackCounts {
  int results = 0, failures = 0, not_printed = 0;
  std::map<testing::ReadBack::Outcome, int> by_outcome;
};

void read_back_result(Frontend& front, World& w, Id result, const std::string& what,
                      ReadBackCounts& c) {
  Bindings nudged = w.b;
  std::uniform_real_distribution<double> u(-0.05, 0.05);
  for (auto& [sym, m] : nudged.values)
    for (Eigen::Index i = 0; i < m.size(); ++i) m.data()[i] += u(w.rng);
  ++c.results;
  for (Format format : {Format::Text, Format::Unicode}) {
    testing::ReadBack r = testing::read_back(front, w.g, result, format, {w.b, nudged}, 1e-7);
    if (r.outcome == testing::ReadBack::Outcome::NotPrinted) {
      ++c.not_printed;
      continue;
    }
    if (r.ok()) continue;
    ++c.by_outcome[r.outcome];
    if (++c.failures <= 5) ADD_FAILURE() << what << ": " << r.why << "\n  printed: " << r.printed;
  }
}

// A Frontend whose scope names every symbol of the world, as its declarations would.
void name_every_symbol(Frontend& front, const Graph& g) {
  for (size_t s = 0; s < g.symbol_count(); ++s) front.name_symbol(static_cast<int32_t>(s));
}

TEST(RandomGradients, TwoThousandRandomExpressionsMatchCentralDifferences) {
  const uint64_t seed = seed_from_env();
  World w(seed);
  Functions fn;
  fn.declare(w);
  Gen gen(w, fn);
  declare_variables(w, gen);
  gen.leaves[kS].push_back(gen.positive[kS][0]);
  gen.leaves[kV].push_back(gen.positive[kV][0]);
  gen.leaves[kM].push_back(gen.positive[kM][0]);
  gen.leaves[kM].push_back(gen.wellcond_leaf);

  Frontend front(w.g);
  name_every_symbol(front, w.g);
  ReadBackCounts read_backs;
  int checked = 0, skipped = 0, failures = 0;
  std::vector<int> op_seen(kOpCount, 0);
  for (int attempt = 0; checked < 2000 && attempt < 20000; ++attempt) {
    Id e = gen.any(kS, 2 + gen.pick(4));
    std::vector<Id> dep;
    for (Id v : w.vars)
      if (depends_on(w.g, e, w.g[v].a)) dep.push_back(v);
    if (dep.empty()) continue;
    Id v = dep[static_cast<size_t>(gen.pick(static_cast<int>(dep.size())))];
    Matrix value = evaluate(w.g, e, w.b);
    if (!value.allFinite() || std::abs(value(0, 0)) > 1e6) {
      ++skipped;
      continue;
    }
    for (Id id : reachable(w.g, e)) op_seen[static_cast<size_t>(w.g[id].op)] = 1;
    std::string msg;
    try {
      msg = check_grad(w.g, w.b, e, v, 1e-4);
      // A mismatch where central differences disagree with themselves across step sizes is a
      // point where FD is meaningless (e.g. cos of a huge argument): skip it, do not count it.
      if (!msg.empty()) {
        Matrix coarse = fd_grad(w.g, e, w.g[v].a, w.b, 1e-4);
        Matrix fine = fd_grad(w.g, e, w.g[v].a, w.b, 1e-6);
        if (!(rel_err(coarse, fine) <= 1e-4)) {
          ++skipped;
          continue;
        }
      }
    } catch (const Error& err) {
      msg = std::string("threw: ") + err.what() + " for " + show(w.g, e);
    }
    if (!msg.empty() && ++failures <= 5)
      ADD_FAILURE() << "seed " << seed << " expression #" << checked << ": " << msg;
    if (msg.empty())
      read_back_result(front, w, simplify(w.g, grad(w.g, e, v)),
                       "seed " + std::to_string(seed) + " grad of " + show(w.g, e), read_backs);
    ++checked;
  }
  EXPECT_EQ(failures, 0) << "seed " << seed;
  EXPECT_GE(checked, 2000);
  std::cout << "read-back: " << read_backs.results << " gradients printed as text and Unicode, "
            << read_backs.failures << " failed to read back, " << read_backs.not_printed
            << " prints stopped at a limit\n";
  EXPECT_GE(read_backs.results, 1900);
  EXPECT_EQ(read_backs.failures, 0);
  EXPECT_LT(skipped, checked / 10);
  // Every non-query op except kron (Unsupported in reverse mode) and prod_others (the gradient
  // of prod, with no derivative of its own yet) was exercised.
  for (int i = 0; i < kOpCount; ++i) {
    Op op = static_cast<Op>(i);
    if (op == Op::Kron || op == Op::Zeros || op == Op::Commutation || op == Op::Pi ||
        op == Op::ProdOthers || is_query_op(op))
      continue;
    EXPECT_TRUE(op_seen[static_cast<size_t>(i)]) << "never generated: " << op_name(op);
  }
}

// Matrix Jacobians: random scalar, vector and matrix expressions (matrix-valued intermediates,
// transposes, stacks of rows, inv, diag, products, max/min/relu/norm(x, inf), scalars broadcast
// in sums), d vec(e)/d vec(x)' w.r.t. a random
// variable of any kind, against central differences of vec(e), before and after simplifying.
// Then Hessians w.r.t. two variables at once (the block matrix) against second differences.
TEST(RandomGradients, RandomMatrixJacobiansAndSeveralVariableHessiansMatchDifferences) {
  const uint64_t seed = seed_from_env() + 1;
  World w(seed);
  Functions fn;
  fn.declare(w);
  Gen gen(w, fn);
  declare_variables(w, gen);
  gen.leaves[kM].push_back(gen.wellcond_leaf);
  Frontend front(w.g);
  name_every_symbol(front, w.g);
  ReadBackCounts read_backs;

  int checked = 0, skipped = 0, failures = 0;
  for (int attempt = 0; checked < 300 && attempt < 5000; ++attempt) {
    Kind k = static_cast<Kind>(gen.pick(3));
    Id e = gen.any(k, 2 + gen.pick(3));
    std::vector<Id> dep;
    for (Id v : w.vars)
      if (depends_on(w.g, e, w.g[v].a)) dep.push_back(v);
    if (dep.empty()) continue;
    Id v = dep[static_cast<size_t>(gen.pick(static_cast<int>(dep.size())))];
    Matrix value = evaluate(w.g, e, w.b);
    if (!value.allFinite() || value.cwiseAbs().maxCoeff() > 1e6) {
      ++skipped;
      continue;
    }
    std::string msg;
    try {
      Id J = jacobian(w.g, e, v);
      Id Js = simplify(w.g, J);
      Matrix want = fd_jacobian(w.g, e, w.g[v].a, w.b);
      Matrix fine = fd_jacobian(w.g, e, w.g[v].a, w.b, 1e-6);
      if (!(rel_err(want, fine) <= 1e-4)) {
        ++skipped;
        continue;
      }
      for (Id r : {J, Js}) {
        double err = rel_err(evaluate(w.g, r, w.b), want);
        if (!(err <= 1e-4) && msg.empty())
          msg = "jacobian w.r.t. " + w.g.symbol(w.g[v].a).name + " of " + show(w.g, e) + ": " +
                show(w.g, r) + " error " + std::to_string(err);
      }
      if (msg.empty())
        read_back_result(front, w, Js,
                         "seed " + std::to_string(seed) + " jacobian w.r.t. " +
                             w.g.symbol(w.g[v].a).name + " of " + show(w.g, e),
                         read_backs);
    } catch (const Error& err) {
      msg = std::string("threw: ") + err.what() + " for " + show(w.g, e);
    }
    if (!msg.empty() && ++failures <= 5)
      ADD_FAILURE() << "seed " << seed << " expression #" << checked << ": " << msg;
    ++checked;
  }
  EXPECT_EQ(failures, 0) << "seed " << seed;
  EXPECT_GE(checked, 300);
  EXPECT_LT(skipped, checked / 5);

  // Hessians w.r.t. two variables: block (i, j) = d vec(grad_i)/d vec(x_j)'.
  int hessians = 0;
  for (int attempt = 0; hessians < 40 && attempt < 2000; ++attempt) {
    Id e = gen.any(kS, 2 + gen.pick(2));
    std::vector<Id> dep;
    for (Id v : w.vars)
      if (depends_on(w.g, e, w.g[v].a) && w.g[v].shape.rows.size() * w.g[v].shape.cols.size() <= 3)
        dep.push_back(v);
    if (dep.size() < 2) continue;
    Matrix value = evaluate(w.g, e, w.b);
    if (!value.allFinite() || std::abs(value(0, 0)) > 1e4) continue;
    std::vector<Id> two = {dep[0], dep[1]};
    std::string msg;
    try {
      Id H = simplify(w.g, hessian(w.g, e, two));
      // Second differences over the stacked entries of both variables.
      std::vector<std::pair<int64_t, Eigen::Index>> slots;
      for (Id v : two)
        for (Eigen::Index i = 0; i < w.b.values.at(w.g[v].a).size(); ++i)
          slots.push_back({w.g[v].a, i});
      const double h = 1e-4;
      auto f = [&](size_t i, double di, size_t j, double dj) {
        Bindings c = w.b;
        c.values[slots[i].first](slots[i].second) += di;
        c.values[slots[j].first](slots[j].second) += dj;
        return evaluate(w.g, e, c)(0, 0);
      };
      Matrix want(static_cast<Eigen::Index>(slots.size()), static_cast<Eigen::Index>(slots.size()));
      for (size_t i = 0; i < slots.size(); ++i)
        for (size_t j = 0; j < slots.size(); ++j)
          want(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) =
              (f(i, h, j, h) - f(i, h, j, -h) - f(i, -h, j, h) + f(i, -h, j, -h)) / (4 * h * h);
      double err = rel_err(evaluate(w.g, H, w.b), want);
      if (!(err <= 1e-4)) msg = "hessian of " + show(w.g, e) + ": error " + std::to_string(err);
      if (msg.empty())
        read_back_result(front, w, H,
                         "seed " + std::to_string(seed) + " hessian of " + show(w.g, e),
                         read_backs);
    } catch (const Error& err) {
      // A vector-valued abstract function's second derivative (a 3-tensor) has no matrix form.
      if (err.kind() == ErrorKind::Unsupported) continue;
      msg = std::string("threw: ") + err.what() + " for " + show(w.g, e);
    }
    if (!msg.empty() && ++failures <= 5) ADD_FAILURE() << "seed " << seed << ": " << msg;
    ++hessians;
  }
  EXPECT_EQ(failures, 0);
  EXPECT_GE(hessians, 40);
  std::cout << "read-back: " << read_backs.results
            << " Jacobians and Hessians printed as text and Unicode, " << read_backs.failures
            << " failed to read back, " << read_backs.not_printed << " prints stopped at a limit\n";
  EXPECT_GE(read_backs.results, 300);
  EXPECT_EQ(read_backs.failures, 0);
}

}  // namespace
}  // namespace nabla
