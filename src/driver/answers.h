#pragma once
// What the driver's output sinks share (driver/sinks.cpp, driver.cpp): answering a query,
// the generated function of a query, checks, and the JSON and text pieces of the output.
#include <iosfwd>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "check/check.h"
#include "codegen/codegen.h"
#include "driver/driver.h"
#include "eval/evaluate.h"
#include "ir/steps.h"
#include "parse/frontend.h"
#include "print/print.h"

namespace nabla::driver_detail {

// One JSON value as text; bytes that are not UTF-8 (from a source that was not) become U+FFFD
// instead of an exception.
std::string json_text(const nlohmann::json& j);
// An error with a span into `source` gets position and caret; others one line and the hint.
void report(const Error& e, const std::string& source, const std::string& origin, std::ostream& err,
            size_t first_line = 1);
// The error as a JSON object (see driver.h); lines are counted from first_line.
nlohmann::json error_json(const Error& e, const std::string& source, const std::string& origin,
                          const std::string& statement, size_t first_line = 1);
// A shape as JSON: [] scalar, [rows] column vector, [rows, cols] otherwise.
nlohmann::json shape_json(const Graph& g, Shape s);
// A concrete value as `nabla eval` writes it: number, list, or list of rows (NaN: null).
nlohmann::json matrix_json(const Matrix& m);
// The derived, simplified result of a query; one id per block (several for grad w.r.t.
// several non-scalar variables).
std::vector<Id> answer(Graph& g, const Query& q, StepLog* steps);
// The blocks printed: one, or "(b1, b2, ...)".
std::string join_blocks(const Graph& g, const std::vector<Id>& blocks, Format f);
// The function generated for a query: its value and its derivative(s) (a check: both sides).
CodeFunction code_function(Graph& g, const Query& q, const std::string& name, StepLog* steps);
// The query itself as a formula (for LaTeX documents): grad(e, x) etc.
Id query_formula(Graph& g, const Query& q);
// A relative error as 1.0e-16 (0 as 0).
std::string format_number(double v);
// The JSON object of one query's result (see driver.h).
nlohmann::json result_json(const Graph& g, const Query& q, const std::vector<Id>& blocks);
// A value as `nabla eval` prints it: 17 digits, [a; b] for vectors, [a, b; c, d] for matrices.
std::string plain_value(const Graph& g, Id root, const Matrix& v);

struct CheckOutcome {
  CheckResult result;
  Id lhs, rhs;
};

CheckOutcome run_one_check(Graph& g, const Query& q, const DriverOptions& options, StepLog* steps);
// The check's outcome as JSON fields (see driver.h).
void check_json(const CheckResult& r, nlohmann::json& j);
// "QUERY: holds (N trials, max rel. error E)" or "QUERY: FAILS".
std::string check_line(const Query& q, const CheckResult& r);
// Every line of text with prefix in front.
std::string indent(const std::string& text, const std::string& prefix);

extern const char* const kLatexPreamble;

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

}  // namespace nabla::driver_detail
