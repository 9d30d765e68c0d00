#pragma once
// The output of the driver, one sink per format (text, Unicode, LaTeX, JSON, C++, NumPy /
// PyTorch): the entry points (driver.cpp) say what happened (a statement, a query, an error, a
// one-shot result, a value), the sink of the run's format writes it. A format's whole output is
// its sink's business, so a new format is a new sink, not a branch in every entry point.
#include <iosfwd>
#include <memory>
#include <string>
#include <vector>

#include "driver/answers.h"
#include "driver/driver.h"
#include "parse/diagnostics.h"
#include "parse/frontend.h"

namespace nabla::driver_detail {

// Where a statement stands in its script, for the sinks that say so (JSON's line and column).
struct Place {
  LineCursor& cursor;
  size_t offset;      // of the statement in the source
  size_t first_line;  // the number of the source's first line
  void locate(size_t* line, size_t* column) const;
};

// One query of a script to answer.
struct ScriptQuery {
  Graph& g;
  const Query& q;
  const DriverOptions& options;
  Place place;
  QuestionText* questions;  // a whole script's question texts (LaTeX documents), or null
  int index;                // 1, 2, ...: the query's number in its session
};

// eval of a top-level grad(e, x, Y) or hessian(e, x, Y) with a non-scalar variable: one block
// per variable (grad) or per pair (hessian), named by the variables.
struct EvalBlocks {
  std::vector<Id> ids;
  std::vector<std::string> names;  // "x", or "x, Y" for a Hessian block
  bool pairs = false;
  Id inputs = kNoId;  // a node reaching every variable the blocks read (for read_values)
};

// The text output (Format::Text, parses back); the other text formats refine it.
class OutputSink {
 public:
  virtual ~OutputSink() = default;

  // An error: the position, the source line with a caret and the hint, on err.
  virtual void error(const Error& e, const std::string& source, const std::string& origin,
                     const std::string& statement, size_t first_line, std::ostream& out,
                     std::ostream& err);
  // Around a whole script (not a session's pieces): a LaTeX document's preamble and end.
  virtual void script_begin(std::ostream&) {}
  virtual void script_end(std::ostream&) {}
  // After the statements of one run of a script or session (the Python module's functions).
  virtual void run_end(const Graph&, std::ostream&) {}
  // A declaration or definition (only JSON shows them).
  virtual void statement(const StatementOutcome&, const Place&, std::ostream&) {}
  // A query or check of a script. Returns kExitCheckFailed for a failed check, else kExitOk;
  // throws Error (the caller prints nothing of a query that failed half-way).
  virtual int query(ScriptQuery& sq, std::ostream& out);
  // `nabla grad|jacobian|hessian|diff|simplify`: the result alone.
  virtual void one_shot(Graph& g, const Query& q, const DriverOptions& options, std::ostream& out);
  // `nabla check`: the outcome alone.
  virtual void check(const std::string& text, const CheckResult& r, const StepLog* steps,
                     std::ostream& out);
  // `nabla eval`: the value, or one value per block.
  virtual void value(const Graph& g, Id id, const Matrix& v, const std::string& expr,
                     const std::vector<std::string>& warnings, std::ostream& out);
  virtual void blocks(const Graph& g, const EvalBlocks& b, const std::vector<Matrix>& vs,
                      std::ostream& out);

 protected:
  // How results print: text, Unicode or LaTeX.
  virtual Format format() const { return Format::Text; }
  // The left side of `QUERY = RESULT` in a script.
  virtual std::string query_side(Graph&, const Query& q) const { return q.text; }
  // The derivation under a query.
  virtual void steps(const StepLog& log, std::ostream& out) const;
};

// The sink of a format.
std::unique_ptr<OutputSink> make_sink(OutputFormat format);

}  // namespace nabla::driver_detail
