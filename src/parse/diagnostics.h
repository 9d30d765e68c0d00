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

}  // namespace nabla
