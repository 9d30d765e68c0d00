// The driver's output sinks, one per format (see sinks.h).
#include "driver/sinks.h"

#include <ostream>

#include "eval/values.h"
#include "ir/error.h"

namespace nabla::driver_detail {

void Place::locate(size_t* line, size_t* column) const {
  cursor.locate(offset, line, column);
  *line += first_line - 1;
}

// ---- Text: what parses back ----

void OutputSink::error(const Error& e, const std::string& source, const std::string& origin,
                       const std::string&, size_t first_line, std::ostream&, std::ostream& err) {
  report(e, source, origin, err, first_line);
}

void OutputSink::steps(const StepLog& log, std::ostream& out) const {
  for (size_t i = 0; i < log.lines.size(); ++i)
    out << "  " << (i + 1) << ". " << log.lines[i] << "\n";
}

int OutputSink::query(ScriptQuery& sq, std::ostream& out) {
  StepLog log;
  StepLog* logged = sq.options.steps ? &log : nullptr;
  int status = kExitOk;
  if (sq.q.kind == QueryKind::Check) {
    CheckOutcome c = run_one_check(sq.g, sq.q, sq.options, logged);
    if (!c.result.holds) status = kExitCheckFailed;
    out << check_line(sq.q, c.result) << "\n";
    if (!c.result.holds) out << indent(c.result.counterexample, "  ");
  } else {
    std::vector<Id> blocks = answer(sq.g, sq.q, logged);
    out << query_side(sq.g, sq.q) << " = " << join_blocks(sq.g, blocks, format()) << "\n";
    for (const std::string& note : sq.q.notes) out << "  note: " << note << "\n";
  }
  steps(log, out);
  return status;
}

void OutputSink::one_shot(Graph& g, const Query& q, const DriverOptions& options,
                          std::ostream& out) {
  StepLog log;
  std::vector<Id> blocks = answer(g, q, options.steps ? &log : nullptr);
  out << join_blocks(g, blocks, format()) << "\n";
  for (const std::string& line : log.lines) out << "  " << line << "\n";
}

void OutputSink::check(const std::string&, const CheckResult& r, const StepLog* steps,
                       std::ostream& out) {
  out << (r.holds ? "holds (" + std::to_string(r.trials) + " trials, max rel. error " +
                        format_number(r.max_error) + ")"
                  : std::string("FAILS"))
      << "\n";
  if (!r.holds) out << indent(r.counterexample, "  ");
  if (steps)
    for (const std::string& line : steps->lines) out << "  " << line << "\n";
}

void OutputSink::value(const Graph& g, Id id, const Matrix& v, const std::string&,
                       const std::vector<std::string>&, std::ostream& out) {
  out << plain_value(g, id, v) << "\n";
}

void OutputSink::blocks(const Graph& g, const EvalBlocks& b, const std::vector<Matrix>& vs,
                        std::ostream& out) {
  for (size_t i = 0; i < b.ids.size(); ++i)
    out << b.names[i] << ": " << plain_value(g, b.ids[i], vs[i]) << "\n";
}

namespace {

// ---- Unicode: the query printed as a formula too ----

class UnicodeSink : public OutputSink {
 protected:
  Format format() const override { return Format::Unicode; }
  std::string query_side(Graph& g, const Query& q) const override {
    return print(g, query_formula(g, q), Format::Unicode);
  }
};

// ---- LaTeX: a document of displayed equations, under each query its question text ----

class LatexSink : public OutputSink {
 public:
  void script_begin(std::ostream& out) override { out << kLatexPreamble; }
  void script_end(std::ostream& out) override { out << "\\end{document}\n"; }

  int query(ScriptQuery& sq, std::ostream& out) override {
    Graph& g = sq.g;
    const Query& q = sq.q;
    if (sq.questions)
      for (const std::string& line : sq.questions->before(q.span.begin))
        out << "\\noindent " << latex_text(line) << "\n\n";
    StepLog log;
    StepLog* logged = sq.options.steps ? &log : nullptr;
    int status = kExitOk;
    if (q.kind == QueryKind::Check) {
      CheckOutcome c = run_one_check(g, q, sq.options, logged);
      if (!c.result.holds) status = kExitCheckFailed;
      out << "\\[ " << to_latex(g, q.expr) << " \\overset{?}{=} " << to_latex(g, q.rhs) << " \\]\n"
          << (c.result.holds ? "holds" : "\\textbf{FAILS}") << " (" << c.result.trials
          << " trials)\n\n";
    } else {
      std::vector<Id> blocks = answer(g, q, logged);
      out << "\\[ " << to_latex(g, query_formula(g, q)) << " = "
          << join_blocks(g, blocks, Format::Latex) << " \\]\n\n";
    }
    steps(log, out);
    return status;
  }

 protected:
  Format format() const override { return Format::Latex; }
  void steps(const StepLog& log, std::ostream& out) const override {
    for (size_t i = 0; i < log.lines.size(); ++i)
      out << "\\noindent " << (i + 1) << ". \\verb|" << log.lines[i] << "|\\\\\n";
    if (!log.lines.empty()) out << "\n";
  }
};

// ---- JSON: JSON Lines, one object per statement (see driver.h) ----

class JsonSink : public OutputSink {
 public:
  void error(const Error& e, const std::string& source, const std::string& origin,
             const std::string& statement, size_t first_line, std::ostream& out,
             std::ostream&) override {
    out << json_text(error_json(e, source, origin, statement, first_line)) << "\n";
  }

  void statement(const StatementOutcome& o, const Place& place, std::ostream& out) override {
    nlohmann::json j{
        {"kind", o.kind == StatementOutcome::Kind::Declaration ? "declaration" : "definition"}};
    position(place, j);
    j["statement"] = o.text;
    j["names"] = o.names;
    out << json_text(j) << "\n";
  }

  int query(ScriptQuery& sq, std::ostream& out) override {
    StepLog log;
    StepLog* logged = sq.options.steps ? &log : nullptr;
    int status = kExitOk;
    nlohmann::json j;
    if (sq.q.kind == QueryKind::Check) {
      CheckOutcome c = run_one_check(sq.g, sq.q, sq.options, logged);
      if (!c.result.holds) status = kExitCheckFailed;
      j = {{"kind", "check"}, {"query", sq.q.text}};
      check_json(c.result, j);
    } else {
      j = result_json(sq.g, sq.q, answer(sq.g, sq.q, logged));
    }
    nlohmann::json line{{"kind", j["kind"]}};
    position(sq.place, line);
    line["statement"] = sq.q.text;
    line.update(j);
    if (logged) line["steps"] = log.lines;
    out << json_text(line) << "\n";
    return status;
  }

  void one_shot(Graph& g, const Query& q, const DriverOptions& options,
                std::ostream& out) override {
    StepLog log;
    nlohmann::json j = result_json(g, q, answer(g, q, options.steps ? &log : nullptr));
    j.erase("kind");
    if (options.steps) j["steps"] = log.lines;
    out << json_text(j) << "\n";
  }

  void check(const std::string& text, const CheckResult& r, const StepLog* steps,
             std::ostream& out) override {
    nlohmann::json j{{"query", text}};
    check_json(r, j);
    if (steps) j["steps"] = steps->lines;
    out << json_text(j) << "\n";
  }

  void value(const Graph& g, Id id, const Matrix& v, const std::string& expr,
             const std::vector<std::string>& warnings, std::ostream& out) override {
    nlohmann::json j = value_to_json(g, id, v);
    j["query"] = expr;
    if (!warnings.empty()) j["warnings"] = warnings;
    out << json_text(j) << "\n";
  }

  // An object per variable (Hessian: nested per pair).
  void blocks(const Graph& g, const EvalBlocks& b, const std::vector<Matrix>& vs,
              std::ostream& out) override {
    nlohmann::json j = nlohmann::json::object();
    for (size_t i = 0; i < b.ids.size(); ++i) {
      const std::string& n = b.names[i];
      nlohmann::json v = value_to_json(g, b.ids[i], vs[i]);
      if (!b.pairs) {
        j[n] = v;
      } else {
        size_t comma = n.find(", ");
        j[n.substr(0, comma)][n.substr(comma + 2)] = v;
      }
    }
    out << json_text(j) << "\n";
  }

 private:
  static void position(const Place& place, nlohmann::json& j) {
    size_t line, column;
    place.locate(&line, &column);
    j["line"] = line;
    j["column"] = column;
  }
};

// ---- C++: each query one generated function (checks and values print as text) ----

class CppSink : public OutputSink {
 public:
  int query(ScriptQuery& sq, std::ostream& out) override {
    StepLog log;
    CodeFunction f = code_function(sq.g, sq.q, "query_" + std::to_string(sq.index),
                                   sq.options.steps ? &log : nullptr);
    out << "// " << sq.q.text << "\n" << emit_cpp(sq.g, f) << "\n";  // throws for what has no code
    return kExitOk;
  }
  void one_shot(Graph& g, const Query& q, const DriverOptions&, std::ostream& out) override {
    out << emit_cpp(g, code_function(g, q, "f", nullptr));
  }
};

// ---- NumPy / PyTorch: the queries' functions as one Python module at the end of a run ----

class PythonSink : public OutputSink {
 public:
  explicit PythonSink(bool torch) : torch_(torch) {}
  int query(ScriptQuery& sq, std::ostream&) override {
    StepLog log;
    CodeFunction f = code_function(sq.g, sq.q, "query_" + std::to_string(sq.index),
                                   sq.options.steps ? &log : nullptr);
    emit(sq.g, f);  // throws for what has no code, before the function is kept
    functions_.push_back(std::move(f));
    return kExitOk;
  }
  void run_end(const Graph& g, std::ostream& out) override {
    if (functions_.empty()) return;  // each was generated once above: this does not throw
    out << (torch_ ? emit_torch_module(g, functions_) : emit_numpy_module(g, functions_));
    functions_.clear();
  }
  void one_shot(Graph& g, const Query& q, const DriverOptions&, std::ostream& out) override {
    out << emit(g, code_function(g, q, "f", nullptr));
  }

 private:
  std::string emit(const Graph& g, const CodeFunction& f) const {
    return torch_ ? emit_torch(g, f) : emit_numpy(g, f);
  }
  bool torch_;
  std::vector<CodeFunction> functions_;
};

}  // namespace

std::unique_ptr<OutputSink> make_sink(OutputFormat format) {
  switch (format) {
    case OutputFormat::Text:
      return std::make_unique<OutputSink>();
    case OutputFormat::Unicode:
      return std::make_unique<UnicodeSink>();
    case OutputFormat::Latex:
      return std::make_unique<LatexSink>();
    case OutputFormat::Json:
      return std::make_unique<JsonSink>();
    case OutputFormat::Cpp:
      return std::make_unique<CppSink>();
    case OutputFormat::Numpy:
      return std::make_unique<PythonSink>(false);
    case OutputFormat::Torch:
      return std::make_unique<PythonSink>(true);
  }
  throw Error(ErrorKind::Internal, "no output sink for this format");
}

}  // namespace nabla::driver_detail
