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
#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <tuple>
#include <type_traits>
#include <unordered_map>
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

// Outputs written into the caller's storage: df(nabla::into(g), x, A) writes the gradient into
// g (an Eigen::VectorXd / MatrixXd, resized when its size differs, or a Map / Ref of the right
// size, or a double) and returns nothing; value_and_grad returns the value. One target per
// result, in the order the plain call returns them.
template <class... Targets>
struct Into {
  std::tuple<Targets&...> targets;
};
template <class... Targets>
Into<Targets...> into(Targets&... targets) {
  return {std::tie(targets...)};
}

namespace detail {

enum class Transform { Value, Grad, ValueAndGrad, Jacobian, Hessian };

// A traced, differentiated, simplified and compiled function (opaque).
class TracedFunction;

// A caller's array: column-major, contiguous, rows x cols doubles.
struct ArgData {
  const double* data;
  int rows, cols;
};
struct OutData {
  double* data;
  int rows, cols;
};

// Traces `body` on symbolic arguments of these shapes (rows, cols per argument) and compiles
// the requested transformation w.r.t. arguments `wrt`. Outputs, in order: Value: the value;
// Grad/Jacobian/Hessian: one result per wrt; ValueAndGrad: the value, then one gradient per wrt.
std::shared_ptr<const TracedFunction> trace(
    const std::vector<std::pair<int, int>>& shapes,
    const std::function<Expr(const std::vector<Expr>&)>& body, Transform transform,
    const std::vector<int>& wrt);
// Evaluates a plan with the arguments read in place and every output written into outs[i]
// (each of output i's shape). Allocates nothing after the first call for the plan (per thread
// running it at once).
void run(const TracedFunction& plan, const ArgData* args, size_t nargs, const OutData* outs,
         size_t nouts);
// (rows, cols) of each output.
const std::vector<std::pair<int, int>>& output_shapes(const TracedFunction& plan);
// The traced expressions, printed (for debugging and the docs): one line per output.
std::string describe(const TracedFunction& plan);
// Where the last run of the plan read each argument from (for tests that nothing is copied).
std::vector<const double*> bound_addresses(const TracedFunction& plan);

// Eigen storage the plan can read in place: doubles, column-major (or a vector), contiguous.
template <class T>
bool contiguous(const T& v) {
  if constexpr (!std::is_same_v<typename T::Scalar, double> ||
                !(Eigen::internal::traits<T>::Flags & Eigen::DirectAccessBit)) {
    return false;
  } else {
    if (v.rows() <= 1 || v.cols() <= 1) return v.innerStride() == 1 || v.size() <= 1;
    if constexpr (static_cast<bool>(T::IsRowMajor)) return false;
    return v.innerStride() == 1 && v.outerStride() == v.rows();
  }
}

template <class T>
struct ArgTraits {
  static_assert(std::is_base_of_v<Eigen::MatrixBase<T>, T>,
                "arguments must be double or dense Eigen matrices/vectors of double");
  using Out = std::conditional_t<T::ColsAtCompileTime == 1, Eigen::VectorXd, Eigen::MatrixXd>;
  static std::pair<int, int> shape(const T& v) {
    return {static_cast<int>(v.rows()), static_cast<int>(v.cols())};
  }
  // The caller's storage when the plan can read it in place, else a copy in `scratch` (kept by
  // the calling thread: no allocation after the first call at this size).
  static ArgData bind(const T& v, double*, Eigen::MatrixXd& scratch) {
    if constexpr (std::is_same_v<typename T::Scalar, double> &&
                  static_cast<bool>(Eigen::internal::traits<T>::Flags & Eigen::DirectAccessBit)) {
      if (contiguous(v)) return {v.data(), static_cast<int>(v.rows()), static_cast<int>(v.cols())};
    }
    scratch = v.template cast<double>();
    return {scratch.data(), static_cast<int>(v.rows()), static_cast<int>(v.cols())};
  }
};
template <>
struct ArgTraits<double> {
  using Out = double;
  static std::pair<int, int> shape(double) { return {1, 1}; }
  static ArgData bind(double v, double* slot, Eigen::MatrixXd&) {
    *slot = v;
    return {slot, 1, 1};
  }
};
template <>
struct ArgTraits<float> {
  using Out = double;
  static std::pair<int, int> shape(float) { return {1, 1}; }
  static ArgData bind(float v, double* slot, Eigen::MatrixXd&) {
    *slot = v;
    return {slot, 1, 1};
  }
};
template <>
struct ArgTraits<int> {
  using Out = double;
  static std::pair<int, int> shape(int) { return {1, 1}; }
  static ArgData bind(int v, double* slot, Eigen::MatrixXd&) {
    *slot = v;
    return {slot, 1, 1};
  }
};

// Where one result goes: a double, a resizable Eigen object (resized to the result's shape), or
// a Map / Ref / block of the right size. Storage the plan cannot write in place (row-major,
// strided) gets the result through `scratch`, copied by finish().
template <class T>
OutData target(T& t, std::pair<int, int> shape, Eigen::MatrixXd& scratch) {
  auto [r, c] = shape;
  if constexpr (std::is_arithmetic_v<T>) {
    if (r != 1 || c != 1)
      throw std::invalid_argument("nabla::into: a " + std::to_string(r) + "x" + std::to_string(c) +
                                  " result cannot go into a number");
    if constexpr (std::is_same_v<T, double>) return {&t, 1, 1};
    scratch.resize(1, 1);
    return {scratch.data(), 1, 1};
  } else {
    if constexpr (std::is_base_of_v<Eigen::PlainObjectBase<T>, T>) {
      if constexpr (T::ColsAtCompileTime == 1 || T::RowsAtCompileTime == 1) {
        if (t.size() != static_cast<Eigen::Index>(r) * c)
          t.resize(static_cast<Eigen::Index>(r) * c);
      } else if (t.rows() != r || t.cols() != c) {
        t.resize(r, c);
      }
    }
    if (t.size() != static_cast<Eigen::Index>(r) * c ||
        (t.rows() != r && t.rows() != 1 && t.cols() != 1))
      throw std::invalid_argument("nabla::into: a " + std::to_string(r) + "x" + std::to_string(c) +
                                  " result cannot go into a " + std::to_string(t.rows()) + "x" +
                                  std::to_string(t.cols()) + " target");
    if constexpr (std::is_same_v<typename T::Scalar, double> &&
                  static_cast<bool>(Eigen::internal::traits<T>::Flags & Eigen::LvalueBit) &&
                  static_cast<bool>(Eigen::internal::traits<T>::Flags & Eigen::DirectAccessBit)) {
      if (contiguous(t)) return {t.data(), r, c};
    }
    scratch.resize(r, c);
    return {scratch.data(), r, c};
  }
}
template <class T>
void finish(T& t, const OutData& o) {
  if constexpr (std::is_arithmetic_v<T>) {
    if (o.data != static_cast<void*>(&t)) t = static_cast<T>(o.data[0]);
  } else {
    if (o.data != t.data())
      t = Eigen::Map<const Eigen::MatrixXd>(o.data, o.rows, o.cols)
              .reshaped(t.rows(), t.cols())
              .template cast<typename T::Scalar>();
  }
}

// One cache per transformed callable, shared by its copies: plans by shape signature, found by
// a hash of the shapes (no strings, no allocation).
struct Cache {
  struct Entry {
    std::vector<int> key;  // rows, cols per argument
    std::shared_ptr<const TracedFunction> plan;
  };
  std::mutex mutex;
  std::unordered_map<uint64_t, std::vector<Entry>> plans;
};

template <size_t N>
uint64_t shape_hash(const std::array<std::pair<int, int>, N>& shapes) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (auto [r, c] : shapes) {
    h = (h ^ static_cast<uint32_t>(r)) * 0x100000001b3ULL;
    h = (h ^ static_cast<uint32_t>(c)) * 0x100000001b3ULL;
  }
  return h;
}

template <size_t N>
bool same_key(const std::vector<int>& key, const std::array<std::pair<int, int>, N>& shapes) {
  if (key.size() != 2 * N) return false;
  for (size_t i = 0; i < N; ++i)
    if (key[2 * i] != shapes[i].first || key[2 * i + 1] != shapes[i].second) return false;
  return true;
}

// The plan for these argument shapes: traced and compiled on the first call with them.
template <class F, class... Args>
std::shared_ptr<const TracedFunction> plan_for(
    const F& f, Cache& cache, Transform transform, const std::vector<int>& wrt,
    const std::array<std::pair<int, int>, sizeof...(Args)>& shapes) {
  const uint64_t h = shape_hash(shapes);
  std::lock_guard<std::mutex> lock(cache.mutex);
  auto& bucket = cache.plans[h];
  for (const auto& e : bucket)
    if (same_key(e.key, shapes)) return e.plan;
  auto body = [&f](const std::vector<Expr>& xs) -> Expr {
    return [&]<size_t... I>(std::index_sequence<I...>)->Expr {
      return Expr(f(xs[I]...));
    }
    (std::index_sequence_for<Args...>{});
  };
  std::vector<std::pair<int, int>> shape_list(shapes.begin(), shapes.end());
  std::vector<int> key;
  for (auto [r, c] : shapes) {
    key.push_back(r);
    key.push_back(c);
  }
  auto plan = trace(shape_list, body, transform, wrt);
  bucket.push_back({std::move(key), plan});
  return plan;
}

// The arguments bound for a plan: read in place where possible.
template <class... Args>
struct Bound {
  static constexpr size_t N = sizeof...(Args);
  std::array<double, N == 0 ? 1 : N> numbers{};
  std::array<ArgData, N == 0 ? 1 : N> data{};
  explicit Bound(const Args&... args) {
    // Copies of arguments the plan cannot read in place, kept per thread.
    thread_local std::array<Eigen::MatrixXd, N == 0 ? 1 : N> scratch;
    [&]<size_t... I>(std::index_sequence<I...>) {
      ((data[I] = ArgTraits<std::decay_t<Args>>::bind(args, &numbers[I], scratch[I])), ...);
    }
    (std::index_sequence_for<Args...>{});
  }
};

template <class F, class... Args>
std::shared_ptr<const TracedFunction> plan_of(const F& f, Cache& cache, Transform transform,
                                              const std::vector<int>& wrt, const Args&... args) {
  const std::array<std::pair<int, int>, sizeof...(Args)> shapes{
      ArgTraits<std::decay_t<Args>>::shape(args)...};
  return plan_for<F, Args...>(f, cache, transform, wrt, shapes);
}

// Whether a call's first argument is nabla::into(...) (the targets, not an argument).
template <class... Args>
inline constexpr bool is_into_v = false;
template <class... Targets, class... Rest>
inline constexpr bool is_into_v<Into<Targets...>, Rest...> = true;

// Writes the outputs of `plan` into the targets of `into` (in order), then copies into those the
// plan could not write in place.
template <class... Targets, class Run>
void run_into(Into<Targets...>& into, const TracedFunction& plan, Run&& run_with) {
  constexpr size_t M = sizeof...(Targets);
  const auto& shapes = output_shapes(plan);
  if (shapes.size() != M)
    throw std::invalid_argument("nabla::into: " + std::to_string(M) + " targets for " +
                                std::to_string(shapes.size()) + " results");
  thread_local std::array<Eigen::MatrixXd, M == 0 ? 1 : M> scratch;
  std::array<OutData, M> outs;
  [&]<size_t... K>(std::index_sequence<K...>) {
    ((outs[K] = target(std::get<K>(into.targets), shapes[K], scratch[K])), ...);
  }
  (std::index_sequence_for<Targets...>{});
  run_with(outs);
  [&]<size_t... K>(std::index_sequence<K...>) {
    (finish(std::get<K>(into.targets), outs[K]), ...);
  }
  (std::index_sequence_for<Targets...>{});
}

template <size_t K, class... Args>
using OutOf = typename ArgTraits<std::decay_t<std::tuple_element_t<K, std::tuple<Args...>>>>::Out;

// Traces (first call per shape signature) and runs, writing the outputs into `out`.
template <class F, class... Targets, class... Args>
void call_traced(const F& f, Cache& cache, Transform transform, const std::vector<int>& wrt,
                 Into<Targets...>& out, const Args&... args) {
  std::shared_ptr<const TracedFunction> plan = plan_of(f, cache, transform, wrt, args...);
  Bound<Args...> bound(args...);
  run_into(out, *plan, [&](std::array<OutData, sizeof...(Targets)>& outs) {
    run(*plan, bound.data.data(), sizeof...(Args), outs.data(), outs.size());
  });
}

// Every result as an Eigen::MatrixXd (runtime argnums, jit).
template <class F, class... Args>
std::vector<Eigen::MatrixXd> call_traced_matrices(const F& f, Cache& cache, Transform transform,
                                                  const std::vector<int>& wrt,
                                                  const Args&... args) {
  std::shared_ptr<const TracedFunction> plan = plan_of(f, cache, transform, wrt, args...);
  Bound<Args...> bound(args...);
  std::vector<Eigen::MatrixXd> result;
  std::vector<OutData> outs;
  for (auto [r, c] : output_shapes(*plan)) {
    result.emplace_back(r, c);
    outs.push_back({result.back().data(), r, c});
  }
  run(*plan, bound.data.data(), sizeof...(Args), outs.data(), outs.size());
  return result;
}

template <Transform T, class F, int... I>
class Transformed {
 public:
  explicit Transformed(F f) : f_(std::move(f)), cache_(std::make_shared<Cache>()) {}
  // The plan these arguments run (traced on the first call with their shapes).
  template <class... Args>
  std::shared_ptr<const TracedFunction> plan(const Args&... args) const {
    static const std::vector<int> wrt{I...};
    return plan_of(f_, *cache_, T, wrt, args...);
  }

  template <class... Args>
  requires(!is_into_v<std::decay_t<Args>...>) auto operator()(const Args&... args) const {
    if constexpr (T == Transform::Grad) {
      if constexpr (sizeof...(I) == 1) {
        constexpr int kIndex[] = {I...};
        OutOf<static_cast<size_t>(kIndex[0]), Args...> g{};
        (*this)(into(g), args...);
        return g;
      } else {
        std::tuple<OutOf<static_cast<size_t>(I), Args...>...> gs{};
        std::apply([&](auto&... g) { (*this)(into(g...), args...); }, gs);
        return gs;
      }
    } else if constexpr (T == Transform::ValueAndGrad) {
      if constexpr (sizeof...(I) == 1) {
        constexpr int kIndex[] = {I...};
        OutOf<static_cast<size_t>(kIndex[0]), Args...> g{};
        double v = (*this)(into(g), args...);
        return std::make_pair(v, std::move(g));
      } else {
        std::tuple<OutOf<static_cast<size_t>(I), Args...>...> gs{};
        double v = std::apply([&](auto&... g) { return (*this)(into(g...), args...); }, gs);
        return std::make_pair(v, std::move(gs));
      }
    } else {  // Jacobian, Hessian: matrices
      if constexpr (sizeof...(I) == 1) {
        Eigen::MatrixXd m;
        (*this)(into(m), args...);
        return m;
      } else {
        std::tuple<std::enable_if_t<I + 1 != 0, Eigen::MatrixXd>...> ms;
        std::apply([&](auto&... m) { (*this)(into(m...), args...); }, ms);
        return ms;
      }
    }
  }

  // Results written into the caller's storage (nabla::into(g...), one target per result);
  // value_and_grad returns the value, the others nothing.
  template <class... Targets, class... Args>
  auto operator()(Into<Targets...> out, const Args&... args) const {
    static_assert(((I >= 0 && I < static_cast<int>(sizeof...(Args))) && ...),
                  "argnums out of range");
    static_assert(sizeof...(Targets) == sizeof...(I), "nabla::into: one target per result");
    static const std::vector<int> wrt{I...};
    if constexpr (T == Transform::ValueAndGrad) {
      double value = 0;
      Into<double, Targets...> with_value{std::tuple_cat(std::tie(value), out.targets)};
      call_traced(f_, *cache_, T, wrt, with_value, args...);
      return value;
    } else {
      call_traced(f_, *cache_, T, wrt, out, args...);
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
  requires(!is_into_v<std::decay_t<Args>...>) std::vector<Eigen::MatrixXd>
  operator()(const Args&... args) const {
    return call_traced_matrices(f_, *cache_, T, wrt_, args...);
  }
  // Results written into the caller's storage, one target per result (the value first).
  template <class... Targets, class... Args>
  void operator()(Into<Targets...> out, const Args&... args) const {
    call_traced(f_, *cache_, T, wrt_, out, args...);
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
  requires(!is_into_v<std::decay_t<Args>...>) Eigen::MatrixXd operator()(
      const Args&... args) const {
    Eigen::MatrixXd m;
    (*this)(into(m), args...);
    return m;
  }
  template <class Target, class... Args>
  void operator()(Into<Target> out, const Args&... args) const {
    static const std::vector<int> none;
    call_traced(f_, *cache_, Transform::Value, none, out, args...);
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
