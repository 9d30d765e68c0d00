// Second derivatives of abstract functions (h''(t), hessian(g)(u), partial(L, i, j)(...)) in
// results and as input, the chain rule for Hessians of compositions, check's random instances
// with exact second derivatives; the built-ins max, min, relu, norm1, norm(x, p), norm(x, inf)
// with PyTorch's choice at kinks, and a scalar broadcast in sums: derivatives against central
// differences at random points, golden forms, read-back.
#include "check/check.h"
#include "check/random_functions.h"
#include "diff_test_util.h"
#include "parse/frontend.h"
#include "simplify/simplify.h"

namespace nabla {
namespace {

using namespace difftest;

// Runs decls + one query and returns {graph-owned result text, check of result == expected}.
struct Answer {
  std::string text;
  bool matches = false;     // check_equal(result, expected) holds
  bool reads_back = false;  // check_equal(result, parse(text)) holds
};

Id derive_query(Graph& g, const Query& q) {
  Op op = q.kind == QueryKind::Jacobian  ? Op::Jacobian
          : q.kind == QueryKind::Hessian ? Op::Hessian
          : q.kind == QueryKind::Diff    ? Op::Derivative
                                         : Op::Grad;
  Id raw = op == Op::Hessian ? query(g, op, q.expr, q.wrt)
           : op == Op::Grad  ? grad_query(g, q.expr, q.wrt)
                             : query(g, op, q.expr, q.wrt.at(0));
  return simplify(g, expand_queries(g, raw));
}

Answer answer(const std::string& decls, const std::string& text, const std::string& expected) {
  Graph g;
  Frontend fe(g);
  std::vector<Query> qs = fe.run_script(decls + "\n" + text);
  EXPECT_EQ(qs.size(), 1u);
  Id r = derive_query(g, qs[0]);
  Answer a;
  a.text = to_text(g, r);
  Id want = expand_queries(g, fe.parse_expression(expected));
  a.matches = check_equal(g, r, want).holds;
  Id back = expand_queries(g, fe.parse_expression(a.text));
  a.reads_back = check_equal(g, r, back).holds;
  return a;
}

struct SecondCase {
  const char* decls;
  const char* query;
  const char* golden;    // the printed result
  const char* textbook;  // an equal form as a sheet writes it
};

const SecondCase kSecond[] = {
    {"g : R -> R; a, x in R^n", "hessian(g(a'*x), x)", "g''(a'*x)*a*a'", "g''(a'*x)*a*a'"},
    {"G : R^m -> R; A in R^(m x n); x in R^n; b in R^m", "hessian(G(A*x + b), x)",
     "A'*hessian(G)(A*x + b)*A", "A'*hessian(G)(A*x + b)*A"},
    {"h : R -> R; t in R", "diff(h'(t), t)", "h''(t)", "h''(t)"},
    {"h : R -> R; t in R", "hessian(h(t^2), t)", "2*(h'(t^2) + 2*t^2*h''(t^2))",
     "2*h'(t^2) + 4*t^2*h''(t^2)"},
    {"g : R^n -> R; x in R^n", "jacobian(grad(g)(x), x)", "hessian(g)(x)", "hessian(g)(x)"},
    {"L : R x R -> R; u, v in R", "hessian(L(u, v), u, v)",
     "[[partial(L, 1, 1)(u, v); partial(L, 1, 2)(u, v)]'; [partial(L, 1, 2)(u, v); partial(L, 2, "
     "2)(u, v)]']",
     "[[partial(L, 1, 1)(u, v); partial(L, 2, 1)(u, v)]'; [partial(L, 2, 1)(u, v); partial(L, 2, "
     "2)(u, v)]']"},
    {"L : R x R -> R; u in R", "diff(diff(L(u, u^2), u), u)",
     "partial(L, 1, 1)(u, u^2) + 2*partial(L, 2)(u, u^2) + 4*u*(partial(L, 1, 2)(u, u^2) + "
     "u*partial(L, 2, 2)(u, u^2))",
     "partial(L, 1, 1)(u, u^2) + 4*u*partial(L, 1, 2)(u, u^2) + 4*u^2*partial(L, 2, 2)(u, u^2) + "
     "2*partial(L, 2)(u, u^2)"},
    {"g : R^n -> R; x, w in R^n", "hessian(g(x .* w), x)", "diag(w)*hessian(g)(x .* w)*diag(w)",
     "diag(w)*hessian(g)(x .* w)*diag(w)"},
};

TEST(SecondDerivatives, AbstractFunctionsInResultsAndAsInputReadBackAndHold) {
  for (const SecondCase& c : kSecond) {
    SCOPED_TRACE(c.query);
    Answer a = answer(c.decls, c.query, c.textbook);
    EXPECT_EQ(a.text, c.golden);
    EXPECT_TRUE(a.matches);
    EXPECT_TRUE(a.reads_back);
  }
}

TEST(SecondDerivatives, WrongSecondDerivativeFailsTheCheck) {
  Answer a = answer("g : R -> R; a, x in R^n", "hessian(g(a'*x), x)", "2*g''(a'*x)*a*a'");
  EXPECT_FALSE(a.matches);
  Answer b = answer("L : R x R -> R; u, v in R", "hessian(L(u, v), u, v)",
                    "[[partial(L, 1, 1)(u, v); partial(L, 1, 1)(u, v)]'; [partial(L, 1, 2)(u, v); "
                    "partial(L, 2, 2)(u, v)]']");
  EXPECT_FALSE(b.matches);
}

TEST(SecondDerivatives, ThirdDerivativesAreUnsupportedWithAClearMessage) {
  Graph g;
  Frontend fe(g);
  std::vector<Query> qs = fe.run_script("h : R -> R; t in R\ndiff(h''(t), t)");
  try {
    derive_query(g, qs.at(0));
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Unsupported);
    EXPECT_NE(std::string(e.what()).find("third derivatives"), std::string::npos) << e.what();
  }
}

// check's random instances: their second derivatives are the central differences of their
// exact first derivatives (one argument and several).
TEST(SecondDerivatives, RandomFunctionsHaveExactSecondDerivatives) {
  Graph g;
  Dim n = Dim::fixed(3);
  int32_t gv = g.declare_function("g", {Shape::vector(n)}, Shape::scalar());
  int32_t L = g.declare_function("L", {Shape::scalar(), Shape::vector(n), Shape::scalar()},
                                 Shape::scalar());
  Bindings b;
  Rng rng(11);
  RandomFunction fg(g, gv, b, rng), fL(g, L, b, rng);
  Matrix u = rng.normal_matrix(3, 1);
  const double h = 1e-6;
  Matrix H = fg(kCallSecond, {u}), fd(3, 3);
  for (int j = 0; j < 3; ++j) {
    Matrix up = u, um = u;
    up(j) += h;
    um(j) -= h;
    fd.col(j) = (fg(kCallDerivative, {up}) - fg(kCallDerivative, {um})) / (2 * h);
  }
  EXPECT_LT(rel_err(H, fd), 1e-7);
  std::vector<Matrix> args = {rng.normal_matrix(1, 1), rng.normal_matrix(3, 1),
                              rng.normal_matrix(1, 1)};
  for (int i = 1; i <= 3; ++i)
    for (int j = 1; j <= 3; ++j) {
      Matrix block = fL(call_partial2(i, j), args);
      if (i > j) block.transposeInPlace();  // stored once, for i <= j
      Matrix want(block.rows(), block.cols());
      for (Eigen::Index k = 0; k < args[static_cast<size_t>(j - 1)].size(); ++k) {
        std::vector<Matrix> p = args, m = args;
        p[static_cast<size_t>(j - 1)](k) += h;
        m[static_cast<size_t>(j - 1)](k) -= h;
        Matrix d = (fL(i, p) - fL(i, m)) / (2 * h);
        want.col(k) = d.reshaped(d.size(), 1);
      }
      EXPECT_LT(rel_err(block, want), 1e-7) << i << ", " << j;
    }
}

// ---- built-ins ----

struct BuiltinCase {
  const char* query;
};

const char* const kBuiltinDecls =
    "x, y, w in R^n; W in R^(m x n); b in R^m; X, Y in R^(m x n); mu, s in R";

// Derivative queries over the new built-ins and broadcasting, each compared with central
// differences of the expression at random points (continuous draws: no kinks, no ties).
const BuiltinCase kBuiltins[] = {
    {"grad(sum(relu(W'*b + x)), x)"},  {"jacobian(relu(W*x + b), W)"},
    {"jacobian(relu(W*x + b), x)"},    {"grad(sum(max(x, y)), x)"},
    {"grad(sum(max(x, y)), y)"},       {"grad(sum(min(x, y) .* w), x)"},
    {"jacobian(max(x, 0), x)"},        {"jacobian(max(x, mu), mu)"},
    {"jacobian(min(mu, x), x)"},       {"grad(sum(max(X, Y)), X)"},
    {"jacobian(max(X, 0), X)"},        {"grad(norm1(x), x)"},
    {"grad(norm1(W*x - b), x)"},       {"grad(norm(x, 1), x)"},
    {"grad(norm(x, 3), x)"},           {"grad(norm(W*x, 3/2), W)"},
    {"grad(norm(x, inf), x)"},         {"grad(norm(W*x - b, inf), W)"},
    {"hessian(norm(x, 3), x)"},        {"grad(norm2(x - mu)^2, mu)"},
    {"grad(norm2(x - mu)^2, x)"},      {"jacobian(x - mu, mu)"},
    {"grad(sum(exp(X + s)), s)"},      {"jacobian(s - X, X)"},
    {"hessian(sum(relu(x) .^ 3), x)"}, {"hessian(sum(max(x, y) .^ 2), x, y)"},
};

// Random sizes and values (|v| >= 0.3 so relu and abs are away from their kinks; max/min ties
// have probability zero).
Bindings random_point(const Graph& g, std::mt19937_64& rng) {
  Bindings b;
  std::uniform_int_distribution<int> size(2, 4);
  for (size_t i = 0; i < g.dims.size(); ++i) {
    Dim d = Dim::symbol(static_cast<int32_t>(i));
    if (!g.dims.is_derived(d)) b.dims[static_cast<int32_t>(i)] = size(rng);
  }
  std::uniform_real_distribution<double> u(0.3, 1.5);
  std::bernoulli_distribution neg(0.5);
  for (size_t s = 0; s < g.symbol_count(); ++s) {
    const Symbol& sym = g.symbol(static_cast<int64_t>(s));
    if (sym.kind != SymbolKind::Variable) continue;
    auto [r, c] = shape_size(g, sym.shape, b);
    Matrix m(r, c);
    for (Eigen::Index i = 0; i < m.size(); ++i) m(i) = neg(rng) ? -u(rng) : u(rng);
    b.values[static_cast<int64_t>(s)] = m;
  }
  return b;
}

Matrix fd_second(const Graph& g, Id e, const std::vector<Id>& vars, const Bindings& b) {
  std::vector<std::pair<int64_t, Eigen::Index>> slots;
  for (Id v : vars)
    for (Eigen::Index i = 0; i < b.values.at(g[v].a).size(); ++i) slots.push_back({g[v].a, i});
  const double h = 1e-4;
  auto f = [&](size_t i, double di, size_t j, double dj) {
    Bindings c = b;
    c.values[slots[i].first](slots[i].second) += di;
    c.values[slots[j].first](slots[j].second) += dj;
    return evaluate(g, e, c)(0, 0);
  };
  Matrix H(static_cast<Eigen::Index>(slots.size()), static_cast<Eigen::Index>(slots.size()));
  for (size_t i = 0; i < slots.size(); ++i)
    for (size_t j = 0; j < slots.size(); ++j)
      H(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) =
          (f(i, h, j, h) - f(i, h, j, -h) - f(i, -h, j, h) + f(i, -h, j, -h)) / (4 * h * h);
  return H;
}

TEST(Builtins, DerivativesMatchCentralDifferencesAtRandomPoints) {
  for (const BuiltinCase& c : kBuiltins) {
    SCOPED_TRACE(c.query);
    Graph g;
    Frontend fe(g);
    std::vector<Query> qs;
    try {
      qs = fe.run_script(std::string(kBuiltinDecls) + "\n" + c.query);
    } catch (const Error& e) {
      FAIL() << "threw: " << e.what();
    }
    const Query& q = qs.at(0);
    Id r = derive_query(g, q);
    std::mt19937_64 rng(std::hash<std::string>{}(c.query));
    for (int k = 0; k < 3; ++k) {
      Bindings b = random_point(g, rng);
      Matrix got = evaluate(g, r, b), want;
      if (q.kind == QueryKind::Hessian)
        want = fd_second(g, q.expr, q.wrt, b);
      else if (q.kind == QueryKind::Grad)
        want = fd_grad(g, q.expr, g[q.wrt[0]].a, b);
      else
        want = fd_jacobian(g, q.expr, g[q.wrt[0]].a, b);
      EXPECT_LT(rel_err(got, want), 1e-5) << to_text(g, r) << "\n got\n"
                                          << got << "\n want\n"
                                          << want;
    }
    // The printed result reads back to the same value (kron once the parser reads it).
    // A bare constant (-ones, -I) has no size to read back until sized constants ones(n), I(n)
    // are in the language.
    std::string text = to_text(g, r);
    if (text.find("kron(") != std::string::npos) continue;
    std::string bare = text.substr(text.find_first_not_of("-0123456789*"));
    if (bare == "ones" || bare == "I" || bare == "zeros") continue;
    Id back = expand_queries(g, fe.parse_expression(to_text(g, r)));
    EXPECT_TRUE(check_equal(g, r, back).holds) << to_text(g, r);
  }
}

// At kinks: PyTorch's choices. relu'(0) = 0; max/min give each side 1/2 at a tie; norm(x, inf)
// shares sign(x_i) evenly among the entries of largest |x_i|.
TEST(Builtins, DerivativesAtKinksFollowPyTorch) {
  Graph g;
  Frontend fe(g);
  std::vector<Query> qs = fe.run_script(
      "x, y in R^3\ngrad(sum(relu(x)), x)\ngrad(sum(max(x, y)), x)\ngrad(sum(min(x, y)), y)\n"
      "grad(norm(x, inf), x)");
  Bindings b;
  int64_t xs = g[qs[0].wrt[0]].a, ys = -1;
  for (size_t s = 0; s < g.symbol_count(); ++s)
    if (g.symbol(static_cast<int64_t>(s)).name == "y") ys = static_cast<int64_t>(s);
  b.values[xs] = (Matrix(3, 1) << 0, 2, -2).finished();
  b.values[ys] = (Matrix(3, 1) << 0, 1, -1).finished();
  auto at = [&](size_t i) { return evaluate(g, derive_query(g, qs[i]), b); };
  EXPECT_EQ(at(0), (Matrix(3, 1) << 0, 1, 0).finished());
  EXPECT_EQ(at(1), (Matrix(3, 1) << 0.5, 1, 0).finished());
  EXPECT_EQ(at(2), (Matrix(3, 1) << 0.5, 1, 0).finished());  // y wins where y < x
  EXPECT_EQ(at(3), (Matrix(3, 1) << 0, 0.5, -0.5).finished());
}

TEST(Builtins, GoldenFormsAndBroadcasting) {
  struct G {
    const char* query;
    const char* golden;
  };
  const G cases[] = {
      {"grad(sum(relu(x)), x)", "sign(relu(x))"},
      {"grad(norm1(x), x)", "sign(x)"},
      {"jacobian(x - mu, mu)", "-ones(n)"},
      {"grad(norm2(x - mu)^2, mu)", "-2*sum(x - mu*ones)"},
      {"grad(norm(x, 2), x)", "x/norm2(x)"},
  };
  for (const G& c : cases) {
    SCOPED_TRACE(c.query);
    Graph g;
    Frontend fe(g);
    std::vector<Query> qs = fe.run_script(std::string(kBuiltinDecls) + "\n" + c.query);
    EXPECT_EQ(to_text(g, derive_query(g, qs.at(0))), c.golden);
  }
  // norm(x, p) needs a constant p >= 1.
  Graph g;
  Frontend fe(g);
  EXPECT_THROW(fe.run_script("x in R^n; p in R\nnorm(x, p)"), Error);
  EXPECT_THROW(fe.run_script("x in R^n\nnorm(x, 1/2)"), Error);
  EXPECT_THROW(fe.run_script("x in R^n; A in R^(n x n)\nmax(x, A)"), Error);
}

}  // namespace
}  // namespace nabla
