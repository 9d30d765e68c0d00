#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ir/error.h"

namespace nabla {

enum class Tok {
  Ident,       // ASCII or Greek name; ℝ reads as "R", ∈ as "in", subscript digits as digits
  Number,      // 12, 0.25, 1e-3
  Plus,        // +
  Minus,       // - −
  Star,        // * · ⋅ ×(in expressions)
  Slash,       // /
  DotStar,     // .* ⊙
  DotSlash,    // ./
  Caret,       // ^
  DotCaret,    // .^
  Prime,       // ' ′
  TransposeT,  // ᵀ
  LParen,
  RParen,
  LBracket,
  RBracket,
  LBrace,
  RBrace,
  LAngle,  // < ⟨
  RAngle,  // > ⟩
  Comma,
  Semicolon,  // ; inside brackets (a stacking separator)
  Colon,
  Assign,       // =
  EqEq,         // ==
  Arrow,        // -> →
  Times,        // × (dimension and domain separator)
  NormBar,      // ‖
  Nabla,        // ∇
  Partial,      // ∂ with an optional subscript index (Token::index, 0 when absent)
  Underscore,   // _ (as in ∇_x)
  Superscript,  // ² ³ ⁻¹ ...: a power with the integer exponent Token::index
  Kron,         // ⊗ (Kronecker product)
  Bar,          // | as in |x| (abs)
  Root,         // √ as in √x, √(x + y)
  End,          // end of a statement: newline or ; outside brackets
  Eof,
};

struct Token {
  Tok kind = Tok::Eof;
  SourceSpan span;
  std::string text;   // Ident: the normalized name; Number: the digits as written
  int64_t index = 0;  // Partial: the subscript; Superscript: the exponent
};

// Splits source into tokens. Newlines inside (), [], {}, <> end nothing; `;` inside brackets is
// Tok::Semicolon. Throws Error(Syntax) on invalid UTF-8 or an unknown character.
std::vector<Token> tokenize(std::string_view source);

// Decodes one UTF-8 code point at s[i]; returns its length in bytes, 0 when invalid.
int decode_utf8(std::string_view s, size_t i, uint32_t* cp);

// A human name for a token kind, for "expected ..." messages.
std::string token_name(const Token& t);

}  // namespace nabla
