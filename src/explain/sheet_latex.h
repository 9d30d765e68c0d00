#pragma once
// The LaTeX document of a script as a worked exercise sheet: declarations typeset, checks with
// their outcome and counterexample table, long formulas broken across lines.
#include <string>
#include <vector>

#include "check/check.h"
#include "explain/derivation.h"

namespace nabla {

// The preamble (article, amsmath, amssymb, a title) and the end of the document.
std::string sheet_preamble(const std::string& title);
std::string sheet_end();
// A comment line of the script as a question heading ("3c) gradient of ..." -> \subsection*)
// or a paragraph.
std::string sheet_comment(const std::string& line, bool first_of_paragraph);
// A paragraph of comment lines: the first a heading, with the indented lines after it.
std::string sheet_comments(const std::vector<std::string>& lines);
// "f, g : R^d -> R^n" -> "$f, g\colon \mathbb{R}^{d} \to \mathbb{R}^{n}$" (a paragraph).
std::string sheet_declaration(const std::string& statement);
// check LHS == RHS with its outcome; a failing one with its counterexample as a table.
std::string sheet_check(const Graph& g, Id lhs, Id rhs, const CheckResult& r);
// The derivation as an align* chain, each formula broken at its top-level sums so that no line
// is wider than the text block (about `width` characters of formula).
std::string sheet_chain(const Graph& g, const Derivation& d, size_t width = 52);
// A formula in display math, broken the same way.
std::string sheet_formula(const Graph& g, Id lhs, const std::string& relation, Id rhs,
                          size_t width = 52);

}  // namespace nabla
