#pragma once
// The Greek letters nabla reads and prints, one row each: the ASCII name a script may write
// (a lower-case one spells a scalar, parse/builtins.h), the Unicode letter (read by the lexer as
// the name, printed by the Unicode printer) and the LaTeX command. The parser, the Unicode and
// the LaTeX printers all read this table, so a name prints as the same letter everywhere and
// the printed letter reads back as the name.
#include <string_view>

namespace nabla {

struct GreekLetter {
  std::string_view name;    // alpha
  std::string_view letter;  // α; empty: spelled out (omicron)
  std::string_view latex;   // \alpha; empty: spelled out
};

// The var- names are the Unicode "symbol" variants (ϵ U+03F5, ϑ U+03D1, ϕ U+03D5). KaTeX has
// no \omicron and no upper-case letters that look Latin (Alpha, Beta, ...): those stay names.
inline constexpr GreekLetter kGreekLetters[] = {
    {"alpha", "α", "\\alpha"},     {"beta", "β", "\\beta"},
    {"gamma", "γ", "\\gamma"},     {"delta", "δ", "\\delta"},
    {"epsilon", "ε", "\\epsilon"}, {"varepsilon", "ϵ", "\\varepsilon"},
    {"zeta", "ζ", "\\zeta"},       {"eta", "η", "\\eta"},
    {"theta", "θ", "\\theta"},     {"vartheta", "ϑ", "\\vartheta"},
    {"iota", "ι", "\\iota"},       {"kappa", "κ", "\\kappa"},
    {"lambda", "λ", "\\lambda"},   {"mu", "μ", "\\mu"},
    {"nu", "ν", "\\nu"},           {"xi", "ξ", "\\xi"},
    {"omicron", "", ""},           {"pi", "π", "\\pi"},
    {"rho", "ρ", "\\rho"},         {"sigma", "σ", "\\sigma"},
    {"tau", "τ", "\\tau"},         {"upsilon", "υ", "\\upsilon"},
    {"phi", "φ", "\\phi"},         {"varphi", "ϕ", "\\varphi"},
    {"chi", "χ", "\\chi"},         {"psi", "ψ", "\\psi"},
    {"omega", "ω", "\\omega"},     {"Gamma", "Γ", "\\Gamma"},
    {"Delta", "Δ", "\\Delta"},     {"Theta", "Θ", "\\Theta"},
    {"Lambda", "Λ", "\\Lambda"},   {"Xi", "Ξ", "\\Xi"},
    {"Pi", "Π", "\\Pi"},           {"Sigma", "Σ", "\\Sigma"},
    {"Upsilon", "Υ", "\\Upsilon"}, {"Phi", "Φ", "\\Phi"},
    {"Psi", "Ψ", "\\Psi"},         {"Omega", "Ω", "\\Omega"},
};

// The row of an ASCII name or of a letter, or nullptr.
constexpr const GreekLetter* find_greek(std::string_view name_or_letter) {
  for (const GreekLetter& g : kGreekLetters)
    if (g.name == name_or_letter || (!g.letter.empty() && g.letter == name_or_letter)) return &g;
  return nullptr;
}

// A name that spells a scalar by itself (a lower-case letter other than pi, the constant).
constexpr bool is_scalar_greek(const GreekLetter& g) {
  return g.name[0] >= 'a' && g.name[0] <= 'z' && g.name != "pi";
}

}  // namespace nabla
