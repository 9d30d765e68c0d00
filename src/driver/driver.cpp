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

// An error with a span into `source` gets position and caret; others one line and the hint.
void report(const Error& e, const std::string& source, const std::string& origin,
            std::ostream& err) {
  if (e.span().valid() && e.span().end <= source.size() + 1) {
    err << format_error(e, source, origin);
    return;
  }
  err << origin << ": error: " << e.what() << "\n";
  if (!e.hint().empty()) err << "hint: " << e.hint() << "\n";
}

// The derived, simplified result of a query; one id per block (several for grad w.r.t.
// several non-scalar variables).
std::vector<Id> answer(Graph& g, const Query& q, StepLog* steps) {
  auto finish = [&](Id raw) {
    Id expanded = expand_queries(g, raw, steps);
    return simplify(g, expanded, {}, nullptr, steps);
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

bool is_code_format(OutputFormat f) { return f == OutputFormat::Cpp || f == OutputFormat::Numpy; }

// --format cpp|numpy: the query as one generated function. Outputs: "value" (the expression,
// simplified), then the derivative blocks ("grad_x", "jacobian_x", "hessian_x", "diff_x"; one
// "grad" for a stacked gradient w.r.t. several scalars); a check gives "lhs" and "rhs".
std::string generate_code(Graph& g, const Query& q, const std::string& name, OutputFormat format,
                          StepLog* steps) {
  CodeFunction f;
  f.name = name;
  auto finish = [&](Id raw) { return simplify(g, expand_queries(g, raw, steps), {}, nullptr, steps); };
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
      case '\\': out += "\\textbackslash{}"; break;
      case '{': case '}': case '$': case '&': case '#': case '%': case '_':
        out += '\\';
        out += c;
        break;
      case '^': out += "\\^{}"; break;
      case '~': out += "\\~{}"; break;
      default: out += c;
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

int run_script(const std::string& source, const std::string& origin, const DriverOptions& options,
               std::ostream& out, std::ostream& err) {
  // Every simplification and derivation of this run together: ends within the 2 s a user
  // may wait, with a clean limit error past it (each query also has its own budget).
  SimplifyDeadline run_budget(kRunSeconds);
  if (is_blank(source)) {
    err << origin << ": error: empty input: no statements to run\n"
        << "hint: a script holds declarations and queries, e.g. x in R^n; grad(x'*x, x)\n";
    return kExitBadInput;
  }
  Graph g;
  Frontend front(g);
  std::vector<Query> queries;
  try {
    queries = front.run_script(source);
  } catch (const Error& e) {
    report(e, source, origin, err);
    return kExitBadInput;
  }
  Format f = print_format(options.format);
  bool latex = options.format == OutputFormat::Latex;
  bool json = options.format == OutputFormat::Json;
  if (latex) out << kLatexPreamble;
  QuestionText questions(source);
  int status = kExitOk;
  for (const Query& q : queries) {
    if (latex) {
      for (const std::string& line : questions.before(q.span.begin))
        out << "\\noindent " << latex_text(line) << "\n\n";
    }
    StepLog log;
    StepLog* steps = options.steps ? &log : nullptr;
    try {
      if (is_code_format(options.format)) {
        const char* c = options.format == OutputFormat::Cpp ? "//" : "#";
        out << c << " " << q.text << "\n"
            << generate_code(g, q, "query_" + std::to_string(&q - queries.data() + 1),
                             options.format, steps)
            << "\n";
        continue;
      }
      if (q.kind == QueryKind::Check) {
        CheckOutcome c = run_one_check(g, q, options, steps);
        if (!c.result.holds && status == kExitOk) status = kExitCheckFailed;
        if (json) {
          nlohmann::json j{{"query", q.text},
                           {"holds", c.result.holds},
                           {"trials", c.result.trials},
                           {"max_error", c.result.max_error}};
          if (!c.result.holds) j["counterexample"] = c.result.counterexample;
          out << j.dump() << "\n";
        } else if (latex) {
          out << "\\[ " << to_latex(g, q.expr) << " \\overset{?}{=} " << to_latex(g, q.rhs)
              << " \\]\n"
              << (c.result.holds ? "holds" : "\\textbf{FAILS}") << " (" << c.result.trials
              << " trials)\n\n";
        } else {
          out << check_line(q, c.result) << "\n";
          if (!c.result.holds) out << indent(c.result.counterexample, "  ");
        }
      } else {
        std::vector<Id> blocks = answer(g, q, steps);
        if (json) {
          nlohmann::json j{{"query", q.text}, {"result", join_blocks(g, blocks, Format::Text)}};
          if (!q.notes.empty()) j["notes"] = q.notes;
          out << j.dump() << "\n";
        } else if (latex) {
          out << "\\[ " << to_latex(g, query_formula(g, q)) << " = "
              << join_blocks(g, blocks, Format::Latex) << " \\]\n\n";
        } else {
          std::string lhs = f == Format::Text ? q.text : print(g, query_formula(g, q), f);
          out << lhs << " = " << join_blocks(g, blocks, f) << "\n";
          for (const std::string& note : q.notes) out << "  note: " << note << "\n";
        }
      }
      if (steps && !json) {
        for (size_t i = 0; i < log.lines.size(); ++i) {
          if (latex)
            out << "\\noindent " << (i + 1) << ". \\verb|" << log.lines[i] << "|\\\\\n";
          else
            out << "  " << (i + 1) << ". " << log.lines[i] << "\n";
        }
        if (latex && !log.lines.empty()) out << "\n";
      }
    } catch (const Error& e) {
      Error located = e.with_span(q.span);
      report(located, source, origin, err);
      status = kExitBadInput;
    }
  }
  if (latex) out << "\\end{document}\n";
  return status;
}

namespace {
// Applies --let DECLS to a fresh frontend; reports errors against the declarations' text.
bool apply_let(Frontend& front, const std::string& let, std::ostream& err) {
  if (let.empty()) return true;
  try {
    std::vector<Query> q = front.run_script(let);
    if (!q.empty()) {
      err << "--let: error: '" << q.front().text << "' is a query; --let takes declarations\n";
      return false;
    }
    return true;
  } catch (const Error& e) {
    report(e, let, "--let", err);
    return false;
  }
}

void print_value(const Graph& g, Id root, const Matrix& v, OutputFormat format, std::ostream& out) {
  if (format == OutputFormat::Json) {
    out << value_to_json(g, root, v).dump() << "\n";
    return;
  }
  std::ostringstream s;
  s << std::setprecision(17);
  Shape shape = g[root].shape;
  if (shape.is_scalar()) {
    s << v(0, 0);
  } else {
    s << "[";
    for (Eigen::Index i = 0; i < v.rows(); ++i) {
      if (i) s << "; ";
      for (Eigen::Index j = 0; j < v.cols(); ++j) s << (j ? ", " : "") << v(i, j);
    }
    s << "]";
  }
  out << s.str() << "\n";
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
    out << j.dump() << "\n";
    return;
  }
  for (size_t i = 0; i < blocks.ids.size(); ++i) {
    out << blocks.names[i] << ": ";
    print_value(g, blocks.ids[i], vs[i], format, out);
  }
}

int run_one_shot(OneShot kind, const std::string& expr, const std::string& wrt,
                 const std::string& let, const DriverOptions& options, std::ostream& out,
                 std::ostream& err) {
  // Every simplification and derivation of this run together: ends within the 2 s a user
  // may wait, with a clean limit error past it (each query also has its own budget).
  SimplifyDeadline run_budget(kRunSeconds);
  Graph g;
  Frontend front(g);
  if (!apply_let(front, let, err)) return kExitBadInput;
  Query q;
  q.text = expr;
  try {
    q.expr = front.parse_expression(expr);
  } catch (const Error& e) {
    report(e, expr, "expression", err);
    return kExitBadInput;
  }
  if (kind != OneShot::Simplify) {
    if (wrt.empty()) {
      err << "usage: error: --wrt is required, e.g. --wrt x\n";
      return kExitBadInput;
    }
    try {
      q.wrt = front.parse_variables(wrt);
    } catch (const Error& e) {
      report(e, wrt, "--wrt", err);
      return kExitBadInput;
    }
  }
  switch (kind) {
    case OneShot::Grad: q.kind = QueryKind::Grad; break;
    case OneShot::Jacobian: q.kind = QueryKind::Jacobian; break;
    case OneShot::Hessian: q.kind = QueryKind::Hessian; break;
    case OneShot::Diff: q.kind = QueryKind::Diff; break;
    case OneShot::Simplify: q.kind = QueryKind::Simplify; break;
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
    if (is_code_format(options.format)) {
      out << generate_code(g, q, "f", options.format, nullptr);
      return kExitOk;
    }
    std::vector<Id> blocks = answer(g, q, options.steps ? &log : nullptr);
    if (options.format == OutputFormat::Json) {
      out << nlohmann::json{{"result", join_blocks(g, blocks, Format::Text)},
                            {"latex", join_blocks(g, blocks, Format::Latex)}}
                 .dump()
          << "\n";
    } else {
      out << join_blocks(g, blocks, print_format(options.format)) << "\n";
    }
    for (const std::string& line : log.lines) out << "  " << line << "\n";
  } catch (const Error& e) {
    report(e, expr, "expression", err);
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
  if (!apply_let(front, let, err)) return kExitBadInput;
  std::vector<Query> queries;
  std::string stmt = "check " + text;
  try {
    queries = front.run_script(stmt);
  } catch (const Error& e) {
    report(e, stmt, "check", err);
    return kExitBadInput;
  }
  if (queries.size() != 1 || queries[0].kind != QueryKind::Check) {
    err << "check: error: expected one 'LHS == RHS'\n";
    return kExitBadInput;
  }
  try {
    StepLog log;
    CheckOutcome c = run_one_check(g, queries[0], options, options.steps ? &log : nullptr);
    if (options.format == OutputFormat::Json) {
      nlohmann::json j{{"holds", c.result.holds},
                       {"trials", c.result.trials},
                       {"max_error", c.result.max_error}};
      if (!c.result.holds) j["counterexample"] = c.result.counterexample;
      out << j.dump() << "\n";
    } else {
      out << (c.result.holds ? "holds (" + std::to_string(c.result.trials) +
                                   " trials, max rel. error " + format_number(c.result.max_error) +
                                   ")"
                             : std::string("FAILS"))
          << "\n";
      if (!c.result.holds) out << indent(c.result.counterexample, "  ");
    }
    return c.result.holds ? kExitOk : kExitCheckFailed;
  } catch (const Error& e) {
    report(e, stmt, "check", err);
    return kExitBadInput;
  }
}

int run_eval(const std::string& expr, const std::string& values_path, const std::string& let,
             const DriverOptions& options, std::ostream& out, std::ostream& err) {
  // Every simplification and derivation of this run together: ends within the 2 s a user
  // may wait, with a clean limit error past it (each query also has its own budget).
  SimplifyDeadline run_budget(kRunSeconds);
  Graph g;
  Frontend front(g);
  if (!apply_let(front, let, err)) return kExitBadInput;
  Id root = kNoId;
  // grad/hessian w.r.t. several variables, one of them not a scalar: evaluated block by block.
  std::optional<EvalBlocks> blocks;
  try {
    blocks = eval_blocks(front, g, expr);
    if (!blocks) root = front.parse_expression(expr);
  } catch (const Error& e) {
    report(e, expr, "expression", err);
    return kExitBadInput;
  }
  nlohmann::json values = nlohmann::json::object();
  if (!values_path.empty()) {
    std::ifstream in(values_path);
    if (!in) {
      err << values_path << ": error: cannot open the values file\n";
      return kExitBadInput;
    }
    try {
      values = nlohmann::json::parse(in);
    } catch (const nlohmann::json::exception& e) {  // parse_error, or out_of_range for 1e999
      err << values_path << ": error: not valid JSON: " << e.what() << "\n";
      return kExitBadInput;
    }
  }
  try {
    if (blocks) {
      Bindings b = read_values(g, blocks->inputs, values);
      std::vector<Matrix> vs = Plan(g, blocks->ids).run(b);
      print_blocks(g, *blocks, vs, options.format, out);
      return kExitOk;
    }
    Id expanded = expand_queries(g, root, nullptr);
    Id simplified = simplify(g, expanded);
    Bindings b = read_values(g, root, values);
    Matrix v = Plan(g, {simplified}).run(b)[0];  // the compiled plan, as value_and_grad uses
    print_value(g, simplified, v, options.format, out);
  } catch (const Error& e) {
    report(e, expr, values_path.empty() ? "eval" : values_path, err);
    return kExitBadInput;
  }
  return kExitOk;
}

}  // namespace nabla
