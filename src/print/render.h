#pragma once
#include <string>

#include "print/layout.h"

namespace nabla {

// The three spellings of a Layout. Structure and parentheses come from the layout; these only
// choose how each piece is written.
std::string render_text(const Layout& layout);     // text.cpp: ASCII that parses back
std::string render_unicode(const Layout& layout);  // unicode.cpp: for people
std::string render_latex(const Layout& layout);    // latex.cpp: KaTeX-valid math mode

// "a, b, c" from already rendered parts.
template <class Range, class F>
std::string join_rendered(const Range& items, const std::string& separator, F render) {
  std::string out;
  bool first = true;
  for (const auto& item : items) {
    if (!first) out += separator;
    first = false;
    out += render(item);
  }
  return out;
}

// p or p/q for a rational Number layout, format_double for a double.
std::string number_text(const Layout& number);

}  // namespace nabla
