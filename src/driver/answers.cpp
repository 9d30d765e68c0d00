// What the driver's output sinks share (see answers.h).
#include "driver/answers.h"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <ostream>
#include <sstream>

#include "diff/diff.h"
#include "ir/build.h"
#include "ir/error.h"
#include "ir/value_kind.h"
#include "parse/diagnostics.h"
#include "simplify/simplify.h"

namespace nabla::driver_detail {

namespace {
bool has_position(const Error& e, const std::string& source) {
  return e.span().valid() && e.span().end <= source.size() + 1;
}

}  // namespace

// One JSON value as text; bytes that are not UTF-8 (from a source that was not) become U+FFFD
// instead of an exception.
std::string json_text(const nlohmann::json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// An error with a span into `source` gets position and caret; others one line and the hint.
void report(const Error& e, const std::string& source, const std::string& origin, std::ostream& err,
            size_t first_line) {
  if (has_position(e, source)) {
    err << format_error(e, source, origin, first_line);
    return;
  }
  err << origin << ": error: " << e.what() << "\n";
  if (!e.hint().empty()) err << "hint: " << e.hint() << "\n";
}

// The error as a JSON object (see driver.h); lines are counted from first_line.
nlohmann::json error_json(const Error& e, const std::string& source, const std::string& origin,
                          const std::string& statement, size_t first_line) {
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

const char* const kLatexPreamble =
    "\\documentclass{article}\n\\usepackage{amsmath,amssymb}\n\\begin{document}\n";

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

}  // namespace nabla::driver_detail
