#pragma once
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ir/error.h"
#include "ir/graph.h"

namespace nabla {

// What a script asks for. Declarations and definitions are absorbed by the Frontend's scope;
// only queries come out.
enum class QueryKind {
  Show,      // `e` alone: the expression, simplified
  Grad,      // grad(e, x), grad(e, x, y, z), grad_x e, ∇_x e, and `grad f` for a defined f
  Jacobian,  // jacobian(e, x), J_x e
  Hessian,   // hessian(e, x)
  Diff,      // diff(e, x)
  Simplify,  // simplify(e)
  Check,     // check lhs == rhs
};

struct Query {
  QueryKind kind = QueryKind::Show;
  std::string text;     // the query as written, whitespace collapsed (printed as "TEXT = RESULT")
  SourceSpan span;      // where it stands in the source
  Id expr = kNoId;      // the expression (Check: the left side)
  Id rhs = kNoId;       // Check: the right side
  std::vector<Id> wrt;  // Grad/Jacobian/Hessian/Diff: the Var nodes, in order
  std::vector<std::string> notes;  // e.g. "gradient w.r.t. Sym(n) matrix S is the unstructured one"
};

// Reads the nabla language (docs/language.md) into a Graph. Keeps the scope of
// declarations and definitions between calls, so `--let DECLS` then an expression works.
// Every method throws nabla::Error with a span into the text it was given.
class Frontend {
 public:
  explicit Frontend(Graph& graph);
  ~Frontend();
  Frontend(const Frontend&) = delete;
  Frontend& operator=(const Frontend&) = delete;

  // Parses a whole script: declarations and definitions update the scope, queries are returned
  // in order. Query nodes inside expressions (grad(...) in a check) stay as Op::Grad etc.
  std::vector<Query> run_script(std::string_view source);
  // One expression in the current scope (for `nabla eval EXPR`, `nabla grad EXPR`).
  Id parse_expression(std::string_view source);
  // A comma-separated list of variable names in scope ("x" or "x, y") as Var nodes (--wrt).
  std::vector<Id> parse_variables(std::string_view source);

  Graph& graph();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Limits that keep hostile input from exhausting the machine; exceeding one is ErrorKind::Limit.
inline constexpr size_t kMaxSourceBytes = 4u << 20;  // 4 MiB
inline constexpr int kMaxNestingDepth = 1000;

// "origin:line:col: error: message\n  <source line>\n  ^~~~\nhint: ...\n"
std::string format_error(const Error& error, std::string_view source, std::string_view origin);

}  // namespace nabla
