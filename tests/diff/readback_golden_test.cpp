// The cases of issue 13, each as golden text: the result prints in a form that reads back (as
// text and as Unicode) with the shape it should have and the same value.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>

#include "diff/diff.h"
#include "eval/evaluate.h"
#include "ir/build.h"
#include "ir/error.h"
#include "ir/graph.h"
#include "parse/frontend.h"
#include "print/print.h"
#include "simplify/simplify.h"

namespace nabla {
namespace {

class ReadBackGolden : public ::testing::Test {
 protected:
  ReadBackGolden() : front(g) {
    front.run_script(
        "a in R; x, y in R^n; w in R^n; z in R^m; A, X in R^(n x n); C in R^(k x m); "
        "D in R^(n x k); F in R^(k x n); W in R^(n x m)");
  }

  // The derived and simplified result of a query written as text.
  Id derive(const std::string& query) {
    return simplify(g, expand_queries(g, front.parse_expression(query)));
  }

  // Every atom 1..3 (so size-1 dimensions occur), entries in [-1, 1].
  Bindings point() {
    Bindings b;
    std::uniform_int_distribution<int> size(1, 3);
    std::uniform_real_distribution<double> entry(-1, 1);
    for (size_t i = 0; i < g.dims.size(); ++i)
      if (!g.dims.is_derived(Dim::symbol(static_cast<int32_t>(i))))
        b.dims[static_cast<int32_t>(i)] = size(rng);
    for (size_t s = 0; s < g.symbol_count(); ++s) {
      const Symbol& sym = g.symbol(static_cast<int32_t>(s));
      if (sym.kind != SymbolKind::Variable) continue;
      Matrix m(dim_size(g, sym.shape.rows, b), dim_size(g, sym.shape.cols, b));
      for (Eigen::Index i = 0; i < m.size(); ++i) m.data()[i] = entry(rng);
      b.values[static_cast<int64_t>(s)] = m;
    }
    return b;
  }

  // `printed` parses back to the shape `shape` (as DimTable writes it) and to the value of id.
  void reads_back(Id id, const std::string& printed, const std::string& shape) {
    Id back = kNoId;
    try {
      back = front.parse_expression(printed);
    } catch (const Error& e) {
      ADD_FAILURE() << "`" << printed << "` does not parse: " << e.what();
      return;
    }
    EXPECT_EQ(g.dims.to_string(g[back].shape), shape) << printed;
    EXPECT_EQ(g.dims.to_string(g[id].shape), shape) << printed;
    for (int trial = 0; trial < 3; ++trial) {
      Bindings b = point();
      Matrix p = evaluate(g, id, b), q = evaluate(g, back, b);
      ASSERT_EQ(p.rows(), q.rows()) << printed;
      ASSERT_EQ(p.cols(), q.cols()) << printed;
      for (Eigen::Index i = 0; i < p.size(); ++i) {
        if (std::isnan(p.data()[i]) && std::isnan(q.data()[i])) continue;
        EXPECT_NEAR(p.data()[i], q.data()[i], 1e-12) << printed;
      }
    }
  }

  // The result of `query` prints as `text` and reads back, as text and Unicode, with `shape`.
  void golden(const std::string& query, const std::string& text, const std::string& shape) {
    Id id = derive(query);
    EXPECT_EQ(to_text(g, id), text) << query;
    reads_back(id, to_text(g, id), shape);
    reads_back(id, to_unicode(g, id), shape);
  }

  Graph g;
  Frontend front;
  std::mt19937 rng{13};
};

// The gradient of sum(D*C) is a k x m matrix whose columns are D'*ones: a bare `ones` read
// back as a vector.
TEST_F(ReadBackGolden, GradientOfSumIsAMatrixOfOnes) {
  golden("grad(sum(D*C), C)", "D'*ones(n, m)", "k×m");
}

// The identity is I, never diag(ones) (which read back as a vector).
TEST_F(ReadBackGolden, IdentityIsNotADiagonalOfOnes) {
  golden("grad(sum(diag(F*D)), D)", "F'", "n×k");
  golden("grad(tr(F*D), D)", "F'", "n×k");
}

TEST_F(ReadBackGolden, JacobianOfCosineIsADiagonalMatrix) {
  golden("jacobian(cos(w), w)", "diag(-sin(w))", "n×n");
}

// x*ones' is an outer product, an n x m matrix, not x*ones.
TEST_F(ReadBackGolden, OuterProductWithOnesIsAMatrix) {
  golden("simplify(x*ones(m)')", "x*ones(1, m)", "n×m");
}

// Constants whose size nothing determines say it: a zero Hessian, a whole identity.
TEST_F(ReadBackGolden, UndeterminedConstantsSayTheirSize) {
  golden("hessian(a*sum(x), x)", "zeros(n, n)", "n×n");
  golden("jacobian(x, x)", "I(n)", "n×n");
  golden("grad(sum(x), x)", "ones(n)", "n");
  golden("grad(sum(W), W)", "ones(n, m)", "n×m");
  golden("grad(x'*y + sum(x), x)", "ones + y", "n");
}

// Stacked blocks and Kronecker products read back; kron is a function of the language.
TEST_F(ReadBackGolden, StacksAndKroneckerProductsReadBack) {
  golden("jacobian([x; z], x)", "[I(n); zeros(m, n)]", "n+m×n");
  Id k = derive("jacobian(vec(x*z'), z)");
  reads_back(k, to_text(g, k), g.dims.to_string(g[k].shape));
  reads_back(k, to_unicode(g, k), g.dims.to_string(g[k].shape));
  Id kron_ax = derive("kron(A, X)");
  EXPECT_EQ(to_text(g, kron_ax), "kron(A, X)");
  EXPECT_EQ(to_unicode(g, kron_ax), "(A ⊗ X)");
  reads_back(kron_ax, "(A ⊗ X)", "n*n×n*n");
  EXPECT_EQ(to_latex(g, kron_ax), "\\left(A \\otimes X\\right)");
}

// Equal dimensions spelled differently are one dimension: n+m is m+n, 2*n is n+n.
TEST_F(ReadBackGolden, DimensionsAreCanonical) {
  reads_back(derive("[x; z] + ones"), "[x; z] + ones", "n+m");
  reads_back(derive("[z; x] + ones(n+m)"), "[z; x] + ones(m+n)", "n+m");
  reads_back(derive("I*[x; w]"), "I(n+n)*[x; w]", "2*n");
  reads_back(derive("[x; w] + ones(2*n)"), "[x; w] + ones(n+n)", "2*n");
  reads_back(derive("[A; A] + ones"), "[A; A] + ones(2*n, n)", "2*n×n");
  reads_back(derive("[A, X; X, A]"), "[A, X; X, A]", "2*n×2*n");
  reads_back(derive("[x, y]"), "[x'; y']'", "n×2");
  EXPECT_EQ(to_text(g, derive("[x, y]")), "[x, y]");
  EXPECT_EQ(to_text(g, derive("[A, X; X, A] + ones")), "ones + [A, X; X, A]");
  EXPECT_EQ(to_unicode(g, derive("[A, X; X, A]")), "[A, X; X, A]");
  EXPECT_EQ(to_latex(g, derive("[A, X; X, A]")),
            "\\begin{bmatrix} A & X \\\\ X & A \\end{bmatrix}");
}

// Unicode output parses back: ², ᵀ, ‖x‖, ⊙, ·, ∇, ℝ, √, |x|, ⁻¹, 𝟏, Greek names.
TEST_F(ReadBackGolden, UnicodeReadsBack) {
  front.run_script("alpha in R; x_1 in R^n");
  for (const char* query :
       {"x'*A*x", "norm2(x)^2", "x .* y", "a^2*x", "inv(A)*x", "sqrt(a)", "abs(a)*x", "alpha*x",
        "x_1 - x", "grad(x'*A*x, x)", "ones(n)'*x", "exp(x) ./ (1 + exp(x))", "a^-3"}) {
    Id id = derive(query);
    reads_back(id, to_unicode(g, id), g.dims.to_string(g[id].shape));
  }
  reads_back(derive("∇_x(xᵀ·A·x)"), "(A + Aᵀ)·x", "n");
  front.run_script("v in ℝ^n");
  reads_back(derive("‖v‖² + 1"), "‖v‖^2 + 1", "scalar");
  reads_back(derive("v ⊙ v"), "v .* v", "n");
}

}  // namespace
}  // namespace nabla
