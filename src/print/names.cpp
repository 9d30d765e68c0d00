#include "print/names.h"

#include <cctype>

#include "ir/greek.h"

namespace nabla {
namespace {

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// A subscript in LaTeX: one character bare (h_1), more in braces (w_{12}).
std::string latex_subscript(std::string_view sub) {
  std::string body;
  bool digits = true;
  for (char c : sub) digits = digits && is_digit(c);
  if (digits)
    body = std::string(sub);
  else
    body = latex_name(sub);
  if (body.size() == 1) return "_" + body;
  return "_{" + body + "}";
}

}  // namespace

NameParts split_name(std::string_view name) {
  size_t underscore = name.find('_');
  if (underscore != std::string_view::npos && underscore > 0 && underscore + 1 < name.size())
    return {std::string(name.substr(0, underscore)), std::string(name.substr(underscore + 1))};
  size_t end = name.size();
  while (end > 0 && is_digit(name[end - 1])) --end;
  if (end == 0 || end == name.size()) return {std::string(name), ""};
  return {std::string(name.substr(0, end)), std::string(name.substr(end))};
}

std::string_view greek_letter(std::string_view name) {
  const GreekLetter* g = find_greek(name);
  return g && g->name == name ? g->letter : std::string_view();
}

std::string_view greek_latex(std::string_view name) {
  const GreekLetter* g = find_greek(name);
  return g ? g->latex : std::string_view();
}

std::string unicode_subscript(std::string_view digits) {
  static constexpr std::string_view kSub[] = {"₀", "₁", "₂", "₃", "₄", "₅", "₆", "₇", "₈", "₉"};
  std::string out;
  for (char c : digits) {
    if (is_digit(c))
      out += kSub[c - '0'];
    else if (c == '-')
      out += "₋";
    else
      return {};
  }
  return out;
}

std::string unicode_superscript(std::string_view digits) {
  static constexpr std::string_view kSup[] = {"⁰", "¹", "²", "³", "⁴", "⁵", "⁶", "⁷", "⁸", "⁹"};
  std::string out;
  for (char c : digits) {
    if (is_digit(c))
      out += kSup[c - '0'];
    else if (c == '-')
      out += "⁻";
    else
      return {};
  }
  return out;
}

std::string unicode_name(std::string_view name) {
  NameParts parts = split_name(name);
  std::string base(parts.base);
  // A bare σ reads as sigmoid and π as the constant: a name sigma or pi stays spelled out.
  bool reserved = parts.subscript.empty() && (base == "sigma" || base == "pi");
  if (std::string_view letter = greek_letter(base); !letter.empty() && !reserved) base = letter;
  if (parts.subscript.empty()) return base;
  // x1 is x₁ (which reads back as x1); x_1 keeps its underscore.
  bool underscore = name.find('_') != std::string_view::npos;
  std::string sub = underscore ? std::string() : unicode_subscript(parts.subscript);
  if (!sub.empty()) return base + sub;
  return base + "_" + parts.subscript;
}

std::string latex_name(std::string_view name) {
  NameParts parts = split_name(name);
  std::string base;
  if (std::string_view cmd = greek_latex(parts.base); !cmd.empty())
    base = cmd;
  else if (parts.base.size() == 1)
    base = parts.base;
  else
    base = "\\mathrm{" + parts.base + "}";
  if (parts.subscript.empty()) return base;
  // A command needs a separator before a bare subscript letter only when one follows directly;
  // "_" is never a letter, so \sigma_2 is fine.
  return base + latex_subscript(parts.subscript);
}

}  // namespace nabla
