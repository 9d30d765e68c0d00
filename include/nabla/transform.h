#pragma once
// JAX-style transformations of generic C++ callables:
//
//   auto df = nabla::grad([](auto x, auto A) { return dot(x, A * x); });
//   Eigen::VectorXd g = df(x0, A0);
//
// On the first call with a given signature of argument shapes the callable is traced: it is
// called once with symbolic nabla::Expr arguments of those concrete shapes (C++ loops and ifs on
// shapes run then, and are gone from the result), the result is differentiated, simplified and
// compiled into an evaluation plan, which is cached. Later calls with the same shapes only
// evaluate the plan. Arguments: double, Eigen vectors, Eigen matrices (any dense Eigen
// expression of doubles). Copies of a transformed callable share its cache; calls are
// thread-safe.
#include <Eigen/Dense>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "nabla/expr.h"

namespace nabla {

// A runtime choice of arguments to differentiate: nabla::grad(f, nabla::argnums{0, 1}).
// The result is then a std::vector<Eigen::MatrixXd>, one entry per chosen argument (scalars as
// 1x1). The compile-time choice nabla::grad<0, 1>(f) returns a typed std::tuple instead.
struct argnums {
  argnums(std::initializer_list<int> which) : indices(which) {}
  explicit argnums(std::vector<int> which) : indices(std::move(which)) {}
  std::vector<int> indices;
};

namespace detail {

enum class Transform { Value, Grad, ValueAndGrad, Jacobian, Hessian };

// A traced, differentiated, simplified and compiled function (opaque).
class Plan;

// Traces `body` on symbolic arguments of these shapes (rows, cols per argument) and compiles
// the requested transformation w.r.t. arguments `wrt`. Outputs, in order: Value: the value;
// Grad/Jacobian/Hessian: one result per wrt; ValueAndGrad: the value, then one gradient per wrt.
std::shared_ptr<const Plan> trace(const std::vector<std::pair<int, int>>& shapes,
                                  const std::function<Expr(const std::vector<Expr>&)>& body,
                                  Transform transform, const std::vector<int>& wrt);
// Evaluates a plan at these argument values.
std::vector<Eigen::MatrixXd> run(const Plan& plan, const std::vector<Eigen::MatrixXd>& args);
// The traced expressions, printed (for debugging and the docs): one line per output.
std::string describe(const Plan& plan);

template <class T>
struct ArgTraits {
  static_assert(std::is_base_of_v<Eigen::MatrixBase<T>, T>,
                "arguments must be double or dense Eigen matrices/vectors of double");
  using Out = std::conditional_t<T::ColsAtCompileTime == 1, Eigen::VectorXd, Eigen::MatrixXd>;
  static Eigen::MatrixXd to_matrix(const T& v) { return v.template cast<double>(); }
};
template <>
struct ArgTraits<double> {
  using Out = double;
  static Eigen::MatrixXd to_matrix(double v) { return Eigen::MatrixXd::Constant(1, 1, v); }
};
template <>
struct ArgTraits<float> : ArgTraits<double> {};
template <>
struct ArgTraits<int> : ArgTraits<double> {};

template <class Out>
Out convert(const Eigen::MatrixXd& m) {
  if constexpr (std::is_same_v<Out, double>) {
    return m(0, 0);
  } else if constexpr (std::is_same_v<Out, Eigen::VectorXd>) {
    return Eigen::Map<const Eigen::VectorXd>(m.data(), m.size());
  } else {
    return m;
  }
}

// One cache per transformed callable, shared by its copies.
struct Cache {
  std::mutex mutex;
  std::vector<std::pair<std::vector<std::pair<int, int>>, std::shared_ptr<const Plan>>> plans;
};

template <class F, class... Args>
std::vector<Eigen::MatrixXd> call_traced(const F& f, Cache& cache, Transform transform,
                                         const std::vector<int>& wrt, const Args&... args) {
  std::vector<Eigen::MatrixXd> in{ArgTraits<std::decay_t<Args>>::to_matrix(args)...};
  std::vector<std::pair<int, int>> shapes;
  for (const auto& m : in)
    shapes.emplace_back(static_cast<int>(m.rows()), static_cast<int>(m.cols()));
  std::shared_ptr<const Plan> plan;
  {
    std::lock_guard<std::mutex> lock(cache.mutex);
    for (const auto& [key, p] : cache.plans)
      if (key == shapes) plan = p;
    if (!plan) {
      auto body = [&f](const std::vector<Expr>& xs) -> Expr {
        return [&]<size_t... I>(std::index_sequence<I...>)->Expr {
          return Expr(f(xs[I]...));
        }
        (std::index_sequence_for<Args...>{});
      };
      plan = trace(shapes, body, transform, wrt);
      cache.plans.emplace_back(shapes, plan);
    }
  }
  return run(*plan, in);
}

template <size_t K, class... Args>
using OutOf = typename ArgTraits<std::decay_t<std::tuple_element_t<K, std::tuple<Args...>>>>::Out;

// Static argnums: one typed result, or a tuple of them (out[first + k] for the k-th index).
template <class... Args, int... I, size_t... K>
auto typed(const std::vector<Eigen::MatrixXd>& out, size_t first, std::integer_sequence<int, I...>,
           std::index_sequence<K...>) {
  if constexpr (sizeof...(I) == 1) {
    constexpr int kIndex[] = {I...};
    return convert<OutOf<static_cast<size_t>(kIndex[0]), Args...>>(out[first]);
  } else {
    return std::tuple<OutOf<static_cast<size_t>(I), Args...>...>{
        convert<OutOf<static_cast<size_t>(I), Args...>>(out[first + K])...};
  }
}

template <size_t... K>
auto matrices(const std::vector<Eigen::MatrixXd>& out, std::index_sequence<K...>) {
  if constexpr (sizeof...(K) == 1)
    return out[0];
  else
    return std::tuple<std::enable_if_t<K + 1 != 0, Eigen::MatrixXd>...>{out[K]...};
}

template <Transform T, class F, int... I>
class Transformed {
 public:
  explicit Transformed(F f) : f_(std::move(f)), cache_(std::make_shared<Cache>()) {}

  template <class... Args>
  auto operator()(const Args&... args) const {
    static_assert(((I >= 0 && I < static_cast<int>(sizeof...(Args))) && ...),
                  "argnums out of range");
    std::vector<int> wrt{I...};
    std::vector<Eigen::MatrixXd> out = call_traced(f_, *cache_, T, wrt, args...);
    using Seq = std::integer_sequence<int, I...>;
    using Pos = std::make_index_sequence<sizeof...(I)>;
    if constexpr (T == Transform::Grad) {
      return typed<Args...>(out, 0, Seq{}, Pos{});
    } else if constexpr (T == Transform::ValueAndGrad) {
      return std::make_pair(out[0](0, 0), typed<Args...>(out, 1, Seq{}, Pos{}));
    } else {  // Jacobian, Hessian: matrices
      return matrices(out, Pos{});
    }
  }

 private:
  F f_;
  std::shared_ptr<Cache> cache_;
};

// Runtime argnums: a vector of results (ValueAndGrad: the value first, as a 1x1 matrix).
template <Transform T, class F>
class TransformedDynamic {
 public:
  TransformedDynamic(F f, std::vector<int> wrt)
      : f_(std::move(f)), wrt_(std::move(wrt)), cache_(std::make_shared<Cache>()) {}
  template <class... Args>
  std::vector<Eigen::MatrixXd> operator()(const Args&... args) const {
    return call_traced(f_, *cache_, T, wrt_, args...);
  }

 private:
  F f_;
  std::vector<int> wrt_;
  std::shared_ptr<Cache> cache_;
};

// The evaluated value of a traced callable (nabla::jit).
template <class F>
class Jitted {
 public:
  explicit Jitted(F f) : f_(std::move(f)), cache_(std::make_shared<Cache>()) {}
  template <class... Args>
  Eigen::MatrixXd operator()(const Args&... args) const {
    return call_traced(f_, *cache_, Transform::Value, {}, args...)[0];
  }

 private:
  F f_;
  std::shared_ptr<Cache> cache_;
};

template <class F>
inline constexpr bool is_callable_v = !std::is_convertible_v<F, Expr>;

}  // namespace detail

// grad(f): gradient of scalar-valued f w.r.t. argument 0 (or arguments I...), with the shape
// and type of that argument. Several I...: a std::tuple.
template <int... I, class F>
requires detail::is_callable_v<F>
auto grad(F f) {
  if constexpr (sizeof...(I) == 0)
    return detail::Transformed<detail::Transform::Grad, F, 0>(std::move(f));
  else
    return detail::Transformed<detail::Transform::Grad, F, I...>(std::move(f));
}
// value_and_grad(f): std::pair{value (double), gradient as grad(f) returns it}.
template <int... I, class F>
requires detail::is_callable_v<F>
auto value_and_grad(F f) {
  if constexpr (sizeof...(I) == 0)
    return detail::Transformed<detail::Transform::ValueAndGrad, F, 0>(std::move(f));
  else
    return detail::Transformed<detail::Transform::ValueAndGrad, F, I...>(std::move(f));
}
// jacobian(f): Eigen::MatrixXd, rows index f's value, columns the argument (scalar or vector).
template <int... I, class F>
requires detail::is_callable_v<F>
auto jacobian(F f) {
  if constexpr (sizeof...(I) == 0)
    return detail::Transformed<detail::Transform::Jacobian, F, 0>(std::move(f));
  else
    return detail::Transformed<detail::Transform::Jacobian, F, I...>(std::move(f));
}
// hessian(f): Eigen::MatrixXd, Hessian of scalar-valued f w.r.t. a vector argument.
template <int... I, class F>
requires detail::is_callable_v<F>
auto hessian(F f) {
  if constexpr (sizeof...(I) == 0)
    return detail::Transformed<detail::Transform::Hessian, F, 0>(std::move(f));
  else
    return detail::Transformed<detail::Transform::Hessian, F, I...>(std::move(f));
}

// Runtime argnums: results as std::vector<Eigen::MatrixXd>.
template <class F>
requires detail::is_callable_v<F>
auto grad(F f, argnums which) {
  return detail::TransformedDynamic<detail::Transform::Grad, F>(std::move(f), which.indices);
}
template <class F>
requires detail::is_callable_v<F>
auto value_and_grad(F f, argnums which) {
  return detail::TransformedDynamic<detail::Transform::ValueAndGrad, F>(std::move(f),
                                                                        which.indices);
}
template <class F>
requires detail::is_callable_v<F>
auto jacobian(F f, argnums which) {
  return detail::TransformedDynamic<detail::Transform::Jacobian, F>(std::move(f), which.indices);
}
template <class F>
requires detail::is_callable_v<F>
auto hessian(F f, argnums which) {
  return detail::TransformedDynamic<detail::Transform::Hessian, F>(std::move(f), which.indices);
}

// jit(f): the traced, compiled value of f, as an Eigen::MatrixXd (scalars 1x1).
template <class F>
requires detail::is_callable_v<F>
auto jit(F f) {
  return detail::Jitted<F>(std::move(f));
}

}  // namespace nabla
