#pragma once
#include <iosfwd>
#include <memory>
#include <string>
#include <vector>

#include "check/check.h"
#include "explain/derivation.h"
#include "print/print.h"

namespace nabla {

// Exit statuses of the command-line program.
inline constexpr int kExitOk = 0;
inline constexpr int kExitCheckFailed = 1;
inline constexpr int kExitBadInput = 2;

// Cpp / Numpy / Torch: each query becomes a generated function (codegen/codegen.h) computing its
// value and its derivative(s) on Eigen types / NumPy arrays / PyTorch tensors, with shape checks.
enum class OutputFormat { Text, Unicode, Latex, Json, Cpp, Numpy, Torch };

struct DriverOptions {
  OutputFormat format = OutputFormat::Text;
  bool steps = false;
  // --steps=METHOD: the worked solution's method (explain/derivation.h); Auto picks the
  // default per question.
  StepsMethod steps_method = StepsMethod::Auto;
  CheckOptions check;
};

// Runs a script: prints `QUERY = RESULT` per query (with --steps, the derivation under it).
// Every statement runs on its own: one with an error is reported on err (position, caret,
// hint) and the script goes on with the next. Returns the exit status: 2 when any statement
// was bad, else 1 when a check failed, else 0.
//
// With --format json, out receives JSON Lines only, one object per statement, and err
// nothing but warnings. Every object has
//   "kind": "declaration" | "definition" | "query" | "check" | "error"
//   "line", "column": where the statement starts (an error: where the error is), 1-based
//   "statement": the statement's text, whitespace collapsed
// declaration/definition: "names": the names declared or defined.
// query: "query" (as "statement"), "result" (text that parses back), "latex", "shape" (the
//   result's shape: [] scalar, [rows] vector, [rows, cols] otherwise; each dimension a number
//   or a symbol such as "n"), "notes" when any; a gradient w.r.t. several non-scalar variables
//   also has "blocks": [{"wrt", "result", "latex", "shape"}, ...].
// check: "query", "holds", "trials", "max_error"; when it fails "counterexample":
//   {"dims": {"n": 3}, "values": {"x": [..]}, "functions": [..], "lhs": V, "rhs": V,
//   "reason": "..."} with values as in `nabla eval` (number, list, list of rows; NaN null).
// error: "message", "hint" (may be empty), "category" ("syntax", "name", "shape", "value",
//   "limit", "unsupported", "usage", "internal"), "end_line"/"end_column" of its span.
// With --steps, query and check objects carry "steps": the worked solution, an array of
//   {"expression", "unicode", "latex", "rule", "detail", "detail_unicode", "detail_latex"}
//   (+ "kind": "start" | "hence" and "lhs", "lhs_unicode", "lhs_latex" where a line starts a
//   new chain or concludes one), and "method": "rule", "index" or "differential".
// Safe to call from several threads at once (each call has its own graph and state).
int run_script(const std::string& source, const std::string& origin, const DriverOptions& options,
               std::ostream& out, std::ostream& err);

// A script read piece by piece (the REPL): declarations and definitions persist between
// run() calls. Output as run_script's, without the LaTeX document around it.
class ScriptSession {
 public:
  explicit ScriptSession(const DriverOptions& options);
  ~ScriptSession();
  ScriptSession(const ScriptSession&) = delete;
  ScriptSession& operator=(const ScriptSession&) = delete;

  DriverOptions& options();
  // Runs the statements of source; `first_line` numbers its first line in messages.
  // Returns the exit status of these statements.
  int run(const std::string& source, const std::string& origin, std::ostream& out,
          std::ostream& err, size_t first_line = 1);

 private:
  friend int run_script(const std::string& source, const std::string& origin,
                        const DriverOptions& options, std::ostream& out, std::ostream& err);
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// One-shot commands: `nabla grad EXPR --wrt X --let DECLS` prints just the result. With
// --format json one object: "query", "result", "latex", "shape" (as above), "steps" with
// --steps; or an error object as above ("origin" says which argument it is in).
enum class OneShot { Grad, Jacobian, Hessian, Diff, Simplify };
int run_one_shot(OneShot kind, const std::string& expr, const std::string& wrt,
                 const std::string& let, const DriverOptions& options, std::ostream& out,
                 std::ostream& err);

// `nabla check 'LHS == RHS' --let DECLS`. JSON: one check object as above.
int run_check(const std::string& text, const std::string& let, const DriverOptions& options,
              std::ostream& out, std::ostream& err);

// `nabla eval QUERY --values VALUES --let DECLS`: the numeric value. VALUES is a JSON file,
// `-` (standard input, read from `in`) or inline JSON (text starting with `{`); a name that
// is also a dimension of the expression (`"n": 4`) fixes that dimension and must agree with
// the values' sizes. A result with NaN or infinity gets a warning on err naming the
// operation that produced it. JSON: {"query", "value", "shape" (concrete), "warnings"?}.
int run_eval(const std::string& expr, const std::string& values, const std::string& let,
             const DriverOptions& options, std::ostream& out, std::ostream& err,
             std::istream* in = nullptr);

// An error object as the JSON output writes it, for callers that fail before the driver runs
// (command-line usage errors).
std::string json_error_line(const std::string& message, const std::string& hint,
                            const std::string& category);

}  // namespace nabla
