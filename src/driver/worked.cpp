#include "driver/worked.h"

#include "diff/diff.h"
#include "driver/answers.h"
#include "ir/error.h"
#include "print/print.h"
#include "simplify/simplify.h"

namespace nabla::driver_detail {

namespace {

bool is_query_node(Op op) {
  return op == Op::Grad || op == Op::Jacobian || op == Op::Hessian || op == Op::Derivative ||
         op == Op::Simplify;
}

std::optional<Derivation> worked_or_throw(Graph& g, const Query& q, const std::vector<Id>& blocks,
                                          StepsMethod method) {
  if (q.kind == QueryKind::Check) {
    if (!is_query_node(g[q.expr].op)) return std::nullopt;
    Id result = simplify(g, expand_queries(g, q.expr));
    return derive_or_fallback(g, q.expr, result, method);
  }
  if (q.kind == QueryKind::Show || blocks.size() != 1) return std::nullopt;
  return derive_or_fallback(g, query_formula(g, q), blocks[0], method);
}

}  // namespace

std::optional<Derivation> worked_solution(Graph& g, const Query& q, const std::vector<Id>& blocks,
                                          StepsMethod method, std::string* note) {
  try {
    std::optional<Derivation> d = worked_or_throw(g, q, blocks, method);
    if (d) {  // every line must print (the printer refuses what is too large to write out)
      for (const ChainLine& l : d->lines)
        if (l.expr != kNoId) print(g, l.expr, Format::Text);
    }
    return d;
  } catch (const Error& e) {
    if (e.kind() == ErrorKind::Internal) throw;
    if (note) *note = e.what();
    return std::nullopt;
  }
}

void steps_json(const Graph& g, const std::optional<Derivation>& worked, const std::string& note,
                nlohmann::json& j) {
  j["steps"] =
      worked ? nlohmann::json::parse(format_chain_json(g, *worked)) : nlohmann::json::array();
  if (worked) j["method"] = steps_method_name(worked->method);
  if (!note.empty()) j["steps_note"] = note;
}

std::string chain_text(const Graph& g, const std::optional<Derivation>& worked,
                       const std::string& note, Format format) {
  if (worked) return format_chain_text(g, *worked, format == Format::Unicode);
  return note.empty() ? "" : "  # " + note + "\n";
}

std::string script_title(const std::string& source, const std::string& origin) {
  size_t a = source.find_first_not_of(" \t\r\n");
  if (a != std::string::npos && source[a] == '#') {
    size_t end = source.find('\n', a);
    std::string t = source.substr(a + 1, end == std::string::npos ? end : end - a - 1);
    size_t b = t.find_first_not_of(" \t");
    if (b != std::string::npos) return t.substr(b);
  }
  if (origin.empty() || origin[0] == '-' || origin[0] == '<') return "Worked solutions";
  return "Worked solutions: " + origin;
}

}  // namespace nabla::driver_detail
