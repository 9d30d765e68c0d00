#pragma once
#include <memory>
#include <optional>
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
// One statement of a script as Frontend::run_statements read it.
struct StatementOutcome {
  enum class Kind { Declaration, Definition, Query, Error };
  Kind kind = Kind::Error;
  SourceSpan span;                 // the statement's text in the source
  std::string text;                // that text, whitespace collapsed
  std::vector<std::string> names;  // Declaration/Definition: the names it gave meaning to
  Query query;                     // Kind::Query (Check included)
  std::optional<Error> error;      // Kind::Error: what was wrong, with a span into the source
};

class Frontend {
 public:
  explicit Frontend(Graph& graph);
  ~Frontend();
  Frontend(const Frontend&) = delete;
  Frontend& operator=(const Frontend&) = delete;

  // Parses a whole script: declarations and definitions update the scope, queries are returned
  // in order. Query nodes inside expressions (grad(...) in a check) stay as Op::Grad etc.
  std::vector<Query> run_script(std::string_view source);
  // Runs every statement of a script, each on its own: a statement with an error comes back
  // with it (the scope unchanged by that statement) and the next one runs. A declaration or
  // definition that failed makes later statements using its name fail with "uses the failed
  // definition NAME (line L)" rather than a cascade of unrelated errors; `first_line` numbers
  // the source's first line in those messages (a REPL passes its input count). The failed
  // names are remembered across calls until a statement gives them a meaning again.
  std::vector<StatementOutcome> run_statements(std::string_view source, size_t first_line = 1);
  // One expression in the current scope (for `nabla eval EXPR`, `nabla grad EXPR`).
  Id parse_expression(std::string_view source);
  // A comma-separated list of variable names in scope ("x" or "x, y") as Var nodes (--wrt).
  std::vector<Id> parse_variables(std::string_view source);

  // Puts a symbol of the graph (a variable or function declared through Graph, as the C++ API
  // and the tests do) into the scope under its name, as a declaration would: text that names
  // it then reads back to that very symbol.
  void name_symbol(int32_t symbol);

  Graph& graph();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Limits that keep hostile input from exhausting the machine; exceeding one is ErrorKind::Limit.
inline constexpr size_t kMaxSourceBytes = 4u << 20;  // 4 MiB
inline constexpr int kMaxNestingDepth = 1000;

// "origin:line:col: error: message\n  <source line>\n  ^~~~\nhint: ...\n"; the source's
// first line is numbered first_line (a REPL's input count).
std::string format_error(const Error& error, std::string_view source, std::string_view origin,
                         size_t first_line = 1);

}  // namespace nabla
