#include "driver/driver.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>

#include "codegen/codegen.h"
#include "diff/diff.h"
#include "eval/evaluate.h"
#include "eval/plan.h"
#include "eval/values.h"
#include "ir/build.h"
#include "ir/error.h"
#include "ir/value_kind.h"
#include "parse/diagnostics.h"
#include "parse/frontend.h"
#include "simplify/simplify.h"

namespace nabla {

namespace {

// Time for all the simplifications of one run (script, one-shot query, check or eval), in
// seconds of an optimized build; sanitizer builds run several times slower, so their budget
// is scaled the way the tests scale their time limits.
#if defined(__SANITIZE_ADDRESS__)
constexpr double kRunSeconds = 1.5 * 8;
#else
constexpr double kRunSeconds = 1.5;
#endif

// Errors of one script reported before the rest of it is given up (as compilers do).
constexpr int kMaxErrors = 20;

Format print_format(OutputFormat f) {
  switch (f) {
    case OutputFormat::Unicode:
      return Format::Unicode;
    case OutputFormat::Latex:
      return Format::Latex;
    default:
      return Format::Text;
  }
}

// One JSON value as text; bytes that are not UTF-8 (from a source that was not) become U+FFFD
// instead of an exception.
std::string json_text(const nlohmann::json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

bool has_position(const Error& e, const std::string& source) {
  return e.span().valid() && e.span().end <= source.size() + 1;
}

// An error with a span into `source` gets position and caret; others one line and the hint.
void report(const Error& e, const std::string& source, const std::string& origin, std::ostream& err,
            size_t first_line = 1) {
  if (has_position(e, source)) {
    err << format_error(e, source, origin, first_line);
    return;
  }
  err << origin << ": error: " << e.what() << "\n";
  if (!e.hint().empty()) err << "hint: " << e.hint() << "\n";
}

// The error as a JSON object (see driver.h); lines are counted from first_line.
nlohmann::json error_json(const Error& e, const std::string& source, const std::string& origin,
                          const std::string& statement, size_t first_line = 1) {
  nlohmann::json j{{"kind", "error"}};
  if (has_position(e, source)) {
    size_t line, column, end_line, end_column;
    line_and_column(source, e.span().begin, &line, &column);
    line_and_column(source, e.span().end, &end_line, &end_column);
    j["line"] = line + first_line - 1;
    j["column"] = column;
    j["end_line"] = end_line + first_line - 1;
    j["end_column"] = end_column;
  }
  if (!statement.empty()) j["statement"] = statement;
  j["message"] = e.what();
  j["hint"] = e.hint();
  j["category"] = error_kind_name(e.kind());
  j["origin"] = origin;
  return j;
}

// Writes an error where the output format wants it: JSON on out, text on err.
void report_as(OutputFormat format, const Error& e, const std::string& source,
               const std::string& origin, std::ostream& out, std::ostream& err,
               const std::string& statement = {}, size_t first_line = 1) {
  if (format == OutputFormat::Json)
    out << json_text(error_json(e, source, origin, statement, first_line)) << "\n";
  else
    report(e, source, origin, err, first_line);
}

// A shape as JSON: [] scalar, [rows] column vector, [rows, cols] otherwise; a dimension is a
// number or its symbol's text.
nlohmann::json shape_json(const Graph& g, Shape s) {
  auto dim = [&](Dim d) -> nlohmann::json {
    if (d.is_fixed()) return d.v;
    return g.dims.to_string(d);
  };
  if (s.is_scalar()) return nlohmann::json::array();
  if (s.cols.is_one()) return nlohmann::json::array({dim(s.rows)});
  return nlohmann::json::array({dim(s.rows), dim(s.cols)});
}

// A concrete value as `nabla eval` writes it: number, list, or list of rows (NaN: null).
nlohmann::json matrix_json(const Matrix& m) {
  auto number = [](double v) -> nlohmann::json {
    if (!std::isfinite(v)) return nullptr;
    return v;
  };
  if (m.rows() == 1 && m.cols() == 1) return number(m(0, 0));
  nlohmann::json out = nlohmann::json::array();
  if (m.cols() == 1) {
    for (Eigen::Index i = 0; i < m.rows(); ++i) out.push_back(number(m(i, 0)));
    return out;
  }
  for (Eigen::Index i = 0; i < m.rows(); ++i) {
    nlohmann::json row = nlohmann::json::array();
    for (Eigen::Index k = 0; k < m.cols(); ++k) row.push_back(number(m(i, k)));
    out.push_back(std::move(row));
  }
  return out;
}

// The derived, simplified result of a query; one id per block (several for grad w.r.t.
// several non-scalar variables).
std::vector<Id> answer(Graph& g, const Query& q, StepLog* steps) {
  auto finish = [&](Id raw) {
    Id expanded = expand_queries(g, raw, steps);
    // The result keeps the query's kind (grad w.r.t. z in R^1 is a vector of length 1).
    return with_kind(g, simplify(g, expanded, {}, nullptr, steps), value_kind(g, raw));
  };
  switch (q.kind) {
    case QueryKind::Show:
    case QueryKind::Simplify:
      return {finish(q.expr)};
    case QueryKind::Grad: {
      bool all_scalar = true;
      for (Id v : q.wrt) all_scalar = all_scalar && g[v].shape.is_scalar();
      if (q.wrt.size() == 1 || all_scalar) return {finish(grad_query(g, q.expr, q.wrt))};
      std::vector<Id> blocks;
      for (Id v : q.wrt) blocks.push_back(finish(grad_query(g, q.expr, {v})));
      return blocks;
    }
    case QueryKind::Jacobian:
      return {finish(query(g, Op::Jacobian, q.expr, q.wrt.at(0)))};
    case QueryKind::Hessian: {
      // Several variables: one block matrix when all are scalars, else the blocks per pair
      // (x1, x1), (x1, x2), ..., each jacobian(grad(e, xi), xj).
      bool all_scalar = true;
      for (Id v : q.wrt) all_scalar = all_scalar && g[v].shape.is_scalar();
      if (q.wrt.size() == 1 || all_scalar) return {finish(query(g, Op::Hessian, q.expr, q.wrt))};
      std::vector<Id> blocks;
      for (Id vi : q.wrt)
        for (Id vj : q.wrt)
          blocks.push_back(finish(query(g, Op::Jacobian, grad_query(g, q.expr, {vi}), vj)));
      return blocks;
    }
    case QueryKind::Diff:
      return {finish(query(g, Op::Derivative, q.expr, q.wrt.at(0)))};
    case QueryKind::Check:
      break;
  }
  throw Error(ErrorKind::Internal, "answer() called on a check");
}

std::string join_blocks(const Graph& g, const std::vector<Id>& blocks, Format f) {
  if (blocks.size() == 1) return print(g, blocks[0], f);
  std::string s = "(";
  for (size_t i = 0; i < blocks.size(); ++i) {
    if (i) s += ", ";
    s += print(g, blocks[i], f);
  }
  return s + ")";
}

bool is_code_format(OutputFormat f) {
  return f == OutputFormat::Cpp || f == OutputFormat::Numpy || f == OutputFormat::Torch;
}

// --format cpp|numpy: the query as one generated function. Outputs: "value" (the expression,
// simplified), then the derivative blocks ("grad_x", "jacobian_x", "hessian_x", "diff_x"; one
// "grad" for a stacked gradient w.r.t. several scalars); a check gives "lhs" and "rhs".
// The function generated for a query: its value and its derivative(s) (a check: both sides).
CodeFunction code_function(Graph& g, const Query& q, const std::string& name, StepLog* steps) {
  CodeFunction f;
  f.name = name;
  f.comment = q.text;
  std::replace(f.comment.begin(), f.comment.end(), '\n', ' ');
  auto finish = [&](Id raw) {
    return with_kind(g, simplify(g, expand_queries(g, raw, steps), {}, nullptr, steps),
                     value_kind(g, raw));
  };
  if (q.kind == QueryKind::Check) {
    f.outputs.push_back({"lhs", finish(q.expr)});
    f.outputs.push_back({"rhs", finish(q.rhs)});
  } else {
    f.outputs.push_back({"value", finish(q.expr)});
    std::vector<Id> blocks;
    if (q.kind != QueryKind::Show && q.kind != QueryKind::Simplify) blocks = answer(g, q, steps);
    const char* prefix = q.kind == QueryKind::Grad       ? "grad"
                         : q.kind == QueryKind::Jacobian ? "jacobian"
                         : q.kind == QueryKind::Hessian  ? "hessian"
                                                         : "diff";
    for (size_t i = 0; i < blocks.size(); ++i) {
      std::string field = prefix;
      auto var_name = [&](size_t k) { return code_identifier(g.symbol(g[q.wrt[k]].a).name); };
      if (q.kind == QueryKind::Hessian && q.wrt.size() > 1 &&
          blocks.size() == q.wrt.size() * q.wrt.size())
        field += "_" + var_name(i / q.wrt.size()) + "_" + var_name(i % q.wrt.size());
      else if (blocks.size() == q.wrt.size())
        field += "_" + var_name(i);
      f.outputs.push_back({field, blocks[i]});
    }
  }
  return f;
}

std::string emit_code(const Graph& g, const CodeFunction& f, OutputFormat format) {
  if (format == OutputFormat::Torch) return emit_torch(g, f);
  return format == OutputFormat::Cpp ? emit_cpp(g, f) : emit_numpy(g, f);
}

// The query itself as a formula (for LaTeX documents): grad(e, x) etc.
Id query_formula(Graph& g, const Query& q) {
  switch (q.kind) {
    case QueryKind::Grad:
      return grad_query(g, q.expr, q.wrt);
    case QueryKind::Jacobian:
      return query(g, Op::Jacobian, q.expr, q.wrt.at(0));
    case QueryKind::Hessian:
      return query(g, Op::Hessian, q.expr, q.wrt);
    case QueryKind::Diff:
      return query(g, Op::Derivative, q.expr, q.wrt.at(0));
    case QueryKind::Simplify:
      return simplify_query(g, q.expr);
    default:
      return q.expr;
  }
}

std::string format_number(double v) {
  if (v == 0) return "0";
  std::ostringstream s;
  s << std::setprecision(1) << std::scientific << v;
  return s.str();
}

// LaTeX text mode: escape the characters that are special there.
std::string latex_text(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '\\':
        out += "\\textbackslash{}";
        break;
      case '{':
      case '}':
      case '$':
      case '&':
      case '#':
      case '%':
      case '_':
        out += '\\';
        out += c;
        break;
      case '^':
        out += "\\^{}";
        break;
      case '~':
        out += "\\~{}";
        break;
      default:
        out += c;
    }
  }
  return out;
}

// The comment lines of the paragraph a query stands in (from the blank line above it down to
// it), each given once: the question text of an exercise script.
class QuestionText {
 public:
  explicit QuestionText(const std::string& source) {
    size_t start = 0;
    while (start <= source.size()) {
      size_t end = source.find('\n', start);
      if (end == std::string::npos) end = source.size();
      starts_.push_back(start);
      lines_.push_back(source.substr(start, end - start));
      start = end + 1;
    }
  }
  std::vector<std::string> before(size_t offset) {
    size_t line = std::upper_bound(starts_.begin(), starts_.end(), offset) - starts_.begin() - 1;
    std::vector<std::string> out;
    size_t first = line;
    while (first > next_ && lines_[first - 1].find_first_not_of(" \t\r") != std::string::npos)
      --first;
    for (size_t i = first; i < line; ++i) {
      size_t text = lines_[i].find_first_not_of(" \t");
      if (lines_[i][text] == '#') out.push_back(lines_[i].substr(text + 1));
    }
    next_ = line + 1;
    return out;
  }

 private:
  std::vector<size_t> starts_;
  std::vector<std::string> lines_;
  size_t next_ = 0;  // lines above this were given already
};

struct CheckOutcome {
  CheckResult result;
  Id lhs, rhs;
};

CheckOutcome run_one_check(Graph& g, const Query& q, const DriverOptions& options, StepLog* steps) {
  Id lhs = expand_queries(g, q.expr, steps);
  Id rhs = expand_queries(g, q.rhs, steps);
  return {check_equal(g, lhs, rhs, options.check), lhs, rhs};
}

// The check's outcome as JSON fields (see driver.h).
void check_json(const CheckResult& r, nlohmann::json& j) {
  j["holds"] = r.holds;
  j["trials"] = r.trials;
  j["max_error"] = std::isfinite(r.max_error) ? nlohmann::json(r.max_error) : nlohmann::json();
  if (r.holds) return;
  const CheckPoint& p = r.point;
  nlohmann::json c{{"dims", nlohmann::json::object()},
                   {"values", nlohmann::json::object()},
                   {"functions", p.functions},
                   {"reason", p.reason}};
  for (const auto& [name, size] : p.dims) c["dims"][name] = size;
  for (const auto& [name, value] : p.values) c["values"][name] = matrix_json(value);
  if (p.lhs.size() > 0) c["lhs"] = matrix_json(p.lhs);
  if (p.rhs.size() > 0) c["rhs"] = matrix_json(p.rhs);
  c["text"] = r.counterexample;
  j["counterexample"] = std::move(c);
}

std::string check_line(const Query& q, const CheckResult& r) {
  std::string s = q.text + ": ";
  if (r.holds)
    return s + "holds (" + std::to_string(r.trials) + " trials, max rel. error " +
           format_number(r.max_error) + ")";
  return s + "FAILS";
}

std::string indent(const std::string& text, const std::string& prefix) {
  std::string out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) out += prefix + line + "\n";
  return out;
}

const char* kLatexPreamble =
    "\\documentclass{article}\n\\usepackage{amsmath,amssymb}\n\\begin{document}\n";

// True when the source holds nothing but whitespace, `;` and comments.
bool is_blank(const std::string& source) {
  bool in_comment = false;
  for (char c : source) {
    if (in_comment) {
      if (c == '\n') in_comment = false;
    } else if (c == '#') {
      in_comment = true;
    } else if (!std::isspace(static_cast<unsigned char>(c)) && c != ';') {
      return false;
    }
  }
  return true;
}

}  // namespace

namespace {

// The JSON object of one query's result (see driver.h).
nlohmann::json result_json(const Graph& g, const Query& q, const std::vector<Id>& blocks) {
  nlohmann::json j{{"kind", "query"},
                   {"query", q.text},
                   {"result", join_blocks(g, blocks, Format::Text)},
                   {"latex", join_blocks(g, blocks, Format::Latex)}};
  if (blocks.size() == 1) {
    j["shape"] = shape_json(g, g[blocks[0]].shape);
  } else {
    nlohmann::json list = nlohmann::json::array();
    for (size_t i = 0; i < blocks.size(); ++i) {
      nlohmann::json b{{"result", print(g, blocks[i], Format::Text)},
                       {"latex", print(g, blocks[i], Format::Latex)},
                       {"shape", shape_json(g, g[blocks[i]].shape)}};
      if (i < q.wrt.size()) b["wrt"] = g.symbol(g[q.wrt[i]].a).name;
      list.push_back(std::move(b));
    }
    j["blocks"] = std::move(list);
  }
  if (!q.notes.empty()) j["notes"] = q.notes;
  return j;
}

void position_json(LineCursor& cursor, size_t offset, size_t first_line, nlohmann::json& j) {
  size_t line, column;
  cursor.locate(offset, &line, &column);
  j["line"] = line + first_line - 1;
  j["column"] = column;
}

}  // namespace

std::string json_error_line(const std::string& message, const std::string& hint,
                            const std::string& category) {
  return json_text(nlohmann::json{{"kind", "error"},
                                  {"message", message},
                                  {"hint", hint},
                                  {"category", category},
                                  {"origin", "usage"}}) +
         "\n";
}

struct ScriptSession::Impl {
  explicit Impl(const DriverOptions& o) : options(o), front(g) {}
  int run(const std::string& source, const std::string& origin, std::ostream& out,
          std::ostream& err, size_t first_line, QuestionText* questions);
  // One query: its result (or check outcome) in the output format.
  void answer_query(const Query& q, LineCursor& cursor, size_t first_line, std::ostream& out,
                    int& status, QuestionText* questions);

  DriverOptions options;
  Graph g;
  Frontend front;
  int queries = 0;  // queries so far (names of generated functions)
  // --format numpy / torch: a run's functions, written at its end as one Python file (imports
  // and helpers once).
  std::vector<CodeFunction> python_functions;
};

void ScriptSession::Impl::answer_query(const Query& q, LineCursor& cursor, size_t first_line,
                                       std::ostream& out, int& status, QuestionText* questions) {
  Format f = print_format(options.format);
  bool latex = options.format == OutputFormat::Latex;
  bool json = options.format == OutputFormat::Json;
  if (latex && questions) {
    for (const std::string& line : questions->before(q.span.begin))
      out << "\\noindent " << latex_text(line) << "\n\n";
  }
  StepLog log;
  StepLog* steps = options.steps ? &log : nullptr;
  ++queries;
  if (is_code_format(options.format)) {
    CodeFunction f = code_function(g, q, "query_" + std::to_string(queries), steps);
    std::string code = emit_code(g, f, options.format);  // throws for what has no code
    if (options.format == OutputFormat::Cpp)
      out << "// " << q.text << "\n" << code << "\n";
    else
      python_functions.push_back(std::move(f));
    return;
  }
  nlohmann::json j;
  if (q.kind == QueryKind::Check) {
    CheckOutcome c = run_one_check(g, q, options, steps);
    if (!c.result.holds && status == kExitOk) status = kExitCheckFailed;
    if (json) {
      j = {{"kind", "check"}, {"query", q.text}};
      check_json(c.result, j);
    } else if (latex) {
      out << "\\[ " << to_latex(g, q.expr) << " \\overset{?}{=} " << to_latex(g, q.rhs) << " \\]\n"
          << (c.result.holds ? "holds" : "\\textbf{FAILS}") << " (" << c.result.trials
          << " trials)\n\n";
    } else {
      out << check_line(q, c.result) << "\n";
      if (!c.result.holds) out << indent(c.result.counterexample, "  ");
    }
  } else {
    std::vector<Id> blocks = answer(g, q, steps);
    if (json) {
      j = result_json(g, q, blocks);
    } else if (latex) {
      out << "\\[ " << to_latex(g, query_formula(g, q)) << " = "
          << join_blocks(g, blocks, Format::Latex) << " \\]\n\n";
    } else {
      std::string lhs = f == Format::Text ? q.text : print(g, query_formula(g, q), f);
      out << lhs << " = " << join_blocks(g, blocks, f) << "\n";
      for (const std::string& note : q.notes) out << "  note: " << note << "\n";
    }
  }
  if (json) {
    nlohmann::json line{{"kind", j["kind"]}};
    position_json(cursor, q.span.begin, first_line, line);
    line["statement"] = q.text;
    line.update(j);
    if (steps) line["steps"] = log.lines;
    out << json_text(line) << "\n";
    return;
  }
  if (steps) {
    for (size_t i = 0; i < log.lines.size(); ++i) {
      if (latex)
        out << "\\noindent " << (i + 1) << ". \\verb|" << log.lines[i] << "|\\\\\n";
      else
        out << "  " << (i + 1) << ". " << log.lines[i] << "\n";
    }
    if (latex && !log.lines.empty()) out << "\n";
  }
}

int ScriptSession::Impl::run(const std::string& source, const std::string& origin,
                             std::ostream& out, std::ostream& err, size_t first_line,
                             QuestionText* questions) {
  // Every simplification and derivation of this run together: ends within the 2 s a user
  // may wait, with a clean limit error past it (each query also has its own budget).
  SimplifyDeadline run_budget(kRunSeconds);
  std::vector<StatementOutcome> outcomes;
  try {
    outcomes = front.run_statements(source, first_line);
  } catch (const Error& e) {  // the whole input (too large)
    report_as(options.format, e, source, origin, out, err, {}, first_line);
    return kExitBadInput;
  }
  bool json = options.format == OutputFormat::Json;
  LineCursor cursor(source);
  int status = kExitOk;
  int errors = 0;
  // Past kMaxErrors errors (binary data, a file in another language) the rest is not run.
  auto error = [&](const Error& e, const std::string& statement) {
    report_as(options.format, e, source, origin, out, err, statement, first_line);
    status = kExitBadInput;
    return ++errors < kMaxErrors;
  };
  for (const StatementOutcome& o : outcomes) {
    if (errors >= kMaxErrors) {
      Error stop(ErrorKind::Limit,
                 "too many errors (" + std::to_string(kMaxErrors) +
                     "); the rest of the input was "
                     "not run",
                 "fix these first", {o.span.begin, o.span.begin});
      report_as(options.format, stop, source, origin, out, err, {}, first_line);
      break;
    }
    switch (o.kind) {
      case StatementOutcome::Kind::Error:
        error(o.error->with_span(o.span), o.text);
        break;
      case StatementOutcome::Kind::Declaration:
      case StatementOutcome::Kind::Definition:
        if (json) {
          nlohmann::json j{{"kind", o.kind == StatementOutcome::Kind::Declaration ? "declaration"
                                                                                  : "definition"}};
          position_json(cursor, o.span.begin, first_line, j);
          j["statement"] = o.text;
          j["names"] = o.names;
          out << json_text(j) << "\n";
        }
        break;
      case StatementOutcome::Kind::Query: {
        int query_status = kExitOk;
        try {
          std::ostringstream text;  // nothing of a query that fails half-way is printed
          answer_query(o.query, cursor, first_line, text, query_status, questions);
          out << text.str();
          status = std::max(status, query_status);
        } catch (const Error& e) {
          error(e.with_span(o.query.span), o.text);
        }
        break;
      }
    }
  }
  if (!python_functions.empty()) {  // each was generated once above: this does not throw
    out << (options.format == OutputFormat::Torch ? emit_torch_module(g, python_functions)
                                                  : emit_numpy_module(g, python_functions));
    python_functions.clear();
  }
  return status;
}

ScriptSession::ScriptSession(const DriverOptions& options)
    : impl_(std::make_unique<Impl>(options)) {}
ScriptSession::~ScriptSession() = default;
DriverOptions& ScriptSession::options() {
  return impl_->options;
}
int ScriptSession::run(const std::string& source, const std::string& origin, std::ostream& out,
                       std::ostream& err, size_t first_line) {
  return impl_->run(source, origin, out, err, first_line, nullptr);
}

int run_script(const std::string& source, const std::string& origin, const DriverOptions& options,
               std::ostream& out, std::ostream& err) {
  if (is_blank(source)) {
    Error e(ErrorKind::Syntax, "empty input: no statements to run",
            "a script holds declarations and queries, e.g. x in R^n; grad(x'*x, x)");
    report_as(options.format, e, source, origin, out, err);
    return kExitBadInput;
  }
  ScriptSession session(options);
  bool latex = options.format == OutputFormat::Latex;
  if (latex) out << kLatexPreamble;
  QuestionText questions(source);
  int status = session.impl_->run(source, origin, out, err, 1, &questions);
  if (latex) out << "\\end{document}\n";
  return status;
}

namespace {
// Applies --let DECLS to a fresh frontend; reports errors against the declarations' text.
bool apply_let(Frontend& front, const std::string& let, OutputFormat format, std::ostream& out,
               std::ostream& err) {
  if (let.empty()) return true;
  try {
    std::vector<Query> q = front.run_script(let);
    if (!q.empty())
      throw Error(ErrorKind::Usage, "'" + q.front().text + "' is a query; --let takes declarations",
                  {}, q.front().span);
    return true;
  } catch (const Error& e) {
    report_as(format, e, let, "--let", out, err);
    return false;
  }
}

std::string plain_value(const Graph& g, Id root, const Matrix& v) {
  std::ostringstream s;
  s << std::setprecision(17);
  auto number = [&](double x) {
    if (std::isnan(x))
      s << "nan";  // not "-nan": the sign of a NaN means nothing
    else
      s << x;
  };
  if (value_kind(g, root) == ValueKind::Scalar && v.size() == 1) {
    number(v(0, 0));
  } else {
    s << "[";
    for (Eigen::Index i = 0; i < v.rows(); ++i) {
      if (i) s << "; ";
      for (Eigen::Index j = 0; j < v.cols(); ++j) {
        if (j) s << ", ";
        number(v(i, j));
      }
    }
    s << "]";
  }
  return s.str();
}

const char* one_shot_name(OneShot kind) {
  switch (kind) {
    case OneShot::Grad:
      return "grad";
    case OneShot::Jacobian:
      return "jacobian";
    case OneShot::Hessian:
      return "hessian";
    case OneShot::Diff:
      return "diff";
    case OneShot::Simplify:
      return "simplify";
  }
  return "";
}

bool all_finite(const Matrix& m) {
  return m.allFinite();
}

std::string what_is(const Graph& g, Id id, const Matrix& v) {
  if (g[id].op == Op::Det) return "determinant";
  if (v.size() == 1) return "number";
  return "entry";
}

// Names the operation that first makes a value NaN or infinite: the first node (children
// before parents) whose value is not finite while its children's values are.
std::string nonfinite_origin(const Graph& g, Id root, const Bindings& b) {
  std::vector<Id> order = reachable(g, root);
  if (order.size() > 4000) return {};  // each node is evaluated on its own: keep it bounded
  std::map<Id, Matrix> values;
  for (Id id : order) {
    Matrix v;
    try {
      v = evaluate(g, id, b);
    } catch (const Error&) {
      return {};
    }
    const Node& n = g[id];
    if (all_finite(v)) {
      values.emplace(id, std::move(v));
      continue;
    }
    bool kids_finite = true;
    for (Id k : n.kids) kids_finite = kids_finite && values.count(k);
    if (!kids_finite) continue;
    std::string where;
    try {  // where it happened, when that prints briefly
      std::string text = print(g, id, Format::Text);
      if (text.size() <= 80) where = " in " + text;
    } catch (const Error&) {
    }
    auto negative = [](const Matrix& m) { return (m.array() < 0).any(); };
    auto zero = [](const Matrix& m) { return (m.array() == 0).any(); };
    const Matrix* kid = n.kids.empty() ? nullptr : &values.at(n.kids[0]);
    switch (n.op) {
      case Op::Log:
        if (negative(*kid)) return "log of a negative " + what_is(g, n.kids[0], *kid) + where;
        if (zero(*kid)) return "log of zero" + where;
        break;
      case Op::LogDet: {
        double det = kid->rows() == kid->cols() ? kid->determinant() : 0;
        if (det < 0) return "log of a negative determinant" + where;
        if (det == 0) return "log of a zero determinant (a singular matrix)" + where;
        break;
      }
      case Op::Power: {
        const Matrix& p = values.at(n.kids[1]);
        double e = p(0, 0);
        if (negative(*kid) && e != std::floor(e))
          return std::string(e == 0.5 ? "square root" : "fractional power") + " of a negative " +
                 what_is(g, n.kids[0], *kid) + where;
        if (zero(*kid) && e < 0) return "division by zero" + where;
        return "a power overflowed" + where;
      }
      case Op::Inv:
        return "the inverse of a singular matrix" + where;
      case Op::Exp:
        return "exp overflowed" + where;
      default:
        break;
    }
    return std::string(op_spelling(n.op)) + " gave " +
           (v.array().isNaN().any() ? "NaN" : "infinity") + " from finite arguments" + where;
  }
  return {};
}

// Reads the --values argument: a file, `-` (standard input), or inline JSON.
nlohmann::json read_values_argument(const std::string& values, std::istream* in) {
  if (values.empty()) return nlohmann::json::object();
  size_t first = values.find_first_not_of(" \t\r\n");
  bool inline_json = first != std::string::npos && values[first] == '{';
  std::string where = values == "-" ? "standard input" : inline_json ? "--values" : values;
  std::string text;
  if (values == "-") {
    if (!in) throw Error(ErrorKind::Usage, "--values -: no standard input to read");
    text.assign(std::istreambuf_iterator<char>(*in), {});
  } else if (inline_json) {
    text = values;
  } else {
    std::ifstream file(values, std::ios::binary);
    if (!file)
      throw Error(ErrorKind::Value, values + ": cannot open the values file",
                  "give a JSON file, - for standard input, or the JSON itself: "
                  "--values '{\"x\": [1, 2]}'");
    text.assign(std::istreambuf_iterator<char>(file), {});
  }
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {  // parse_error, or out_of_range for 1e999
    throw Error(ErrorKind::Value, where + ": not valid JSON: " + e.what(),
                "values are a JSON object, e.g. {\"x\": [1, 2], \"A\": [[1, 0], [0, 1]]}");
  }
}
}  // namespace

// eval of a top-level grad(e, x, Y) or hessian(e, x, Y) with a non-scalar variable: one block
// per variable (grad) or per pair (hessian), named by the variables.
struct EvalBlocks {
  std::vector<Id> ids;
  std::vector<std::string> names;  // "x", or "x, Y" for a Hessian block
  bool pairs = false;
  Id inputs = kNoId;  // a node reaching every variable the blocks read (for read_values)
};

std::optional<EvalBlocks> eval_blocks(Frontend& front, Graph& g, const std::string& expr) {
  std::vector<Query> qs;
  try {
    qs = front.run_script(expr);
  } catch (const Error&) {
    return std::nullopt;  // the ordinary path reports it
  }
  if (qs.size() != 1) return std::nullopt;
  const Query& q = qs[0];
  if ((q.kind != QueryKind::Grad && q.kind != QueryKind::Hessian) || q.wrt.size() < 2)
    return std::nullopt;
  bool all_scalar = true;
  for (Id v : q.wrt) all_scalar = all_scalar && g[v].shape.is_scalar();
  if (all_scalar) return std::nullopt;
  EvalBlocks r;
  r.ids = answer(g, q, nullptr);
  r.pairs = q.kind == QueryKind::Hessian;
  auto name = [&](Id v) { return g.symbol(g[v].a).name; };
  for (Id a : q.wrt) {
    if (!r.pairs) r.names.push_back(name(a));
    if (r.pairs)
      for (Id b : q.wrt) r.names.push_back(name(a) + ", " + name(b));
  }
  std::vector<Id> all = {q.expr};
  all.insert(all.end(), q.wrt.begin(), q.wrt.end());
  // A sum of every variable's entries reaches them all; read_values only walks the DAG.
  Id acc = kNoId;
  for (Id id : all) {
    Id s = g[id].shape.is_scalar() ? id : unary(g, Op::Sum, id);
    acc = acc == kNoId ? s : add(g, acc, s);
  }
  r.inputs = acc;
  return r;
}

// Text: one "name: value" line per block; JSON: an object per variable (Hessian: nested).
void print_blocks(const Graph& g, const EvalBlocks& blocks, const std::vector<Matrix>& vs,
                  OutputFormat format, std::ostream& out) {
  if (format == OutputFormat::Json) {
    nlohmann::json j = nlohmann::json::object();
    for (size_t i = 0; i < blocks.ids.size(); ++i) {
      const std::string& n = blocks.names[i];
      nlohmann::json v = value_to_json(g, blocks.ids[i], vs[i]);
      if (!blocks.pairs) {
        j[n] = v;
      } else {
        size_t comma = n.find(", ");
        j[n.substr(0, comma)][n.substr(comma + 2)] = v;
      }
    }
    out << json_text(j) << "\n";
    return;
  }
  for (size_t i = 0; i < blocks.ids.size(); ++i)
    out << blocks.names[i] << ": " << plain_value(g, blocks.ids[i], vs[i]) << "\n";
}

int run_one_shot(OneShot kind, const std::string& expr, const std::string& wrt,
                 const std::string& let, const DriverOptions& options, std::ostream& out,
                 std::ostream& err) {
  // Every simplification and derivation of this run together: ends within the 2 s a user
  // may wait, with a clean limit error past it (each query also has its own budget).
  SimplifyDeadline run_budget(kRunSeconds);
  Graph g;
  Frontend front(g);
  OutputFormat format = options.format;
  if (!apply_let(front, let, format, out, err)) return kExitBadInput;
  Query q;
  q.text = std::string(one_shot_name(kind)) + "(" + expr + (wrt.empty() ? "" : ", " + wrt) + ")";
  try {
    q.expr = front.parse_expression(expr);
  } catch (const Error& e) {
    report_as(format, e, expr, "expression", out, err);
    return kExitBadInput;
  }
  if (kind != OneShot::Simplify) {
    if (wrt.empty()) {
      report_as(format, Error(ErrorKind::Usage, "--wrt is required, e.g. --wrt x"), "", "usage",
                out, err);
      return kExitBadInput;
    }
    try {
      q.wrt = front.parse_variables(wrt);
    } catch (const Error& e) {
      report_as(format, e, wrt, "--wrt", out, err);
      return kExitBadInput;
    }
  }
  switch (kind) {
    case OneShot::Grad:
      q.kind = QueryKind::Grad;
      break;
    case OneShot::Jacobian:
      q.kind = QueryKind::Jacobian;
      break;
    case OneShot::Hessian:
      q.kind = QueryKind::Hessian;
      break;
    case OneShot::Diff:
      q.kind = QueryKind::Diff;
      break;
    case OneShot::Simplify:
      q.kind = QueryKind::Simplify;
      break;
  }
  StepLog log;
  try {
    if (kind != OneShot::Simplify && q.wrt.size() > 1 && kind != OneShot::Grad &&
        kind != OneShot::Hessian)
      throw Error(ErrorKind::Usage, "--wrt takes one variable for this command");
    if (kind != OneShot::Simplify) {
      // Shape errors (jacobian of a matrix, ...) surface here with a clear message.
      query_formula(g, q);
    }
    if (is_code_format(format)) {
      out << emit_code(g, code_function(g, q, "f", nullptr), format);
      return kExitOk;
    }
    std::vector<Id> blocks = answer(g, q, options.steps ? &log : nullptr);
    if (format == OutputFormat::Json) {
      nlohmann::json j = result_json(g, q, blocks);
      j.erase("kind");
      if (options.steps) j["steps"] = log.lines;
      out << json_text(j) << "\n";
      return kExitOk;
    }
    out << join_blocks(g, blocks, print_format(format)) << "\n";
    for (const std::string& line : log.lines) out << "  " << line << "\n";
  } catch (const Error& e) {
    report_as(format, e, expr, "expression", out, err);
    return kExitBadInput;
  }
  return kExitOk;
}

int run_check(const std::string& text, const std::string& let, const DriverOptions& options,
              std::ostream& out, std::ostream& err) {
  // Every simplification and derivation of this run together: ends within the 2 s a user
  // may wait, with a clean limit error past it (each query also has its own budget).
  SimplifyDeadline run_budget(kRunSeconds);
  Graph g;
  Frontend front(g);
  OutputFormat format = options.format;
  if (!apply_let(front, let, format, out, err)) return kExitBadInput;
  std::vector<Query> queries;
  std::string stmt = "check " + text;
  try {
    queries = front.run_script(stmt);
    if (queries.size() != 1 || queries[0].kind != QueryKind::Check)
      throw Error(ErrorKind::Syntax, "expected one 'LHS == RHS'");
  } catch (const Error& e) {
    report_as(format, e, stmt, "check", out, err);
    return kExitBadInput;
  }
  try {
    StepLog log;
    CheckOutcome c = run_one_check(g, queries[0], options, options.steps ? &log : nullptr);
    if (format == OutputFormat::Json) {
      nlohmann::json j{{"query", text}};
      check_json(c.result, j);
      if (options.steps) j["steps"] = log.lines;
      out << json_text(j) << "\n";
    } else {
      out << (c.result.holds
                  ? "holds (" + std::to_string(c.result.trials) + " trials, max rel. error " +
                        format_number(c.result.max_error) + ")"
                  : std::string("FAILS"))
          << "\n";
      if (!c.result.holds) out << indent(c.result.counterexample, "  ");
      for (const std::string& line : log.lines) out << "  " << line << "\n";
    }
    return c.result.holds ? kExitOk : kExitCheckFailed;
  } catch (const Error& e) {
    report_as(format, e, stmt, "check", out, err);
    return kExitBadInput;
  }
}

int run_eval(const std::string& expr, const std::string& values_arg, const std::string& let,
             const DriverOptions& options, std::ostream& out, std::ostream& err, std::istream* in) {
  // Every simplification and derivation of this run together: ends within the 2 s a user
  // may wait, with a clean limit error past it (each query also has its own budget).
  SimplifyDeadline run_budget(kRunSeconds);
  Graph g;
  Frontend front(g);
  OutputFormat format = options.format;
  if (!apply_let(front, let, format, out, err)) return kExitBadInput;
  Id root = kNoId;
  // grad/hessian w.r.t. several variables, one of them not a scalar: evaluated block by block.
  std::optional<EvalBlocks> blocks;
  try {
    blocks = eval_blocks(front, g, expr);
    if (!blocks) root = front.parse_expression(expr);
  } catch (const Error& e) {
    report_as(format, e, expr, "expression", out, err);
    return kExitBadInput;
  }
  nlohmann::json values;
  try {
    values = read_values_argument(values_arg, in);
  } catch (const Error& e) {
    report_as(format, e, "", "values", out, err);
    return kExitBadInput;
  }
  std::string origin = values_arg.empty()                          ? "eval"
                       : values_arg == "-"                         ? "<stdin>"
                       : values_arg.find('{') != std::string::npos ? "--values"
                                                                   : values_arg;
  try {
    if (blocks) {
      Bindings b = read_values(g, blocks->inputs, values);
      std::vector<Matrix> vs = Plan(g, blocks->ids).run(b);
      print_blocks(g, *blocks, vs, options.format, out);
      return kExitOk;
    }
    Id expanded = expand_queries(g, root, nullptr);
    Id simplified = with_kind(g, simplify(g, expanded), value_kind(g, root));
    Bindings b = read_values(g, root, values);
    Matrix v = Plan(g, {simplified}).run(b)[0];  // the compiled plan, as value_and_grad uses
    std::vector<std::string> warnings;
    if (!v.allFinite()) {
      std::string cause = nonfinite_origin(g, simplified, b);
      warnings.push_back("the result is not finite" + (cause.empty() ? "" : ": " + cause));
      for (const std::string& w : warnings) err << "warning: " << w << "\n";
    }
    if (format == OutputFormat::Json) {
      nlohmann::json j = value_to_json(g, simplified, v);
      j["query"] = expr;
      if (!warnings.empty()) j["warnings"] = warnings;
      out << json_text(j) << "\n";
    } else {
      out << plain_value(g, simplified, v) << "\n";
    }
  } catch (const Error& e) {
    report_as(format, e, expr, origin, out, err);
    return kExitBadInput;
  }
  return kExitOk;
}

}  // namespace nabla
