// Jacobians and Hessians with respect to matrices (d vec(F)/d vec(X)', column-major vec), read
// from the language as a user writes them: every case is derived with symbolic dimensions,
// then, at random sizes and random points (several draws), its value is compared entry by
// entry with central differences of vec(F) w.r.t. vec(X) (Hessians: second differences of e).
// Golden cases also fix the printed textbook form and, where the language reads every function
// the form uses, check that it reads back to the same value.
#include <algorithm>

#include "diff_test_util.h"
#include "parse/frontend.h"
#include "simplify/simplify.h"

namespace nabla {
namespace {

using namespace difftest;

struct Derived {
  Graph g;
  std::unique_ptr<Frontend> fe;  // its scope: the declarations, for reading results back
  Query q;
  Id result = kNoId;
};

// Parses `decls` then `query` (one jacobian/hessian query) and derives it as the CLI does.
std::unique_ptr<Derived> derive(const std::string& decls, const std::string& query_text) {
  auto d = std::make_unique<Derived>();
  d->fe = std::make_unique<Frontend>(d->g);
  std::vector<Query> qs = d->fe->run_script(decls + "\n" + query_text);
  if (qs.size() != 1) throw std::runtime_error("expected one query in: " + query_text);
  d->q = qs[0];
  Op op = d->q.kind == QueryKind::Jacobian ? Op::Jacobian : Op::Hessian;
  Id raw = op == Op::Hessian ? query(d->g, op, d->q.expr, d->q.wrt)
                             : query(d->g, op, d->q.expr, d->q.wrt.at(0));
  d->result = simplify(d->g, expand_queries(d->g, raw));
  return d;
}

// Random sizes 2..4 for every atom dimension, random values for every variable (square ones
// 3I + small, so inv/det/logdet are well defined and positive).
Bindings random_point(const Graph& g, std::mt19937_64& rng) {
  Bindings b;
  std::uniform_int_distribution<int> size(2, 4);
  for (size_t i = 0; i < g.dims.size(); ++i) {
    Dim d = Dim::symbol(static_cast<int32_t>(i));
    if (!g.dims.is_derived(d)) b.dims[static_cast<int32_t>(i)] = size(rng);
  }
  std::uniform_real_distribution<double> u(-1, 1);
  for (size_t s = 0; s < g.symbol_count(); ++s) {
    const Symbol& sym = g.symbol(static_cast<int64_t>(s));
    if (sym.kind != SymbolKind::Variable) continue;
    auto [r, c] = shape_size(g, sym.shape, b);
    Matrix m(r, c);
    for (Eigen::Index i = 0; i < m.size(); ++i) m(i) = u(rng);
    if (sym.shape.rows == sym.shape.cols && r > 1) m = 3 * Matrix::Identity(r, c) + 0.3 * m;
    b.values[static_cast<int64_t>(s)] = m;
  }
  return b;
}

// Second differences of scalar e w.r.t. the stacked entries of vec(x1), vec(x2), ...
Matrix fd_hessian(const Graph& g, Id e, const std::vector<Id>& vars, Bindings b, double h = 1e-4) {
  std::vector<std::pair<int64_t, Eigen::Index>> slots;
  for (Id v : vars)
    for (Eigen::Index i = 0; i < b.values.at(g[v].a).size(); ++i) slots.push_back({g[v].a, i});
  const Eigen::Index n = static_cast<Eigen::Index>(slots.size());
  auto f = [&](Eigen::Index i, double di, Eigen::Index j, double dj) {
    Bindings c = b;
    c.values[slots[static_cast<size_t>(i)].first](slots[static_cast<size_t>(i)].second) += di;
    c.values[slots[static_cast<size_t>(j)].first](slots[static_cast<size_t>(j)].second) += dj;
    return evaluate(g, e, c)(0, 0);
  };
  Matrix H(n, n);
  for (Eigen::Index i = 0; i < n; ++i)
    for (Eigen::Index j = 0; j < n; ++j)
      H(i, j) = (f(i, h, j, h) - f(i, h, j, -h) - f(i, -h, j, h) + f(i, -h, j, -h)) / (4 * h * h);
  return H;
}

// Compares the derived result with central differences at `draws` random points.
void expect_matches_differences(const std::string& decls, const std::string& text, int draws = 3) {
  SCOPED_TRACE(text);
  std::unique_ptr<Derived> d;
  try {
    d = derive(decls, text);
  } catch (const Error& e) {
    FAIL() << "threw: " << e.what();
  }
  Graph& g = d->g;
  std::mt19937_64 rng(std::hash<std::string>{}(text));
  for (int k = 0; k < draws; ++k) {
    Bindings b = random_point(g, rng);
    Matrix got = evaluate(g, d->result, b);
    Matrix want = d->q.kind == QueryKind::Jacobian ? fd_jacobian(g, d->q.expr, g[d->q.wrt[0]].a, b)
                                                   : fd_hessian(g, d->q.expr, d->q.wrt, b);
    EXPECT_LT(rel_err(got, want), 1e-5) << "result " << show(g, d->result) << "\n got\n"
                                        << got << "\n want\n"
                                        << want;
  }
}

const char* const kDecls =
    "W in R^(m x n); x in R^n; b, y in R^m; w in R^n; A in R^(p x m); B in R^(n x q);"
    "X in R^(m x n); S, T, C in R^(k x k); z in R^k; v in R^m; alpha in R";

struct Case {
  const char* query;
};

// More than forty matrix Jacobians and Hessians: layers, products, transposes, inverses,
// entry-wise maps, softmax layers, traces, log-determinants, least squares, stacks and diag.
const Case kCases[] = {
    {"jacobian(W*x, W)"},
    {"jacobian(W*x + b, W)"},
    {"jacobian(W*x + b, x)"},
    {"jacobian(W*x + b, b)"},
    {"jacobian(A*X*B, X)"},
    {"jacobian(A*X, X)"},
    {"jacobian(X*B, X)"},
    {"jacobian(X', X)"},
    {"jacobian(X'*X, X)"},
    {"jacobian(X*X', X)"},
    {"jacobian(inv(S), S)"},
    {"jacobian(inv(S)', S)"},
    {"jacobian(S*S, S)"},
    {"jacobian(S^3, S)"},
    {"jacobian(X.^2, X)"},
    {"jacobian(exp(X), X)"},
    {"jacobian(tanh(X) .* X, X)"},
    {"jacobian(alpha*X, X)"},
    {"jacobian(alpha*X, alpha)"},
    {"jacobian(sigmoid(W*x + b), W)"},
    {"jacobian(softmax(W*x), W)"},
    {"jacobian(softmax(W*x + b), x)"},
    {"jacobian(tanh(W*x), W)"},
    {"jacobian(vec(inv(S)), vec(S))"},
    {"jacobian(vec(A*X*B), X)"},
    {"jacobian(tr(X'*X), X)"},
    {"jacobian(det(S), S)"},
    {"jacobian(logdet(S), S)"},
    {"jacobian(x'*W', x)"},
    {"jacobian(y'*W, W)"},
    {"jacobian([x'; W]*x, x)"},
    {"jacobian([x'; X], X)"},
    {"jacobian(diag(z)*S, z)"},
    {"jacobian(diag(S), S)"},
    {"jacobian(S*z, S)"},
    {"jacobian(inv(S)*z, S)"},
    {"jacobian(inv(S + z*z'), z)"},
    {"jacobian(X'*A'*A*X, X)"},
    {"hessian(tr(S'*C*S), S)"},
    {"hessian(tr(X'*X), X)"},
    {"hessian(logdet(S), S)"},
    {"hessian(det(S), S)"},
    {"hessian(tr(inv(S)), S)"},
    {"hessian(norm2(X*w - b)^2, X)"},
    {"hessian(norm2(W*x - y)^2, W)"},
    {"hessian(sum(exp(W*x)), W)"},
    {"hessian(logsumexp(W*x), W)"},
    {"hessian(y'*log(softmax(W*x)), W)"},
    {"hessian(x'*W'*W*x, x)"},
    {"hessian(det(diag(z)), z)"},
    {"hessian(logdet(I + z*z'), z)"},
    {"hessian(logdet(S + z*z'), z)"},
    {"hessian(tr(S*C*S'), S)"},
    {"hessian(sum(X.^3), X)"},
    {"hessian(norm2(W*x - y)^2, W, b)"},
    {"hessian(norm2(W*x + b - y)^2, W, b)"},
    {"hessian(x'*x + b'*W*x, x, b)"},
    {"hessian(alpha^2*tr(S'*S), alpha, S)"},
};

TEST(MatrixJacobians, AtLeastFortyCasesMatchCentralDifferencesAtRandomSizesAndPoints) {
  EXPECT_GE(std::size(kCases), 40u);
  for (const Case& c : kCases) expect_matches_differences(kDecls, c.query);
}

// The language reads everything the printed form uses (kron is read by the parser only once it
// has it: issue 13's branch adds kron).
struct Golden {
  const char* decls;
  const char* query;
  const char* result;
};

const Golden kGolden[] = {
    {"W in R^(m x n); x in R^n", "jacobian(W*x, W)", "kron(x', I(m))"},
    {"W in R^(m x n); x in R^n; b in R^m", "jacobian(W*x + b, W)", "kron(x', I(m))"},
    {"A in R^(p x m); X in R^(m x n); B in R^(n x q)", "jacobian(A*X*B, X)", "kron(B', A)"},
    {"A in R^(p x m); X in R^(m x n)", "jacobian(A*X, X)", "kron(I(n), A)"},
    {"X in R^(m x n); B in R^(n x q)", "jacobian(X*B, X)", "kron(B', I(m))"},
    {"X in R^(n x n)", "jacobian(inv(X), X)", "-kron(inv(X)', inv(X))"},
    {"X in R^(n x n)", "jacobian(vec(inv(X)), vec(X))", "-kron(inv(X)', inv(X))"},
    {"X in R^(m x n)", "jacobian(X', X)", "K(m, n)"},
    {"X in R^(m x n)", "jacobian(X'*X, X)", "kron(I(n), X') + kron(X', I(n))*K(m, n)"},
    {"X in R^(m x n)", "jacobian(X.^2, X)", "diag(vec(2*X))"},
    {"X in R^(m x n)", "jacobian(exp(X), X)", "diag(vec(exp(X)))"},
    {"X, A in R^(n x n)", "hessian(tr(X'*A*X), X)", "kron(I(n), A + A')"},
    {"X in R^(n x n)", "hessian(logdet(X), X)", "-K(n, n)*kron(inv(X)', inv(X))"},
    {"X in R^(n x n)", "jacobian(logdet(X), X)", "vec(inv(X)')'"},
    {"W in R^(m x n); x in R^n; y in R^m", "hessian(norm2(W*x - y)^2, W)", "2*kron(x*x', I(m))"},
    {"X in R^(m x n); w in R^n; y in R^m", "hessian(norm2(X*w - y)^2, X)", "2*kron(w*w', I(m))"},
    {"W in R^(m x n); x in R^n", "jacobian(x'*W', x)", "W"},
    {"W in R^(m x n); x in R^n", "jacobian(softmax(W*x), W)",
     "(diag(softmax(W*x)) - softmax(W*x)*softmax(W*x)')*kron(x', I(m))"},
    {"u, v in R", "hessian(u^2/v, u, v)", "[[2/v; -2*u/v^2]'; [-2*u/v^2; 2*u^2/v^3]']"},
};

TEST(MatrixJacobians, GoldenTextbookFormsReadBack) {
  EXPECT_GE(std::size(kGolden), 15u);
  int read_back = 0;
  for (const Golden& c : kGolden) {
    SCOPED_TRACE(c.query);
    std::unique_ptr<Derived> d = derive(c.decls, c.query);
    std::string text = to_text(d->g, d->result);
    EXPECT_EQ(text, c.result);
    expect_matches_differences(c.decls, c.query, 2);
    // Read back in the same scope and compare values at random points.
    Id back = simplify(d->g, expand_queries(d->g, d->fe->parse_expression(text)));
    std::mt19937_64 rng(7);
    for (int k = 0; k < 2; ++k) {
      Bindings b = random_point(d->g, rng);
      EXPECT_LT(rel_err(evaluate(d->g, back, b), evaluate(d->g, d->result, b)), 1e-12);
    }
    ++read_back;
  }
  EXPECT_EQ(read_back, static_cast<int>(std::size(kGolden)));  // every one reads back
}

// A commutation matrix permutes vec(X) into vec(X').
TEST(MatrixJacobians, CommutationMatrixMapsVecToVecOfTranspose) {
  Graph g;
  Dim m = g.dims.intern("m"), n = g.dims.intern("n");
  int32_t xs = g.declare_variable("X", Shape::matrix(m, n));
  Id X = variable(g, xs);
  Id lhs = matmul(g, commutation(g, m, n), unary(g, Op::Vec, X));
  Id rhs = unary(g, Op::Vec, transpose(g, X));
  std::mt19937_64 rng(3);
  Bindings b = random_point(g, rng);
  EXPECT_LT(rel_err(evaluate(g, lhs, b), evaluate(g, rhs, b)), 1e-15);
  EXPECT_EQ(to_text(g, commutation(g, m, n)), "K(m, n)");
  EXPECT_EQ(commutation(g, m, Dim::fixed(1)), identity(g, m));  // vec(x') = vec(x)
  // K(m, n) reads back.
  Frontend fe(g);
  EXPECT_EQ(fe.parse_expression("K(m, n)"), commutation(g, m, n));
  EXPECT_EQ(fe.parse_expression("K(2, 3)"), commutation(g, Dim::fixed(2), Dim::fixed(3)));
}

// Without declarations an upper-case name is a matrix: the vec-Jacobian of inv(X) is not the
// scalar derivative -X^(-2).
TEST(MatrixJacobians, UndeclaredUpperCaseNameIsAMatrix) {
  std::unique_ptr<Derived> d = derive("", "jacobian(vec(inv(X)), X)");
  EXPECT_EQ(to_text(d->g, d->result), "-kron(inv(X)', inv(X))");
  EXPECT_TRUE(d->g[d->q.wrt[0]].shape.is_matrix());
  // An expression that needs it to be a scalar is an error naming the declaration to add.
  Graph g;
  Frontend fe(g);
  try {
    fe.run_script("t in R\nt/X");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(e.hint().find("X in R"), std::string::npos) << e.what() << " / " << e.hint();
  }
}

}  // namespace
}  // namespace nabla
