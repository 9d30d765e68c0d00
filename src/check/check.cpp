#include "check/check.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

#include "check/counterexample.h"
#include "check/random_functions.h"
#include "check/sampling.h"
#include "eval/evaluate.h"
#include "ir/error.h"

namespace nabla {

namespace {

constexpr int kMaxAttempts = 20;       // draws per trial while evaluation throws Error(Value)
constexpr int kNonFiniteAttempts = 5;  // redraws while a side has NaN/inf entries
// Work limits for one trial, so that `x in R^999999999; check ...` stops with a clean error
// instead of allocating gigabytes: entries of any one value, and the multiply-adds of a matrix
// product (r k c) or a factorization (n^3 for inv, det, logdet).
constexpr int64_t kMaxCheckEntries = int64_t{1} << 22;
constexpr int64_t kMaxCheckFlops = int64_t{1} << 28;

std::string number(double v);

// Throws Error(ErrorKind::Limit) when some node of the sample space is too big to evaluate under
// these bindings.
void check_work_limits(const Graph& g, const SampleSpace& space, const Bindings& bindings) {
  auto sizes = [&](Shape s) -> std::pair<int64_t, int64_t> {
    auto r = find_dim_size(g, s.rows, bindings), c = find_dim_size(g, s.cols, bindings);
    return {r ? *r : 1, c ? *c : 1};
  };
  for (Id id : space.nodes) {
    const Node& n = g[id];
    auto [rows, cols] = sizes(n.shape);
    if (rows * cols > kMaxCheckEntries)
      throw Error(ErrorKind::Limit,
                  "check: a value of " + std::to_string(rows) + "×" + std::to_string(cols) +
                      " entries exceeds the limit of " + std::to_string(kMaxCheckEntries) +
                      " entries per value",
                  "check with smaller (or symbolic) dimensions, e.g. x in R^n");
    double flops = 0;  // a double: r k c of three 31-bit sizes overflows int64
    if (n.op == Op::MatMul)
      flops = double(rows) * double(sizes(g[n.kids[0]].shape).second) * double(cols);
    if (n.op == Op::Inv || n.op == Op::Det || n.op == Op::LogDet) {
      double k = double(sizes(g[n.kids[0]].shape).first);
      flops = k * k * k;
    }
    if (flops > double(kMaxCheckFlops))
      throw Error(ErrorKind::Limit,
                  "check: evaluating " + std::string(op_name(n.op)) + " would take " +
                      number(flops) + " multiply-adds, above the limit of " +
                      std::to_string(kMaxCheckFlops),
                  "check with smaller (or symbolic) dimensions, e.g. A in R^(n x n)");
  }
}

bool has_derived_dim(const Graph& g, Shape s) {
  auto derived = [&](Dim d) { return g.dims.is_derived(d); };
  return derived(s.rows) || derived(s.cols);
}

bool all_finite(const Matrix& m) {
  return m.allFinite();
}

// Entry-wise error |l - r| / max(1, |l|, |r|); NaN on both sides or the same infinity on both
// sides is agreement (0), non-finite on one side only is +inf. Returns the largest, and where.
double compare(const Matrix& l, const Matrix& r, Eigen::Index* at_row, Eigen::Index* at_col) {
  double worst = 0;
  *at_row = *at_col = 0;
  for (Eigen::Index j = 0; j < l.cols(); ++j)
    for (Eigen::Index i = 0; i < l.rows(); ++i) {
      double a = l(i, j), b = r(i, j), e;
      if (std::isfinite(a) && std::isfinite(b)) {
        e = std::fabs(a - b) / std::max({1.0, std::fabs(a), std::fabs(b)});
      } else if ((std::isnan(a) && std::isnan(b)) || (std::isinf(a) && a == b)) {
        e = 0;
      } else {
        e = std::numeric_limits<double>::infinity();
      }
      if (e > worst || (std::isnan(e) && !std::isnan(worst))) {
        worst = e;
        *at_row = i;
        *at_col = j;
      }
    }
  return worst;
}

std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3g", v);
  return buf;
}

std::string concrete_shape(const Matrix& m) {
  if (m.rows() == 1 && m.cols() == 1) return "scalar";
  if (m.cols() == 1) return std::to_string(m.rows());
  return std::to_string(m.rows()) + "×" + std::to_string(m.cols());
}

}  // namespace

CheckResult check_equal(const Graph& g, Id lhs, Id rhs, const CheckOptions& options) {
  CheckResult result;
  Shape sl = g[lhs].shape, sr = g[rhs].shape;
  std::string shapes_differ =
      "shapes differ: " + g.dims.to_string(sl) + " vs " + g.dims.to_string(sr);
  // Derived dims ("n*m" vs "m*n") can name the same size differently; plain ones cannot.
  if (!(sl == sr) && !has_derived_dim(g, sl) && !has_derived_dim(g, sr)) {
    result.counterexample = shapes_differ + "\n";
    result.point.reason = shapes_differ;
    return result;
  }

  SampleSpace space = analyze(g, {lhs, rhs});
  Rng rng(options.seed);
  std::vector<std::map<int32_t, int32_t>> draws =
      draw_dimensions(space, options.dimension_draws, rng);
  int points = std::max(1, options.points_per_draw);
  std::string last_error;

  for (const auto& draw : draws) {
    for (int p = 0; p < points; ++p) {
      for (int attempt = 0; attempt < kMaxAttempts; ++attempt) {
        Bindings bindings;
        bind_dimensions(g, space, draw, bindings);
        if (attempt == 0 && p == 0) check_work_limits(g, space, bindings);
        for (int64_t v : space.variables) {
          auto it = space.needs.find(v);
          ValueNeeds needs = it == space.needs.end() ? ValueNeeds{} : it->second;
          bindings.values[v] = draw_value(g, v, needs, bindings, rng);
        }
        std::vector<RandomFunction> instances;
        for (int64_t f : space.functions) {
          instances.emplace_back(g, f, bindings, rng);
          bindings.functions[f] = instances.back().as_impl();
        }
        Matrix l, r;
        try {
          l = evaluate(g, lhs, bindings);
          r = evaluate(g, rhs, bindings);
        } catch (const Error& e) {
          if (e.kind() != ErrorKind::Value) throw;
          last_error = e.what();
          continue;  // e.g. a singular matrix: redraw, do not count
        }
        Counterexample c;
        for (const RandomFunction& fn : instances) c.functions.push_back(fn.describe());
        c.lhs = l;
        c.rhs = r;
        if (l.rows() != r.rows() || l.cols() != r.cols()) {
          c.reason = sl == sr ? "shapes differ: " + concrete_shape(l) + " vs " + concrete_shape(r)
                              : shapes_differ + " (" + concrete_shape(l) + " vs " +
                                    concrete_shape(r) + ")";
          result.trials += 1;
          result.max_error = std::numeric_limits<double>::infinity();
          result.counterexample =
              format_counterexample(g, space.free_dims, space.variables, bindings, c);
          result.point = counterexample_point(g, space.free_dims, space.variables, bindings, c);
          return result;
        }
        if ((!all_finite(l) || !all_finite(r)) && attempt < kNonFiniteAttempts) {
          last_error = "a side is not finite";
          continue;  // overflow or a domain edge: try another point first
        }
        Eigen::Index i, j;
        double err = compare(l, r, &i, &j);
        result.trials += 1;
        result.max_error = std::max(result.max_error, err);
        if (!(err <= options.tolerance)) {
          std::string where = l.size() == 1   ? ""
                              : l.cols() == 1 ? " at entry " + std::to_string(i + 1)
                                              : " at entry (" + std::to_string(i + 1) + ", " +
                                                    std::to_string(j + 1) + ")";
          c.reason =
              "relative error " + number(err) + where + " > tolerance " + number(options.tolerance);
          result.counterexample =
              format_counterexample(g, space.free_dims, space.variables, bindings, c);
          result.point = counterexample_point(g, space.free_dims, space.variables, bindings, c);
          return result;
        }
        break;
      }
    }
  }
  if (result.trials == 0)
    throw Error(ErrorKind::Value,
                "check: no sampled point where both sides could be evaluated (" + last_error + ")",
                "the expressions may be undefined everywhere, e.g. the inverse of a singular "
                "matrix");
  result.holds = true;
  return result;
}

}  // namespace nabla
