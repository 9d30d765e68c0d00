#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "ir/error.h"
#include "parse/lexer.h"

namespace nabla {

// The text of the next statement of `source` at or after `from`: a statement ends, as the
// lexer reads it, at a newline or `;` outside (), [], {}, <> and ⟨⟩, comments (# to the end
// of the line) excepted. Leading blank lines and empty statements are skipped; the span is
// empty (begin == end == source.size()) when no statement is left. Works on any bytes (an
// invalid character does not stop it), so a script can be cut into statements before any of
// them is read, and an error in one leaves the others readable.
SourceSpan next_statement(std::string_view source, size_t from);

// True when source ends inside brackets that are still open (a REPL then reads another line).
bool ends_inside_brackets(std::string_view source);

// The tokens of source[span], with spans into the whole source; lexer errors too.
std::vector<Token> tokenize_span(std::string_view source, SourceSpan span);

// The head of a declaration or definition, read from its tokens (even when the rest of the
// statement is bad): the names it declares or defines, and its parameters.
struct StatementHead {
  enum class Kind { None, Declaration, Definition };
  Kind kind = Kind::None;
  std::vector<std::string> names;
  std::vector<std::string> params;  // f(x, y) = ...: x, y
  size_t body = 0;                  // index of the first token after the head
};
StatementHead read_head(const std::vector<Token>& tokens);

}  // namespace nabla
