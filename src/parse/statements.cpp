#include "parse/statements.h"

namespace nabla {

namespace {

bool starts_with(std::string_view s, size_t i, std::string_view what) {
  return s.substr(i, what.size()) == what;
}

}  // namespace

namespace {

// Scans one statement from i (which is past the leading blanks); returns where it ends and
// the bracket depth there.
size_t scan_statement(std::string_view source, size_t i, int* depth_out) {
  int depth = 0;
  while (i < source.size()) {
    char c = source[i];
    if (c == '#') {
      while (i < source.size() && source[i] != '\n') ++i;
      continue;
    }
    if ((c == '\n' || c == ';') && depth == 0) break;
    if (c == '(' || c == '[' || c == '{' || c == '<' || starts_with(source, i, "\u27E8")) {
      ++depth;
    } else if (c == ')' || c == ']' || c == '}' || starts_with(source, i, "\u27E9") ||
               (c == '>' && !(i > 0 && source[i - 1] == '-'))) {
      if (depth > 0) --depth;  // as the lexer: a stray closer does not go below zero
    }
    ++i;
  }
  *depth_out = depth;
  return i;
}

}  // namespace

bool ends_inside_brackets(std::string_view source) {
  for (size_t pos = 0;;) {
    SourceSpan s = next_statement(source, pos);
    if (!s.valid()) return false;
    int depth = 0;
    size_t end = scan_statement(source, s.begin, &depth);
    if (end >= source.size()) return depth > 0;
    pos = end;
  }
}

SourceSpan next_statement(std::string_view source, size_t from) {
  size_t i = from;
  // Skip blank space, empty statements and comments before the statement.
  while (i < source.size()) {
    char c = source[i];
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v' || c == ';') {
      ++i;
    } else if (c == '#') {
      while (i < source.size() && source[i] != '\n') ++i;
    } else {
      break;
    }
  }
  size_t begin = i;
  int depth = 0;
  i = scan_statement(source, i, &depth);
  // Trailing blanks and newlines (inside open brackets at the end) belong to no statement.
  size_t end = i;
  while (end > begin) {
    char c = source[end - 1];
    if (c != ' ' && c != '\t' && c != '\r' && c != '\n' && c != '\f' && c != '\v') break;
    --end;
  }
  return {begin, end};
}

std::vector<Token> tokenize_span(std::string_view source, SourceSpan span) {
  auto shift = [&](SourceSpan s) { return SourceSpan{s.begin + span.begin, s.end + span.begin}; };
  std::vector<Token> tokens;
  try {
    tokens = tokenize(source.substr(span.begin, span.end - span.begin));
  } catch (const Error& e) {
    throw Error(e.kind(), e.what(), e.hint(), shift(e.span()));
  }
  for (Token& t : tokens) t.span = shift(t.span);
  return tokens;
}

StatementHead read_head(const std::vector<Token>& t) {
  StatementHead h;
  auto is = [&](size_t i, Tok k) { return i < t.size() && t[i].kind == k; };
  auto is_ident = [&](size_t i, const char* text) {
    return is(i, Tok::Ident) && t[i].text == text;
  };
  if (!is(0, Tok::Ident)) return h;
  // name, name, ... in SET   |   name, name, ... : SIGNATURE
  size_t k = 1;
  while (is(k, Tok::Comma) && is(k + 1, Tok::Ident)) k += 2;
  if (is_ident(k, "in") || is(k, Tok::Colon)) {
    h.kind = StatementHead::Kind::Declaration;
    for (size_t i = 0; i < k; i += 2) h.names.push_back(t[i].text);
    h.body = k + 1;
    return h;
  }
  // name = ...
  if (is(1, Tok::Assign)) {
    h.kind = StatementHead::Kind::Definition;
    h.names.push_back(t[0].text);
    h.body = 2;
    return h;
  }
  // f(x, y) = ...
  if (is(1, Tok::LParen)) {
    size_t j = 2;
    std::vector<std::string> params;
    while (is(j, Tok::Ident)) {
      params.push_back(t[j].text);
      if (!is(j + 1, Tok::Comma)) break;
      j += 2;
    }
    if (!params.empty() && is(j + 1, Tok::RParen) && is(j + 2, Tok::Assign)) {
      h.kind = StatementHead::Kind::Definition;
      h.names.push_back(t[0].text);
      h.params = std::move(params);
      h.body = j + 3;
    }
  }
  return h;
}

}  // namespace nabla
