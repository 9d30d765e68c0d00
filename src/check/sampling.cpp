#include "check/sampling.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <set>

#include "ir/build.h"
#include "ir/error.h"
#include "ir/functions.h"

namespace nabla {

// --- Rng -------------------------------------------------------------------------------------

uint64_t Rng::next() {
  // splitmix64
  uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

double Rng::uniform() {
  return static_cast<double>(next() >> 11) * 0x1.0p-53;
}

double Rng::normal() {
  // Box-Muller: sqrt(-2 log u1) cos(2 pi u2), u1 in (0, 1].
  double u1 = 1.0 - uniform();
  double u2 = uniform();
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
}

int Rng::uniform_int(int lo, int hi) {
  return lo + static_cast<int>(next() % static_cast<uint64_t>(hi - lo + 1));
}

Matrix Rng::normal_matrix(int rows, int cols) {
  Matrix m(rows, cols);
  for (int j = 0; j < cols; ++j)
    for (int i = 0; i < rows; ++i) m(i, j) = normal();
  return m;
}

// --- analysis --------------------------------------------------------------------------------

namespace {

class NeedsAnalysis {
 public:
  NeedsAnalysis(const Graph& g, std::map<int64_t, ValueNeeds>& needs) : g_(g), needs_(needs) {}

  void visit(Id id) {
    const Node& n = g_[id];
    if (is_elementwise_function(n.op)) {  // the domain column of functions.def
      switch (function_facts(n.op).domain) {
        case FunctionDomain::Real:
          break;
        case FunctionDomain::Positive:  // log(x), log1p(x): x > 0 (log1p only needs x > -1)
          positive(n.kids[0]);
          break;
        case FunctionDomain::Nonzero:  // abs, sign: the kink at 0 avoided
          nonzero(n.kids[0]);
          break;
        case FunctionDomain::Unit:  // arcsin, arccos: inside (-1, 1)
          unit(n.kids[0]);
          break;
      }
      return;
    }
    switch (n.op) {
      case Op::Power: {
        Id p = n.kids[1];
        const Node& pn = g_[p];
        if (pn.op == Op::Const) {
          double v = const_value(g_, p);
          if (v != std::floor(v)) {
            positive(n.kids[0]);  // x^(1/2), x^(-3/2): x > 0
          } else if (v < 0) {
            nonzero(n.kids[0]);  // x^-1: x != 0
          }
        } else {
          positive(n.kids[0]);  // x^y: x > 0
        }
        break;
      }
      case Op::Inv:
      case Op::Det:  // inv(X), det(X): X invertible
        matrix_need(n.kids[0], false);
        break;
      case Op::LogDet:  // logdet(X): X symmetric positive definite
        matrix_need(n.kids[0], true);
        break;
      case Op::Relu:  // kinks at 0: variables drawn away from 0 (the draws are continuous, so
                      // max/min ties and kinks of sums have probability zero)
        nonzero(n.kids[0]);
        break;
#include "ir/leaf_cases.inc"
#include "ir/structure_cases.inc"
      case Op::Add:
      case Op::Scale:
      case Op::MatMul:
      case Op::Hadamard:
      case Op::Transpose:
#include "ir/function_cases.inc"
      case Op::Max:
      case Op::Min:
      case Op::Sum:
      case Op::Norm2:
      case Op::NormInf:
      case Op::Trace:
      case Op::Softmax:
      case Op::LogSumExp:
      case Op::Prod:
      case Op::ProdOthers:
      case Op::Call:
#include "ir/query_cases.inc"
        break;
    }
  }

 private:
  // Marks the variables whose sign decides the sign of `id`: every variable below it, except
  // below ops whose value is positive (or non-negative) whatever their argument.
  void positive(Id id) {
    std::set<Id> seen;
    std::vector<Id> stack{id};
    while (!stack.empty()) {
      Id x = stack.back();
      stack.pop_back();
      if (!seen.insert(x).second) continue;
      const Node& n = g_[x];
      if (is_elementwise_function(n.op) && function_facts(n.op).positive) continue;
      switch (n.op) {
        case Op::Var:
          needs_[n.a].positive = true;
          break;
        case Op::Norm2:
        case Op::Call:
          break;
        case Op::Power:
          if (g_[n.kids[1]].op == Op::Const) {
            double v = const_value(g_, n.kids[1]);
            if (v == std::floor(v) && std::fmod(v, 2.0) == 0) break;  // even power: >= 0
          }
          stack.push_back(n.kids[0]);
          break;
#include "ir/matrix_function_cases.inc"
#include "ir/piecewise_cases.inc"
#include "ir/structure_cases.inc"
        case Op::Const:
        case Op::Pi:
        case Op::Identity:
        case Op::Ones:
        case Op::Zeros:
        case Op::Commutation:
        case Op::Add:
        case Op::Scale:
        case Op::MatMul:
        case Op::Hadamard:
        case Op::Transpose:
#include "ir/function_cases.inc"
        case Op::Sum:
        case Op::NormInf:
        case Op::Trace:
        case Op::Det:
        case Op::LogDet:
        case Op::LogSumExp:
        case Op::Prod:
#include "ir/query_cases.inc"
          for (Id k : n.kids) stack.push_back(k);
      }
    }
  }

  // The variables that make `id` zero when they are: through products and powers.
  void nonzero(Id id) {
    const Node& n = g_[id];
    switch (n.op) {
      case Op::Var:
        needs_[n.a].nonzero = true;
        break;
      case Op::Scale:
      case Op::Hadamard:
        nonzero(n.kids[0]);
        nonzero(n.kids[1]);
        break;
      case Op::Transpose:
      case Op::Power:
        nonzero(n.kids[0]);
        break;
#include "ir/matrix_function_cases.inc"
#include "ir/piecewise_cases.inc"
#include "ir/reduction_cases.inc"
#include "ir/structure_cases.inc"
      case Op::Const:
      case Op::Pi:
      case Op::Identity:
      case Op::Ones:
      case Op::Zeros:
      case Op::Commutation:
      case Op::Add:
      case Op::MatMul:
#include "ir/function_cases.inc"
      case Op::Call:
#include "ir/query_cases.inc"
        break;
    }
  }

  // Every variable below `id` drawn inside (-1, 1) (small enough that sums of a few stay there).
  void unit(Id id) {
    for (Id x : reachable(g_, id))
      if (g_[x].op == Op::Var) needs_[g_[x].a].unit = true;
  }

  // Square matrix variables below `id` are drawn invertible (or SPD); scalars nonzero.
  void matrix_need(Id id, bool spd) {
    std::set<Id> seen;
    std::vector<Id> stack{id};
    while (!stack.empty()) {
      Id x = stack.back();
      stack.pop_back();
      if (!seen.insert(x).second) continue;
      const Node& n = g_[x];
      if (n.op == Op::Var) {
        Shape s = n.shape;
        if (s.is_scalar()) {
          needs_[n.a].nonzero = true;
        } else if (s.is_square()) {
          if (spd)
            needs_[n.a].spd = true;
          else
            needs_[n.a].invertible = true;
        }
        continue;
      }
      if (n.op == Op::Call) continue;
      for (Id k : n.kids) stack.push_back(k);
    }
  }

  const Graph& g_;
  std::map<int64_t, ValueNeeds>& needs_;
};

void add_dim(const Graph& g, Dim d, std::set<int32_t>& free_dims, std::set<int32_t>& derived) {
  if (!d.is_symbol()) return;
  if (!g.dims.is_derived(d)) {
    free_dims.insert(d.symbol_index());
    return;
  }
  // n*m (vec, kron) and n+m+2 (stacking) are sized from their atoms.
  derived.insert(d.symbol_index());
  for (int32_t atom : g.dims.atoms(d)) free_dims.insert(atom);
}

}  // namespace

SampleSpace analyze(const Graph& g, const std::vector<Id>& roots) {
  SampleSpace space;
  std::set<Id> nodes;
  for (Id r : roots)
    for (Id id : reachable(g, r)) nodes.insert(id);
  std::set<int32_t> free_dims, derived;
  std::set<int64_t> variables, functions;
  NeedsAnalysis needs(g, space.needs);
  for (Id id : nodes) {
    const Node& n = g[id];
    add_dim(g, n.shape.rows, free_dims, derived);
    add_dim(g, n.shape.cols, free_dims, derived);
    if (n.op == Op::Var) variables.insert(n.a);
    if (n.op == Op::Call) {
      functions.insert(n.a);
      const Symbol& f = g.symbol(n.a);
      add_dim(g, f.shape.rows, free_dims, derived);
      add_dim(g, f.shape.cols, free_dims, derived);
      for (Shape p : f.params) {
        add_dim(g, p.rows, free_dims, derived);
        add_dim(g, p.cols, free_dims, derived);
      }
    }
    needs.visit(id);
  }
  space.free_dims.assign(free_dims.begin(), free_dims.end());
  space.derived_dims.assign(derived.begin(), derived.end());
  space.variables.assign(variables.begin(), variables.end());
  space.functions.assign(functions.begin(), functions.end());
  space.nodes.assign(nodes.begin(), nodes.end());
  return space;
}

std::vector<std::map<int32_t, int32_t>> draw_dimensions(const SampleSpace& space, int count,
                                                        Rng& rng) {
  std::vector<std::map<int32_t, int32_t>> draws;
  if (count < 1) count = 1;
  // First draw: distinct mid sizes, starting at 3 or 4.
  static constexpr int kMid[] = {3, 4, 2, 5, 6, 1};
  int shift = rng.uniform_int(0, 1);
  std::map<int32_t, int32_t> first;
  for (size_t i = 0; i < space.free_dims.size(); ++i) {
    size_t k = i + static_cast<size_t>(shift);
    first[space.free_dims[i]] = k < 6 ? kMid[k] : rng.uniform_int(2, 5);
  }
  draws.push_back(first);
  for (int d = 1; d < count; ++d) {
    std::map<int32_t, int32_t> draw;
    for (int32_t dim : space.free_dims) draw[dim] = rng.uniform_int(1, 6);
    draws.push_back(draw);
  }
  // Every dim takes at least two values: move the last draw off the first draw's value.
  if (count >= 2)
    for (int32_t dim : space.free_dims) {
      bool varied = false;
      for (const auto& draw : draws) varied |= draw.at(dim) != first.at(dim);
      if (!varied) {
        int v = first.at(dim);
        draws.back()[dim] = v == 2 ? 5 : 2;
      }
    }
  return draws;
}

int32_t concrete_size(const Graph& g, Dim d, const Bindings& bindings) {
  (void)g;
  if (d.is_fixed()) return d.size();
  auto it = bindings.dims.find(d.symbol_index());
  if (it == bindings.dims.end())
    throw Error(ErrorKind::Internal, "check: unbound dimension " + g.dims.name(d));
  return it->second;
}

void bind_dimensions(const Graph& g, const SampleSpace& space,
                     const std::map<int32_t, int32_t>& draw, Bindings& bindings) {
  bindings.dims.clear();
  for (auto [dim, size] : draw) bindings.dims[dim] = size;
  for (int32_t dim : space.derived_dims) {
    std::optional<int64_t> v =
        g.dims.size(Dim::symbol(dim), [&](int32_t atom) -> std::optional<int64_t> {
          auto it = bindings.dims.find(atom);
          if (it == bindings.dims.end()) return std::nullopt;
          return it->second;
        });
    if (!v)
      throw Error(ErrorKind::Internal,
                  "check: cannot size dimension " + g.dims.name(Dim::symbol(dim)));
    bindings.dims[dim] = static_cast<int32_t>(*v);
  }
}

Matrix draw_value(const Graph& g, int64_t variable, const ValueNeeds& needs,
                  const Bindings& bindings, Rng& rng) {
  const Symbol& sym = g.symbol(variable);
  int rows = concrete_size(g, sym.shape.rows, bindings);
  int cols = concrete_size(g, sym.shape.cols, bindings);
  bool square = rows == cols;
  bool symmetric = sym.symmetric && square;
  if (square && rows > 1 && needs.spd) {
    // R R'/n + I: symmetric, eigenvalues >= 1. Unless declared Sym(n), add a skew part K:
    // x'(P + K)x = x'Px > 0, so every eigenvalue still has a positive real part (det > 0),
    // while a missing transpose (inv(X) vs inv(X)') stays visible.
    Matrix r = rng.normal_matrix(rows, rows);
    Matrix m = r * r.transpose() / rows + Matrix::Identity(rows, rows);
    if (!symmetric) {
      Matrix k = rng.normal_matrix(rows, rows);
      m += 0.25 * (k - k.transpose());
    }
    return m;
  }
  if (square && rows > 1 && needs.invertible) {
    // 2 I + 0.3 R: the spectral radius of 0.3 R stays well below 2 for n <= 6, so every
    // eigenvalue has a positive real part (det > 0) and the matrix is well conditioned.
    Matrix r = rng.normal_matrix(rows, rows);
    if (symmetric) r = Matrix(r + r.transpose()) / std::sqrt(2.0);  // no aliasing
    return 2.0 * Matrix::Identity(rows, rows) + 0.3 * r;
  }
  Matrix m(rows, cols);
  for (int j = 0; j < cols; ++j)
    for (int i = 0; i < rows; ++i) {
      if (needs.unit) {
        double v = 0.05 + 0.4 * rng.uniform();
        m(i, j) = needs.positive || rng.uniform() < 0.5 ? v : -v;
      } else if (needs.positive || (rows == 1 && cols == 1 && needs.spd)) {
        m(i, j) = 0.5 + 1.5 * rng.uniform();
      } else if (needs.nonzero || needs.invertible) {
        double v = 0.5 + 1.5 * rng.uniform();
        m(i, j) = rng.uniform() < 0.5 ? -v : v;
      } else {
        m(i, j) = rng.normal();
      }
    }
  if (symmetric)  // mirror the upper triangle: each entry keeps its distribution and needs
    for (int j = 0; j < cols; ++j)
      for (int i = j + 1; i < rows; ++i) m(i, j) = m(j, i);
  return m;
}

}  // namespace nabla
