#include "print/print.h"

#include "ir/error.h"
#include "print/layout.h"
#include "print/render.h"

namespace nabla {

std::string to_text(const Graph& g, Id id) {
  return render_text(build_layout(g, id));
}
std::string to_unicode(const Graph& g, Id id) {
  Layout l = build_layout(g, id);
  std::string s = render_unicode(l);
  // a query alone needs no parentheses around it (render_unicode puts them for one inside)
  if (l.kind == LayoutKind::Query) s = s.substr(1, s.size() - 2);
  return s;
}
std::string to_latex(const Graph& g, Id id) {
  return render_latex(build_layout(g, id));
}

std::string print(const Graph& g, Id id, Format format) {
  switch (format) {
    case Format::Text:
      return to_text(g, id);
    case Format::Unicode:
      return to_unicode(g, id);
    case Format::Latex:
      return to_latex(g, id);
  }
  throw Error(ErrorKind::Internal, "unknown print format");
}

}  // namespace nabla
