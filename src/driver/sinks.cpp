// The driver's output sinks, one per format (see sinks.h).
#include "driver/sinks.h"

#include <ostream>

#include "driver/worked.h"
#include "eval/values.h"
#include "explain/sheet_latex.h"
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

void OutputSink::chain(const Graph& g, const std::optional<Derivation>& worked,
                       const std::string& note, std::ostream& out) const {
  out << chain_text(g, worked, note, format());
}

int OutputSink::query(ScriptQuery& sq, std::ostream& out) {
  int status = kExitOk;
  if (sq.q.kind == QueryKind::Check) {  // the worked solution is the query's, above it
    CheckOutcome c = run_one_check(sq.g, sq.q, sq.options, nullptr);
    if (!c.result.holds) status = kExitCheckFailed;
    out << check_line(sq.q, c.result) << "\n";
    if (!c.result.holds) out << indent(c.result.counterexample, "  ");
  } else {
    std::vector<Id> blocks = answer(sq.g, sq.q, nullptr);
    out << query_side(sq.g, sq.q) << " = " << join_blocks(sq.g, blocks, format()) << "\n";
    for (const std::string& note : sq.q.notes) out << "  note: " << note << "\n";
    if (sq.options.steps) {
      std::string why;
      auto worked = worked_solution(sq.g, sq.q, blocks, sq.options.steps_method, &why);
      chain(sq.g, worked, why, out);
    }
  }
  return status;
}

void OutputSink::one_shot(Graph& g, const Query& q, const DriverOptions& options,
                          std::ostream& out) {
  std::vector<Id> blocks = answer(g, q, nullptr);
  out << join_blocks(g, blocks, format()) << "\n";
  if (options.steps) {
    std::string why;
    auto worked = worked_solution(g, q, blocks, options.steps_method, &why);
    chain(g, worked, why, out);
  }
}

void OutputSink::check(Graph& g, const Query& q, const std::string&, const CheckResult& r,
                       const DriverOptions& options, std::ostream& out) {
  out << (r.holds ? "holds (" + std::to_string(r.trials) + " trials, max rel. error " +
                        format_number(r.max_error) + ")"
                  : std::string("FAILS"))
      << "\n";
  if (!r.holds) out << indent(r.counterexample, "  ");
  if (options.steps) {
    std::string why;
    auto worked = worked_solution(g, q, {}, options.steps_method, &why);
    chain(g, worked, why, out);
  }
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
  void script_begin(const std::string& source, const std::string& origin,
                    std::ostream& out) override {
    out << sheet_preamble(script_title(source, origin));
    document_ = true;
  }
  void script_end(std::ostream& out) override { out << sheet_end(); }

  // A worked sheet types the declarations, under the heading of their question.
  void statement(const StatementOutcome& o, const Place&, QuestionText* questions,
                 std::ostream& out) override {
    if (!questions) return;
    out << sheet_comments(questions->before(o.span.begin)) << "\n";
    out << (o.kind == StatementOutcome::Kind::Declaration
                ? sheet_declaration(o.text)
                : "\\noindent Let \\texttt{" + latex_text(o.text) + "}.\n\n");
  }

  // In a document every answer is its derivation (issue 16); a check shows its outcome and,
  // when it fails, the counterexample as a table.
  int query(ScriptQuery& sq, std::ostream& out) override {
    Graph& g = sq.g;
    const Query& q = sq.q;
    if (sq.questions) out << sheet_comments(sq.questions->before(q.span.begin)) << "\n";
    int status = kExitOk;
    if (q.kind == QueryKind::Check) {
      CheckOutcome c = run_one_check(g, q, sq.options, nullptr);
      if (!c.result.holds) status = kExitCheckFailed;
      if (sq.questions)
        out << sheet_check(g, q.expr, q.rhs, c.result);
      else
        out << "\\[ " << to_latex(g, q.expr) << " \\overset{?}{=} " << to_latex(g, q.rhs)
            << " \\]\n"
            << (c.result.holds ? "holds" : "\\textbf{FAILS}") << " (" << c.result.trials
            << " trials)\n\n";
      return status;
    }
    std::vector<Id> blocks = answer(g, q, nullptr);
    std::optional<Derivation> worked;
    if (sq.options.steps || sq.questions)
      worked = worked_solution(g, q, blocks, sq.options.steps_method);
    if (worked)
      out << sheet_chain(g, *worked) << "\n";
    else if (blocks.size() == 1 && sq.questions)
      out << sheet_formula(g, query_formula(g, q), "=", blocks[0]) << "\n";
    else
      out << "\\[ " << to_latex(g, query_formula(g, q)) << " = "
          << join_blocks(g, blocks, Format::Latex) << " \\]\n\n";
    return status;
  }

 protected:
  Format format() const override { return Format::Latex; }
  void chain(const Graph& g, const std::optional<Derivation>& worked, const std::string&,
             std::ostream& out) const override {
    if (worked) out << format_chain_latex(g, *worked);
  }

 private:
  bool document_ = false;
};

// ---- JSON: JSON Lines, one object per statement (see driver.h) ----

class JsonSink : public OutputSink {
 public:
  void error(const Error& e, const std::string& source, const std::string& origin,
             const std::string& statement, size_t first_line, std::ostream& out,
             std::ostream&) override {
    out << json_text(error_json(e, source, origin, statement, first_line)) << "\n";
  }

  void statement(const StatementOutcome& o, const Place& place, QuestionText*,
                 std::ostream& out) override {
    nlohmann::json j{
        {"kind", o.kind == StatementOutcome::Kind::Declaration ? "declaration" : "definition"}};
    position(place, j);
    j["statement"] = o.text;
    j["names"] = o.names;
    out << json_text(j) << "\n";
  }

  int query(ScriptQuery& sq, std::ostream& out) override {
    int status = kExitOk;
    nlohmann::json j;
    std::optional<Derivation> worked;
    std::string why;
    if (sq.q.kind == QueryKind::Check) {
      CheckOutcome c = run_one_check(sq.g, sq.q, sq.options, nullptr);
      if (!c.result.holds) status = kExitCheckFailed;
      j = {{"kind", "check"}, {"query", sq.q.text}};
      check_json(c.result, j);
      if (sq.options.steps) worked = worked_solution(sq.g, sq.q, {}, sq.options.steps_method, &why);
    } else {
      std::vector<Id> blocks = answer(sq.g, sq.q, nullptr);
      j = result_json(sq.g, sq.q, blocks);
      if (sq.options.steps)
        worked = worked_solution(sq.g, sq.q, blocks, sq.options.steps_method, &why);
    }
    nlohmann::json line{{"kind", j["kind"]}};
    position(sq.place, line);
    line["statement"] = sq.q.text;
    line.update(j);
    if (sq.options.steps) steps_json(sq.g, worked, why, line);
    out << json_text(line) << "\n";
    return status;
  }

  void one_shot(Graph& g, const Query& q, const DriverOptions& options,
                std::ostream& out) override {
    std::vector<Id> blocks = answer(g, q, nullptr);
    nlohmann::json j = result_json(g, q, blocks);
    j.erase("kind");
    if (options.steps) {
      std::string why;
      auto worked = worked_solution(g, q, blocks, options.steps_method, &why);
      steps_json(g, worked, why, j);
    }
    out << json_text(j) << "\n";
  }

  void check(Graph& g, const Query& q, const std::string& text, const CheckResult& r,
             const DriverOptions& options, std::ostream& out) override {
    nlohmann::json j{{"query", text}};
    check_json(r, j);
    if (options.steps) {
      std::string why;
      auto worked = worked_solution(g, q, {}, options.steps_method, &why);
      steps_json(g, worked, why, j);
    }
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
