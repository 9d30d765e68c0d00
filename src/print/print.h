#pragma once
#include <string>

#include "ir/graph.h"

namespace nabla {

enum class Format { Text, Unicode, Latex };

// ASCII that parses back to the same expression, minimal parentheses:
// (A + A')*x, -sigmoid(-w'*x)*x, x - a, a/b, sqrt(x), J(f)(x)'*g(x), partial(L, 1)(x, y, z).
std::string to_text(const Graph& g, Id id);
// For people: xᵀ, ⊙, ∇g(u), J_f(x), ∂₁L(...), ‖x‖, A⁻¹ ...
std::string to_unicode(const Graph& g, Id id);
// LaTeX math (no $ delimiters): ^\top, \odot, \sigma, J_f(x), \partial_1 L, \nabla ...
std::string to_latex(const Graph& g, Id id);
std::string print(const Graph& g, Id id, Format format);
// Text for LaTeX's text mode, its special characters escaped: \textbackslash{}, \{, \$, \&, \#,
// \%, \_, \^{}, \~{}, \textless{}, \textgreater{}.
std::string latex_text(const std::string& text);

}  // namespace nabla
