#pragma once
#include <cstddef>
#include <stdexcept>
#include <string>

namespace nabla {

// Byte offsets [begin, end) into the source text a front end read.
struct SourceSpan {
  size_t begin = 0;
  size_t end = 0;
  bool valid() const { return end > begin; }
};

enum class ErrorKind {
  Syntax,       // the text does not parse
  Name,         // an undeclared or misused name
  Shape,        // dimensions that do not fit
  Value,        // bad numeric input (JSON values, domain)
  Limit,        // an input, depth, size or work budget was exceeded
  Unsupported,  // a well-formed request nabla cannot answer (e.g. no matrix form)
  Usage,        // command-line misuse
  Internal,     // a bug: a broken invariant
};

// The kind's name in messages and machine-readable output: "syntax", "name", "shape", "value",
// "limit", "unsupported", "usage", "internal".
inline const char* error_kind_name(ErrorKind k) {
  switch (k) {
    case ErrorKind::Syntax:
      return "syntax";
    case ErrorKind::Name:
      return "name";
    case ErrorKind::Shape:
      return "shape";
    case ErrorKind::Value:
      return "value";
    case ErrorKind::Limit:
      return "limit";
    case ErrorKind::Unsupported:
      return "unsupported";
    case ErrorKind::Usage:
      return "usage";
    case ErrorKind::Internal:
      return "internal";
  }
  return "internal";
}

// Every user-facing failure. Front ends attach a span and turn it into
// "file:line:col: error: message", the source line, a caret, and the hint.
class Error : public std::runtime_error {
 public:
  Error(ErrorKind kind, std::string message, std::string hint = {}, SourceSpan span = {})
      : std::runtime_error(std::move(message)), kind_(kind), hint_(std::move(hint)), span_(span) {}
  ErrorKind kind() const { return kind_; }
  const std::string& hint() const { return hint_; }
  SourceSpan span() const { return span_; }
  Error with_span(SourceSpan s) const {
    Error e = *this;
    if (!e.span_.valid()) e.span_ = s;
    return e;
  }

 private:
  ErrorKind kind_;
  std::string hint_;
  SourceSpan span_;
};

}  // namespace nabla
