#pragma once
#include <string>
#include <string_view>

namespace nabla {

// Spellings of names for the people-facing printers.

// A name split into its base and subscript: "h1" -> {"h", "1"}, "sigma2" -> {"sigma", "2"},
// "x_ab" -> {"x", "ab"}, "loss" -> {"loss", ""}.
struct NameParts {
  std::string base;
  std::string subscript;
};
NameParts split_name(std::string_view name);

// The Greek letter a spelled-out name stands for ("alpha" -> "α"), or "" when it is not one.
std::string_view greek_letter(std::string_view name);
// The LaTeX command of a Greek name or letter ("alpha" or "α" -> "\alpha"), or "".
std::string_view greek_latex(std::string_view name);

// Digits (and a leading minus) as Unicode subscripts / superscripts: "12" -> "₁₂", "-1" -> "⁻¹".
// Characters without a sub/superscript form are returned as "".
std::string unicode_subscript(std::string_view digits);
std::string unicode_superscript(std::string_view digits);

// "h1" -> "h₁", "alpha" -> "α", "sigma2" -> "σ₂", "x_ab" -> "x_ab".
std::string unicode_name(std::string_view name);
// "h1" -> "h_1", "w12" -> "w_{12}", "alpha" -> "\alpha", "loss" -> "\mathrm{loss}",
// "λ" -> "\lambda", "x_ab" -> "x_{\mathrm{ab}}".
std::string latex_name(std::string_view name);

}  // namespace nabla
