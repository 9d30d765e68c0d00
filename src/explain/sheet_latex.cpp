#include "explain/sheet_latex.h"

#include <algorithm>
#include <cstdio>
#include <regex>

#include "print/names.h"
#include "print/print.h"

namespace nabla {

namespace {

// Visible width of a formula, estimated from its Unicode spelling (one character each).
size_t width_of(const Graph& g, Id id) {
  size_t n = 0;
  for (unsigned char c : to_unicode(g, id)) n += (c & 0xC0) != 0x80;
  return n;
}

// The top-level terms of a sum (a - b is a + (-1)*b).
void terms_of(const Graph& g, Id id, std::vector<Id>& out) {
  if (g[id].op == Op::Add) {
    terms_of(g, g[id].kids[0], out);
    terms_of(g, g[id].kids[1], out);
    return;
  }
  out.push_back(id);
}

// The formula's LaTeX in pieces of at most about `width` characters, broken before a `+` or
// `-` of its top-level sum.
std::vector<std::string> broken(const Graph& g, Id id, size_t width) {
  if (width_of(g, id) <= width || g[id].op != Op::Add) return {to_latex(g, id)};
  std::vector<Id> terms;
  terms_of(g, id, terms);
  std::vector<std::string> lines;
  std::string current;
  size_t used = 0;
  for (size_t i = 0; i < terms.size(); ++i) {
    std::string t = to_latex(g, terms[i]);
    bool negative = !t.empty() && t[0] == '-';
    std::string piece = i == 0 ? t : negative ? t : "+ " + t;
    size_t w = width_of(g, terms[i]) + 3;
    if (used > 0 && used + w > width) {
      lines.push_back(current);
      current.clear();
      used = 0;
    }
    current += (current.empty() ? "" : " ") + piece;
    used += w;
  }
  if (!current.empty()) lines.push_back(current);
  return lines;
}

std::string number(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.4g", v);
  std::string s = buf;
  if (s.find('e') != std::string::npos) {
    size_t e = s.find('e');
    std::string mant = s.substr(0, e);
    int exp = std::atoi(s.c_str() + e + 1);
    return mant + " \\cdot 10^{" + std::to_string(exp) + "}";
  }
  return s;
}

std::string matrix_latex(const Matrix& m) {
  if (m.rows() == 1 && m.cols() == 1) return number(m(0, 0));
  std::string s = "\\begin{pmatrix}";
  for (Eigen::Index i = 0; i < m.rows(); ++i) {
    for (Eigen::Index j = 0; j < m.cols(); ++j) s += (j ? " & " : "") + number(m(i, j));
    s += i + 1 < m.rows() ? " \\\\ " : "";
  }
  return s + "\\end{pmatrix}";
}

}  // namespace

std::string sheet_preamble(const std::string& title) {
  return "\\documentclass[11pt]{article}\n"
         "\\usepackage[margin=2.5cm]{geometry}\n"
         "\\usepackage{amsmath,amssymb}\n"
         "\\allowdisplaybreaks\n"
         "\\title{" +
         latex_text(title) +
         "}\n\\date{}\n"
         "\\begin{document}\n\\maketitle\n";
}

std::string sheet_end() {
  return "\\end{document}\n";
}

// Comment text with the spaces it names typeset: R^d, R^(n x m), ->.
std::string comment_text(const std::string& text) {
  static const std::regex space(
      R"(R\^\(([A-Za-z0-9]+) x ([A-Za-z0-9]+)\)|R\^([A-Za-z0-9]+)|->|\bR\b)");
  std::string out;
  size_t at = 0;
  for (auto it = std::sregex_iterator(text.begin(), text.end(), space);
       it != std::sregex_iterator(); ++it) {
    const std::smatch& m = *it;
    out += latex_text(text.substr(at, static_cast<size_t>(m.position()) - at));
    if (m[1].matched)
      out += "$\\mathbb{R}^{" + m[1].str() + " \\times " + m[2].str() + "}$";
    else if (m[3].matched)
      out += "$\\mathbb{R}^{" + m[3].str() + "}$";
    else if (m.str() == "->")
      out += "$\\to$";
    else
      out += "$\\mathbb{R}$";
    at = static_cast<size_t>(m.position() + m.length());
  }
  return out + latex_text(text.substr(at));
}

std::string sheet_comments(const std::vector<std::string>& lines) {
  // a question's heading goes on over the indented lines after it
  std::vector<std::string> joined;
  for (const std::string& line : lines) {
    bool continues = !joined.empty() && line.size() > 2 && line[0] == ' ' && line[1] == ' ';
    size_t a = line.find_first_not_of(' ');
    std::string t = a == std::string::npos ? "" : line.substr(a);
    if (continues)
      joined.back() += " " + t;
    else
      joined.push_back(t);
  }
  std::string out;
  for (size_t i = 0; i < joined.size(); ++i) out += sheet_comment(joined[i], i == 0);
  return out;
}

std::string sheet_comment(const std::string& line, bool first_of_paragraph) {
  std::string t = line;
  while (!t.empty() && t.front() == ' ') t.erase(t.begin());
  static const std::regex question(R"(^(\d+[a-z]?\))\s*(.*)$)");
  std::smatch m;
  if (first_of_paragraph && std::regex_match(t, m, question))
    return "\\subsection*{" + latex_text(m[1].str()) + " " + comment_text(m[2].str()) + "}\n";
  return comment_text(t) + "\n";
}

std::string sheet_declaration(const std::string& statement) {
  std::string out;
  size_t start = 0;
  while (start <= statement.size()) {
    size_t end = statement.find(';', start);
    if (end == std::string::npos) end = statement.size();
    std::string part = statement.substr(start, end - start);
    start = end + 1;
    size_t a = part.find_first_not_of(" \t"), b = part.find_last_not_of(" \t");
    if (a == std::string::npos) continue;
    part = part.substr(a, b - a + 1);
    size_t split = part.find(" in ");
    std::string rel = "\\in";
    if (split == std::string::npos) {
      split = part.find(':');
      rel = "\\colon";
    }
    if (split == std::string::npos) {
      out += "$" + latex_text(part) + "$";
      continue;
    }
    std::string names = part.substr(0, split);
    std::string type = part.substr(split + (rel == "\\in" ? 4 : 1));
    std::string names_tex;
    static const std::regex ident(R"([A-Za-z_][A-Za-z_0-9]*)");
    for (auto it = std::sregex_iterator(names.begin(), names.end(), ident);
         it != std::sregex_iterator(); ++it)
      names_tex += (names_tex.empty() ? "" : ", ") + latex_name(it->str());
    std::string t = type;
    t = std::regex_replace(t, std::regex(R"(R\^\(\s*([^)]*?)\s+x\s+([^)]*?)\s*\))"),
                           "\\mathbb{@}^{$1 \\times $2}");
    t = std::regex_replace(t, std::regex(R"(R\^\(\s*([^)]*?)\s*\))"), "\\mathbb{@}^{$1}");
    t = std::regex_replace(t, std::regex(R"(R\^([A-Za-z0-9_]+))"), "\\mathbb{@}^{$1}");
    t = std::regex_replace(t, std::regex(R"(Sym\(\s*([^)]*?)\s*\))"), "\\mathbb{S}^{$1}");
    t = std::regex_replace(t, std::regex(R"(\bR\b)"), "\\mathbb{@}");
    t = std::regex_replace(t, std::regex("@"), "R");
    t = std::regex_replace(t, std::regex(R"(\s+x\s+)"), " \\times ");
    t = std::regex_replace(t, std::regex(R"(->)"), "\\to");
    out +=
        (out.empty() ? "" : ",\\quad ") + std::string("$") + names_tex + " " + rel + " " + t + "$";
  }
  return "\\noindent Let " + out + ".\n\n";
}

std::string sheet_formula(const Graph& g, Id lhs, const std::string& relation, Id rhs,
                          size_t width) {
  std::vector<std::string> left = broken(g, lhs, width);
  std::vector<std::string> right = broken(g, rhs, width);
  std::string s = "\\begin{align*}\n";
  for (size_t i = 0; i < left.size(); ++i)
    s += "&" + std::string(i ? "\\quad " : "") + left[i] + " \\\\\n";
  for (size_t i = 0; i < right.size(); ++i)
    s += "&\\quad " + std::string(i ? "\\quad " : relation + " ") + right[i] +
         (i + 1 < right.size() ? " \\\\\n" : "\n");
  return s + "\\end{align*}\n";
}

std::string sheet_check(const Graph& g, Id lhs, Id rhs, const CheckResult& r) {
  std::string s = "\\paragraph{Check.}\n" + sheet_formula(g, lhs, "\\overset{?}{=}", rhs);
  if (r.holds)
    return s + "\\noindent Holds: both sides agree at " + std::to_string(r.trials) +
           " random points (largest relative difference $" + number(r.max_error) + "$).\n\n";
  const CheckPoint& p = r.point;
  s += "\\noindent\\textbf{Fails.} " + latex_text(p.reason) + ". A counterexample:\n";
  s += "\\begin{center}\n\\begin{tabular}{ll}\n\\hline\n";
  for (const auto& [name, size] : p.dims)
    s += "$" + latex_name(name) + "$ & $" + std::to_string(size) + "$ \\\\\n";
  for (const auto& [name, value] : p.values)
    s += "$" + latex_name(name) + "$ & $" + matrix_latex(value) + "$ \\\\\n";
  for (const std::string& f : p.functions) s += "\\multicolumn{2}{l}{" + latex_text(f) + "} \\\\\n";
  s += "\\hline\n";
  if (p.lhs.size() > 0) s += "left side & $" + matrix_latex(p.lhs) + "$ \\\\\n";
  if (p.rhs.size() > 0) s += "right side & $" + matrix_latex(p.rhs) + "$ \\\\\n";
  s += "\\hline\n\\end{tabular}\n\\end{center}\n\n";
  return s;
}

std::string sheet_chain(const Graph& g, const Derivation& d, size_t width) {
  std::string s = "\\begin{align*}\n";
  for (const std::string& piece : broken(g, d.query, width)) s += "&" + piece + " \\\\\n";
  // align* lines the notes up in one column: it starts after the widest formula of the block
  size_t block = 0;
  for (const ChainLine& l : d.lines) {
    size_t w = 0;
    std::string shown = line_expression(g, l, 1);
    if (l.kind != ChainLine::Kind::Continue)
      shown += l.lhs != kNoId ? to_unicode(g, l.lhs) : l.lhs_shown.unicode;
    for (unsigned char c : shown) w += (c & 0xC0) != 0x80;
    block = std::max(block, std::min(w, width));
  }
  // one line's rows; its note beside it, or below it when `below` or when it does not fit
  auto line_rows = [&](const ChainLine& l, bool below, bool* was_wide) {
    std::vector<std::string> pieces = l.expr != kNoId
                                          ? broken(g, l.expr, width)
                                          : std::vector<std::string>{line_expression(g, l, 2)};
    std::string lead = "= ";
    if (l.kind == ChainLine::Kind::Start)
      lead = (l.lhs != kNoId ? to_latex(g, l.lhs) : l.lhs_shown.latex) + " = ";
    if (l.kind == ChainLine::Kind::Hence)
      lead =
          "\\Longrightarrow\\ " + (l.lhs != kNoId ? to_latex(g, l.lhs) : l.lhs_shown.latex) + " = ";
    // the note: the rule, then its facts, in rows of about `width` characters
    std::vector<std::string> note_rows{"\\text{\\small " + latex_text(l.rule) +
                                       (l.facts.empty() ? "}" : ": }")};
    size_t used = l.rule.size(), note_width = l.rule.size();
    size_t shown = 0;
    for (const Fact& f : l.facts) {
      if (++shown > 8) {
        note_rows.back() += ", \\ldots";
        break;
      }
      size_t w = 2;
      for (unsigned char c : fact_text(g, f, 1)) w += (c & 0xC0) != 0x80;
      note_width += w;
      if (used + w > width + 10 && used > 0) {
        note_rows.back() += shown > 1 ? "," : "";
        note_rows.push_back("\\quad ");
        used = 0;
      } else if (shown > 1) {
        note_rows.back() += ", ";
      }
      note_rows.back() += fact_text(g, f, 2);
      used += w;
    }
    size_t formula = 0;
    for (unsigned char c : line_expression(g, l, 1)) formula += (c & 0xC0) != 0x80;
    bool wide = below || l.kind != ChainLine::Kind::Continue || pieces.size() > 1 ||
                note_rows.size() > 1 || std::max(formula, block) + note_width > width + 20;
    std::string rows;
    for (size_t k = 0; k < pieces.size(); ++k) {
      rows += "&\\quad " + std::string(k ? "\\quad " : lead) + pieces[k];
      if (!wide && k + 1 == pieces.size()) rows += " && " + note_rows[0];
      rows += " \\\\\n";
    }
    if (wide)
      for (const std::string& r : note_rows) rows += "&\\qquad " + r + " \\\\\n";
    *was_wide = wide;
    return rows;
  };
  // the notes of one chain all beside or all below their lines
  std::vector<std::string> rendered;
  bool any_wide = false;
  for (const ChainLine& l : d.lines) {
    bool wide = false;
    rendered.push_back(line_rows(l, false, &wide));
    any_wide = any_wide || wide;
  }
  if (any_wide) {
    rendered.clear();
    for (const ChainLine& l : d.lines) {
      bool wide = false;
      rendered.push_back(line_rows(l, true, &wide));
    }
  }
  for (const std::string& r : rendered) s += r;
  s.erase(s.size() - 4);  // the last row's line break
  s += "\n";
  return s + "\\end{align*}\n";
}

}  // namespace nabla
