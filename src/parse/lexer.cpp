#include "parse/lexer.h"

#include <string_view>
#include <utility>

#include <cstdio>

#include "ir/greek.h"

namespace nabla {

int decode_utf8(std::string_view s, size_t i, uint32_t* cp) {
  auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = b(i);
  if (c < 0x80) {
    *cp = c;
    return 1;
  }
  int len;
  uint32_t v;
  if ((c & 0xE0) == 0xC0) {
    len = 2;
    v = c & 0x1F;
  } else if ((c & 0xF0) == 0xE0) {
    len = 3;
    v = c & 0x0F;
  } else if ((c & 0xF8) == 0xF0) {
    len = 4;
    v = c & 0x07;
  } else {
    return 0;
  }
  if (i + static_cast<size_t>(len) > s.size()) return 0;
  for (int k = 1; k < len; ++k) {
    unsigned char d = b(i + static_cast<size_t>(k));
    if ((d & 0xC0) != 0x80) return 0;
    v = (v << 6) | (d & 0x3F);
  }
  // Reject overlong forms, surrogates and values past U+10FFFF.
  if ((len == 2 && v < 0x80) || (len == 3 && v < 0x800) || (len == 4 && v < 0x10000)) return 0;
  if ((v >= 0xD800 && v <= 0xDFFF) || v > 0x10FFFF) return 0;
  *cp = v;
  return len;
}

namespace {

bool is_greek(uint32_t cp) {
  return (cp >= 0x391 && cp <= 0x3A9) || (cp >= 0x3B1 && cp <= 0x3C9) || cp == 0x3D1 ||
         cp == 0x3D5 || cp == 0x3F5 || cp == 0x2113;  // ϑ ϕ ϵ ℓ
}
// A name that begins with a Greek letter is the letter's ASCII name (α is alpha, λ₁ is
// lambda1), the spelling the printers write as α and \alpha, so printed Unicode reads back
// as the same variable. A bare σ (sigmoid) and π (the constant) stay as they are.
std::string ascii_greek(std::string name) {
  for (const GreekLetter& g : kGreekLetters) {
    const std::string_view letter = g.letter, ascii = g.name;
    if (letter.empty() || name.compare(0, letter.size(), letter) != 0) continue;
    std::string rest = name.substr(letter.size());
    bool plain = true;  // digits or an _suffix: the rest of an ASCII name
    for (char c : rest) plain = plain && static_cast<unsigned char>(c) < 0x80;
    if (rest.empty() && (ascii == "sigma" || ascii == "pi")) return name;  // sigmoid, π
    if (rest.empty() || (plain && (rest[0] == '_' || (rest[0] >= '0' && rest[0] <= '9'))))
      return std::string(ascii) + rest;
  }
  return name;
}

bool is_subscript_digit(uint32_t cp) {
  return cp >= 0x2080 && cp <= 0x2089;
}
bool ascii_alpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool ascii_digit(char c) {
  return c >= '0' && c <= '9';
}

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

class Lexer {
 public:
  explicit Lexer(std::string_view s) : s_(s) {}

  std::vector<Token> run() {
    while (i_ < s_.size()) step();
    statement_end(i_, i_);
    push(Tok::Eof, i_, i_);
    return std::move(out_);
  }

 private:
  void push(Tok k, size_t b, size_t e, std::string text = {}) {
    Token t;
    t.kind = k;
    t.span = {b, e};
    t.text = std::move(text);
    out_.push_back(std::move(t));
  }
  void open(Tok k, size_t b, size_t e) {
    ++depth_;
    push(k, b, e);
  }
  void close(Tok k, size_t b, size_t e) {
    if (depth_ > 0) --depth_;
    push(k, b, e);
  }
  void statement_end(size_t b, size_t e) {
    // Empty statements collapse: only one End between two statements.
    if (!out_.empty() && out_.back().kind != Tok::End) push(Tok::End, b, e);
  }
  [[noreturn]] void invalid_byte(size_t at) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "0x%02X",
                  static_cast<unsigned>(static_cast<unsigned char>(s_[at])));
    throw Error(ErrorKind::Syntax, std::string("invalid UTF-8 byte ") + buf,
                "the source must be UTF-8 text", {at, at + 1});
  }

  void step() {
    size_t b = i_;
    char c = s_[i_];
    if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') {
      ++i_;
      return;
    }
    if (c == '\n') {
      ++i_;
      if (depth_ == 0) statement_end(b, i_);
      return;
    }
    if (c == '#') {
      while (i_ < s_.size() && s_[i_] != '\n') ++i_;
      return;
    }
    if (ascii_digit(c) || (c == '.' && i_ + 1 < s_.size() && ascii_digit(s_[i_ + 1]))) {
      number();
      return;
    }
    if (ascii_alpha(c)) {
      ident();
      return;
    }
    if (static_cast<unsigned char>(c) >= 0x80) {
      unicode();
      return;
    }
    auto next = [&](char d) { return i_ + 1 < s_.size() && s_[i_ + 1] == d; };
    switch (c) {
      case '+':
        ++i_;
        push(Tok::Plus, b, i_);
        return;
      case '-':
        if (next('>')) {
          i_ += 2;
          push(Tok::Arrow, b, i_);
        } else {
          ++i_;
          push(Tok::Minus, b, i_);
        }
        return;
      case '*':
        ++i_;
        push(Tok::Star, b, i_);
        return;
      case '/':
        ++i_;
        push(Tok::Slash, b, i_);
        return;
      case '^':
        ++i_;
        push(Tok::Caret, b, i_);
        return;
      case '\'':
        ++i_;
        push(Tok::Prime, b, i_);
        return;
      case '.':
        if (next('*')) {
          i_ += 2;
          push(Tok::DotStar, b, i_);
          return;
        }
        if (next('/')) {
          i_ += 2;
          push(Tok::DotSlash, b, i_);
          return;
        }
        if (next('^')) {
          i_ += 2;
          push(Tok::DotCaret, b, i_);
          return;
        }
        break;
      case '(':
        ++i_;
        open(Tok::LParen, b, i_);
        return;
      case ')':
        ++i_;
        close(Tok::RParen, b, i_);
        return;
      case '[':
        ++i_;
        open(Tok::LBracket, b, i_);
        return;
      case ']':
        ++i_;
        close(Tok::RBracket, b, i_);
        return;
      case '{':
        ++i_;
        open(Tok::LBrace, b, i_);
        return;
      case '}':
        ++i_;
        close(Tok::RBrace, b, i_);
        return;
      case '<':
        ++i_;
        open(Tok::LAngle, b, i_);
        return;
      case '>':
        ++i_;
        close(Tok::RAngle, b, i_);
        return;
      case ',':
        ++i_;
        push(Tok::Comma, b, i_);
        return;
      case ':':
        ++i_;
        push(Tok::Colon, b, i_);
        return;
      case '|':
        ++i_;
        push(Tok::Bar, b, i_);
        return;
      case '_':
        ++i_;
        push(Tok::Underscore, b, i_);
        return;
      case ';':
        ++i_;
        if (depth_ == 0)
          statement_end(b, i_);
        else
          push(Tok::Semicolon, b, i_);
        return;
      case '=':
        if (next('=')) {
          i_ += 2;
          push(Tok::EqEq, b, i_);
        } else {
          ++i_;
          push(Tok::Assign, b, i_);
        }
        return;
      default:
        break;
    }
    std::string shown =
        (c >= 0x20 && c < 0x7F) ? std::string("'") + c + "'" : "a control character";
    throw Error(ErrorKind::Syntax, "unexpected character " + shown, {}, {b, b + 1});
  }

  void number() {
    size_t b = i_;
    while (i_ < s_.size() && ascii_digit(s_[i_])) ++i_;
    if (i_ + 1 < s_.size() && s_[i_] == '.' && ascii_digit(s_[i_ + 1])) {
      ++i_;
      while (i_ < s_.size() && ascii_digit(s_[i_])) ++i_;
    } else if (i_ < s_.size() && s_[i_] == '.' && b < i_ &&
               !(i_ + 1 < s_.size() &&
                 (s_[i_ + 1] == '*' || s_[i_ + 1] == '/' || s_[i_ + 1] == '^'))) {
      ++i_;  // "2." is 2
    }
    if (i_ < s_.size() && (s_[i_] == 'e' || s_[i_] == 'E')) {
      size_t k = i_ + 1;
      if (k < s_.size() && (s_[k] == '+' || s_[k] == '-')) ++k;
      if (k < s_.size() && ascii_digit(s_[k])) {
        i_ = k;
        while (i_ < s_.size() && ascii_digit(s_[i_])) ++i_;
      }
    }
    push(Tok::Number, b, i_, std::string(s_.substr(b, i_ - b)));
  }

  // Reads the rest of a name: ASCII letters, digits, '_', Greek letters, subscript digits.
  void ident_tail(std::string& name) {
    while (i_ < s_.size()) {
      char c = s_[i_];
      if (ascii_alpha(c) || ascii_digit(c) || c == '_') {
        name += c;
        ++i_;
        continue;
      }
      if (static_cast<unsigned char>(c) < 0x80) break;
      uint32_t cp;
      int len = decode_utf8(s_, i_, &cp);
      if (len == 0) invalid_byte(i_);
      if (is_greek(cp)) {
        append_utf8(name, cp);
      } else if (is_subscript_digit(cp)) {
        name += static_cast<char>('0' + (cp - 0x2080));
      } else {
        break;
      }
      i_ += static_cast<size_t>(len);
    }
  }

  void ident() {
    size_t b = i_;
    std::string name;
    ident_tail(name);
    push(Tok::Ident, b, i_, std::move(name));
  }

  void unicode() {
    size_t b = i_;
    uint32_t cp;
    int len = decode_utf8(s_, i_, &cp);
    if (len == 0) invalid_byte(i_);
    if (is_greek(cp)) {
      std::string name;
      ident_tail(name);
      push(Tok::Ident, b, i_, ascii_greek(std::move(name)));
      return;
    }
    i_ += static_cast<size_t>(len);
    switch (cp) {
      case 0x211D:
        push(Tok::Ident, b, i_, "R");
        return;  // ℝ
      case 0x2208:
        push(Tok::Ident, b, i_, "in");
        return;  // ∈
      case 0x00D7:
        push(Tok::Times, b, i_);
        return;  // ×
      case 0x2192:
        push(Tok::Arrow, b, i_);
        return;  // →
      case 0x1D40:
        push(Tok::TransposeT, b, i_);
        return;  // ᵀ
      case 0x2299:
        push(Tok::DotStar, b, i_);
        return;  // ⊙
      case 0x27E8:
        open(Tok::LAngle, b, i_);
        return;  // ⟨
      case 0x27E9:
        close(Tok::RAngle, b, i_);
        return;  // ⟩
      case 0x2016:
        push(Tok::NormBar, b, i_);
        return;  // ‖
      case 0x221E:
        push(Tok::Ident, b, i_, "∞");
        return;  // ∞: only after a norm's closing bar, ‖x‖∞ (the parser says so elsewhere)
      case 0x2207:
        push(Tok::Nabla, b, i_);
        return;  // ∇
      case 0x2032:
        push(Tok::Prime, b, i_);
        return;     // ′
      case 0x2033:  // ″: h″(t) is h''(t)
        push(Tok::Prime, b, i_);
        push(Tok::Prime, b, i_);
        return;
      case 0x2212:
        push(Tok::Minus, b, i_);
        return;     // −
      case 0x00B7:  // ·
      case 0x22C5:
        push(Tok::Star, b, i_);
        return;  // ⋅
      case 0x00A0:
        return;  // no-break space
      case 0x1D7CF:
        push(Tok::Ident, b, i_, "ones");
        return;  // 𝟏
      case 0x1D7CE:
        push(Tok::Ident, b, i_, "zeros");
        return;  // 𝟎
      case 0x2297:
        push(Tok::Kron, b, i_);
        return;  // ⊗
      case 0x2298:
        push(Tok::DotSlash, b, i_);
        return;  // ⊘
      case 0x221A:
        push(Tok::Root, b, i_);
        return;  // √
      case 0x00B9:
      case 0x00B2:
      case 0x00B3:
      case 0x207B:
      case 0x2070:
      case 0x2074:
      case 0x2075:
      case 0x2076:
      case 0x2077:
      case 0x2078:
      case 0x2079:
        superscript(b, cp);
        return;
      case 0x2202: {  // ∂ with a subscript index
        int64_t k = 0;
        bool any = false;
        while (i_ < s_.size()) {
          uint32_t d;
          int l = decode_utf8(s_, i_, &d);
          if (l == 0 || !is_subscript_digit(d)) break;
          if (k < 1000000) k = k * 10 + (d - 0x2080);
          any = true;
          i_ += static_cast<size_t>(l);
        }
        push(Tok::Partial, b, i_);
        out_.back().index = any ? k : 0;
        return;
      }
      default:
        break;
    }
    std::string ch;
    append_utf8(ch, cp);
    throw Error(ErrorKind::Syntax, "unexpected character '" + ch + "'", {}, {b, i_});
  }

  static int superscript_digit(uint32_t cp) {
    if (cp == 0x00B9) return 1;
    if (cp == 0x00B2) return 2;
    if (cp == 0x00B3) return 3;
    if (cp == 0x2070) return 0;
    if (cp >= 0x2074 && cp <= 0x2079) return static_cast<int>(cp - 0x2070);
    return -1;
  }

  // x², A⁻¹, x¹⁰: an optional ⁻ and superscript digits (the first code point is read).
  void superscript(size_t b, uint32_t first) {
    bool negative = first == 0x207B;
    int64_t k = negative ? 0 : superscript_digit(first);
    bool any = !negative;
    while (i_ < s_.size()) {
      uint32_t d;
      int l = decode_utf8(s_, i_, &d);
      if (l == 0 || superscript_digit(d) < 0) break;
      if (k < 1000000) k = k * 10 + superscript_digit(d);
      any = true;
      i_ += static_cast<size_t>(l);
    }
    if (!any)
      throw Error(ErrorKind::Syntax, "'⁻' needs superscript digits, as in x⁻¹", {}, {b, i_});
    push(Tok::Superscript, b, i_);
    out_.back().index = negative ? -k : k;
  }

  std::string_view s_;
  size_t i_ = 0;
  int depth_ = 0;
  std::vector<Token> out_;
};

}  // namespace

std::vector<Token> tokenize(std::string_view source) {
  return Lexer(source).run();
}

std::string token_name(const Token& t) {
  switch (t.kind) {
    case Tok::Ident:
      return "'" + t.text + "'";
    case Tok::Number:
      return "number " + t.text;
    case Tok::End:
      return "end of statement";
    case Tok::Eof:
      return "end of input";
    case Tok::Plus:
      return "'+'";
    case Tok::Minus:
      return "'-'";
    case Tok::Star:
      return "'*'";
    case Tok::Slash:
      return "'/'";
    case Tok::DotStar:
      return "'.*'";
    case Tok::DotSlash:
      return "'./'";
    case Tok::Caret:
      return "'^'";
    case Tok::DotCaret:
      return "'.^'";
    case Tok::Prime:
      return "'''";
    case Tok::TransposeT:
      return "'ᵀ'";
    case Tok::LParen:
      return "'('";
    case Tok::RParen:
      return "')'";
    case Tok::LBracket:
      return "'['";
    case Tok::RBracket:
      return "']'";
    case Tok::LBrace:
      return "'{'";
    case Tok::RBrace:
      return "'}'";
    case Tok::LAngle:
      return "'<'";
    case Tok::RAngle:
      return "'>'";
    case Tok::Comma:
      return "','";
    case Tok::Semicolon:
      return "';'";
    case Tok::Colon:
      return "':'";
    case Tok::Assign:
      return "'='";
    case Tok::EqEq:
      return "'=='";
    case Tok::Arrow:
      return "'->'";
    case Tok::Times:
      return "'×'";
    case Tok::NormBar:
      return "'‖'";
    case Tok::Nabla:
      return "'∇'";
    case Tok::Partial:
      return "'∂'";
    case Tok::Underscore:
      return "'_'";
    case Tok::Superscript:
      return "a superscript";
    case Tok::Kron:
      return "'⊗'";
    case Tok::Bar:
      return "'|'";
    case Tok::Root:
      return "'√'";
  }
  return "token";
}

}  // namespace nabla
