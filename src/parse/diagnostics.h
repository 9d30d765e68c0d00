#pragma once
#include <string>
#include <string_view>

#include "ir/error.h"

namespace nabla {

// Runs of whitespace become one space; leading and trailing whitespace go.
std::string collapse_whitespace(std::string_view text);
// The source text of a span, whitespace collapsed, shortened to about 60 bytes for messages.
std::string quote_source(std::string_view source, SourceSpan span);
// 1-based line and column (in code points) of a byte offset.
void line_and_column(std::string_view source, size_t offset, size_t* line, size_t* column);

// Line and column of offsets asked in increasing order, in time linear in the source overall
// (a script of 100000 statements asks 100000 times); an earlier offset restarts the scan.
class LineCursor {
 public:
  explicit LineCursor(std::string_view source) : src_(source) {}
  void locate(size_t offset, size_t* line, size_t* column);

 private:
  std::string_view src_;
  size_t offset_ = 0, line_ = 1, column_ = 1;
};

}  // namespace nabla
