#pragma once
// nabla's public C++ API: symbolic expressions over scalars, vectors and matrices.
// An Expr is a handle: a shared graph plus the id of one node in it. Expressions built from the
// same variables share one graph; combining expressions of two different graphs is an error.
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

namespace nabla {

class Graph;  // the IR (src/ir/graph.h); users never need its definition

// A dimension as written in a declaration: a symbol ("n") or a positive size (3).
struct Size {
  Size(const char* symbol) : name(symbol) {}             // NOLINT: implicit on purpose
  Size(std::string symbol) : name(std::move(symbol)) {}  // NOLINT
  Size(int fixed) : value(fixed) {}                      // NOLINT
  std::string name;
  int value = 0;
};

class Expr {
 public:
  // A numeric constant; it joins the graph of the expression it is combined with.
  Expr(double constant);  // NOLINT: implicit, so that 2 * x and x + 1 work
  Expr(int constant) : Expr(static_cast<double>(constant)) {}  // NOLINT
  Expr(std::shared_ptr<Graph> graph, int32_t id) : graph_(std::move(graph)), id_(id) {}

  // Shape: rows() x cols() when both are fixed; -1 for a symbolic dimension.
  int rows() const;
  int cols() const;
  bool is_scalar() const;
  // "scalar", "n", "1×n", "n×m".
  std::string shape_string() const;

  Expr t() const;  // transpose

  const std::shared_ptr<Graph>& graph() const { return graph_; }
  int32_t id() const { return id_; }
  bool is_literal() const { return !graph_; }
  double literal() const { return literal_; }

 private:
  std::shared_ptr<Graph> graph_;
  int32_t id_ = -1;
  double literal_ = 0;  // the value while graph_ is null
};

// ---- Variables ---------------------------------------------------------------------------
// Variables live in the current graph: a fresh one per thread, replaced by new_graph() and by
// each trace of a transformed callable. Declaring a name again with the same shape returns the
// same variable. Sizes mean what they say, as in the language: vector("z", 1) is a vector of
// length 1 (its values are lists of one number, shape_string() "1"), matrix("E", 1, 1) and
// matrix("N", 2, 1) are matrices ("1×1", "2×1"); only scalar() is a scalar.
Expr scalar(const std::string& name);
Expr vector(const std::string& name, Size n);
Expr matrix(const std::string& name, Size rows, Size cols);
Expr symmetric(const std::string& name, Size n);  // Sym(n)
// Starts a fresh current graph for this thread (earlier expressions keep theirs).
void new_graph();

// ---- Constants ---------------------------------------------------------------------------
Expr constant(double value);             // a literal
Expr identity(const Expr& like_square);  // I of the size of a square expression
Expr ones_like(const Expr& e);
Expr zeros_like(const Expr& e);
Expr pi();

// ---- Arithmetic (the language's surface meaning) -------------------------------------------
// A number added to a vector or matrix is added to every entry (x + 1 is x + ones).
Expr operator+(const Expr& a, const Expr& b);
Expr operator-(const Expr& a, const Expr& b);
Expr operator-(const Expr& a);
Expr operator*(const Expr& a, const Expr& b);  // matrix product; scaling when one side is scalar
Expr operator/(const Expr& a, const Expr& s);  // division by a scalar
Expr& operator+=(Expr& a, const Expr& b);
Expr& operator-=(Expr& a, const Expr& b);
Expr& operator*=(Expr& a, const Expr& b);
Expr& operator/=(Expr& a, const Expr& b);
Expr hadamard(const Expr& a, const Expr& b);            // a .* b
Expr elementwise_divide(const Expr& a, const Expr& b);  // a ./ b
Expr transpose(const Expr& a);
Expr pow(const Expr& x, const Expr& p);   // entry-wise x.^p, p scalar
Expr matrix_power(const Expr& a, int k);  // A^k for square A (k < 0 uses inv(A))
Expr dot(const Expr& a, const Expr& b);   // <a, b>: a'*b, Frobenius for matrices
Expr kron(const Expr& a, const Expr& b);
Expr vstack(const std::vector<Expr>& parts);  // [a; b; c]

// ---- Built-in functions (entry-wise) -------------------------------------------------------
Expr exp(const Expr& x);
Expr log(const Expr& x);
Expr sqrt(const Expr& x);
Expr sin(const Expr& x);
Expr cos(const Expr& x);
Expr tan(const Expr& x);
Expr tanh(const Expr& x);
Expr sinh(const Expr& x);
Expr cosh(const Expr& x);
Expr arcsin(const Expr& x);
Expr arccos(const Expr& x);
Expr arctan(const Expr& x);
Expr log2(const Expr& x);   // log(x)/log(2)
Expr log10(const Expr& x);  // log(x)/log(10)
Expr sigmoid(const Expr& x);
Expr softplus(const Expr& x);
Expr log1p(const Expr& x);
Expr expm1(const Expr& x);
Expr abs(const Expr& x);
Expr sign(const Expr& x);
// ---- Reductions and matrix functions --------------------------------------------------------
Expr sum(const Expr& x);
Expr norm2(const Expr& x);
Expr tr(const Expr& a);
Expr det(const Expr& a);
Expr logdet(const Expr& a);
Expr inv(const Expr& a);
Expr diag(const Expr& x);  // vector -> diagonal matrix; square matrix -> its diagonal
Expr softmax(const Expr& x);
Expr logsumexp(const Expr& x);
Expr prod(const Expr& x);  // the product of every entry; its gradient is exact at zero entries
Expr vec(const Expr& x);

// ---- Symbolic transformations (results are simplified) -----------------------------------------
Expr grad(const Expr& e, const Expr& var);                             // same shape as var
std::vector<Expr> grad(const Expr& e, const std::vector<Expr>& vars);  // one block per variable
Expr jacobian(const Expr& e, const Expr& var);  // rows index e, columns index var
Expr hessian(const Expr& e, const Expr& var);
Expr derivative(const Expr& e, const Expr& scalar_var);
Expr simplify(const Expr& e);

// ---- Printing -------------------------------------------------------------------------------
std::string to_string(const Expr& e);   // ASCII in the nabla language (parses back)
std::string to_unicode(const Expr& e);  // for people
std::string to_latex(const Expr& e);    // LaTeX math, no $ delimiters

// ---- Numeric check: do two expressions agree at random dimensions and points? ------------------
struct CheckReport {
  bool holds = false;
  int trials = 0;
  double max_error = 0;
  std::string counterexample;  // when it fails: the point, both values, the difference
  explicit operator bool() const { return holds; }
};
CheckReport check(const Expr& lhs, const Expr& rhs);

}  // namespace nabla
