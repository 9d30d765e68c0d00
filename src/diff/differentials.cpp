#include "diff/differentials.h"

#include <array>
#include <string>
#include <vector>

#include "diff/algebra.h"
#include "diff/rules.h"
#include "ir/build.h"
#include "ir/error.h"

namespace nabla::diffalg {
namespace {

Id kid(const Graph& g, Id y) {
  return g[y].kids[0];
}

std::array<const ScalarDifferential*, kOpCount> make_table() {
  std::array<const ScalarDifferential*, kOpCount> t{};
  // d norm2(x) = <x, dx>/norm2(x):  G = x/norm2(x)
  static constexpr ScalarDifferential norm2{
      [](Graph& g, Id y) { return divide(g, kid(g, y), y); },
      [](Graph& g, Id y, Id dx) { return divide(g, dot(g, kid(g, y), dx), y); }, nullptr,
      "d norm2(x) = <x, dx>/norm2(x)"};
  // d norm(x, inf) = sign(x_i) dx_i at the largest |x_i| (shared among ties)
  static constexpr ScalarDifferential norm_inf{
      [](Graph& g, Id y) { return norm_inf_gradient(g, y); }, nullptr, nullptr,
      "d norm(x, inf) = sign(x_i) dx_i at the largest |x_i| (shared among ties)"};
  // d logsumexp(u) = <softmax(u), du>
  static constexpr ScalarDifferential logsumexp{
      [](Graph& g, Id y) { return unary(g, Op::Softmax, kid(g, y)); }, nullptr, nullptr,
      "d logsumexp(u) = <softmax(u), du>"};
  // d logdet(X) = tr(inv(X) dX):  G = inv(X)'
  static constexpr ScalarDifferential logdet{
      [](Graph& g, Id y) { return transpose_of(g, unary(g, Op::Inv, kid(g, y))); },
      [](Graph& g, Id y, Id dx) {
        return unary(g, Op::Trace, mul(g, unary(g, Op::Inv, kid(g, y)), dx));
      },
      nullptr, "d logdet(X) = tr(inv(X) dX)"};
  // d det(X) = det(X) tr(inv(X) dX):  det(X) times the differential of logdet
  static constexpr ScalarDifferential det{logdet.gradient, logdet.forward,
                                          [](Graph&, Id y) { return y; },
                                          "d det(X) = det(X) tr(inv(X) dX)"};
  // d prod(X) = <prod_others(X), dX>  (exact at zero entries, unlike prod(X)./X)
  static constexpr ScalarDifferential prod{
      [](Graph& g, Id y) { return unary(g, Op::ProdOthers, kid(g, y)); }, nullptr, nullptr,
      "d prod(X) = <prod_others(X), dX>"};
  t[static_cast<size_t>(Op::Norm2)] = &norm2;
  t[static_cast<size_t>(Op::NormInf)] = &norm_inf;
  t[static_cast<size_t>(Op::LogSumExp)] = &logsumexp;
  t[static_cast<size_t>(Op::LogDet)] = &logdet;
  t[static_cast<size_t>(Op::Det)] = &det;
  t[static_cast<size_t>(Op::Prod)] = &prod;
  return t;
}

}  // namespace

const ScalarDifferential* scalar_differential(Op op) {
  static const std::array<const ScalarDifferential*, kOpCount> table = make_table();
  return table[static_cast<size_t>(op)];
}

}  // namespace nabla::diffalg

namespace nabla::diffalg {
namespace {

[[noreturn]] void unsupported(const std::string& message) {
  throw Error(ErrorKind::Unsupported, message);
}

}  // namespace

std::vector<CallTerm> call_differential(Graph& g, Id y, bool (*depends)(const DiffSweep&, Id),
                                        const DiffSweep& sweep) {
  const Node n = g[y];
  const Symbol f = g.symbol(n.a);
  const int32_t fn = static_cast<int32_t>(n.a);
  std::vector<CallTerm> terms;
  if (n.b != kCallValue) {  // d h'(u) = h''(u) du, d partial(L, k) = sum_j partial(L, k, j) da_j
    for (size_t j = 0; j < n.kids.size(); ++j)
      if (depends(sweep, n.kids[j])) terms.push_back({j, second_derivative_block(g, y, j), false});
    return terms;
  }
  if (n.kids.size() == 1) {
    Shape in = g[n.kids[0]].shape, out = f.shape;
    if (!out.is_scalar() && !in.is_scalar() && !(in.is_column() && out.is_column()))
      unsupported("the abstract function '" + f.name +
                  "' maps matrices; its derivative has no matrix form here");
    terms.push_back({0, call(g, fn, kCallDerivative, {n.kids[0]}), out.is_scalar()});
    return terms;
  }
  if (!f.shape.is_scalar())
    unsupported("the abstract function '" + f.name +
                "' has several arguments and a non-scalar value; only scalar-valued ones can be "
                "differentiated");
  for (size_t k = 0; k < n.kids.size(); ++k)
    if (depends(sweep, n.kids[k]))
      terms.push_back({k, call(g, fn, static_cast<int64_t>(k + 1), n.kids), true});
  return terms;
}

void note_call(DiffSweep& c, Id y) {
  const Node n = c.g[y];
  const std::string name = c.g.symbol(n.a).name;
  if (n.b != kCallValue) {
    c.note("chain rule", y, [&] {
      return "second derivatives of " + name + " (h'', hessian(" + name + "), partial(" + name +
             ", i, j))";
    });
    return;
  }
  if (n.kids.size() > 1) {
    c.note("chain rule", y, [&] {
      return "grad = sum over k of partial(" + name + ", k)(...) * grad of argument k";
    });
    return;
  }
  Id u = n.kids[0];
  Shape in = c.g[u].shape, out = c.g.symbol(n.a).shape;
  c.note("chain rule", y, [&] {
    if (in.is_scalar()) return "d " + name + "(u)/du = " + name + "'(u) with u = " + c.text(u);
    if (out.is_scalar())
      return "grad " + name + "(u) = grad(" + name + ")(u) with u = " + c.text(u);
    return "J " + name + "(u) = J(" + name + ")(u) with u = " + c.text(u);
  });
}

}  // namespace nabla::diffalg

namespace nabla::diffalg {

bool is_entrywise_op(Op op) {
  return is_elementwise_function(op) || op == Op::Relu || op == Op::Max || op == Op::Min;
}

std::vector<EntrywiseTerm> entrywise_differential(Graph& g, Id y) {
  const Node n = g[y];
  if (n.op == Op::Max || n.op == Op::Min) {  // weights 1, 0 or 1/2 at ties (extremum_weights)
    ExtremumWeights w = extremum_weights(g, y);
    const Id ws[2] = {w.a, w.b};
    std::vector<EntrywiseTerm> terms;
    for (size_t k = 0; k < 2; ++k)
      terms.push_back({k, ws[k], g[n.kids[k]].shape.is_scalar() && !n.shape.is_scalar()});
    return terms;
  }
  if (auto d = elementwise_derivative(g, n.op, n.kids[0], y)) return {{0, *d, false}};
  return {};
}

void note_entrywise(DiffSweep& c, Id y) {
  const Node n = c.g[y];
  if (n.op == Op::Max || n.op == Op::Min) {
    c.note("rule", y, [&] { return extremum_rule_text(n.op); });
    return;
  }
  if (c.wants_step()) c.step(elementwise_rule_text(n.op) + " with u = " + c.text(n.kids[0]));
}

}  // namespace nabla::diffalg
