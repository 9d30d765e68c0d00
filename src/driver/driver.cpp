#include "driver/driver.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>

#include "diff/diff.h"
#include "driver/answers.h"
#include "driver/sinks.h"
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

using namespace driver_detail;

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

// One run of a one-shot entry point (grad, check, eval): the time of all its simplifications
// and derivations together (ends within the 2 s a user may wait, with a clean limit error past
// it; each query also has its own budget), a fresh graph and frontend, the sink of its format.
struct RunContext {
  RunContext(const DriverOptions& o, std::ostream& out_, std::ostream& err_)
      : options(o), out(out_), err(err_), sink(make_sink(o.format)) {}

  // Reports e against source (the text its span points into); returns kExitBadInput.
  int fail(const Error& e, const std::string& source, const std::string& origin) {
    sink->error(e, source, origin, {}, 1, out, err);
    return kExitBadInput;
  }
  // Applies --let DECLS; false (reported against the declarations' text) on an error.
  bool apply_let(const std::string& let) {
    if (let.empty()) return true;
    try {
      std::vector<Query> q = front.run_script(let);
      if (!q.empty())
        throw Error(ErrorKind::Usage,
                    "'" + q.front().text + "' is a query; --let takes declarations", {},
                    q.front().span);
      return true;
    } catch (const Error& e) {
      fail(e, let, "--let");
      return false;
    }
  }

  SimplifyDeadline budget{kRunSeconds};
  const DriverOptions& options;
  std::ostream& out;
  std::ostream& err;
  std::unique_ptr<OutputSink> sink;
  Graph g;
  Frontend front{g};
};

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

  DriverOptions options;
  Graph g;
  Frontend front;
  int queries = 0;  // queries so far (names of generated functions)
};

int ScriptSession::Impl::run(const std::string& source, const std::string& origin,
                             std::ostream& out, std::ostream& err, size_t first_line,
                             QuestionText* questions) {
  // Every simplification and derivation of this run together: ends within the 2 s a user
  // may wait, with a clean limit error past it (each query also has its own budget).
  SimplifyDeadline run_budget(kRunSeconds);
  std::unique_ptr<OutputSink> sink = make_sink(options.format);  // the REPL may change it
  std::vector<StatementOutcome> outcomes;
  try {
    outcomes = front.run_statements(source, first_line);
  } catch (const Error& e) {  // the whole input (too large)
    sink->error(e, source, origin, {}, first_line, out, err);
    return kExitBadInput;
  }
  LineCursor cursor(source);
  int status = kExitOk;
  int errors = 0;
  // Past kMaxErrors errors (binary data, a file in another language) the rest is not run.
  auto error = [&](const Error& e, const std::string& statement) {
    sink->error(e, source, origin, statement, first_line, out, err);
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
      sink->error(stop, source, origin, {}, first_line, out, err);
      break;
    }
    switch (o.kind) {
      case StatementOutcome::Kind::Error:
        error(o.error->with_span(o.span), o.text);
        break;
      case StatementOutcome::Kind::Declaration:
      case StatementOutcome::Kind::Definition:
        sink->statement(o, Place{cursor, o.span.begin, first_line}, questions, out);
        break;
      case StatementOutcome::Kind::Query: {
        try {
          std::ostringstream text;  // nothing of a query that fails half-way is printed
          ScriptQuery sq{g,         o.query,
                         options,   Place{cursor, o.query.span.begin, first_line},
                         questions, ++queries};
          int query_status = sink->query(sq, text);
          out << text.str();
          status = std::max(status, query_status);
        } catch (const Error& e) {
          error(e.with_span(o.query.span), o.text);
        }
        break;
      }
    }
  }
  sink->run_end(g, out);
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
  std::unique_ptr<OutputSink> sink = make_sink(options.format);
  if (is_blank(source)) {
    Error e(ErrorKind::Syntax, "empty input: no statements to run",
            "a script holds declarations and queries, e.g. x in R^n; grad(x'*x, x)");
    sink->error(e, source, origin, {}, 1, out, err);
    return kExitBadInput;
  }
  ScriptSession session(options);
  sink->script_begin(source, origin, out);
  QuestionText questions(source);
  int status = session.impl_->run(source, origin, out, err, 1, &questions);
  sink->script_end(out);
  return status;
}

namespace {

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
#include "ir/leaf_cases.inc"
#include "ir/piecewise_cases.inc"
#include "ir/structure_cases.inc"
      case Op::Add:
      case Op::Scale:
      case Op::MatMul:
      case Op::Hadamard:
      case Op::Transpose:
      case Op::Sin:
      case Op::Cos:
      case Op::Tan:
      case Op::Tanh:
      case Op::Sinh:
      case Op::Cosh:
      case Op::Arcsin:
      case Op::Arccos:
      case Op::Arctan:
      case Op::Sigmoid:
      case Op::Softplus:
      case Op::Log1p:
      case Op::Expm1:
      case Op::Abs:
      case Op::Sign:
      case Op::Sum:
      case Op::Norm2:
      case Op::NormInf:
      case Op::Trace:
      case Op::Det:
      case Op::Softmax:
      case Op::LogSumExp:
      case Op::Prod:
      case Op::ProdOthers:
      case Op::Call:
#include "ir/query_cases.inc"
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
// eval of grad/hessian w.r.t. several variables, one of them not a scalar: the blocks, or
// nothing for any other expression.
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

}  // namespace

int run_one_shot(OneShot kind, const std::string& expr, const std::string& wrt,
                 const std::string& let, const DriverOptions& options, std::ostream& out,
                 std::ostream& err) {
  RunContext run(options, out, err);
  Graph& g = run.g;
  if (!run.apply_let(let)) return kExitBadInput;
  Query q;
  q.text = std::string(one_shot_name(kind)) + "(" + expr + (wrt.empty() ? "" : ", " + wrt) + ")";
  try {
    q.expr = run.front.parse_expression(expr);
  } catch (const Error& e) {
    return run.fail(e, expr, "expression");
  }
  if (kind != OneShot::Simplify) {
    if (wrt.empty())
      return run.fail(Error(ErrorKind::Usage, "--wrt is required, e.g. --wrt x"), "", "usage");
    try {
      q.wrt = run.front.parse_variables(wrt);
    } catch (const Error& e) {
      return run.fail(e, wrt, "--wrt");
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
  try {
    if (kind != OneShot::Simplify && q.wrt.size() > 1 && kind != OneShot::Grad &&
        kind != OneShot::Hessian)
      throw Error(ErrorKind::Usage, "--wrt takes one variable for this command");
    if (kind != OneShot::Simplify) {
      // Shape errors (jacobian of a matrix, ...) surface here with a clear message.
      query_formula(g, q);
    }
    run.sink->one_shot(g, q, options, out);
  } catch (const Error& e) {
    return run.fail(e, expr, "expression");
  }
  return kExitOk;
}

int run_check(const std::string& text, const std::string& let, const DriverOptions& options,
              std::ostream& out, std::ostream& err) {
  RunContext run(options, out, err);
  if (!run.apply_let(let)) return kExitBadInput;
  std::vector<Query> queries;
  std::string stmt = "check " + text;
  try {
    queries = run.front.run_script(stmt);
    if (queries.size() != 1 || queries[0].kind != QueryKind::Check)
      throw Error(ErrorKind::Syntax, "expected one 'LHS == RHS'");
  } catch (const Error& e) {
    return run.fail(e, stmt, "check");
  }
  try {
    CheckOutcome c = run_one_check(run.g, queries[0], options, nullptr);
    run.sink->check(run.g, queries[0], text, c.result, options, out);
    return c.result.holds ? kExitOk : kExitCheckFailed;
  } catch (const Error& e) {
    return run.fail(e, stmt, "check");
  }
}

int run_eval(const std::string& expr, const std::string& values_arg, const std::string& let,
             const DriverOptions& options, std::ostream& out, std::ostream& err, std::istream* in) {
  RunContext run(options, out, err);
  Graph& g = run.g;
  if (!run.apply_let(let)) return kExitBadInput;
  Id root = kNoId;
  // grad/hessian w.r.t. several variables, one of them not a scalar: evaluated block by block.
  std::optional<EvalBlocks> blocks;
  try {
    blocks = eval_blocks(run.front, g, expr);
    if (!blocks) root = run.front.parse_expression(expr);
  } catch (const Error& e) {
    return run.fail(e, expr, "expression");
  }
  nlohmann::json values;
  try {
    values = read_values_argument(values_arg, in);
  } catch (const Error& e) {
    return run.fail(e, "", "values");
  }
  std::string origin = values_arg.empty()                          ? "eval"
                       : values_arg == "-"                         ? "<stdin>"
                       : values_arg.find('{') != std::string::npos ? "--values"
                                                                   : values_arg;
  try {
    if (blocks) {
      Bindings b = read_values(g, blocks->inputs, values);
      std::vector<Matrix> vs = Plan(g, blocks->ids).run(b);
      run.sink->blocks(g, *blocks, vs, out);
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
    run.sink->value(g, simplified, v, expr, warnings, out);
  } catch (const Error& e) {
    return run.fail(e, expr, origin);
  }
  return kExitOk;
}

}  // namespace nabla
