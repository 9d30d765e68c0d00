#pragma once
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ir/graph.h"
#include "parse/ast.h"
#include "parse/scope.h"

namespace nabla {

// The shape of a sub-expression during inference: rows and columns are dimension variables,
// unified by use (union-find). A variable is bound to a concrete Dim or still open.
struct Ty {
  int rows = 0;
  int cols = 0;
};

// An undeclared name of one statement.
struct InferredName {
  std::string name;
  SourceSpan first;
  Ty ty;
  int32_t symbol = -1;  // after settle()
};

// Turns one statement's syntax tree into IR: shape inference first (so errors point at the
// source), then lowering through the builders of ir/build.h.
class Compiler {
 public:
  Compiler(Graph& graph, const Scope& scope, std::string_view source, const Ast& ast,
           std::map<std::string, int32_t>& inferred_symbols);

  // Inference. `top`: a query at the root of a statement needs no result shape.
  Ty infer(int node, bool top = false);
  // A parameter of a function being defined that is not a declared variable.
  void add_inferred(const std::string& name, SourceSpan span);
  // Requires lhs and rhs of `check` to have one shape (a constant scalar side broadcasts).
  void unify_check(int lhs, int rhs);
  // Gives every open dimension a value: 1 where a vector/constant defaults, else a fresh name
  // (n, m, k, p, ...) not used in scope; creates the symbols of the undeclared names.
  void settle();

  // Lowering (after settle()).
  Id lower(int node);
  // A constant scalar side of `check` broadcast to the other's shape.
  Id lower_check_side(int node, Id self, Id other);
  Id variable_of(int name_node);  // the Var node of a Name (for wrt lists)

  const std::vector<InferredName>& inferred() const { return inferred_; }
  bool is_constant(int node) const;  // numbers, pi, and arithmetic on them

 private:
  struct DimVar {
    int parent;
    bool bound;
    Dim value;
    bool default_one;
    bool never_one = false;  // a dimension of an undeclared upper-case name (a matrix)
  };
  int new_var(bool default_one = false);
  int vec_len(Ty t);
  Id p_norm(Id x, int p_node);
  bool known_nonscalar(Ty t);  // a dimension is known and is not 1
  int bound_var(Dim d);
  int find(int v);
  bool resolved(int v) { return dims_[static_cast<size_t>(find(v))].bound; }
  Dim value(int v) { return dims_[static_cast<size_t>(find(v))].value; }
  bool is_one(int v) { return resolved(v) && value(v) == Dim::fixed(1); }
  bool compatible(int a, int b);
  bool unify(int a, int b);
  bool unify_ty(Ty a, Ty b);
  Ty scalar_ty();
  Ty shape_ty(Shape s);
  bool scalar(Ty t) { return is_one(t.rows) && is_one(t.cols); }
  bool could_be_scalar(Ty t);
  std::string dim_str(int v);
  std::string ty_str(Ty t);
  std::string quote(SourceSpan span) const;
  std::string quote(int node) const { return quote(ast_[node].span); }
  std::string spelling_hint(const std::string& name) const;
  [[noreturn]] void shape_error(const std::string& message, SourceSpan span, int culprit = -1);
  std::optional<Rational> constant_value(int node) const;

  Ty infer_chain(int node);
  Ty infer_product(Ty a, Ty b, int node, size_t i);
  Ty kron_ty(Ty a, Ty b);
  Ty infer_power(int node);
  Ty infer_builtin(int node);
  Ty infer_call(int node);
  Ty infer_query(int node, bool top);
  Ty infer_name(int node);
  InferredName& inferred_entry(const std::string& name, SourceSpan span);

  Dim settle_dim(int v);
  std::string fresh_name();
  Shape settled(Ty t) {
    Dim r = settle_dim(t.rows);  // rows first: fresh names go in reading order
    return Shape::matrix(r, settle_dim(t.cols));
  }

  Id lower_chain(int node);
  Id lower_power(int node);
  Id lower_call(int node);
  Id lower_name(int node);
  Id broadcast(Id c, Shape shape);

  Graph& g_;
  const Scope& scope_;
  std::string_view src_;
  const Ast& ast_;
  std::map<std::string, int32_t>& inferred_symbols_;
  std::vector<DimVar> dims_;
  std::vector<Ty> ty_;  // per AST node
  std::vector<InferredName> inferred_;
  std::map<std::string, size_t> inferred_index_;
  std::vector<std::string> used_names_;
  bool used_collected_ = false;
};

}  // namespace nabla
