// The chain in each output format: text and Unicode lines, a LaTeX align*, a JSON array.
#include <nlohmann/json.hpp>

#include "explain/derivation.h"
#include "print/print.h"

namespace nabla {

namespace {

std::string pick(const Notation& n, int format) {
  return format == 0 ? n.text : format == 1 ? n.unicode : n.latex;
}

std::string show(const Graph& g, Id id, int format) {
  return print(g, id, format == 0 ? Format::Text : format == 1 ? Format::Unicode : Format::Latex);
}

}  // namespace

std::string fact_text(const Graph& g, const Fact& f, int format) {
  if (f.lhs == kNoId && f.name.empty() && f.value == kNoId) return pick(f.shown, format);
  std::string lhs = f.lhs != kNoId ? show(g, f.lhs, format) : f.name;
  if (format == 2 && f.lhs == kNoId) lhs = f.name;
  std::string rhs = f.value != kNoId ? show(g, f.value, format) : pick(f.shown, format);
  return lhs + " = " + rhs;
}

namespace {

std::string line_lhs(const Graph& g, const ChainLine& line, int format) {
  return line.lhs != kNoId ? show(g, line.lhs, format) : pick(line.lhs_shown, format);
}

}  // namespace

std::string line_expression(const Graph& g, const ChainLine& line, int format) {
  return line.expr != kNoId ? show(g, line.expr, format) : pick(line.shown, format);
}

std::string line_detail(const Graph& g, const ChainLine& line, int format) {
  // a line over a long sum uses many facts: the first few say what was done
  constexpr size_t kShown = 8;
  std::string s;
  for (size_t i = 0; i < line.facts.size() && i < kShown; ++i)
    s += (s.empty() ? "" : ", ") + fact_text(g, line.facts[i], format);
  if (line.facts.size() > kShown) s += format == 2 ? ", \\ldots" : format == 1 ? ", …" : ", ...";
  return s;
}

std::string format_chain_text(const Graph& g, const Derivation& d, bool unicode,
                              const std::string& indent) {
  const int f = unicode ? 1 : 0;
  std::vector<std::string> left;
  size_t width = 0;
  for (const ChainLine& l : d.lines) {
    std::string s;
    switch (l.kind) {
      case ChainLine::Kind::Continue:
        s = "= " + line_expression(g, l, f);
        break;
      case ChainLine::Kind::Start:
        s = line_lhs(g, l, f) + " = " + line_expression(g, l, f);
        break;
      case ChainLine::Kind::Hence:
        s = (unicode ? "⟹ " : "hence ") + line_lhs(g, l, f) + " = " + line_expression(g, l, f);
        break;
    }
    left.push_back(s);
    // display width: count code points, not bytes
    size_t cps = 0;
    for (unsigned char c : s) cps += (c & 0xC0) != 0x80;
    if (cps <= 56) width = std::max(width, cps);
  }
  std::string out;
  for (size_t i = 0; i < d.lines.size(); ++i) {
    const ChainLine& l = d.lines[i];
    std::string s = indent + left[i];
    size_t cps = 0;
    for (unsigned char c : left[i]) cps += (c & 0xC0) != 0x80;
    s += std::string(cps < width ? width - cps : 0, ' ');
    std::string detail = line_detail(g, l, f);
    s += "  # " + l.rule + (detail.empty() ? "" : ": " + detail);
    out += s + "\n";
  }
  return out;
}

std::string format_chain_latex(const Graph& g, const Derivation& d) {
  std::string out = "\\begin{align*}\n";
  std::string query = show(g, d.query, 2);
  for (size_t i = 0; i < d.lines.size(); ++i) {
    const ChainLine& l = d.lines[i];
    std::string left;
    switch (l.kind) {
      case ChainLine::Kind::Continue:
        left = (i == 0 ? query : "") + " &= " + line_expression(g, l, 2);
        break;
      case ChainLine::Kind::Start:
        left = line_lhs(g, l, 2) + " &= " + line_expression(g, l, 2);
        break;
      case ChainLine::Kind::Hence:
        left = "\\Longrightarrow\\quad " + line_lhs(g, l, 2) + " &= " + line_expression(g, l, 2);
        break;
    }
    std::string detail = line_detail(g, l, 2);
    out += left + " && \\text{" + latex_text(l.rule) + (detail.empty() ? "}" : ": } " + detail);
    out += i + 1 < d.lines.size() ? " \\\\\n" : "\n";
  }
  return out + "\\end{align*}\n";
}

std::string format_chain_json(const Graph& g, const Derivation& d) {
  nlohmann::json arr = nlohmann::json::array();
  for (const ChainLine& l : d.lines) {
    nlohmann::json j{
        {"expression", line_expression(g, l, 0)}, {"unicode", line_expression(g, l, 1)},
        {"latex", line_expression(g, l, 2)},      {"rule", l.rule},
        {"detail", line_detail(g, l, 0)},         {"detail_unicode", line_detail(g, l, 1)},
        {"detail_latex", line_detail(g, l, 2)}};
    if (l.kind != ChainLine::Kind::Continue) {
      j["kind"] = l.kind == ChainLine::Kind::Start ? "start" : "hence";
      j["lhs"] = line_lhs(g, l, 0);
      j["lhs_unicode"] = line_lhs(g, l, 1);
      j["lhs_latex"] = line_lhs(g, l, 2);
    }
    arr.push_back(std::move(j));
  }
  return arr.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace nabla
